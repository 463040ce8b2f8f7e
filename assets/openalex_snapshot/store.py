"""Where extracted snapshot partitions are kept: `COLLAB_SNAPSHOT_STORE/updated_date=YYYY-MM-DD/*.parquet`.

A partition run writes its batch files into `updated_date=….partial/` and swaps the folder in when every
batch passed its gate, so readers (latest.sql) only ever see whole partitions: a
killed or failed run leaves the previous extraction of that partition, or none, never part of one.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_DIR = re.compile(r"^updated_date=\d{4}-\d{2}-\d{2}$")
BUILDING = ".partial"  # suffix of the folder a run writes
REPLACED = ".replaced"  # suffix of the previous folder while the new one is swapped in


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(target.name + suffix)


def partition_dir(store: Path, partition: str) -> Path:
    return store / f"updated_date={partition}"


def extracted_files(store: Path) -> list[Path]:
    """Every Parquet file of every whole partition in the store (never a folder being written)."""
    if not store.is_dir():
        return []
    folders = sorted(d for d in store.iterdir() if d.is_dir() and _DIR.match(d.name))
    return [f for d in folders for f in sorted(d.glob("*.parquet"))]


def start_building(target: Path) -> Path:
    """An empty folder to write the new extraction of `target` into (a leftover of a killed run is removed;
    a previous extraction caught mid-swap is put back first)."""
    replaced = _sibling(target, REPLACED)
    if replaced.is_dir():
        if target.exists():
            shutil.rmtree(replaced)
        else:
            os.replace(replaced, target)
    building = _sibling(target, BUILDING)
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    return building


def swap_in(building: Path, target: Path) -> None:
    """Make `building` the partition's extraction (two renames; readers skip the suffixed folders)."""
    replaced = _sibling(target, REPLACED)
    if target.exists():
        os.replace(target, replaced)
    os.replace(building, target)
    shutil.rmtree(replaced, ignore_errors=True)
