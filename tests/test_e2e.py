"""End to end: every asset materialised into a temporary warehouse, in sample and in live mode."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import assets.openalex.sample as sample_module
from assets.definitions import defs
from pipeline.dictionary import dictionary, undocumented
from pipeline.publish import build_path, relations, table_checksums

pytestmark = pytest.mark.e2e

MART_TABLES = ("mart.bilateral_papers", "mart.country_papers", "mart.papers_quality")
INDEX_COLUMNS = (
    "papers_a",
    "papers_b",
    "intl_papers_a",
    "intl_papers_b",
    "world_papers",
    "world_intl_papers",
    "coauthored",
    "salton",
    "jaccard",
    "affinity",
    "expected_coauthored",
    "observed_expected",
)


# The papers family and what it reads; the mobility and flight families have their own tests.
PAPERS = ("reference", "papers", "indices")


def materialize(
    run_config: dict | None = None,
    groups: tuple[str, ...] | None = PAPERS,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise the assets of `groups` (None: every asset) into the test's warehouse and publish it
    (when every selected asset succeeds); partitioned assets (the snapshot extraction) run per partition,
    not here."""
    job = defs.resolve_implicit_global_asset_job_def()
    graph = defs.resolve_asset_graph()
    selection = [
        k
        for k in graph.get_all_asset_keys()
        if graph.get(k).partitions_def is None and (groups is None or graph.get(k).group_name in (*groups, "publish"))
    ]
    return job.execute_in_process(
        run_config=run_config or {},
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        asset_selection=selection,
    )


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def fingerprint(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every table (the publication manifest's checksums):
    equal means unchanged."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return {table: (rows, checksum) for table, rows, checksum in table_checksums(conn)}
    finally:
        conn.close()


def failed_checks(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [e for e in result.get_asset_check_evaluations() if not e.passed]


def test_sample_mode_builds_every_table_with_provenance(sample_build):
    result, built = sample_build.result, sample_build.warehouse
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert len(result.get_asset_check_evaluations()) >= 12
    # tables and views: the published file holds the large tables as views over Parquet (pipeline.lake)
    conn = duckdb.connect(str(built), read_only=True)
    try:
        every_table = relations(conn)
    finally:
        conn.close()
    for table in (*MART_TABLES, "raw.openalex_works", "core.works", "ref.countries"):
        assert table in every_table
    # Published seed figures (Open Doors) are real in every mode: 'reference', beside the sample rows; the best
    # series never mixes them with synthetic rows (docs/methods.md), so it is 'sample' only here.
    seeded = {"raw.open_doors": frozenset({"reference"})}
    seeded |= dict.fromkeys(("core.student_mobility", "mart.student_mobility"), frozenset({"sample", "reference"}))
    for table in every_table:
        expected = seeded.get(table, {"reference"} if table.startswith("ref.") else {"sample"})
        rows = query(built, f"SELECT DISTINCT source_mode, source IS NULL, retrieved_at IS NULL FROM {table}")
        # empty: live-only raw.openalex_group_counts
        assert {r[0] for r in rows} <= expected and all(r[1:] == (False, False) for r in rows), (table, rows)
    for table in (*MART_TABLES, "raw.openalex_works", "core.works", "core.country_year"):
        assert query(built, f"SELECT DISTINCT source_mode, source FROM {table}") == [("sample", "openalex")]
    # Every country pair of the sample, both orders, every year, both paper sets.
    pairs = query(
        built,
        "SELECT count(DISTINCT (country_a, country_b)), count(DISTINCT year), "
        "count(DISTINCT paper_set) FROM mart.bilateral_papers",
    )[0]
    assert pairs[0] > 100 and pairs[1] == 10 and pairs[2] == 2
    cn_us = query(
        built,
        "SELECT year, coauthored, collaboration_score FROM mart.bilateral_papers "
        "WHERE country_a = 'CN' AND country_b = 'US' AND paper_set = 'all' ORDER BY year",
    )
    assert [r[0] for r in cn_us] == list(range(2015, 2025))
    assert all(r[2] is not None and 0 < r[2] <= r[1] for r in cn_us)
    # Every column of every documented table is documented, and the docs live in the warehouse too.
    for table, doc in dictionary()["tables"].items():
        if doc.get("location") == "parquet":  # extracted snapshot partitions: files, not warehouse tables
            continue
        schema, name = table.split(".")
        columns = [
            r[0]
            for r in query(
                built,
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
                [schema, name],
            )
        ]
        assert columns, f"{table} is documented but not built"
        assert undocumented(table, columns) == [], table
    assert query(
        built,
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'mart' "
        "AND table_name = 'bilateral_papers' AND column_name = 'salton'",
    )[0][0].startswith("Salton")


def test_rerun_is_idempotent(isolated_env, sample_build):
    values = (
        f"SELECT country_a, country_b, year, paper_set, {', '.join(INDEX_COLUMNS)} "
        "FROM mart.bilateral_papers ORDER BY ALL"
    )
    sample_build.copy_to(isolated_env)  # a built warehouse, as after a first run
    before = fingerprint(isolated_env)
    first = query(isolated_env, values)
    assert materialize().success
    assert query(isolated_env, values) == first
    after = fingerprint(isolated_env)
    assert {t: v[0] for t, v in after.items()} == {t: v[0] for t, v in before.items()}, "no duplicated rows"
    # Values equal; only retrieval times and load ids move.
    assert after["mart.bilateral_papers"][0] == before["mart.bilateral_papers"][0]


def test_file_opens_with_the_storage_format_duckdb_1x_reads(isolated_env):
    assert materialize(groups=("reference",)).success
    version = query(isolated_env, "SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal")
    assert (version and version[0][0] in (None, "v1.5.0")) or version[0][0].startswith("v1.")


def doctored_sample(tmp_path: Path, edit) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(sample_module.SAMPLE_DIR, target)
    for path in sorted(target.glob("works_*.jsonl.gz")):
        year = int(path.stem.split("_")[1].split(".")[0])
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            works = [json.loads(line) for line in fh if line.strip()]
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(w) + "\n" for w in edit(year, works))
    return target


def test_bad_country_code_fails_the_gate_and_changes_nothing(isolated_env, tmp_path, monkeypatch, sample_build):
    sample_build.copy_to(isolated_env)  # the last good state
    before = fingerprint(isolated_env)

    def poison(year: int, works: list[dict]) -> list[dict]:
        if year == 2020:
            works[0]["authorships"][0]["countries"] = ["ZZ"]
        return works

    monkeypatch.setattr(sample_module, "SAMPLE_DIR", doctored_sample(tmp_path, poison))
    result = materialize()
    assert not result.success
    failed = failed_checks(result)
    assert [f.asset_key.to_user_string() for f in failed] == ["raw/openalex_works"]
    described = failed[0].description
    assert "expect_column_values_to_be_in_set[country]" in described and "openalex" in described
    samples = [v.value for k, v in failed[0].metadata.items() if "be_in_set" in k]
    assert samples and samples[0]["sample"][0]["country"] == "ZZ" and samples[0]["sample"][0]["work_id"]
    assert fingerprint(isolated_env) == before, "a failed run leaves every table as it was"


def test_duplicate_work_id_fails_the_gate(isolated_env, tmp_path, monkeypatch):
    def duplicate(year: int, works: list[dict]) -> list[dict]:
        return [*works, works[0]] if year == 2018 else works

    monkeypatch.setattr(sample_module, "SAMPLE_DIR", doctored_sample(tmp_path, duplicate))
    result = materialize()
    assert not result.success
    [failed] = failed_checks(result)
    assert "expect_column_values_to_be_unique[work_id]" in failed.description
    assert not isolated_env.exists(), "a failed run publishes nothing"
    assert not query(build_path(isolated_env), "SELECT * FROM duckdb_tables() WHERE schema_name = 'mart'")


def test_row_count_implausible_against_previous_load(isolated_env, tmp_path, monkeypatch, sample_build):
    sample_build.copy_to(isolated_env)  # the previous load
    before = fingerprint(isolated_env)
    monkeypatch.setattr(
        sample_module, "SAMPLE_DIR", doctored_sample(tmp_path, lambda year, works: works[: len(works) // 5])
    )
    result = materialize()
    assert not result.success
    assert any("expect_table_row_count_to_be_between" in f.description for f in failed_checks(result))
    assert fingerprint(isolated_env) == before


def test_missing_field_fails_naming_the_record(isolated_env, tmp_path, monkeypatch):
    def drop_year(year: int, works: list[dict]) -> list[dict]:
        if year == 2016:
            del works[3]["publication_year"]
        return works

    monkeypatch.setattr(sample_module, "SAMPLE_DIR", doctored_sample(tmp_path, drop_year))
    result = materialize()
    assert not result.success
    [failed] = failed_checks(result)
    assert "expect_column_values_to_not_be_null[publication_year]" in failed.description


def test_live_mode_matches_sample_mode_on_the_same_works(isolated_env, tmp_path, monkeypatch, live_env):
    monkeypatch.setenv("COLLAB_YEARS", "2018-2020")
    live = materialize()
    assert live.success, [e for e in live.all_events if e.event_type_value == "STEP_FAILURE"]
    live_path = isolated_env
    kinds = live_env.calls_by_kind()
    assert kinds["group_by"] > 0 and kinds["list"] > 0 and kinds["singleton"] >= 1

    sample_path = tmp_path / "sample.duckdb"
    monkeypatch.setenv("COLLAB_MODE", "sample")
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(sample_path))
    assert materialize().success

    columns = ", ".join(INDEX_COLUMNS)
    focus_rows = (
        "SELECT country_a, country_b, year, paper_set, {c} FROM mart.bilateral_papers "
        "WHERE country_a IN ('CN', 'US') OR country_b IN ('CN', 'US') ORDER BY ALL"
    )
    live_rows = query(live_path, focus_rows.format(c=columns))
    sample_rows = query(sample_path, focus_rows.format(c=columns))
    assert len(live_rows) == len(sample_rows) > 0
    for lrow, srow in zip(live_rows, sample_rows, strict=True):
        assert lrow[:4] == srow[:4]
        for column, lval, sval in zip(INDEX_COLUMNS, lrow[4:], srow[4:], strict=True):
            assert (lval is None and sval is None) or lval == pytest.approx(sval, rel=1e-12), (lrow[:4], column)

    score = (
        "SELECT year, paper_set, collaboration_score FROM mart.bilateral_papers "
        "WHERE country_a = 'CN' AND country_b = 'US' ORDER BY ALL"
    )
    live_scores, sample_scores = query(live_path, score), query(sample_path, score)
    assert [r[:2] for r in live_scores] == [r[:2] for r in sample_scores]
    assert [r[2] for r in live_scores] == pytest.approx([r[2] for r in sample_scores], rel=1e-12)
    # Fractional values for pairs whose records live mode does not fetch are NULL, never 0.
    assert (
        query(
            live_path,
            "SELECT count(*), count(collaboration_score) FROM mart.bilateral_papers "
            "WHERE country_a = 'CN' AND country_b = 'DE'",
        )[0][1]
        == 0
    )
    assert query(live_path, "SELECT DISTINCT source_mode, count_basis FROM mart.bilateral_papers") == [
        ("live", "group_by")
    ]
    assert query(live_path, "SELECT count(share) FROM mart.country_papers")[0][0] == 0
