"""Snapshot mode end to end: the partitioned extraction, the latest-version rule across releases, merged
ids, the sensor's watermark, and indices equal to API mode on the same works."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import assets.openalex.sample as sample_module
from assets.definitions import defs
from assets.openalex_snapshot.parts import PARTS, SNAPSHOT_PARTITIONS, openalex_snapshot_parts
from assets.openalex_snapshot.sensor import new_partitions, openalex_snapshot_sensor
from benchmarks.plain_sql import differences, facts_counts
from pipeline.catalog import quote_name
from pipeline.settings import RunSettings, load_settings
from tests.snapshot_fixture import build_snapshot, refresh_manifest_size, synthetic_works, work, write_works_snapshot
from tests.test_e2e import INDEX_COLUMNS, PAPERS, failed_checks, materialize, query

pytestmark = pytest.mark.e2e

SNAPSHOT_PAPERS = (*PAPERS, "snapshot")


@pytest.fixture
def snapshot_env(monkeypatch, tmp_path) -> Path:
    root = tmp_path / "openalex"
    monkeypatch.setenv("COLLAB_MODE", "snapshot")
    monkeypatch.setenv("OPENALEX_SNAPSHOT_DIR", str(root))
    monkeypatch.setenv("COLLAB_SNAPSHOT_STORE", str(tmp_path / "store"))
    return root


def materialize_partition(
    instance: dg.DagsterInstance, partition: str = "2026-01-01", *, raise_on_error: bool = True
) -> dg.ExecuteInProcessResult:
    """One run of the snapshot parts asset for one partition, as the sensor's run requests start it."""
    return dg.materialize(
        [openalex_snapshot_parts],
        resources={"run_settings": RunSettings()},
        partition_key=partition,
        instance=instance,
        raise_on_error=raise_on_error,
    )


def extract_new_partitions(instance: dg.DagsterInstance) -> list[str]:
    """What scripts/materialize.sh and the sensor do: register the partitions above the watermark and
    materialise each one (one run per partition)."""
    new = new_partitions(instance, load_settings())
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, new)
    for partition in new:
        result = materialize_partition(instance, partition)
        assert result.success, partition
    return new


