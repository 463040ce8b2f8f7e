"""The OpenAlex snapshot slice as the definitions bind it: the partitioned extraction, the works load,
the sensor requesting new partitions and the preflight's check of the snapshot folder."""

from pathlib import Path

from assets.openalex_snapshot.parts import openalex_snapshot_parts
from assets.openalex_snapshot.sensor import openalex_snapshot_sensor
from assets.openalex_snapshot.works import openalex_snapshot_works
from pipeline.settings import Settings
from pipeline.slices import LiveSource, SourceSlice


def _snapshot_folder(settings: Settings) -> tuple[list[str], list[str]]:
    if not Path(settings.snapshot_dir or "").is_dir():
        return [f"openalex snapshot: OPENALEX_SNAPSHOT_DIR={settings.snapshot_dir} is not a directory"], []
    return [], []


SLICE = SourceSlice(
    "openalex_snapshot",
    assets=[openalex_snapshot_parts, openalex_snapshot_works],
    live=[
        LiveSource(
            "openalex snapshot",
            frozenset({"raw__openalex_snapshot_parts", "openalex_snapshot_works"}),
            modes=("snapshot",),
            local_check=_snapshot_folder,
        )
    ],
    sensors=[openalex_snapshot_sensor],
)
