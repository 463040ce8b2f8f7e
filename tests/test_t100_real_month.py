"""A whole real BTS T-100 month (International Segment, All Carriers, 2026-02; PROVENANCE.md §3b) loads.

`data/t100/T_T100I_SEGMENT_ALL_CARRIER_2026_02_full.zip` holds fixtures/real/dot_bts/
t100_international_segment_2026-02_full.csv byte for byte (its sha256 is checked below), zipped as
TranStats delivers it. What a real month holds and the synthetic sample did not: rows repeated on every
key shorter than the full one (AIRCRAFT_CONFIG, carrier entity / REGION), a charter line with more
passengers than seats, airport codes airportsdata does not know, and no domestic file beside it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from assets.t100.reader import PASSENGER_CLASSES, T100File, read_t100
from assets.t100.suites import T100_NATURAL_KEY
from tests.test_e2e import fingerprint, materialize, query
from tests.test_e2e_families import FLIGHTS, step_failures

DATA = Path(__file__).parent / "data" / "t100"  # README.md there says where each download comes from
REAL_MONTH = DATA / "T_T100I_SEGMENT_ALL_CARRIER_2026_02_full.zip"
REAL_SHA256 = "2d9e0211c03445a6e9c9165286a617361e9d7d9ed6541ca837ce50f0ed8c7e06"  # the shared CSV's
# A second real month from another public copy: integer numbers and no newline after the last line.
JANUARY_2024 = DATA / "T_T100I_SEGMENT_ALL_CARRIER_2024_01_full.zip"
JANUARY_2024_SHA256 = "d866dfc94043d0eea25af5b7adde43366bb4cdf6054fcedda0d25800be3d2166"
MEMBER = "T_T100I_SEGMENT_ALL_CARRIER.csv"
NO_OPENSKY = {"ops": {"opensky_raw": {"config": {"days": 1, "last_day": "2026-02-01"}}}}


def real_csv(month: Path = REAL_MONTH) -> bytes:
    with zipfile.ZipFile(month) as zf:
        return zf.read(MEMBER)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def passengers_from(rows: list[dict[str, str]], origin_country: str, dest_country: str = "US") -> int:
    """Independent of the loader: the csv module and exact decimals over the file's own columns."""
    total = sum(
        Decimal(r["PASSENGERS"])
        for r in rows
        if r["ORIGIN_COUNTRY"] == origin_country and r["DEST_COUNTRY"] == dest_country and r["CLASS"] in "FL"
    )
    assert total == total.to_integral_value()
    return int(total)


def test_the_bundled_months_are_the_real_downloads_byte_for_byte():
    data = real_csv()
    assert hashlib.sha256(data).hexdigest() == REAL_SHA256
    assert data.count(b"\r\n") == 8604  # header + 8,603 data lines, CRLF as TranStats writes them
    january = real_csv(JANUARY_2024)
    assert hashlib.sha256(january).hexdigest() == JANUARY_2024_SHA256
    assert january.count(b"\r\n") == 8640 and not january.endswith(b"\n")  # 8,640 lines, the last unterminated


@pytest.mark.parametrize(
    ("month", "lines", "cn_passengers", "above_seats"),
    [(REAL_MONTH, 8603, 94715, [("L", 9, 8)]), (JANUARY_2024, 8640, 78522, [("L", 9, 8)])],
    ids=["2026-02", "2024-01"],
)
def test_a_real_month_reads_whole_and_its_full_key_is_unique(tmp_path, month, lines, cn_passengers, above_seats):
    data = real_csv(month)
    path = tmp_path / MEMBER
    path.write_bytes(data)
    frame = read_t100(T100File(path, "international", hashlib.sha256(data).hexdigest(), len(data)))
    assert frame.height == lines == len(csv_rows(data))
    assert not frame.select(T100_NATURAL_KEY).is_duplicated().any()
    assert frame.filter(pl.col("passengers") > pl.col("seats")).select("class", "passengers", "seats").rows() == (
        above_seats
    )
    passenger_arrivals = frame.filter(
        (pl.col("origin_country") == "CN") & (pl.col("dest_country") == "US") & pl.col("class").is_in(["F", "L"])
    )
    assert passenger_arrivals["passengers"].sum() == cn_passengers == passengers_from(csv_rows(data), "CN")


def test_shorter_keys_repeat_in_a_real_month(tmp_path):
    path = tmp_path / MEMBER
    path.write_bytes(real_csv())
    frame = read_t100(T100File(path, "international", REAL_SHA256, path.stat().st_size))
    # Shorter keys repeat in a real month: both lines are real and both count...
    short = ["unique_carrier", "origin", "dest", "year", "month", "aircraft_type", "class"]
    assert frame.select(short).is_duplicated().sum() > 0
    assert frame.select([*short, "aircraft_config"]).is_duplicated().sum() > 0
    # ...the full natural key does not.
    assert not frame.select(T100_NATURAL_KEY).is_duplicated().any()
    assert set(frame["aircraft_config"].unique()) == {"1", "2", "3", "4"}
    assert set(PASSENGER_CLASSES) == {"F", "L"}


