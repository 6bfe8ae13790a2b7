# syntax=docker/dockerfile:1.7
# Rere web app: the Vite build served by unprivileged nginx (UID 101, port 8080) with caching
# headers and an SPA fallback (deploy/docker/nginx/default.conf).
#   docker buildx build -f deploy/docker/web.Dockerfile --platform linux/amd64,linux/arm64 .
# The build stage runs on the builder's own platform (no emulation): the output is static files.
FROM --platform=$BUILDPLATFORM node:20.20.2-bookworm-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false
COPY package.json package-lock.json ./
COPY packages/units/package.json packages/units/
COPY packages/numerics/package.json packages/numerics/
COPY packages/thermo/package.json packages/thermo/
COPY packages/unit-ops/package.json packages/unit-ops/
COPY packages/flowsheet/package.json packages/flowsheet/
COPY packages/contract/package.json packages/contract/
COPY apps/api/package.json apps/api/
COPY apps/solver-service/package.json apps/solver-service/
COPY apps/web/package.json apps/web/
COPY apps/cli/package.json apps/cli/
COPY tools/loadtest/package.json tools/loadtest/
COPY e2e/package.json e2e/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit
COPY tsconfig.base.json ./
COPY packages ./packages
COPY apps/web ./apps/web
RUN cd apps/web && npx vite build

FROM nginxinc/nginx-unprivileged:1.28.0-alpine AS web
COPY deploy/docker/nginx/default.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/apps/web/dist /usr/share/nginx/html
USER 101:101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
# nginx is PID 1 and handles SIGQUIT/SIGTERM itself; the base image's entrypoint execs it.
STOPSIGNAL SIGQUIT
