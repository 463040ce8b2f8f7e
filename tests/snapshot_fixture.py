"""Tiny OpenAlex snapshot folders for tests (assets/openalex_snapshot/reader.py), in any supported layout.

The two-release scenario (docs/methods.md#openalex-snapshot: a changed record moves to a newer partition):

- release 1: partition 2026-01-01 holds W1..W5 in two parts; partition 2026-02-01 holds W6 and the
  five real works recorded in /work/shared/fixtures/real/openalex (PROVENANCE.md §1), verbatim;
  merged_ids file 2026-02-01 (one row, an id not in the snapshot).
- release 2: W2 changed (a CN author added), so it left 2026-01-01 and is in the new partition
  2026-03-01, with a new work W7; merged_ids file 2026-03-01 names W3 merged into W4 and one
  unknown id.

The synthetic works have the field shapes of those recorded works (id URLs, `authorships[]` with
`author.id`, `institutions[].country_code/display_name/ror` and `countries`, `primary_location.source.issn`,
`primary_topic` with its field and domain on W1 and W6, ...). Every folder
written holds a README saying SYNTHETIC.

`build_snapshot` writes the scenario (legacy, jsonl, or jsonl plus a Parquet copy made with DuckDB);
`write_works_snapshot` writes given work objects into one partition; `refresh_manifest_size` makes the
manifest agree with a part damaged in place.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

OPENALEX = "https://openalex.org/"
# Copies of real recorded responses (tests/data/openalex/README.md), so a clean clone has them.
REAL_RECORDINGS = Path(__file__).resolve().parent / "data" / "openalex"
REAL_FILES = ("works_search_page1_trimmed_3_of_200.json", "works_cursor_page1_two_works.json")
NATURE_ISSNS = ["0028-0836", "1476-4687"]
P1, P2, P3 = "2026-01-01", "2026-02-01", "2026-03-01"
WORKS_DIR = {"legacy": "data/works", "jsonl": "data/jsonl/works", "parquet": "data/jsonl/works"}
# The Parquet copy's schema: one fixed nested schema for every file, as a columnar export has (a
# subset of the work object, extra fields included so the reader must pick its own).
PARQUET_COLUMNS = {
    "id": "VARCHAR",
    "doi": "VARCHAR",
    "display_name": "VARCHAR",
    "publication_year": "INTEGER",
    "publication_date": "DATE",
    "type": "VARCHAR",
    "primary_location": "STRUCT(id VARCHAR, is_oa BOOLEAN, landing_page_url VARCHAR, source STRUCT(id VARCHAR, "
    "display_name VARCHAR, issn_l VARCHAR, issn VARCHAR[], is_core BOOLEAN, type VARCHAR), version VARCHAR)",
    "authorships": "STRUCT(author_position VARCHAR, author STRUCT(id VARCHAR, display_name VARCHAR, orcid VARCHAR), "
    "institutions STRUCT(id VARCHAR, display_name VARCHAR, ror VARCHAR, country_code VARCHAR, type VARCHAR, "
    "lineage VARCHAR[])[], countries VARCHAR[], is_corresponding BOOLEAN, raw_author_name VARCHAR, "
    "raw_affiliation_strings VARCHAR[])[]",
    "primary_topic": "STRUCT(id VARCHAR, display_name VARCHAR, subfield STRUCT(id VARCHAR, display_name VARCHAR), "
    "field STRUCT(id VARCHAR, display_name VARCHAR), domain STRUCT(id VARCHAR, display_name VARCHAR))",
    "countries_distinct_count": "INTEGER",
    "institutions_distinct_count": "INTEGER",
    "cited_by_count": "INTEGER",
    "is_retracted": "BOOLEAN",
    "is_paratext": "BOOLEAN",
    "referenced_works": "VARCHAR[]",
    "updated_date": "TIMESTAMP",
    "created_date": "TIMESTAMP",
}


def institution(number: int, country: str | None) -> dict:
    iid = f"{OPENALEX}I{number}"
    return {
        "id": iid,
        "display_name": f"Synthetic Institute {number}",
        "ror": f"https://ror.org/0syn{number:05d}",
        "country_code": country,
        "type": "education",
        "lineage": [iid],
    }


def primary_topic(field: int, domain: int) -> dict:
    """A primary_topic in the API's shape (ids are URLs; the names are synthetic)."""
    return {
        "id": f"{OPENALEX}T{10_000 + field}",
        "display_name": f"Synthetic topic {field}",
        "score": 0.99,
        "subfield": {"id": f"https://openalex.org/subfields/{field}00", "display_name": f"Synthetic subfield {field}"},
        "field": {"id": f"https://openalex.org/fields/{field}", "display_name": f"Synthetic field {field}"},
        "domain": {"id": f"https://openalex.org/domains/{domain}", "display_name": f"Synthetic domain {domain}"},
    }


