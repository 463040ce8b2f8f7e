#!/usr/bin/env bash
# Set up the environment and materialise every asset (with its blocking checks) into the warehouse.
source "$(dirname "$0")/env.sh"
dagster asset materialize -m pipeline.definitions --select '*' "$@"
echo
echo "Warehouse: ${COLLAB_WAREHOUSE:-$ROOT/warehouse/collab.duckdb} (mode: $COLLAB_MODE)"
python -m pipeline.summary
