"""BTS T-100 segment files: strict reading of real excerpts, the curated airport list, the bundled flight sample."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import math
import sys
import zipfile
from pathlib import Path

import airportsdata
import polars as pl
import pytest

from assets.opensky.client import FLIGHT_FIELDS
from assets.t100.reader import (
    DOMESTIC_HEADER,
    INTERNATIONAL_HEADER,
    KNOWN_CLASSES,
    OUTPUT_COLUMNS,
    PASSENGER_CLASSES,
    SOURCE_DOMESTIC,
    SOURCE_INTERNATIONAL,
    T100File,
    discover,
    read_t100,
)
from pipeline.http import SourceError
from pipeline.settings import REPO_ROOT

DATA = Path(__file__).parent / "data" / "t100"  # verbatim copies of fixtures/real/dot_bts (PROVENANCE.md §3b)
EXCERPT_2024 = DATA / "t100_international_segment_2024-01_excerpt.csv"  # integers: 9440
EXCERPT_2026 = DATA / "t100_international_segment_2026-02_excerpt.csv"  # floats: 8352.00
MEMBER = "T_T100I_SEGMENT_ALL_CARRIER.csv"
SAMPLE = REPO_ROOT / "pipeline" / "sample_data"
TOWNS_CSV = REPO_ROOT / "pipeline" / "reference" / "university_towns.csv"
# Key order of the real /flights/arrival object (fixtures/real/opensky/flights_arrival_EBNM_one_flight.json).
OPENSKY_KEYS = list(FLIGHT_FIELDS)  # the real object's key order


def make_zip(directory: Path, csv_bytes: bytes, name: str = "T_T100I_SEGMENT_ALL_CARRIER_2024.zip") -> Path:
    """A TranStats-like download: one zipped CSV member."""
    path = directory / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MEMBER, csv_bytes)
    return path


def t100_file(path: Path, kind: str = "international") -> T100File:
    data = path.read_bytes()
    return T100File(path=path, kind=kind, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def edited(source: Path, line: int, old: str, new: str) -> bytes:
    """The excerpt with one field changed on one CSV line (1 = header), CRLF kept."""
    lines = source.read_bytes().split(b"\r\n")
    assert old.encode() in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old.encode(), new.encode(), 1)
    return b"\r\n".join(lines)


# ---------------------------------------------------------------------------------------------- reader


def test_excerpts_are_the_real_crlf_files():
    for path in (EXCERPT_2024, EXCERPT_2026):
        data = path.read_bytes()
        assert data.count(b"\r\n") == 6 and b"\n" not in data.replace(b"\r\n", b"")
        assert data.split(b"\r\n", 1)[0].decode().split(",") == list(INTERNATIONAL_HEADER)


def test_read_real_2024_excerpt_with_integer_counts(tmp_path):
    path = make_zip(tmp_path, EXCERPT_2024.read_bytes())
    df = read_t100(t100_file(path))
    assert df.columns == list(OUTPUT_COLUMNS)
    assert df.height == 5
    for column in ("year", "month", "airline_id", "passengers", "seats", "departures_performed", "source_line"):
        assert df.schema[column] == pl.Int64
    ua = df.filter((pl.col("origin") == "PVG") & (pl.col("dest") == "SFO")).row(0, named=True)
    assert ua["unique_carrier"] == "UA" and ua["airline_id"] == 19977
    assert ua["carrier_name"] == "United Air Lines Inc."
    assert (ua["passengers"], ua["seats"], ua["departures_performed"]) == (9440, 10850, 31)
    assert (ua["origin_country"], ua["dest_country"], ua["class"]) == ("CN", "US", "F")
    assert (ua["year"], ua["month"], ua["source_line"]) == (2024, 1, 4)
    assert ua["data_source"] is None  # the real header has no DATA_SOURCE column
    assert ua["file_name"] == path.name and ua["file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert df["class"].to_list() == ["L", "L", "F", "F", "F"]  # every class kept; the warehouse filters
    assert df["source_line"].to_list() == [2, 3, 4, 5, 6]


def test_float_formatted_counts_are_parsed(tmp_path):
    df = read_t100(t100_file(make_zip(tmp_path, EXCERPT_2026.read_bytes())))
    mu = df.filter((pl.col("origin") == "LAX") & (pl.col("unique_carrier") == "MU")).row(0, named=True)
    assert (mu["passengers"], mu["seats"], mu["departures_performed"]) == (8352, 8792, 28)
    assert (mu["year"], mu["month"], mu["airline_id"], mu["source_line"]) == (2026, 2, 19958, 4)
    assert df["passengers"].to_list() == [0, 0, 8352, 8273, 8173]


def test_bare_csv_reads_like_the_zip(tmp_path):
    csv_path = tmp_path / MEMBER
    csv_path.write_bytes(EXCERPT_2024.read_bytes())
    zipped = read_t100(t100_file(make_zip(tmp_path, EXCERPT_2024.read_bytes())))
    bare = read_t100(t100_file(csv_path))
    assert bare.drop("file_name", "file_sha256").equals(zipped.drop("file_name", "file_sha256"))


def test_trailing_comma_export_is_tolerated(tmp_path):
    # Older TranStats exports end every line with a comma: one empty, nameless column.
    data = EXCERPT_2024.read_bytes().replace(b"\r\n", b",\r\n")
    df = read_t100(t100_file(make_zip(tmp_path, data)))
    assert df.height == 5 and df["passengers"].sum() == 9440 + 6622 + 7682


def test_changed_header_is_a_clear_error(tmp_path):
    path = make_zip(tmp_path, edited(EXCERPT_2026, 1, ",PASSENGERS,", ",PAX,"))
    with pytest.raises(SourceError) as err:
        read_t100(t100_file(path))
    assert err.value.source == SOURCE_INTERNATIONAL
    assert err.value.rule == "T-100 header changed"
    assert err.value.record == path.name
    assert "missing: ['PASSENGERS']" in err.value.detail and "unexpected: ['PAX']" in err.value.detail


def test_duplicated_header_column_is_an_error(tmp_path):
    path = make_zip(tmp_path, edited(EXCERPT_2024, 1, ",FREIGHT,", ",SEATS,"))
    with pytest.raises(SourceError, match=r"T-100 header changed.*duplicated: \['SEATS'\]"):
        read_t100(t100_file(path))


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("8352.00", "8352.50", "non-integral count"),
        ("8352.00", "-5.00", "negative count"),
        ("8352.00", "n/a", "not a number"),
        ("8352.00", "", "empty value"),
    ],
)
def test_bad_count_names_file_line_and_column(tmp_path, old, new, rule):
    path = make_zip(tmp_path, edited(EXCERPT_2026, 4, old, new))
    with pytest.raises(SourceError) as err:
        read_t100(t100_file(path))
    message = str(err.value)
    assert err.value.rule == f"T-100 {rule}"
    assert err.value.record == f"{path.name} line 4"
    assert "column PASSENGERS" in message and path.name in message


def test_month_out_of_range_is_an_error(tmp_path):
    path = make_zip(tmp_path, edited(EXCERPT_2024, 5, ",2024,1,1,13,F", ",2024,1,13,13,F"))
    with pytest.raises(SourceError, match=r"month out of range.*line 5"):
        read_t100(t100_file(path))


def test_truncated_zip_is_a_clear_error(tmp_path):
    whole = make_zip(tmp_path, EXCERPT_2024.read_bytes()).read_bytes()
    path = tmp_path / "T_T100I_SEGMENT_ALL_CARRIER_2023.zip"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SourceError) as err:
        read_t100(t100_file(path))
    assert err.value.rule == "zip file truncated or corrupt" and err.value.record == path.name


def test_corrupt_member_is_a_clear_error(tmp_path):
    path = make_zip(tmp_path, EXCERPT_2024.read_bytes())
    data = bytearray(path.read_bytes())
    start = 30 + len(MEMBER)  # first byte of the deflated member after the local header
    data[start + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="zip file truncated or corrupt"):
        read_t100(t100_file(path))


def test_zip_with_two_csvs_is_an_error(tmp_path):
    path = tmp_path / "T_T100I_SEGMENT_ALL_CARRIER_2024.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(MEMBER, EXCERPT_2024.read_bytes())
        zf.writestr("copy.csv", EXCERPT_2024.read_bytes())
        zf.writestr("readme.html", b"<html></html>")
    with pytest.raises(SourceError, match="exactly one CSV"):
        read_t100(t100_file(path))


def test_discover_finds_both_tables_with_checksums(tmp_path):
    make_zip(tmp_path, EXCERPT_2026.read_bytes(), "T_T100I_SEGMENT_ALL_CARRIER_2026.zip")
    make_zip(tmp_path, EXCERPT_2024.read_bytes(), "T_T100I_SEGMENT_ALL_CARRIER_2024.zip")
    (tmp_path / "104154270_T_T100D_SEGMENT_ALL_CARRIER.csv").write_bytes(b"x")  # TranStats job-number prefix
    (tmp_path / "T_T100I_MARKET_ALL_CARRIER.zip").write_bytes(b"x")  # market table: not ours
    (tmp_path / "notes.txt").write_text("x")
    files = discover(tmp_path)
    assert [(f.name, f.kind) for f in files] == [
        ("104154270_T_T100D_SEGMENT_ALL_CARRIER.csv", "domestic"),
        ("T_T100I_SEGMENT_ALL_CARRIER_2024.zip", "international"),
        ("T_T100I_SEGMENT_ALL_CARRIER_2026.zip", "international"),
    ]
    for f in files:
        data = f.path.read_bytes()
        assert f.sha256 == hashlib.sha256(data).hexdigest() and f.size == len(data)
    assert files[0].source == SOURCE_DOMESTIC and files[1].source == SOURCE_INTERNATIONAL
    with pytest.raises(FileNotFoundError):
        discover(tmp_path / "missing")


def test_passenger_classes_are_known():
    assert set(PASSENGER_CLASSES) == {"F", "L"} and set(PASSENGER_CLASSES) <= set(KNOWN_CLASSES)
    assert {"G", "P"} <= set(KNOWN_CLASSES)


# ---------------------------------------------------------------------------------------------- sample


@pytest.fixture(scope="module")
def sample_frames() -> dict[str, pl.DataFrame]:
    files = discover(SAMPLE / "t100")
    frames = {
        kind: pl.concat([read_t100(f) for f in files if f.kind == kind]) for kind in ("international", "domestic")
    }
    return frames


def test_bundled_sample_reads_cleanly(sample_frames):
    intl, dom = sample_frames["international"], sample_frames["domestic"]
    assert sorted(intl["year"].unique()) == list(range(2015, 2025)) == sorted(dom["year"].unique())
    for df in (intl, dom):
        assert set(df["class"].unique()) <= set(KNOWN_CLASSES)
        assert df.filter(pl.col("seats") < pl.col("passengers")).is_empty()
        assert df.filter(pl.col("class").is_in(["G", "P"]) & (pl.col("passengers") > 0)).is_empty()
    assert dom["origin_country"].unique().to_list() == ["US"]  # domestic files carry states, not countries
    assert set(intl["origin_country"].unique()) == {"US", "CN", "HK", "JP", "KR", "GB"}
    per_year = intl.group_by("year").len()["len"]
    assert per_year.max() <= 600 and dom.group_by("year").len()["len"].max() <= 3000
    manifest = json.loads((SAMPLE / "t100" / "MANIFEST.json").read_text())
    assert manifest["synthetic"] is True and manifest["notice"] == "SYNTHETIC: not BTS/DOT/OpenSky figures"
    cn_us = (
        intl.filter(
            pl.col("class").is_in(PASSENGER_CLASSES)
            & (pl.col("origin_country") == "CN")
            & (pl.col("dest_country") == "US")
        )
        .group_by("year")
        .agg(pl.col("passengers").sum())
    )
    for year, passengers in cn_us.iter_rows():
        assert manifest["calibration_summary"][str(year)]["cn_to_us_passengers"] == passengers


def test_sample_tells_the_calibrated_story():
    summary = json.loads((SAMPLE / "t100" / "MANIFEST.json").read_text())["calibration_summary"]
    cn = {int(y): row["cn_to_us_passengers"] for y, row in summary.items()}
    assert cn[2015] < cn[2016] < cn[2017]
    assert 0.90 < summary["2019"]["cn_relative_to_other_vs_2017"] < 0.97  # about -6 % vs other origins
    assert max(cn[y] for y in (2020, 2021, 2022)) < 0.2 * cn[2019] and cn[2022] < cn[2023] < cn[2024] < cn[2019]
    august = {int(y): row["cn_to_us_august_share"] for y, row in summary.items()}
    assert min(august[y] for y in (2015, 2016, 2017, 2018)) > max(august[y] for y in (2019, 2021, 2022, 2023, 2024))
    assert summary["2019"]["town_vs_control_august_vs_2017"] < 0.95


def test_soda_rows_are_strings_derived_from_t100(sample_frames):
    rows = json.loads((SAMPLE / "soda" / "xgub-n9bw.json").read_text())
    keys = ["data_dte", "year", "month", "usg_apt_id", "usg_apt", "usg_wac", "fg_apt_id", "fg_apt", "fg_wac",
            "airlineid", "carrier", "carriergroup", "type", "scheduled", "charter", "total"]  # fmt: skip
    assert all(list(r) == keys and all(isinstance(v, str) for v in r.values()) for r in rows)
    assert {r["type"] for r in rows} == {"Passengers"} and {r["carriergroup"] for r in rows} == {"0", "1"}
    assert all(int(r["scheduled"]) + int(r["charter"]) == int(r["total"]) for r in rows)
    assert rows[0]["data_dte"].endswith("-01T00:00:00.000")
    soda_total = sum(int(r["total"]) for r in rows if r["year"] == "2019" and r["fg_apt"] == "PVG")
    intl = sample_frames["international"].filter(
        (pl.col("year") == 2019)
        & pl.col("class").is_in(PASSENGER_CLASSES)
        & ((pl.col("origin") == "PVG") | (pl.col("dest") == "PVG"))
    )
    assert soda_total == intl["passengers"].sum()  # both directions, per the dataset's definition


def test_opensky_sample_has_the_real_object_shape():
    files = sorted((SAMPLE / "opensky").glob("arrivals_*.json"))
    assert 6 <= len(files) <= 8
    for path in files:
        flights = json.loads(path.read_text())
        icao = path.stem.removeprefix("arrivals_")
        assert flights and all(list(f) == OPENSKY_KEYS for f in flights)
        assert {f["estArrivalAirport"] for f in flights} == {icao}
        assert all(f["callsign"] is None or len(f["callsign"]) == 8 for f in flights)
        assert all(f["firstSeen"] < f["lastSeen"] for f in flights)
        assert any(f["estDepartureAirport"] is None for f in flights)


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "generate_flight_sample", REPO_ROOT / "scripts" / "generate_flight_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses resolve their module while the script executes
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _contents(root: Path) -> dict[str, bytes]:
    """Every file's bytes; zips also by member, so a different zlib cannot hide a content change."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        out[rel] = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(out[rel])) as zf:
                out |= {f"{rel}!{name}": zf.read(name) for name in zf.namelist()}
    return out


