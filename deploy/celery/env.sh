# Sourced by the other deploy/celery scripts on every machine of the cluster: the project environment
# (scripts/env.sh) with this folder's instance config in $DAGSTER_HOME, and a clear stop when a setting
# the cluster needs is missing.
DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER_HOME="${DAGSTER_HOME:-$(cd "$DEPLOY_DIR/../.." && pwd)/.dagster/celery}"
# scripts/env.sh copies the local default (no services) into $DAGSTER_HOME: give it a scratch folder, so that
# a process already running from the cluster's home never reads the local file.
DAGSTER_HOME="$(mktemp -d)"
export DAGSTER_HOME
source "$DEPLOY_DIR/../../scripts/env.sh"
rm -rf "$DAGSTER_HOME"
export DAGSTER_HOME="$CLUSTER_HOME"
mkdir -p "$DAGSTER_HOME"
if ! cmp -s "$DEPLOY_DIR/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"; then
  # Replaced in one rename: the daemon or a worker reading it sees the old file or the new one, never half.
  staged="$(mktemp "$DAGSTER_HOME/.dagster.yaml.XXXXXX")"
  cp "$DEPLOY_DIR/dagster.yaml" "$staged"
  mv -f "$staged" "$DAGSTER_HOME/dagster.yaml"
fi
# Connections (deploy/celery/dagster.yaml), and the one folder every partition run writes and the aggregation
# reads: left to its per-machine default, each worker's Parquet would stay on its own disk.
missing=()
for name in DAGSTER_PG_HOST DAGSTER_PG_PORT DAGSTER_PG_USERNAME DAGSTER_PG_PASSWORD DAGSTER_PG_DB \
  DAGSTER_CELERY_BROKER_URL DAGSTER_CELERY_BACKEND_URL COLLAB_SNAPSHOT_STORE; do
  [ -n "${!name+set}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy/celery: set ${missing[*]} (docs/scale.md, \"Partition runs on Celery workers\")" >&2
  exit 2
fi
