"""The BTS T-100 slice as the definitions bind it."""

from pathlib import Path

from assets.t100.raw import t100_raw
from assets.t100.resource import T100Files
from pipeline.settings import Settings
from pipeline.slices import LiveSource, SourceSlice


def _t100_folder(settings: Settings) -> tuple[list[str], list[str]]:
    """A named folder must exist; without one the load is skipped (and says so)."""
    folder = settings.variable("T100_DIR")
    if folder and not Path(folder).is_dir():
        return [f"bts_t100: T100_DIR={folder} is not a directory"], []
    if not T100Files().source(settings).directory.is_dir():
        return [], ["bts_t100: skipped, no folder (set T100_DIR to the folder of TranStats downloads)"]
    return [], []


SLICE = SourceSlice(
    "t100",
    assets=[t100_raw],
    resources={"t100": T100Files()},
    live=[LiveSource("bts_t100", frozenset({"t100_raw"}), local_check=_t100_folder)],
)