def test_generator_is_byte_reproducible_and_matches_the_bundled_sample(tmp_path):
    generator = _load_generator()
    # The generator (standalone script) writes the headers the reader documents.
    assert tuple(generator.INTERNATIONAL_HEADER) == INTERNATIONAL_HEADER
    assert tuple(generator.DOMESTIC_HEADER) == DOMESTIC_HEADER
    generator.write_outputs(tmp_path / "a", TOWNS_CSV)
    generator.write_outputs(tmp_path / "b", TOWNS_CSV)
    first, second = _contents(tmp_path / "a"), _contents(tmp_path / "b")
    assert first == second
    bundled = {k: v for k, v in _contents(SAMPLE).items() if k.split("/")[0] in ("t100", "soda", "opensky")}

    # Members and JSON bodies must match the committed sample (rerun the generator after changing it).
    def data(files: dict[str, bytes]) -> dict[str, bytes]:
        return {k: v for k, v in files.items() if "!" in k or (k.endswith(".json") and "MANIFEST" not in k)}

    assert data(first) == data(bundled)


# ---------------------------------------------------------------------------------------------- towns


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_university_towns_resolve_in_airportsdata():
    with TOWNS_CSV.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["airport_iata", "airport_icao", "role", "university", "university_lat",
                                 "university_lon", "gateway_iata", "chinese_enrolment_note", "reason"]  # fmt: skip
    by_iata = airportsdata.load("IATA")
    assert len({r["airport_iata"] for r in rows}) == len(rows)
    roles = {r["role"] for r in rows}
    assert roles == {"university_town", "control"}
    assert {"CMI", "LAF", "ITH", "SCE", "MSN", "ARB", "BMG"} <= {r["airport_iata"] for r in rows}
    assert {"LAS", "MCO", "HNL"} <= {r["airport_iata"] for r in rows if r["role"] == "control"}
    for r in rows:
        airport = by_iata.get(r["airport_iata"])
        assert airport is not None and airport["country"] == "US", r["airport_iata"]
        assert airport["icao"] == r["airport_icao"], r["airport_iata"]
        assert len(r["reason"]) > 20, f"{r['airport_iata']} needs a reason"
        if r["gateway_iata"]:
            assert r["gateway_iata"] in by_iata and r["gateway_iata"] != r["airport_iata"]
        if r["role"] == "control":
            assert not (r["university"] or r["university_lat"] or r["gateway_iata"]), r["airport_iata"]
            continue
        assert r["university"] and r["chinese_enrolment_note"], r["airport_iata"]
        lat, lon = float(r["university_lat"]), float(r["university_lon"])
        assert len(r["university_lat"].split(".")[1]) == 4 == len(r["university_lon"].split(".")[1])
        distance = haversine_km(airport["lat"], airport["lon"], lat, lon)
        assert distance < 100, f"{r['university']} is {distance:.0f} km from {r['airport_iata']}"
    gateways = {r["airport_iata"]: r["gateway_iata"] for r in rows if r["gateway_iata"]}
    assert gateways == {"LAF": "IND", "ARB": "DTW", "BMG": "IND"}
    assert by_iata["SCE"]["icao"] == "KUNV"  # State College: IATA SCE, ICAO KUNV
