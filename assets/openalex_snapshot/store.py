"""Where extracted snapshot partitions are kept: `COLLAB_SNAPSHOT_STORE/updated_date=YYYY-MM-DD/`, one
`works_NNNN.parquet` per batch (the projected records) and beside it `facts/facts_NNNN.parquet` (the batch's
per-work facts, warehouse/macros/facts.sql: what the counts need, nothing per authorship).

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
FACTS = "facts"  # the sub-folder of a partition holding its per-work facts
BUILDING = ".partial"  # suffix of the folder a run writes
REPLACED = ".replaced"  # suffix of the previous folder while the new one is swapped in


def _sibling(target: Path, suffix: str) -> Path:
    return target.with_name(target.name + suffix)


def partition_dir(store: Path, partition: str) -> Path:
    return store / f"updated_date={partition}"


def extracted_partitions(store: Path) -> list[Path]:
    """The folder of every whole partition in the store (never a folder being written), oldest first."""
    if not store.is_dir():
        return []
    return sorted(d for d in store.iterdir() if d.is_dir() and _DIR.match(d.name))


def extracted_files(store: Path) -> list[Path]:
    """Every records Parquet file of every whole partition in the store."""
    return [f for d in extracted_partitions(store) for f in sorted(d.glob("*.parquet"))]


def fact_files(store: Path) -> list[Path]:
    """Every facts Parquet file of every whole partition in the store."""
    return [f for d in extracted_partitions(store) for f in sorted((d / FACTS).glob("*.parquet"))]


def partitions_without_facts(store: Path) -> list[Path]:
    """Partitions extracted before the partition runs wrote facts (records files, no facts folder)."""
    return [d for d in extracted_partitions(store) if any(d.glob("*.parquet")) and not (d / FACTS).is_dir()]


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