def with_topic(record: dict, topic: dict) -> dict:
    """The work with a primary_topic (the other synthetic works have none: NULL field and domain)."""
    return {**record, "primary_topic": topic}


def authorship(
    number: int, position: str, institutions: Sequence[dict], countries: Sequence[str] | None = None
) -> dict:
    """`countries` defaults to the institutions' codes (OpenAlex also parses raw strings, hence the override)."""
    if countries is None:
        countries = sorted({i["country_code"] for i in institutions if i["country_code"]})
    raw = [f"Department {number}, {i['display_name']}" for i in institutions]
    name = f"Author {number}"
    return {
        "author_position": position,
        "author": {"id": f"{OPENALEX}A{5_000_000_000 + number}", "display_name": name, "orcid": None},
        "institutions": list(institutions),
        "countries": list(countries),
        "is_corresponding": position == "first",
        "raw_author_name": name,
        "raw_affiliation_strings": raw,
        "affiliations": [
            {"raw_affiliation_string": r, "institution_ids": [i["id"]]} for r, i in zip(raw, institutions, strict=True)
        ],
    }


def work(
    number: int,
    authorships: Sequence[dict] | None,
    *,
    year: int = 2020,
    work_type: str = "article",
    issns: Sequence[str] | None = None,
    source: str | None = "journal",
    is_paratext: bool = False,
    is_retracted: bool = False,
    updated: str = P1,
) -> dict:
    """A work object in the API's shape (key order of the recorded works). authorships=None: field absent."""
    wid = f"{OPENALEX}W{number}"
    doi = f"https://doi.org/10.5555/synthetic.{number}"
    if source is None:
        location_source = None
    else:
        location_source = {
            "id": f"{OPENALEX}S{137_000 + number}",
            "display_name": "Synthetic Journal" if source == "journal" else "Synthetic Repository",
            "issn_l": issns[0] if issns else None,
            "issn": list(issns) if issns else None,
            "is_oa": False,
            "is_in_doaj": False,
            "is_core": source == "journal",
            "host_organization": f"{OPENALEX}P4310319908",
            "type": source,
        }
    location = {
        "id": f"doi:{doi[16:]}",
        "is_oa": False,
        "landing_page_url": doi,
        "pdf_url": None,
        "source": location_source,
        "license": None,
        "version": "publishedVersion",
        "is_accepted": True,
        "is_published": True,
    }
    record: dict = {
        "id": wid,
        "doi": doi,
        "title": f"Synthetic work {number}",
        "display_name": f"Synthetic work {number}",
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "ids": {"openalex": wid, "doi": doi},
        "language": "en",
        "primary_location": location,
        "type": work_type,
        "indexed_in": ["crossref"],
        "open_access": {"is_oa": False, "oa_status": "closed", "oa_url": None, "any_repository_has_fulltext": False},
    }
    if authorships is not None:
        record["authorships"] = list(authorships)
    auths = authorships or []
    record |= {
        "institutions": [],
        "countries_distinct_count": len({c for a in auths for c in a["countries"]}),
        "institutions_distinct_count": len({i["id"] for a in auths for i in a["institutions"]}),
        "corresponding_author_ids": [a["author"]["id"] for a in auths if a["is_corresponding"]],
        "corresponding_institution_ids": [],
        "cited_by_count": 0,
        "biblio": {"volume": "1", "issue": "1", "first_page": "1", "last_page": "9"},
        "is_retracted": is_retracted,
        "is_paratext": is_paratext,
        "locations_count": 1,
        "locations": [location],
        "best_oa_location": None,
        "referenced_works_count": 1,
        "referenced_works": [f"{OPENALEX}W2741809807"],
        "related_works": [],
        "abstract_inverted_index": None,
        "counts_by_year": [],
        "updated_date": f"{updated}T03:46:38.306776",
        "created_date": f"{year}-06-01T00:00:00",
    }
    return record


CN, US, GB, DE, JP, KR = (
    institution(n, c) for n, c in ((1, "CN"), (2, "US"), (3, "GB"), (4, "DE"), (5, "JP"), (6, "KR"))
)
UNCODED = institution(7, None)  # a matched institution whose country_code is null (real: W2175230694)