def test_two_releases_count_a_moved_work_once_and_drop_merged_ids(isolated_env, snapshot_env, tmp_path):
    instance = dg.DagsterInstance.ephemeral()
    build_snapshot(snapshot_env, "jsonl", release=1)
    assert extract_new_partitions(instance) == ["2026-01-01", "2026-02-01"]
    first = materialize(groups=SNAPSHOT_PAPERS, instance=instance)
    assert first.success and not failed_checks(first)
    works = "SELECT work_id, updated_date::VARCHAR, source FROM raw.openalex_snapshot_works ORDER BY work_id"
    before = {r[0].rsplit("/", 1)[1]: r for r in query(isolated_env, works)}
    assert before["W2"][1] == "2026-01-01" and before["W2"][2] == "openalex_snapshot@2026-02-01"

    # A daily run with no new partition keeps the works table as it is (its load_id too), so the publication
    # does not write its Parquet again (pipeline/lake.py); release 2 below changes both.
    loaded = "SELECT DISTINCT load_id FROM raw.openalex_snapshot_works"
    lake = (
        "SELECT file FROM meta.lake_files WHERE table_name = 'raw.openalex_snapshot_works' "
        "AND run_id = (SELECT run_id FROM meta.publication ORDER BY published_at DESC LIMIT 1)"
    )
    first_load, [(first_file,)] = query(isolated_env, loaded), query(isolated_env, lake)
    first_stat = os.stat(first_file)
    # A store extracted before the partition runs wrote facts (an upgrade): the next run writes them once from
    # the partition's records, and they are the facts the partition run had written.
    facts = tmp_path / "store" / "updated_date=2026-01-01" / "facts"
    written = {f.name: _facts_rows(f) for f in facts.glob("*.parquet")}
    shutil.rmtree(facts)
    upgraded = materialize(groups=SNAPSHOT_PAPERS, instance=instance)
    assert upgraded.success
    assert {f.name: _facts_rows(f) for f in facts.glob("*.parquet")} == written
    [event] = [
        m for m in upgraded.get_asset_materialization_events() if m.asset_key.path == ["raw", "openalex_snapshot_facts"]
    ]
    assert event.materialization.metadata["partitions_facts_backfilled"].value == 1
    assert query(isolated_env, loaded) == first_load
    assert query(isolated_env, lake) == [(first_file,)]
    assert (os.stat(first_file).st_ino, os.stat(first_file).st_mtime_ns) == (first_stat.st_ino, first_stat.st_mtime_ns)

    # Release 2: W2 changed and moved to the new partition; W3 was merged into W4. Only the new date is read.
    build_snapshot(snapshot_env, "jsonl", release=2)
    assert extract_new_partitions(instance) == ["2026-03-01"]
    second = materialize(groups=SNAPSHOT_PAPERS, instance=instance)
    assert second.success and not failed_checks(second)
    after = {r[0].rsplit("/", 1)[1]: r for r in query(isolated_env, works)}
    assert after["W2"][1] == "2026-03-01"  # the new version, once
    assert "W3" not in after and "W7" in after
    assert {r[2] for r in after.values()} == {"openalex_snapshot@2026-03-01"}
    # the facts keep exactly the versions the records keep
    facts_kept = "SELECT work_id, updated_date::VARCHAR, source FROM raw.openalex_snapshot_facts ORDER BY work_id"
    assert query(isolated_env, facts_kept) == query(isolated_env, works)
    assert query(isolated_env, loaded) != first_load and query(isolated_env, lake) != [(first_file,)]
    [event] = [
        m for m in second.get_asset_materialization_events() if m.asset_key.path == ["raw", "openalex_snapshot_works"]
    ]
    metadata = event.materialization.metadata
    assert metadata["moved_between_partitions"].value == 1
    assert metadata["merged_ids_unknown"].value >= 1
    # Every output row records the release; W2 counts once in the pair counts (now CN–US: a CN author joined).
    marts = query(isolated_env, "SELECT DISTINCT source_mode, source FROM mart.bilateral_papers")
    assert marts == [("snapshot", "openalex_snapshot@2026-03-01")]


def _facts_rows(path: Path) -> list[tuple]:
    return duckdb.sql(f"SELECT * EXCLUDE (load_id) FROM '{path}' ORDER BY work_id").fetchall()


