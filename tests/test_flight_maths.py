"""Flight-proxy maths without Dagster: the macros of warehouse/macros/flights.sql on hand-computed
examples (great-circle distance, onward shares, modelled allocation, 2×2 difference-in-differences)."""

from __future__ import annotations

import math

import duckdb
import pytest

from pipeline.warehouse import sql_text


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute(sql_text("macros/flights.sql"))
    return c


def test_haversine_matches_a_known_distance(conn):
    # A quarter of a great circle: π/2 × 6371.0088 km.
    (quarter,) = conn.execute("SELECT haversine_km(0, 0, 0, 90)").fetchone()
    assert quarter == pytest.approx(math.pi / 2 * 6371.0088)
    # JFK – LAX on the sphere ≈ 3,974 km (BTS's 2,475 mi = 3,983 km is measured on the ellipsoid).
    (km,) = conn.execute("SELECT haversine_km(40.6398, -73.7789, 33.9425, -118.4081)").fetchone()
    assert km == pytest.approx(3974, abs=2)
    assert conn.execute("SELECT haversine_km(40.0, -88.0, 40.0, -88.0)").fetchone() == (0.0,)


@pytest.fixture
def example(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """August 2019. Arrivals: CN→ORD 1000, CN→DTW 500, JP→ORD 200. Onward legs: ORD→CMI 300,
    ORD→LAN 100, ORD→ATL 600 (ORD departs 1000); DTW→LAN 200, DTW→ATL 800 (DTW departs 1000).
    Towns: CMI and LAN, and ARB (general aviation) allocated to DTW, which no leg reaches."""
    conn.execute(
        "CREATE TABLE arrivals AS SELECT * FROM (VALUES (2019, 8, 'ORD', 'CN', 1000), (2019, 8, 'DTW', 'CN', 500), "
        "(2019, 8, 'ORD', 'JP', 200)) v(year, month, gateway, origin_country, passengers)"
    )
    conn.execute(
        "CREATE TABLE legs AS SELECT * FROM (VALUES (2019, 8, 'ORD', 'CMI', 300), (2019, 8, 'ORD', 'LAN', 100), "
        "(2019, 8, 'ORD', 'ATL', 600), (2019, 8, 'DTW', 'LAN', 200), (2019, 8, 'DTW', 'ATL', 800)) "
        "v(year, month, gateway, dest, passengers)"
    )
    conn.execute(
        "CREATE TABLE towns AS SELECT * FROM (VALUES ('CMI', 'CMI'), ('LAN', 'LAN'), ('ARB', 'DTW')) "
        "v(town_airport, allocation_airport)"
    )
    return conn


def test_gateway_shares_divide_by_all_departing_domestic_passengers(example):
    shares = dict(
        ((g, d), s) for g, d, s in example.execute("SELECT gateway, dest, share FROM gateway_shares('legs')").fetchall()
    )
    assert shares == {
        ("ORD", "CMI"): pytest.approx(0.3),
        ("ORD", "LAN"): pytest.approx(0.1),
        ("ORD", "ATL"): pytest.approx(0.6),
        ("DTW", "LAN"): pytest.approx(0.2),
        ("DTW", "ATL"): pytest.approx(0.8),
    }


def test_allocation_by_hand(example):
    got = {
        (town, origin): (value, shares)
        for town, origin, value, shares in example.execute(
            "SELECT town_airport, origin_country, modelled_passengers, gateway_shares "
            "FROM allocate_arrivals('arrivals', 'legs', 'towns')"
        ).fetchall()
    }
    assert set(got) == {("CMI", "CN"), ("CMI", "JP"), ("LAN", "CN"), ("LAN", "JP")}  # nothing reaches DTW
    assert got[("CMI", "CN")][0] == pytest.approx(1000 * 0.3)
    assert got[("CMI", "JP")][0] == pytest.approx(200 * 0.3)
    assert got[("LAN", "CN")][0] == pytest.approx(1000 * 0.1 + 500 * 0.2)
    assert got[("LAN", "JP")][0] == pytest.approx(200 * 0.1)
    # The inputs are kept with the result so every modelled number can be traced.
    assert [(s["gateway"], s["gateway_arrivals"], round(s["share"], 12)) for s in got[("LAN", "CN")][1]] == [
        ("DTW", 500, 0.2),
        ("ORD", 1000, 0.1),
    ]


def test_no_onward_legs_means_no_modelled_passengers_not_zero(example):
    example.execute("DELETE FROM legs WHERE gateway = 'ORD'")
    got = example.execute("SELECT town_airport, origin_country FROM allocate_arrivals('arrivals', 'legs', 'towns')")
    assert got.fetchall() == [("LAN", "CN")]


def unit(group: str, unit_id: str, treated: bool, outcomes: dict[int, float]) -> list[tuple]:
    """The panel rows of one airport (unit): its outcome per year."""
    return [(group, unit_id, treated, year, outcome) for year, outcome in outcomes.items()]


def did(conn: duckdb.DuckDBPyConnection, rows: list[tuple]) -> dict:
    conn.execute("CREATE OR REPLACE TABLE panel (grp VARCHAR, unit VARCHAR, treated BOOLEAN, year INT, outcome DOUBLE)")
    conn.executemany("INSERT INTO panel VALUES (?, ?, ?, ?, ?)", rows)
    result = conn.execute("SELECT * FROM did_2x2('panel', 2015, 2017, 2018, 2019) ORDER BY grp")
    return {r[0]: dict(zip([d[0] for d in result.description], r, strict=True)) for r in result.fetchall()}


def test_did_by_hand(conn):
    # Changes (post mean − pre mean): towns A −0.5, B −0.3; controls C +0.1, D −0.1.
    # Estimate −0.4 − 0 = −0.4; SE = sqrt(0.02/2 + 0.02/2) = sqrt(0.02).
    rows = [
        *unit("CN", "A", True, {2016: 1.0, 2019: 0.5, 2022: -5.0}),  # 2022 is outside both windows: ignored
        *unit("CN", "B", True, {2015: 2.0, 2017: 2.0, 2018: 1.6, 2019: 1.8}),
        *unit("CN", "C", False, {2016: 1.0, 2019: 1.1}),
        *unit("CN", "D", False, {2016: 3.0, 2018: 2.9}),
        *unit("CN", "E", False, {2016: 9.0}),  # no post years: left out, not counted as zero change
    ]
    got = did(conn, rows)["CN"]
    assert got["treated_change"] == pytest.approx(-0.4)
    assert got["control_change"] == pytest.approx(0.0, abs=1e-12)
    assert got["estimate"] == pytest.approx(-0.4)
    assert got["std_error"] == pytest.approx(math.sqrt(0.02))
    assert (got["n_treated"], got["n_control"]) == (2, 2)


def test_did_per_group_and_no_standard_error_from_one_unit(conn):
    got = did(
        conn,
        [
            *unit("CN", "A", True, {2016: 1.0, 2019: 0.8}),
            *unit("CN", "C", False, {2016: 1.0, 2019: 1.0}),
            *unit("JP", "A", True, {2016: 1.0, 2019: 1.1}),
            *unit("JP", "C", False, {2016: 1.0, 2019: 1.0}),
        ],
    )
    assert got["CN"]["estimate"] == pytest.approx(-0.2)
    assert got["JP"]["estimate"] == pytest.approx(0.1)
    assert got["CN"]["std_error"] is None  # one airport per group: no variance to estimate
