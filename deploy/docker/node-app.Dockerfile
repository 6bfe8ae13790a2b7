# syntax=docker/dockerfile:1.7
# Rere API and solver service: one image recipe, two targets (`api`, `solver`).
#   docker buildx build -f deploy/docker/node-app.Dockerfile --target api \
#     --platform linux/amd64,linux/arm64 -t ghcr.io/OWNER/rere-api:TAG .
# The programs are TypeScript run through tsx (no build step): the runtime image holds the
# production node_modules (tsx is a dependency of @rere/cli) and the workspaces' sources.
# Renovate pins the base image digest (renovate.json, pinDigests) on its first run.
# ---- deps: production dependencies from the lockfile -------------------------------------
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production npm_config_update_notifier=false npm_config_fund=false
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
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --ignore-scripts

# ---- runtime: sources + node_modules, tini as PID 1, non-root ----------------------------
FROM node:20.20.2-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY packages ./packages
COPY apps/api ./apps/api
COPY apps/solver-service ./apps/solver-service
COPY apps/cli ./apps/cli
COPY tools/loadtest ./tools/loadtest
# Workspace links of npm (node_modules/@rere/* -> ../../<folder>) need the folders above.
USER 1000:1000
# tini forwards SIGTERM to node (graceful drain) and reaps zombies.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "apps/cli/bin/rere.mjs"]

FROM runtime AS api
ENV PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/status/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["api"]

FROM runtime AS solver
ENV PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8081)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["solver"]