def synthetic_works() -> dict[str, dict]:
    """W1..W7 by short id ("W2b" is W2 as changed in release 2)."""
    return {
        "W1": with_topic(
            work(1, [authorship(1, "first", [CN]), authorship(2, "last", [US, CN])], issns=NATURE_ISSNS),
            primary_topic(31, 1),
        ),
        "W2": work(2, [authorship(3, "first", [US])], year=2019),
        "W3": work(
            3,
            [authorship(4, "first", [GB]), authorship(5, "last", [], countries=["DE"])],
            year=2021,
            source="repository",
        ),
        "W4": work(
            4,
            [authorship(6, "first", [UNCODED], countries=["JP"]), authorship(7, "last", [], countries=[])],
            year=2018,
            source=None,
        ),
        "W5": work(5, [authorship(8, "first", [CN])], work_type="editorial", is_paratext=True, is_retracted=True),
        "W6": with_topic(
            work(6, [authorship(9, "first", [US]), authorship(10, "last", [CN])], year=2022, updated=P2),
            primary_topic(23, 3),
        ),
        "W2b": work(2, [authorship(3, "first", [US]), authorship(11, "last", [CN])], year=2019, updated=P3),
        "W7": work(7, [authorship(12, "first", [KR]), authorship(13, "last", [US])], year=2024, updated=P3),
    }


@functools.cache
def _real_works() -> tuple[dict, ...]:
    works: list[dict] = []
    for name in REAL_FILES:
        works += json.loads((REAL_RECORDINGS / name).read_text(encoding="utf-8"))["results"]
    return tuple(works)


def real_works() -> list[dict]:
    """The recorded API works, verbatim (deep copies)."""
    return copy.deepcopy(list(_real_works()))


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)


@dataclass
class FixtureSnapshot:
    root: Path
    layout: str
    manifest: Path
    parts: dict[str, list[Path]] = field(default_factory=dict)  # partition (ISO) -> part files

    def part(self, partition: str, index: int = 0) -> Path:
        return self.parts[partition][index]


def partition_lines(release: int) -> dict[str, list[list[str]]]:
    """partition -> parts -> JSON lines, for a release of the scenario."""
    w = synthetic_works()
    first = [[w["W1"], w["W2"], w["W3"]], [w["W4"], w["W5"]]]
    if release >= 2:
        first = [[w["W1"], w["W3"]], [w["W4"], w["W5"]]]
    partitions = {P1: first, P2: [[w["W6"], *real_works()]]}
    if release >= 2:
        partitions[P3] = [[w["W2b"], w["W7"]]]
    return {p: [[dumps(r) for r in part] for part in parts] for p, parts in partitions.items()}


