#!/usr/bin/env bash
# Set up the environment and materialise every asset (with its blocking checks) into the warehouse.
source "$(dirname "$0")/env.sh"
if [ "$COLLAB_MODE" = "snapshot" ]; then
  # Snapshot mode: extract each new updated_date partition in its own run, COLLAB_SNAPSHOT_WORKERS at a time
  # (they write Parquet files, never the warehouse, so they run side by side).
  python scripts/snapshot_partitions.py | xargs -r -P "${COLLAB_SNAPSHOT_WORKERS:-2}" -I{} \
    dg launch --assets raw/openalex_snapshot_parts --partition {}
fi
# Everything else; the partitioned snapshot extraction runs above (or from the sensor), one run per partition.
# `dg launch` (Dagster's command line; pyproject.toml [tool.dg] names the code location assets.definitions).
dg launch --assets 'not key:"raw/openalex_snapshot_parts"' "$@"
echo
echo "Warehouse: ${COLLAB_WAREHOUSE:-$ROOT/warehouse/collab.duckdb} (mode: $COLLAB_MODE)"
python -m pipeline.summary
