"""The extraction store (assets/openalex_snapshot/store.py): readers only ever see whole partitions."""

from __future__ import annotations

from pathlib import Path

from assets.openalex_snapshot.store import extracted_files, partition_dir, start_building, swap_in


def _write(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(name)


def test_readers_see_only_whole_partitions(tmp_path):
    _write(partition_dir(tmp_path, "2026-01-01"), "works_0000.parquet", "works_0001.parquet")
    _write(tmp_path / "updated_date=2026-02-01.partial", "works_0000.parquet")  # a run still writing
    _write(tmp_path / "updated_date=2026-03-01.replaced", "works_0000.parquet")  # caught mid-swap
    _write(partition_dir(tmp_path, "2025-12-01"), "works.parquet")  # one file per partition, as stores before
    assert [f.relative_to(tmp_path).as_posix() for f in extracted_files(tmp_path)] == [
        "updated_date=2025-12-01/works.parquet",
        "updated_date=2026-01-01/works_0000.parquet",
        "updated_date=2026-01-01/works_0001.parquet",
    ]
    assert extracted_files(tmp_path / "missing") == []


def test_a_new_extraction_replaces_the_old_one_whole(tmp_path):
    tmp_path = tmp_path / "store"
    target = partition_dir(tmp_path, "2026-01-01")
    _write(target, "works_0000.parquet", "works_0001.parquet")
    building = start_building(target)
    _write(building, "works_0000.parquet")
    assert len(extracted_files(tmp_path)) == 2  # the old extraction until the swap
    swap_in(building, target)
    assert [f.name for f in extracted_files(tmp_path)] == ["works_0000.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["updated_date=2026-01-01"]


def test_a_run_killed_mid_swap_or_mid_write_is_repaired_by_the_next(tmp_path):
    target = partition_dir(tmp_path, "2026-01-01")
    _write(target.with_name(target.name + ".replaced"), "works_0000.parquet")  # killed between the two renames
    _write(target.with_name(target.name + ".partial"), "works_0000.parquet", "works_0001.parquet")
    assert extracted_files(tmp_path) == []
    building = start_building(target)
    assert [f.name for f in extracted_files(tmp_path)] == ["works_0000.parquet"]  # the old one is back
    assert list(building.iterdir()) == []  # the killed run's files are gone
