#!/usr/bin/env bash
# Apply the real Secrets of an overlay from its git-ignored files:
#   deploy/k8s/apply-secrets.sh k3s-pi [--dry-run]
# For every secrets/<name>.example.env (or .example.txt) of the overlay, the real file
# secrets/<name>.env (or .txt) is applied as Secret <name> (a .txt file becomes the single key
# named in the overlay's secretGenerator, e.g. userlist.txt). A missing real file is reported
# and the example's Secret stays. Safe to rerun; pods pick up changed env on their next restart
# (`kubectl -n rere rollout restart deployment`). SECRETS_DIR overrides the folder (tests).
set -euo pipefail
overlay=${1:?usage: apply-secrets.sh OVERLAY [--dry-run]}
dry=${2:-}
dir=${SECRETS_DIR:-"$(cd "$(dirname "$0")" && pwd)/overlays/$overlay/secrets"}
ns=${RERE_NAMESPACE:-rere}
[ -d "$dir" ] || { echo "no such overlay secrets folder: $dir" >&2; exit 2; }
declare -A key=([pgbouncer-userlist]=userlist.txt [authenticated-emails]=authenticated-emails.txt)
declare -A secret=([authenticated-emails]=oauth2-proxy-emails)
missing=0
for example in "$dir"/*.example.env "$dir"/*.example.txt; do
  [ -e "$example" ] || continue
  base=$(basename "$example")
  name=${base%%.example.*}
  ext=${base##*.}
  real="$dir/$name.$ext"
  target=${secret[$name]:-$name}
  if [ ! -f "$real" ]; then
    echo "missing $real (copy $base and fill it in)" >&2
    missing=1
    continue
  fi
  if [ "$ext" = env ]; then
    args=(--from-env-file="$real")
  else
    args=(--from-file="${key[$name]:-$name.txt}=$real")
  fi
  cmd=(kubectl -n "$ns" create secret generic "$target" "${args[@]}" --dry-run=client -o yaml)
  if [ "$dry" = --dry-run ]; then
    "${cmd[@]}"
    echo ---
  else
    "${cmd[@]}" | kubectl label --local -f - rere.io/secret=generated -o yaml | kubectl apply -f -
  fi
done
exit $missing
