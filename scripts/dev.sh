#!/usr/bin/env bash
# Set up the environment and open the Dagster UI (webserver + daemon, so the schedule runs).
source "$(dirname "$0")/env.sh"
exec dg dev --host "${DAGSTER_HOST:-127.0.0.1}" --port "${DAGSTER_PORT:-3000}" "$@"
