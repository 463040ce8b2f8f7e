#!/usr/bin/env bash
# One Celery worker machine: executes the runs the daemon launches (CeleryRunLauncher), each run whole, in
# the definitions' in-process executor. Start one per machine, with the same code and settings everywhere.
#   DAGSTER_CELERY_CONCURRENCY  runs at once on this machine (default 2: one per core; a partition run's
#                               DuckDB uses the cores it is given, COLLAB_DUCKDB_MEMORY_LIMIT each)
#   DAGSTER_CELERY_QUEUE        the queue it serves (default dagster, the launcher's default_queue)
# Extra arguments go to `celery worker` (e.g. --logfile=...).
source "$(dirname "$0")/env.sh"
# -i assets.definitions: the definitions (great-expectations, Dagster, ~5 s of imports) are imported once
# before the pool forks, not in every pool process.
exec dagster-celery worker start -A dagster_celery.app -y deploy/celery/celery.yaml \
  -q "${DAGSTER_CELERY_QUEUE:-dagster}" -i assets.definitions \
  -- --concurrency="${DAGSTER_CELERY_CONCURRENCY:-2}" "$@"