def _write_gzip_lines(path: Path, lines: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.write(("".join(f"{line}\n" for line in lines)).encode("utf-8"))


def write_manifest(
    root: Path, manifest: Path, parts: Sequence[tuple[Path, int]], extra_urls: Sequence[str] = ()
) -> None:
    """Redshift-style manifest with each part's real size; urls as s3://openalex/<path below root>."""
    entries = [
        {
            "url": f"s3://openalex/{p.relative_to(root).as_posix()}",
            "meta": {"content_length": p.stat().st_size, "record_count": n},
        }
        for p, n in parts
    ]
    entries += [{"url": url, "meta": {"content_length": 1, "record_count": 1}} for url in extra_urls]
    body = {
        "entries": entries,
        "meta": {
            "content_length": sum(e["meta"]["content_length"] for e in entries),
            "record_count": sum(e["meta"]["record_count"] for e in entries),
        },
    }
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def write_merged_ids(path: Path, rows: Sequence[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write("merge_date,id,merge_into_id\n" + "".join(f"{d},{i},{m}\n" for d, i, m in rows))


def build_snapshot(
    root: Path,
    layout: str = "jsonl",
    *,
    release: int = 2,
    prefix: str = "data",
    extra_lines: Mapping[str, Sequence[str]] | None = None,
) -> FixtureSnapshot:
    """Write the scenario's `release` under `root` in `layout` ('legacy', 'jsonl' or 'parquet').

    prefix: 'data' or 'legacy-data' (legacy layout only: where the 2026 bucket keeps it).
    extra_lines: raw lines appended to the first part of a partition (bad input for tests); they are
    counted in the manifest's record_count, as OpenAlex would count them."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("SYNTHETIC test snapshot (tests/snapshot_fixture.py); not OpenAlex data.\n")
    works_dir = root / WORKS_DIR[layout].replace("data", prefix, 1)
    written: list[tuple[Path, int]] = []
    snapshot = FixtureSnapshot(root, layout, root / "data/jsonl/manifest.json")
    for partition, parts in partition_lines(release).items():
        for index, lines in enumerate(parts):
            if index == 0 and extra_lines and partition in extra_lines:
                lines = [*lines, *extra_lines[partition]]
            name = f"{index:04d}_part_00.gz" if layout == "legacy" else f"part_{index:04d}.gz"
            path = works_dir / f"updated_date={partition}" / name
            _write_gzip_lines(path, lines)
            written.append((path, len(lines)))
            snapshot.parts.setdefault(partition, []).append(path)
    if layout == "legacy":
        snapshot.manifest = works_dir / "manifest"
        write_manifest(root, snapshot.manifest, written)
        merged_dir = root / prefix / "merged_ids" / "works"
    else:
        # the combined manifest lists other entities too; their files are not part of this copy
        others = [f"s3://openalex/data/jsonl/authors/updated_date={P1}/part_0000.gz"]
        write_manifest(root, snapshot.manifest, written, extra_urls=others)
        merged_dir = root / "legacy-data" / "merged_ids" / "works"  # 2026: merged_ids kept under legacy-data/
    write_merged_ids(merged_dir / f"{P2}.csv.gz", [(P2, "W900", "W1")])
    if release >= 2:
        write_merged_ids(merged_dir / f"{P3}.csv.gz", [(P3, "W3", "W4"), (P3, "W9999999", "W1")])
    if layout == "parquet":
        _write_parquet_copy(root, snapshot)
    return snapshot


def _write_parquet_copy(root: Path, snapshot: FixtureSnapshot) -> None:
    """data/parquet/works: one file per partition, converted with DuckDB (nested types), and its manifest."""
    written: list[tuple[Path, int]] = []
    conn = duckdb.connect()
    try:
        for partition, parts in snapshot.parts.items():
            target = root / "data/parquet/works" / f"updated_date={partition}" / "part_0000.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            conn.execute(
                "COPY (SELECT * FROM read_json($files, format = 'newline_delimited', columns = $columns)) "
                "TO '" + str(target).replace("'", "''") + "' (FORMAT parquet)",
                {"files": [str(p) for p in parts], "columns": PARQUET_COLUMNS},
            )
            [(count,)] = conn.sql("SELECT count(*) FROM read_parquet($f)", params={"f": str(target)}).fetchall()
            written.append((target, count))
    finally:
        conn.close()
    snapshot.manifest = root / "data/parquet/manifest.json"
    write_manifest(root, snapshot.manifest, written)


def manifest_of(part: Path) -> Path:
    """The manifest listing a part: works_dir/manifest (legacy) or <format>/manifest.json (2026)."""
    works_dir = part.parent.parent
    for candidate in (works_dir / "manifest", works_dir.parent / "manifest.json"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no manifest for {part}")


def refresh_manifest_size(part: Path) -> None:
    """Make the manifest agree with a part's current size (a damaged file the download did not shorten)."""
    manifest = manifest_of(part)
    body = json.loads(manifest.read_text(encoding="utf-8"))
    suffix = "/".join(part.parts[-3:])  # works/updated_date=.../<file>
    for entry in body["entries"]:
        if entry["url"].endswith(suffix):
            entry["meta"]["content_length"] = part.stat().st_size
    manifest.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def write_works_snapshot(
    root: Path,
    works: Sequence[dict],
    *,
    layout: str = "jsonl",
    partition: str = P1,
    per_part: int = 400_000,
) -> FixtureSnapshot:
    """A snapshot holding exactly `works` (e.g. the bundled sample's full records) in one updated_date
    partition, in parts of at most `per_part` records, with its manifest and no merged ids."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text("SYNTHETIC test snapshot (tests/snapshot_fixture.py); not OpenAlex data.\n")
    works_dir = root / ("data/works" if layout == "legacy" else "data/jsonl/works")
    snapshot = FixtureSnapshot(
        root, layout, works_dir / "manifest" if layout == "legacy" else root / "data/jsonl/manifest.json"
    )
    written: list[tuple[Path, int]] = []
    for index, start in enumerate(range(0, max(len(works), 1), per_part)):
        lines = [dumps(r) for r in works[start : start + per_part]]
        name = f"{index:04d}_part_00.gz" if layout == "legacy" else f"part_{index:04d}.gz"
        path = works_dir / f"updated_date={partition}" / name
        _write_gzip_lines(path, lines)
        written.append((path, len(lines)))
        snapshot.parts.setdefault(partition, []).append(path)
    write_manifest(root, snapshot.manifest, written)
    return snapshot
