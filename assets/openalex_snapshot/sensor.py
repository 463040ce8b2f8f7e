"""The sensor that registers the snapshot's new updated_date partitions and requests their extraction.

No `from __future__ import annotations`: Dagster inspects the resource annotation.
"""

from datetime import date

import dagster as dg

from assets.common import key
from assets.openalex_snapshot.parts import PARTS, SNAPSHOT_PARTITIONS, snapshot_of
from pipeline.settings import RunSettings, Settings


@dg.sensor(
    name="openalex_snapshot_sensor",
    minimum_interval_seconds=3600,
    asset_selection=[key(PARTS)],
    description="COLLAB_MODE=snapshot: adds every updated_date partition of OPENALEX_SNAPSHOT_DIR newer than the "
    "watermark (the newest partition already known) and requests its extraction.",
)
def openalex_snapshot_sensor(
    context: dg.SensorEvaluationContext, run_settings: RunSettings
) -> dg.SensorResult | dg.SkipReason:
    settings = run_settings.get()
    if settings.mode != "snapshot":
        return dg.SkipReason(f"COLLAB_MODE={settings.mode}: the snapshot is not used")
    new = new_partitions(context.instance, settings)
    if not new:
        return dg.SkipReason("no updated_date partition newer than the watermark")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=p, asset_selection=[key(PARTS)]) for p in new],
        dynamic_partitions_requests=[SNAPSHOT_PARTITIONS.build_add_request(new)],
    )


def new_partitions(instance: dg.DagsterInstance, settings: Settings) -> list[str]:
    """updated_date partitions of the snapshot copy newer than the watermark (the newest one known)."""
    known = instance.get_dynamic_partitions(SNAPSHOT_PARTITIONS.name)
    watermark = max((date.fromisoformat(p) for p in known), default=None)
    return [p.isoformat() for p in snapshot_of(settings).partitions(after=watermark)]
