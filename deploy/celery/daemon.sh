#!/usr/bin/env bash
# The Dagster daemon, once per cluster: evaluates the sensor (openalex_snapshot_sensor submits one run per new
# updated_date partition), dequeues runs within dagster.yaml's limits and launches them on the workers, and
# watches them (run monitoring). The webserver, when wanted: dagster-webserver -w deploy/celery/workspace.yaml.
source "$(dirname "$0")/env.sh"
exec dagster-daemon run -w deploy/celery/workspace.yaml "$@"
