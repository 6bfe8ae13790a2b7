# syntax=docker/dockerfile:1.7
# PgBouncer from Debian's package, non-root, configuration mounted at run time
# (deploy/k8s/base/pgbouncer.ini from a ConfigMap; deploy/compose/pgbouncer/ in Compose).
#   docker buildx build -f deploy/docker/pgbouncer.Dockerfile --platform linux/amd64,linux/arm64 .
FROM debian:12.12-slim AS pgbouncer
RUN apt-get update \
 && apt-get install -y --no-install-recommends pgbouncer tini postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 1000 pgbouncer-run \
 && useradd --system --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin pgbouncer-run
USER 1000:1000
EXPOSE 6432
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["pg_isready", "-h", "127.0.0.1", "-p", "6432"]
# PgBouncer handles SIGTERM itself (fast shutdown; SIGINT = safe shutdown); tini reaps.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/sbin/pgbouncer"]
CMD ["/etc/pgbouncer/pgbouncer.ini"]
