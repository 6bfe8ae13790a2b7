#!/usr/bin/env bash
# Start a local PgBouncer in transaction-pooling mode on 127.0.0.1:${PGBOUNCER_PORT:-6432},
# in front of the PostgreSQL at 127.0.0.1:5432 (trust auth). Used by .ci/run and by developers
# to run the integration suite with DB_VARIANT=pgbouncer. Idempotent: exits 0 if it is running.
set -euo pipefail
port=${PGBOUNCER_PORT:-6432}
dir=${PGBOUNCER_DIR:-/tmp/rere-pgbouncer}
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$bin" ]; then echo "pgbouncer is not installed (apt-get install pgbouncer)" >&2; exit 1; fi
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "pgbouncer already listening on $port"; exit 0; fi
mkdir -p "$dir"
cat >"$dir/userlist.txt" <<USERS
"postgres" ""
"root" ""
USERS
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
unix_socket_dir =
INI
chmod -R a+rwX "$dir"
if [ "$(id -u)" = 0 ]; then
  runuser_arg=(-u postgres)
else
  runuser_arg=()
fi
"$bin" -d "${runuser_arg[@]}" "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then echo "pgbouncer listening on $port"; exit 0; fi
  sleep 0.1
done
echo "pgbouncer did not start; see $dir/pgbouncer.log" >&2
cat "$dir/pgbouncer.log" >&2 || true
exit 1
