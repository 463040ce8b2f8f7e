"""The OpenAlex snapshot reader (assets/openalex_snapshot/reader.py) on tiny snapshots (tests/snapshot_fixture.py)."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date

import duckdb
import polars as pl
import pytest

from assets.openalex_snapshot.reader import (
    MERGED_IDS_SCHEMA,
    OUTPUT_COLUMNS,
    OUTPUT_SCHEMA,
    Part,
    PartitionStats,
    QuarantineSample,
    extract_partition,
    merged_ids,
    open_snapshot,
    part_batches,
)
from pipeline.http import SourceError
from pipeline.warehouse import package_sql
from tests.snapshot_fixture import (
    OPENALEX,
    P1,
    P2,
    P3,
    build_snapshot,
    dumps,
    real_works,
    refresh_manifest_size,
    synthetic_works,
    work,
    write_works_snapshot,
)

D1, D2, D3 = (date.fromisoformat(p) for p in (P1, P2, P3))
LAYOUTS = ("legacy", "jsonl", "parquet")


@pytest.fixture
def conn():
    connection = duckdb.connect()
    yield connection
    connection.close()


def rows_by_id(conn, snapshot, partition: date) -> dict[str, dict]:
    return {r["work_id"]: r for r in extract_partition(conn, snapshot, partition).rows.to_dicts()}


def w(n: int | str) -> str:
    return f"{OPENALEX}W{n}"


# --- discovery and validation ----------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_is_discovered_with_release_partitions_and_merged_ids(tmp_path, layout):
    built = build_snapshot(tmp_path / "s3", layout)
    snapshot = open_snapshot(built.root)
    assert snapshot.layout == layout
    assert snapshot.release == P3
    assert snapshot.partitions() == [D1, D2, D3]
    assert snapshot.manifest == built.manifest
    assert [d for d, _ in snapshot.merged_ids] == [D2, D3]
    assert snapshot.unlisted == ()
    first = snapshot.parts_of(D1)
    assert all(p.updated_date == D1 and p.content_length == p.path.stat().st_size for p in first)
    if layout == "parquet":
        assert [snapshot.relative(p.path) for p in first] == [
            "data/parquet/works/updated_date=2026-01-01/part_0000.parquet"
        ]
        assert [p.record_count for p in first] == [4]
    else:
        folder = "data/works" if layout == "legacy" else "data/jsonl/works"
        names = ["0000_part_00.gz", "0001_part_00.gz"] if layout == "legacy" else ["part_0000.gz", "part_0001.gz"]
        assert [snapshot.relative(p.path) for p in first] == [f"{folder}/updated_date={P1}/{n}" for n in names]
        assert [p.record_count for p in first] == [2, 2]


def test_legacy_layout_is_accepted_under_the_legacy_data_prefix(tmp_path):
    snapshot = open_snapshot(build_snapshot(tmp_path, "legacy", prefix="legacy-data").root)
    assert snapshot.layout == "legacy"
    assert snapshot.relative(snapshot.manifest) == "legacy-data/works/manifest"
    assert [snapshot.relative(p) for _, p in snapshot.merged_ids] == [
        f"legacy-data/merged_ids/works/{P2}.csv.gz",
        f"legacy-data/merged_ids/works/{P3}.csv.gz",
    ]


def test_parquet_copy_without_its_manifest_is_not_used(tmp_path):
    built = build_snapshot(tmp_path, "parquet")
    built.manifest.unlink()  # a Parquet copy still being written
    snapshot = open_snapshot(tmp_path)
    assert snapshot.layout == "jsonl"
    assert snapshot.partitions() == [D1, D2, D3]


def test_a_new_release_adds_a_partition_and_moves_a_changed_work(tmp_path, conn):
    build_snapshot(tmp_path, "jsonl", release=1)
    first = open_snapshot(tmp_path)
    assert (first.release, first.partitions()) == (P2, [D1, D2])
    assert set(rows_by_id(conn, first, D1)) == {w(1), w(2), w(3), w(4), w(5)}
    old_w2 = rows_by_id(conn, first, D1)[w(2)]

    build_snapshot(tmp_path, "jsonl", release=2)  # the sync of the next release (with --delete)
    second = open_snapshot(tmp_path)
    assert second.release == P3
    assert second.partitions(after=date.fromisoformat(first.release)) == [D3]
    assert set(rows_by_id(conn, second, D1)) == {w(1), w(3), w(4), w(5)}
    new = rows_by_id(conn, second, D3)
    assert set(new) == {w(2), w(7)}
    assert (old_w2["countries"], new[w(2)]["countries"]) == (["US"], ["CN", "US"])
    assert new[w(2)]["updated_date"] == D3
    assert new[w(2)]["snapshot_release"] == P3


def test_watermark_keeps_only_strictly_newer_partitions(tmp_path):
    snapshot = open_snapshot(build_snapshot(tmp_path).root)
    assert snapshot.partitions(after=None) == [D1, D2, D3]
    assert snapshot.partitions(after=D1) == [D2, D3]
    assert snapshot.partitions(after=date(2026, 2, 15)) == [D3]
    assert snapshot.partitions(after=D3) == []


def test_a_manifest_entry_whose_file_is_missing_fails_naming_it(tmp_path):
    built = build_snapshot(tmp_path, "jsonl")
    missing = built.part(P2)
    missing.unlink()
    with pytest.raises(SourceError) as raised:
        open_snapshot(tmp_path)
    assert raised.value.source == "openalex_snapshot"
    assert raised.value.rule == "manifest lists a part that is missing"
    assert raised.value.record == f"data/jsonl/works/updated_date={P2}/part_0000.gz"


@pytest.mark.parametrize("layout", ["legacy", "jsonl"])
def test_a_missing_manifest_fails(tmp_path, layout):
    built = build_snapshot(tmp_path, layout)
    built.manifest.unlink()
    with pytest.raises(SourceError) as raised:
        open_snapshot(tmp_path)
    assert raised.value.rule == "manifest is missing"
    assert raised.value.record == built.manifest.relative_to(tmp_path).as_posix()


def test_a_part_whose_size_differs_from_the_manifest_fails(tmp_path):
    built = build_snapshot(tmp_path, "legacy")
    part = built.part(P1, 1)
    part.write_bytes(part.read_bytes()[:-10])  # an interrupted download
    with pytest.raises(SourceError) as raised:
        open_snapshot(tmp_path)
    assert raised.value.rule.startswith("part size differs from the manifest")
    assert raised.value.record == f"data/works/updated_date={P1}/0001_part_00.gz"


def test_a_works_folder_without_partitions_fails(tmp_path):
    built = build_snapshot(tmp_path, "jsonl")
    for folder in (tmp_path / "data/jsonl/works").iterdir():
        shutil.rmtree(folder)
    with pytest.raises(SourceError) as raised:
        open_snapshot(built.root)
    assert raised.value.rule == "works folder has no partitions"
    assert raised.value.record == "data/jsonl/works"


def test_a_folder_without_any_works_layout_fails(tmp_path):
    (tmp_path / "data" / "authors").mkdir(parents=True)
    with pytest.raises(SourceError, match="no works folder in the snapshot"):
        open_snapshot(tmp_path)


def test_files_the_manifest_does_not_list_are_reported_and_not_read(tmp_path, conn):
    build_snapshot(tmp_path, "jsonl")
    stale = tmp_path / f"data/jsonl/works/updated_date={P1}/part_0009.gz"
    with gzip.open(stale, "wt") as fh:  # left by a sync without --delete
        fh.write(dumps(work(2, None)) + "\n")
    snapshot = open_snapshot(tmp_path)
    assert snapshot.unlisted == (stale,)
    extract = extract_partition(conn, snapshot, D1)
    assert extract.parts_read == 2
    assert set(extract.rows["part_file"]) == {
        f"data/jsonl/works/updated_date={P1}/part_0000.gz",
        f"data/jsonl/works/updated_date={P1}/part_0001.gz",
    }


# --- extraction ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_projected_columns_and_types_are_the_contract(tmp_path, conn, layout):
    snapshot = open_snapshot(build_snapshot(tmp_path, layout).root)
    extract = extract_partition(conn, snapshot, D1)
    rows = extract.rows
    assert isinstance(rows, pl.DataFrame)
    assert rows.schema == OUTPUT_SCHEMA
    described = conn.sql("DESCRIBE SELECT * FROM rows").fetchall()
    assert {name: kind for name, kind, *_ in described} == OUTPUT_COLUMNS
    assert list(rows.columns) == list(OUTPUT_COLUMNS)
    assert rows.height == 4 and rows["work_id"].n_unique() == 4
    assert rows["is_authors_truncated"].to_list() == [False] * 4
    assert set(rows["updated_date"]) == {D1}
    assert set(rows["snapshot_release"]) == {P3}
    assert (extract.partition, extract.records_read) == (D1, 4)
    assert (extract.quarantined_lines, extract.quarantined_no_authorships, extract.duplicates) == (0, 0, 0)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_countries_issns_and_authorships_are_parsed(tmp_path, conn, layout):
    snapshot = open_snapshot(build_snapshot(tmp_path, layout).root)
    first = rows_by_id(conn, snapshot, D1)
    assert first[w(1)]["countries"] == ["CN", "US"]
    assert first[w(1)]["issns"] == ["0028-0836", "1476-4687"]
    assert first[w(3)]["countries"] == ["DE", "GB"]  # DE from an author's `countries` alone
    assert first[w(3)]["issns"] == []  # a repository: issn null
    assert first[w(4)]["countries"] == ["JP"]
    assert first[w(4)]["issns"] == []  # no source at all
    assert first[w(4)]["authorships"] == [
        {"institutions": [{"id": f"{OPENALEX}I7", "country_code": None}], "countries": ["JP"]},
        {"institutions": [], "countries": []},
    ]
    assert (first[w(4)]["n_authorships"], first[w(4)]["publication_year"]) == (2, 2018)
    assert (first[w(5)]["type"], first[w(5)]["is_paratext"], first[w(5)]["is_retracted"]) == ("editorial", True, True)

    second = rows_by_id(conn, snapshot, D2)
    for record in real_works():  # recorded API works, parsed like any other
        got = second[record["id"]]
        assert got["countries"] == sorted({c for a in record["authorships"] for c in a["countries"]})
        assert got["issns"] == (((record.get("primary_location") or {}).get("source") or {}).get("issn") or [])
        assert got["n_authorships"] == len(record["authorships"])
        assert (got["publication_year"], got["type"]) == (record["publication_year"], record["type"])
    assert second[w(2070285172)]["countries"] == ["CN", "NO"]
    assert second[w(2175230694)]["authorships"][3] == {
        "institutions": [{"id": f"{OPENALEX}I4387154893", "country_code": None}],
        "countries": [],
    }


def test_rows_parse_as_the_api_path_parses_the_same_work_objects(tmp_path, conn):
    """The same fields as raw/openalex_works.sql and the authorships core/authorship_affiliations.sql reads."""
    snapshot = open_snapshot(build_snapshot(tmp_path, "jsonl").root)
    ours = pl.concat([extract_partition(conn, snapshot, d).rows for d in snapshot.partitions()])
    records = [*synthetic_works().values(), *real_works()]
    records = [r for r in records if r["id"] != w(2) or r["updated_date"].startswith(P3)]  # W2 as in release 2
    conn.execute(
        "CREATE TEMP TABLE incoming_openalex_works AS SELECT unnest($texts) AS json_text, 'test' AS request, "
        "false AS authors_refetched, now() AS retrieved_at",
        {"texts": [dumps(r) for r in records]},
    )
    conn.execute("SET VARIABLE source_mode = 'sample'")
    conn.execute("SET VARIABLE load_id = 'test'")
    api = conn.sql(
        "SELECT work_id, publication_year, type, is_paratext, is_retracted, n_authorships::INTEGER AS n_authorships, "
        'countries, from_json(payload, \'{"authorships": [{"institutions": [{"id": "VARCHAR", '
        '"country_code": "VARCHAR"}], "countries": ["VARCHAR"]}]}\').authorships AS authorships '
        "FROM (" + package_sql("assets.openalex", "openalex_works.sql") + ")"
    ).pl()
    compared = ["work_id", "publication_year", "type", "is_paratext", "is_retracted", "n_authorships", "countries"]
    compared += ["authorships"]
    assert ours.select(compared).sort("work_id").to_dicts() == api.select(compared).sort("work_id").to_dicts()


def test_bad_lines_are_quarantined_and_works_without_authorships_kept_and_counted(tmp_path, conn):
    no_authorships = work(8, [])
    missing_authorships = work(9, None)
    built = build_snapshot(
        tmp_path,
        "jsonl",
        extra_lines={
            P1: [
                "this line is not JSON",
                dumps(no_authorships),
                '{"id": "https://openalex.org/W10"',
                dumps(missing_authorships),
            ]
        },
    )
    snapshot = open_snapshot(built.root)
    extract = extract_partition(conn, snapshot, D1)
    assert set(extract.rows["work_id"]) == {w(1), w(3), w(4), w(5), w(8), w(9)}  # the rest is still read
    # works without authorships stay, unlocated (the API path counts them in mart.papers_quality too)
    unlocated = extract.rows.filter(extract.rows["work_id"].is_in([w(8), w(9)]))
    assert (
        unlocated.select("n_authorships", "countries", "authorships").to_dicts()
        == [{"n_authorships": 0, "countries": [], "authorships": []}] * 2
    )
    assert extract.records_read == 8
    assert extract.quarantined_lines == 2
    assert extract.quarantined_no_authorships == 2
    assert extract.duplicates == 0
    part = f"data/jsonl/works/updated_date={P1}/part_0000.gz"
    by_reason = {(s.reason, s.line, s.work_id) for s in extract.samples}
    assert by_reason == {
        ("not_json", 3, None),
        ("not_json", 5, None),
        ("no_authorships", None, w(8)),
        ("no_authorships", None, w(9)),
    }
    assert {s.part_file for s in extract.samples} == {part}


def test_a_duplicate_work_id_keeps_one_record_the_newest(tmp_path, conn):
    newer_w3 = synthetic_works()["W3"] | {"publication_year": 2022, "updated_date": f"{P1}T23:59:59.000000"}
    older_w3 = synthetic_works()["W3"] | {"publication_year": 2000, "updated_date": "2025-12-31T00:00:00"}
    again_w1 = synthetic_works()["W1"]
    built = build_snapshot(tmp_path, "jsonl", extra_lines={P1: [dumps(r) for r in (newer_w3, older_w3, again_w1)]})
    extract = extract_partition(conn, open_snapshot(built.root), D1)
    assert extract.duplicates == 3
    assert sorted(extract.rows["work_id"]) == [w(1), w(3), w(4), w(5)]
    assert rows_by_id(conn, open_snapshot(built.root), D1)[w(3)]["publication_year"] == 2022


def test_a_batch_of_parts_can_be_read_alone(tmp_path, conn):
    snapshot = open_snapshot(build_snapshot(tmp_path, "legacy").root)
    batch = snapshot.parts_of(D1)[1:]
    extract = extract_partition(conn, snapshot, D1, parts=batch)
    assert (extract.parts_read, sorted(extract.rows["work_id"])) == (1, [w(4), w(5)])
    with pytest.raises(SourceError, match="parts are not all in the partition"):
        extract_partition(conn, snapshot, D2, parts=batch)


def test_parts_are_batched_by_record_count_without_splitting_a_part(tmp_path):
    parts = [Part(tmp_path / f"p{i}", D1, n, None) for i, n in enumerate([3, 2, None, 5, 7, 1, 4])]
    batches = part_batches(parts, max_records=5)
    counts = [[p.record_count for p in batch] for batch in batches]
    # a part without a count, or larger than a batch, is read alone; nothing is dropped or reordered
    assert counts == [[3, 2], [None], [5], [7], [1, 4]]
    assert [p for batch in batches for p in batch] == parts
    assert part_batches(parts, max_records=100) == [parts[:2], parts[2:3], parts[3:]]
    assert part_batches([], max_records=5) == []


def test_batch_stats_add_up_and_keep_a_few_samples_per_reason():
    def stats(n: int, reason: str) -> PartitionStats:
        samples = tuple(QuarantineSample(reason, f"part_{n}", line=i) for i in range(4))
        return PartitionStats(D1, 1, 10 * n, n, 2 * n, 3 * n, samples)

    total = stats(1, "not_json") + stats(2, "not_json") + stats(3, "no_authorships")
    assert (total.parts_read, total.records_read, total.quarantined_lines) == (3, 60, 6)
    assert (total.quarantined_no_authorships, total.duplicates) == (12, 18)
    assert [s.part_file for s in total.samples] == ["part_1"] * 4 + ["part_2"] + ["part_3"] * 4


@pytest.mark.parametrize("damage", ["truncated", "garbled"])
def test_a_corrupt_gzip_part_fails_naming_the_file(tmp_path, conn, damage):
    built = build_snapshot(tmp_path, "jsonl")
    part = built.part(P2)
    raw = part.read_bytes()
    if damage == "truncated":
        part.write_bytes(raw[: len(raw) // 2])
    else:  # same size, deflate data overwritten in the middle
        middle = len(raw) // 2
        part.write_bytes(raw[:middle] + bytes(range(256))[:64] * 4 + raw[middle + 256 :])
    refresh_manifest_size(part)  # the manifest agrees: only decompression can tell
    snapshot = open_snapshot(tmp_path)
    with pytest.raises(SourceError) as raised:
        extract_partition(conn, snapshot, D2)
    assert raised.value.rule == "corrupt gzip"
    assert raised.value.record == f"data/jsonl/works/updated_date={P2}/part_0000.gz"
    assert "[openalex_snapshot] corrupt gzip" in str(raised.value)
    assert extract_partition(conn, snapshot, D1).rows.height == 4  # the connection is still usable


def test_a_part_holding_other_records_than_the_manifest_says_fails(tmp_path, conn):
    built = build_snapshot(tmp_path, "jsonl")
    body = json.loads(built.manifest.read_text())
    for entry in body["entries"]:
        if entry["url"].endswith(f"updated_date={P3}/part_0000.gz"):
            entry["meta"]["record_count"] = 3
    built.manifest.write_text(json.dumps(body))
    with pytest.raises(SourceError) as raised:
        extract_partition(conn, open_snapshot(tmp_path), D3)
    assert raised.value.rule == "part record count differs from the manifest"
    assert raised.value.record == f"data/jsonl/works/updated_date={P3}/part_0000.gz"


def test_a_partition_not_in_the_snapshot_fails(tmp_path, conn):
    snapshot = open_snapshot(build_snapshot(tmp_path, "jsonl", release=1).root)
    with pytest.raises(SourceError, match="partition is not in the snapshot"):
        extract_partition(conn, snapshot, D3)


# --- merged ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["legacy", "jsonl"])
def test_merged_ids_are_read_after_the_watermark_and_normalised(tmp_path, conn, layout):
    snapshot = open_snapshot(build_snapshot(tmp_path, layout).root)
    everything = merged_ids(conn, snapshot)
    assert everything.schema == MERGED_IDS_SCHEMA
    assert everything.height == 3
    newer = merged_ids(conn, snapshot, after=D2)
    assert newer.sort("id").rows() == [(D3, w(3), w(4)), (D3, w(9999999), w(1))]  # the unknown id is kept
    assert merged_ids(conn, snapshot, after=D3).height == 0
    assert merged_ids(conn, snapshot, after=D3).schema == MERGED_IDS_SCHEMA


def test_merged_ids_with_an_unexpected_header_fail(tmp_path, conn):
    snapshot = open_snapshot(build_snapshot(tmp_path, "legacy").root)
    _, path = snapshot.merged_ids[-1]
    with gzip.open(path, "wt") as fh:
        fh.write("id,merge_into_id\nW3,W4\n")
    with pytest.raises(SourceError) as raised:
        merged_ids(conn, snapshot, after=D2)
    assert raised.value.rule == "merged_ids file has an unexpected header"
    assert raised.value.record == f"data/merged_ids/works/{P3}.csv.gz"


@pytest.mark.parametrize("layout", ["legacy", "jsonl"])
def test_a_snapshot_of_given_works_reads_back_every_work(tmp_path, conn, layout):
    works = [*real_works(), *(r for k, r in synthetic_works().items() if k != "W2b"), work(8, [])]
    built = write_works_snapshot(tmp_path, works, layout=layout, per_part=4)
    snapshot = open_snapshot(tmp_path)
    assert (snapshot.layout, snapshot.partitions()) == (layout, [D1])
    assert len(snapshot.parts) == len(built.parts[P1]) == 4  # 13 works, 4 per part
    extract = extract_partition(conn, snapshot, D1)
    assert set(extract.rows["work_id"]) == {r["id"] for r in works}
    assert (extract.records_read, extract.quarantined_no_authorships) == (13, 1)