@pytest.mark.e2e
def test_a_whole_real_month_loads_in_live_mode_without_a_domestic_file(isolated_env, live_sources, monkeypatch):
    inbox: Path = live_sources["t100_dir"]
    for path in inbox.iterdir():
        path.unlink()
    shutil.copy(REAL_MONTH, inbox / REAL_MONTH.name)
    monkeypatch.setenv("COLLAB_YEARS", "2015-2026")
    monkeypatch.setenv("OPENSKY_CLIENT_ID", "")  # optional source, not configured

    result = materialize(NO_OPENSKY, groups=FLIGHTS)
    assert result.success, step_failures(result)

    rows = csv_rows(real_csv())
    assert query(isolated_env, "SELECT count(*) FROM raw.t100_segments")[0][0] == len(rows) == 8603
    expected_cn = passengers_from(rows, "CN")
    assert expected_cn == 94715
    gateway_cn = query(
        isolated_env,
        "SELECT sum(passengers) FROM mart.flight_gateway_arrivals "
        "WHERE origin_country = 'CN' AND year = 2026 AND month = 2 AND source = 'bts_t100_international_segment'",
    )[0][0]
    assert gateway_cn == expected_cn
    for country in ("JP", "GB", "MX"):  # the whole month, not only China
        got = query(
            isolated_env,
            "SELECT sum(passengers) FROM mart.flight_gateway_arrivals WHERE origin_country = ? AND year = 2026 "
            "AND source = 'bts_t100_international_segment'",
            [country],
        )[0][0]
        assert got == passengers_from(rows, country), country
    proxy = query(
        isolated_env,
        "SELECT passengers, months_reported, index_2018, august_share, town_passengers, did_estimate, method, "
        "source_mode FROM mart.flight_proxy_index WHERE origin = 'CN' AND year = 2026",
    )
    [(passengers, months, index, august_share, town, did, method, mode)] = proxy
    # One month is a partial year: measured, but no index against a whole 2018 and no August share.
    assert (passengers, months, index, august_share, mode) == (expected_cn, 1, None, None, "live")
    assert (town, did) == (None, None)
    assert "no T-100 domestic legs" in method  # the modelled part says why it is empty
    assert query(isolated_env, "SELECT count(*) FROM mart.university_town_inflow")[0][0] == 0

    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    segments = checks[("raw/t100_segments", "great_expectations")]
    assert not segments.passed and segments.severity.value == "WARN"
    warned = {k: v.value for k, v in segments.metadata.items() if k.startswith("warning: ")}
    above = next(v for k, v in warned.items() if "expect_column_pair_values_a_to_be_greater_than_b" in k)
    assert above["unexpected_count"] == 1  # TJ FXE→MHH, class L, 9 passengers on 8 seats, CSV line 462
    assert above["sample"] == [{"file_name": REAL_MONTH.name, "source_line": 462, "seats": 8, "passengers": 9}]
    unknown = {v["column"]: v for k, v in warned.items() if "_known" in k}
    codes = {r["ORIGIN"] for r in rows} | {r["DEST"] for r in rows}
    known = {r[0] for r in query(isolated_env, "SELECT iata FROM ref.airports WHERE iata = ANY(?)", [sorted(codes)])}
    assert unknown["origin_known"]["unexpected_count"] == sum(r["ORIGIN"] not in known for r in rows)
    assert unknown["dest_known"]["unexpected_count"] == sum(r["DEST"] not in known for r in rows)
    assert unknown["origin_known"]["sample"] and segments.metadata["errors"].value == 0
    inflow = checks[("mart/university_town_inflow", "great_expectations")]
    assert inflow.severity.value == "WARN" and "no T-100 domestic segment rows" in inflow.description
    # Every other gate of the family passed outright or warned; none blocked.
    assert all(e.passed or e.severity.value == "WARN" for e in checks.values())


@pytest.mark.e2e
def test_a_repeated_full_key_line_blocks_naming_the_rule(isolated_env, live_sources, monkeypatch):
    inbox: Path = live_sources["t100_dir"]
    for path in inbox.iterdir():
        path.unlink()
    monkeypatch.setenv("COLLAB_YEARS", "2015-2026")
    monkeypatch.setenv("OPENSKY_CLIENT_ID", "")
    data = real_csv()
    first = data.split(b"\r\n")[1]
    doubled = inbox / "T_T100I_SEGMENT_ALL_CARRIER_2026_02.csv"
    doubled.write_bytes(data + first + b"\r\n")  # the same line twice is double counting
    result = materialize(NO_OPENSKY, groups=FLIGHTS)
    assert not result.success
    message = " ".join(step_failures(result))
    assert "bts_t100" in message and "expect_compound_columns_to_be_unique (2 rows)" in message
    assert "raw.t100_segments" in message
    assert not isolated_env.exists() or "raw.t100_segments" not in fingerprint(isolated_env)