def materialize_as_snapshot(snapshot_env: Path, works: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same works as a snapshot copy, extracted and built in snapshot mode."""
    monkeypatch.setenv("COLLAB_MODE", "snapshot")
    write_works_snapshot(snapshot_env, works)
    instance = dg.DagsterInstance.ephemeral()
    extract_new_partitions(instance)
    assert materialize(groups=SNAPSHOT_PAPERS, instance=instance).success


DRIVER_MARTS = (
    "mart.collaboration_ties",
    "mart.researcher_moves",
    "mart.institution_pairs",
    "mart.bilateral_papers_by_field",
    "mart.field_change",
)
# provenance, and the method text that names the mode
NOT_COMPARED = ("method", "count_basis", "source", "source_mode", "retrieved_at", "territory_policy")


def driver_rows(path: Path, table: str, not_compared: tuple[str, ...] = NOT_COMPARED) -> list[tuple]:
    """Every row of `table`, its columns but `not_compared`, in a fixed order."""
    schema, name = table.split(".")
    columns = [
        c
        for (c,) in query(
            path,
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        )
        if c not in not_compared
    ]
    return query(path, f"SELECT {', '.join(quote_name(c) for c in columns)} FROM {table} ORDER BY ALL")


def assert_same_rows(got: list[tuple], expected: list[tuple], table: str) -> None:
    assert len(got) == len(expected), table
    for got_row, expected_row in zip(got, expected, strict=True):
        for a, b in zip(got_row, expected_row, strict=True):
            assert a == (pytest.approx(b, rel=1e-12) if isinstance(b, float) else b), (table, expected_row)


def test_snapshot_mode_indices_equal_api_mode_on_the_same_works(isolated_env, snapshot_env, sample_works, monkeypatch):
    monkeypatch.setenv("COLLAB_MODE", "sample")
    assert materialize().success  # the bundled works through the API-shaped path
    columns = ", ".join(("country_a", "country_b", "year", "paper_set", *INDEX_COLUMNS, "collaboration_score"))
    sql = f"SELECT {columns} FROM mart.bilateral_papers ORDER BY ALL"
    api_mode = query(isolated_env, sql)
    drivers_api_mode = {table: driver_rows(isolated_env, table) for table in DRIVER_MARTS}

    materialize_as_snapshot(snapshot_env, sample_works, monkeypatch)
    snapshot_mode = query(isolated_env, sql)
    # what drives the change (issue 20): the same rows from the snapshot's records as from the API-shaped ones
    for table, rows in drivers_api_mode.items():
        assert len(rows) > 10, table
        assert_same_rows(driver_rows(isolated_env, table), rows, table)
    assert len(snapshot_mode) == len(api_mode) > 1000
    for api_row, snap_row in zip(api_mode, snapshot_mode, strict=True):
        assert snap_row[:4] == api_row[:4]
        for got, expected in zip(snap_row[4:], api_row[4:], strict=True):
            assert (got is None) == (expected is None), api_row
            assert got is None or got == pytest.approx(expected, rel=1e-12), api_row
    # the sample rows are still there, apart: modes never mix
    assert query(isolated_env, "SELECT DISTINCT source_mode FROM raw.openalex_works") == [("sample",)]
    # the same counts from per-work facts, straight from the snapshot files (warehouse/macros/facts.sql)
    with duckdb.connect() as conn:
        facts_counts(conn, snapshot_env, load_settings())
        assert differences(conn, isolated_env) == {"country_year": 0, "world_year": 0, "pair_year": 0}
        assert conn.execute("SELECT count(*) FROM counts_pair_year").fetchone()[0] > 1000


def test_works_without_authorships_count_as_unlocated_in_papers_quality_as_in_api_mode(
    isolated_env, snapshot_env, tmp_path, monkeypatch
):
    works = [
        *(r for k, r in synthetic_works().items() if k != "W2b"),
        work(8, []),  # an article without authorships: unlocated, in the universe
        work(9, [], year=2021, work_type="review"),
    ]
    sample_dir = tmp_path / "sample"
    sample_dir.mkdir()
    for year in {w["publication_year"] for w in works}:
        lines = [json.dumps(w) + "\n" for w in works if w["publication_year"] == year]
        with gzip.open(sample_dir / f"works_{year}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(lines)
    monkeypatch.setattr(sample_module, "SAMPLE_DIR", sample_dir)
    monkeypatch.setenv("COLLAB_YEARS", "2019-2021")
    monkeypatch.setenv("COLLAB_MODE", "sample")
    assert materialize().success  # the API-shaped path
    sql = "SELECT * EXCLUDE (source, source_mode, record_scope, retrieved_at) FROM mart.papers_quality ORDER BY year"
    api_mode = query(isolated_env, sql)

    materialize_as_snapshot(snapshot_env, works, monkeypatch)
    assert query(isolated_env, sql) == api_mode
    unlocated = (
        "SELECT works_seen, universe_works_unlocated, excluded_other_type FROM mart.papers_quality WHERE year = {}"
    )
    assert query(isolated_env, unlocated.format(2020)) == [(3, 1, 0)]  # W1, W5 (paratext) and W8, unlocated
    assert query(isolated_env, unlocated.format(2021)) == [(2, 0, 1)]  # W3 and W9, a review


def test_sensor_requests_only_partitions_above_the_watermark(isolated_env, snapshot_env):
    instance = dg.DagsterInstance.ephemeral()
    build_snapshot(snapshot_env, "legacy", release=1)
    first = openalex_snapshot_sensor(
        dg.build_sensor_context(instance=instance, definitions=defs, resources={"run_settings": RunSettings()})
    )
    assert [r.partition_key for r in first.run_requests] == ["2026-01-01", "2026-02-01"]
    assert all(r.asset_selection == [dg.AssetKey(PARTS.split("."))] for r in first.run_requests)
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, ["2026-01-01", "2026-02-01"])
    build_snapshot(snapshot_env, "legacy", release=2)
    second = openalex_snapshot_sensor(
        dg.build_sensor_context(instance=instance, definitions=defs, resources={"run_settings": RunSettings()})
    )
    assert [r.partition_key for r in second.run_requests] == ["2026-03-01"]


def test_bad_partition_fails_its_check_and_writes_no_file(isolated_env, snapshot_env, tmp_path):
    build_snapshot(snapshot_env, "jsonl", release=1)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, ["2026-01-01"])
    # an unknown country code in a work: the blocking check fails, nothing lands in the store
    target = next(snapshot_env.glob("data/jsonl/works/updated_date=2026-01-01/part_0000.gz"))
    _replace_in_gzip(target, '"countries": ["CN"]', '"countries": ["XX"]')
    result = materialize_partition(instance, raise_on_error=False)
    assert not result.success
    assert [e.passed for e in result.get_asset_check_evaluations()] == [False]
    assert not list((tmp_path / "store").glob("**/*.parquet"))


def _replace_in_gzip(path: Path, old: str, new: str) -> None:
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert old in text
    path.write_bytes(gzip.compress(text.replace(old, new).encode("utf-8")))
    refresh_manifest_size(path)


def _store_files(store: Path) -> dict[str, bytes]:
    return {p.relative_to(store).as_posix(): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


def _partition_rows(store: Path, partition: str) -> list[tuple]:
    files = [str(f) for f in sorted((store / f"updated_date={partition}").glob("*.parquet"))]
    return duckdb.sql(
        "SELECT * EXCLUDE (retrieved_at, load_id) FROM read_parquet(?) ORDER BY work_id", params=[files]
    ).fetchall()


def test_a_partition_read_in_batches_gives_the_same_rows_one_file_per_batch(
    isolated_env, snapshot_env, tmp_path, monkeypatch
):
    build_snapshot(snapshot_env, "jsonl", release=1)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, ["2026-01-01"])
    store = tmp_path / "store"
    whole = materialize_partition(instance)
    one_batch = _partition_rows(store, "2026-01-01")
    monkeypatch.setenv("COLLAB_SNAPSHOT_BATCH_RECORDS", "1")  # every part a batch of its own
    batched = materialize_partition(instance)
    assert list(_store_files(store)) == [  # each batch's records, and its works' facts beside them
        "updated_date=2026-01-01/facts/facts_0000.parquet",
        "updated_date=2026-01-01/facts/facts_0001.parquet",
        "updated_date=2026-01-01/works_0000.parquet",
        "updated_date=2026-01-01/works_0001.parquet",
    ]
    assert _partition_rows(store, "2026-01-01") == one_batch and len(one_batch) == 5
    metadata = {
        run: next(iter(r.get_asset_materialization_events())).materialization.metadata
        for run, r in (("whole", whole), ("batched", batched))
    }
    assert (metadata["whole"]["batches"].value, metadata["batched"]["batches"].value) == (1, 2)
    assert metadata["batched"]["rows"].value == 5 and metadata["batched"]["parts_read"].value == 2
    [check] = batched.get_asset_check_evaluations()  # one blocking check per materialisation, over every batch
    assert check.passed and check.metadata["rows_validated"].value == 5


def test_a_failed_batch_keeps_the_previous_extraction_of_the_partition(
    isolated_env, snapshot_env, tmp_path, monkeypatch
):
    build_snapshot(snapshot_env, "jsonl", release=1)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, ["2026-01-01"])
    assert materialize_partition(instance).success
    store = tmp_path / "store"
    before = _store_files(store)
    # the first batch passes and is written; the second holds an unknown country code
    monkeypatch.setenv("COLLAB_SNAPSHOT_BATCH_RECORDS", "1")
    second_part = next(snapshot_env.glob("data/jsonl/works/updated_date=2026-01-01/part_0001.gz"))
    _replace_in_gzip(second_part, '"countries": ["JP"]', '"countries": ["XX"]')
    result = materialize_partition(instance, raise_on_error=False)
    assert not result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and "part_0001.gz" in check.metadata["source"].value
    assert _store_files(store) == before  # byte for byte, and no folder left half-written
