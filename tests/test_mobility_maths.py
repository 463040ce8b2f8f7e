"""Mobility maths without Dagster: the series macros, the core/mart SQL on hand-made raw rows
(year-on-year change, 2018 index within a source, precedence, the best series' chain-linked index and its
one mode), and the Open Doors seed rules."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

# The slices' table modules declare the raw tables the SQL reads (init_schema creates the declared tables).
import assets.oecd.table
import assets.open_doors.table
import assets.uis.table  # noqa: F401
from assets.open_doors import reader as open_doors
from assets.reference.countries import countries_frame, territory_frame
from pipeline.http import SourceError
from pipeline.settings import load_settings
from pipeline.warehouse import init_schema, set_variables, sql_text

REAL_OPEN_DOORS = Path(__file__).parent / "data" / "open_doors" / "kaggle_origin_china_2020-21_to_2022-23.csv"
PRECEDENCE = Path(__file__).resolve().parent.parent / "pipeline" / "reference" / "mobility_source_precedence.csv"


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    init_schema(c)
    set_variables(c, load_settings(), load_id="test")
    c.register("countries", countries_frame().to_arrow())
    c.execute("CREATE TABLE ref.countries AS SELECT * FROM countries")
    c.register("territory", territory_frame().to_arrow())
    c.execute("CREATE TABLE ref.territory_map AS SELECT * FROM territory")
    c.execute(f"CREATE TABLE ref.mobility_source_precedence AS SELECT * FROM read_csv('{PRECEDENCE}')")
    return c


def add_uis(
    conn: duckdb.DuckDBPyConnection, origin: str, dest: str, values: dict[int, float | None], mode: str = "sample"
) -> None:
    for year, value in values.items():
        conn.execute(
            "INSERT INTO raw.uis_records VALUES (?, 'bilateral', ?, ?, ?, ?, NULL, NULL, 'v1', 'req', 'uis', "
            "?, now(), 'test')",
            [f"X.{origin}", origin, dest, year, value, mode],
        )


def add_oecd(conn: duckdb.DuckDBPyConnection, values: dict[int, float], mode: str = "live") -> None:
    for year, value in values.items():
        conn.execute(
            "INSERT INTO raw.oecd_observations VALUES ('USA', 'CHN', ?, ?, NULL, 0, '{}', 'OECD:X(1.0)', 'vf', "
            "'req', 'oecd', ?, now(), 'test')",
            [year, value, mode],
        )


def live(conn: duckdb.DuckDBPyConnection) -> None:
    """Run the SQL as a live (real-data) run would: its own rows are 'live', the seeds 'reference'."""
    set_variables(conn, load_settings({"COLLAB_MODE": "live"}), load_id="test")


def add_open_doors(conn: duckdb.DuckDBPyConnection, values: dict[int, int]) -> None:
    for year, students in values.items():
        label = f"{year}/{(year + 1) % 100:02d}"
        conn.execute(
            "INSERT INTO raw.open_doors VALUES ('CN', 'US', ?, ?, ?, true, 'page', NULL, NULL, 2, 'seed@x', 'req', "
            "'iie_open_doors', 'reference', now(), 'test')",
            [label, year, students],
        )


def build(conn: duckdb.DuckDBPyConnection) -> None:
    for table in ("core.student_mobility", "mart.student_mobility", "mart.student_mobility_best"):
        layer, name = table.split(".")
        conn.execute(f"CREATE OR REPLACE TABLE {table} AS {sql_text(f'{layer}/{name}.sql')}")


def rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    return conn.sql(sql).pl().to_dicts()


def test_series_macros_return_null_not_zero_or_infinity(conn):
    assert conn.execute("SELECT yoy_change(110, 100), yoy_change(5, 0), yoy_change(5, NULL)").fetchone() == (
        pytest.approx(0.1),
        None,
        None,
    )
    assert conn.execute("SELECT index_to(90, 120), index_to(90, 0)").fetchone() == (pytest.approx(75.0), None)


def test_yoy_and_index_stay_within_a_source_and_skip_gaps(conn):
    add_uis(conn, "CHN", "USA", {2017: 300.0, 2018: 400.0, 2019: 360.0, 2021: 180.0})
    add_open_doors(conn, {2018: 1000, 2019: 1100})
    build(conn)
    uis = {r["year"]: r for r in rows(conn, "SELECT * FROM mart.student_mobility WHERE source = 'uis'")}
    assert (uis[2017]["origin"], uis[2017]["destination"]) == ("CN", "US")  # ISO-3 → ISO-2
    assert uis[2017]["yoy_change"] is None  # first year
    assert uis[2018]["yoy_change"] == pytest.approx(400 / 300 - 1)
    assert uis[2019]["yoy_change"] == pytest.approx(-0.1)
    assert uis[2021]["yoy_change"] is None  # 2020 missing: no two-year change passed off as one
    assert uis[2019]["index_2018"] == pytest.approx(90.0)
    doors = {r["year"]: r for r in rows(conn, "SELECT * FROM mart.student_mobility WHERE source = 'iie_open_doors'")}
    # Open Doors is indexed on its own 2018 value, never on UIS's.
    assert doors[2019]["index_2018"] == pytest.approx(110.0)
    assert doors[2019]["academic_year_label"] == "2019/20"


def best_rows(conn: duckdb.DuckDBPyConnection) -> dict[int, dict]:
    return {r["year"]: r for r in rows(conn, "SELECT * FROM mart.student_mobility_best")}


def test_best_series_follows_precedence_and_chain_links_a_source_switch(conn):
    live(conn)
    add_uis(conn, "CHN", "USA", {2018: 400.0, 2019: 360.0}, mode="live")
    add_open_doors(conn, {2018: 1000, 2019: 1100, 2020: 990})
    build(conn)
    best = best_rows(conn)
    assert [best[y]["source"] for y in (2018, 2019, 2020)] == ["uis", "uis", "iie_open_doors"]
    assert best[2019]["sources_available"] == ["uis", "iie_open_doors"]
    assert best[2019]["students"] == 360
    assert best[2019]["yoy_change"] == pytest.approx(-0.1)
    # 2020 switches source: 990 vs 360 is not a change in students.
    assert best[2020]["yoy_change"] is None
    # Not Open Doors' own index (99.0) nor 990 / UIS's 400: UIS's 2019 index carried on by Open Doors'
    # own change 2019 -> 2020, the overlap year where both sources have a value.
    assert [best[y]["index_method"] for y in (2018, 2019, 2020)] == ["same_source", "same_source", "chain_linked"]
    assert best[2020]["index_2018"] == pytest.approx(90.0 * 990 / 1100)
    assert best[2020]["index_link_year"] == 2019 and best[2019]["index_link_year"] is None


def test_a_switch_without_an_overlap_year_breaks_the_series(conn):
    live(conn)
    add_uis(conn, "CHN", "USA", {2017: 300.0, 2018: 400.0, 2019: 360.0, 2023: 320.0}, mode="live")
    add_open_doors(conn, {2021: 1100, 2022: 990})  # no year in common with UIS
    build(conn)
    best = best_rows(conn)
    assert [best[y]["index_method"] for y in (2017, 2018, 2019, 2021, 2022, 2023)] == [
        *["same_source"] * 3,
        "broken",
        "broken",
        "same_source",  # back on the 2018 row's source: its own index again
    ]
    assert best[2021]["index_2018"] is None and best[2022]["index_2018"] is None
    assert best[2023]["index_2018"] == pytest.approx(80.0)


def test_rows_before_the_base_source_link_backwards_through_the_first_overlap(conn):
    live(conn)
    add_oecd(conn, {2015: 200.0, 2016: 220.0, 2017: 250.0, 2018: 260.0})
    add_uis(conn, "CHN", "USA", {2017: 300.0, 2018: 400.0, 2019: 360.0}, mode="live")
    build(conn)
    best = best_rows(conn)
    assert [best[y]["source"] for y in range(2015, 2020)] == ["oecd", "oecd", "uis", "uis", "uis"]
    assert best[2016]["index_method"] == "chain_linked" and best[2016]["index_link_year"] == 2017
    # UIS's 2017 index (75) carried back by OECD's own change 2017 -> 2016.
    assert best[2016]["index_2018"] == pytest.approx(75.0 * 220 / 250)
    assert best[2015]["index_2018"] == pytest.approx(75.0 * 200 / 250)


def test_a_series_without_a_2018_row_has_no_index(conn):
    live(conn)
    add_uis(conn, "CHN", "USA", {2019: 360.0, 2020: 300.0}, mode="live")
    build(conn)
    assert {(r["index_method"], r["index_2018"]) for r in best_rows(conn).values()} == {("no_base", None)}


def test_a_sample_run_keeps_the_real_seed_out_of_its_best_series(conn):
    # Sample rows are synthetic, Open Doors rows real: one series never mixes them. The seed stays
    # visible, as its own series, in mart.student_mobility.
    add_uis(conn, "CHN", "USA", {2018: 400.0, 2019: 360.0})
    add_open_doors(conn, {2018: 1000, 2019: 1100, 2020: 990})
    build(conn)
    best = best_rows(conn)
    assert sorted(best) == [2018, 2019]
    assert {(r["source"], r["source_mode"], r["index_method"]) for r in best.values()} == {
        ("uis", "sample", "same_source")
    }
    assert best[2019]["sources_available"] == ["uis"]
    doors = rows(conn, "SELECT year, index_2018 FROM mart.student_mobility WHERE source = 'iie_open_doors'")
    assert {r["year"]: r["index_2018"] for r in doors} == pytest.approx({2018: 100.0, 2019: 110.0, 2020: 99.0})


def test_merging_territory_policy_sums_hong_kong_into_china(conn):
    add_uis(conn, "CHN", "USA", {2019: 300.0})
    add_uis(conn, "HKG", "USA", {2019: 20.0})
    add_uis(conn, "HKG", "CHN", {2019: 5.0})  # HK students in the mainland are not mobile once merged
    set_variables(conn, load_settings({"COLLAB_TERRITORY_POLICY": "greater_china"}), load_id="test")
    build(conn)
    got = rows(conn, "SELECT origin, destination, students, series_merged FROM core.student_mobility")
    assert got == [{"origin": "CN", "destination": "US", "students": 320, "series_merged": 2}]


def test_other_modes_rows_never_reach_the_core(conn):
    add_uis(conn, "CHN", "USA", {2019: 300.0})
    conn.execute("UPDATE raw.uis_records SET source_mode = 'live'")
    build(conn)
    assert rows(conn, "SELECT * FROM core.student_mobility") == []


def test_seed_maps_academic_years_to_start_years():
    seed = open_doors.read_seed()
    row = seed.filter(pl.col("academic_year_label") == "2019/20").to_dicts()[0]
    assert (row["year"], row["students"], row["origin"], row["destination"]) == (2019, 372532, "CN", "US")
    assert seed["year"].is_unique().all()


def test_seed_totals_agree_with_the_real_open_doors_redistribution():
    # The Kaggle-schema redistribution of Open Doors (shared fixtures, PROVENANCE §6) splits China's
    # students by academic type; its sums must equal the seed's published totals.
    real = (
        pl.read_csv(REAL_OPEN_DOORS)
        .group_by(pl.col("year").alias("academic_year_label"))
        .agg(pl.col("students").sum().alias("real"))
    )
    joined = real.join(open_doors.read_seed(), on="academic_year_label")
    assert joined.height == 3
    assert (joined["real"] == joined["students"]).all()


@pytest.mark.parametrize(
    ("label", "rule"),
    [
        ("2019-20", "academic year is not of the form YYYY/YY"),
        ("2091/20", "academic year halves are not consecutive years"),
        ("2019/21", "academic year halves are not consecutive years"),
    ],
)
def test_a_typo_in_the_seed_names_source_line_and_rule(tmp_path, label, rule):
    text = open_doors.SEED_CSV.read_text(encoding="utf-8").replace("2019/20", label)
    bad = tmp_path / "seed.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        open_doors.read_seed(bad)
    message = str(err.value)
    assert "[iie_open_doors]" in message and rule in message and f"'{label}'" in message and "line 11" in message


@pytest.mark.parametrize(
    ("count", "rule"), [("372532.5", "students is not a whole number"), ("372,532", "seed is not well-formed CSV")]
)
def test_a_malformed_count_in_the_seed_is_an_error(tmp_path, count, rule):
    text = open_doors.SEED_CSV.read_text(encoding="utf-8").replace("372532", count)
    bad = tmp_path / "seed.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=rule):
        open_doors.read_seed(bad)
