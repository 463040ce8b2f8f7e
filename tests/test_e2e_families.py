"""End to end for the student-mobility and flight families: sample mode, live mode against local
fakes serving the same data (UIS, OECD, Socrata, OpenSky, a T-100 folder), and bad input that must
fail naming source, record and rule while the warehouse keeps its last good data."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assets.soda import client as soda_module
from pipeline.dictionary import examples
from pipeline.publish import build_path
from tests.conftest import OPENSKY_SECRET
from tests.test_e2e import failed_checks, fingerprint, materialize, query

pytestmark = pytest.mark.e2e

MOBILITY = ("reference", "mobility")
FLIGHTS = ("reference", "flights")


def step_failures(result) -> list[str]:
    """Each failed step's error with its causes (the SourceError sits under Dagster's wrapper)."""
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error is not None:
                messages.append(error.message)
                error = error.cause
    return messages


OPENSKY_WEEK = {"ops": {"opensky_raw": {"config": {"days": 2, "last_day": "2019-08-02"}}}}


# --------------------------------------------------------------------------------------- sample mode
def test_sample_mobility_gives_a_reconciled_china_us_series(isolated_env):
    result = materialize(groups=MOBILITY)
    assert result.success, step_failures(result)
    best = query(
        isolated_env,
        "SELECT year, source, students, sources_available, source_mode, index_method FROM mart.student_mobility_best "
        "WHERE origin = 'CN' AND destination = 'US' ORDER BY year",
    )
    # One mode per series: the sample run's best series is synthetic throughout, so it ends with UIS's last
    # sample year; the real Open Doors 2024/25 figure is not spliced onto it (docs/methods.md).
    assert [r[0] for r in best] == list(range(2015, 2024))
    assert {r[1] for r in best} <= {"uis", "oecd"} and best[0][1] == "uis"
    assert {r[4] for r in best} == {"sample"} and {r[5] for r in best} == {"same_source"}
    doors = query(
        isolated_env,
        "SELECT students FROM mart.student_mobility WHERE source = 'iie_open_doors' AND year = 2024",
    )
    assert doors == [(265919,)]  # the published figure stays visible, as its own series
    per_source = dict(
        query(
            isolated_env,
            "SELECT source, list(DISTINCT source_mode) FROM mart.student_mobility GROUP BY source",
        )
    )
    assert per_source == {"uis": ["sample"], "oecd": ["sample"], "iie_open_doors": ["reference"]}
    totals = query(isolated_env, "SELECT count(*) FROM mart.mobile_students WHERE country = 'CN'")
    assert totals[0][0] > 0


def test_sample_flights_measure_gateways_and_model_towns(isolated_env):
    result = materialize(groups=FLIGHTS)
    assert result.success, step_failures(result)
    rows = query(
        isolated_env,
        "SELECT year, passengers, index_2018, august_share, town_passengers, did_estimate, did_std_error "
        "FROM mart.flight_proxy_index WHERE origin = 'CN' ORDER BY year",
    )
    assert [r[0] for r in rows] == list(range(2015, 2025))
    by_year = {r[0]: r for r in rows}
    assert by_year[2018][2] == pytest.approx(100.0)
    assert by_year[2020][1] < by_year[2019][1] / 2  # the 2020 collapse
    assert all(0 < r[3] < 1 for r in rows if r[3] is not None)
    assert by_year[2019][5] is not None and by_year[2019][6] > 0
    # Measured and modelled stay apart: the town table says how it was made, shares are kept.
    methods = query(isolated_env, "SELECT DISTINCT method FROM mart.university_town_inflow")
    assert methods == [("modelled_allocation",)]
    gateway_sources = query(isolated_env, "SELECT DISTINCT source, direction FROM mart.flight_gateway_arrivals")
    assert set(gateway_sources) == {
        ("bts_t100_international_segment", "arrivals"),
        ("dot_soda_xgub-n9bw", "both_directions"),
    }
    # All-cargo service classes are in raw (as published) but never counted as passengers.
    classes = dict(query(isolated_env, "SELECT class, count(*) FROM raw.t100_segments GROUP BY class"))
    assert classes.get("G", 0) > 0 and classes.get("P", 0) > 0
    counted = query(
        isolated_env,
        "SELECT (SELECT count(*) FROM core.international_arrivals WHERE direction = 'arrivals'), "
        "(SELECT count(*) FROM raw.t100_segments WHERE kind = 'international' AND class IN ('F', 'L') "
        "AND dest_country = 'US' AND origin_country <> 'US')",
    )[0]
    assert counted[0] == counted[1]
    # HK stays separate from CN under the default territory policy.
    assert query(isolated_env, "SELECT count(*) FROM mart.flight_proxy_index WHERE origin = 'HK'")[0][0] > 0
    assert query(isolated_env, "SELECT count(*) FROM mart.town_flight_counts")[0][0] > 0


def test_t100_files_are_ingested_once(isolated_env):
    assert materialize(groups=FLIGHTS).success
    files = query(isolated_env, "SELECT count(*), count(DISTINCT load_id) FROM raw.t100_files")[0]
    before = fingerprint(isolated_env)["raw.t100_segments"]
    result = materialize(groups=FLIGHTS)
    assert result.success
    ingested = [
        m.metadata["files_ingested"].value
        for m in result.asset_materializations_for_node("t100_raw")
        if "files_ingested" in m.metadata
    ]
    assert ingested and all(files == [] for files in ingested)  # nothing new: no file read twice
    assert query(isolated_env, "SELECT count(*), count(DISTINCT load_id) FROM raw.t100_files")[0] == files
    # Not even the load ids or retrieval times of the rows changed.
    assert fingerprint(isolated_env)["raw.t100_segments"] == before


# ----------------------------------------------------------------------------------------- live mode
def test_live_sources_match_the_sample_through_the_real_request_paths(
    isolated_env, tmp_path, monkeypatch, live_sources
):
    live = materialize(OPENSKY_WEEK, groups=(*MOBILITY, "flights"))
    assert live.success, step_failures(live)
    assert live_sources["uis"].data_requests() and live_sources["oecd"].data_requests
    assert live_sources["soda"].requests and live_sources["opensky"].api_calls()
    live_path = isolated_env

    sample_path = tmp_path / "sample.duckdb"
    monkeypatch.setenv("COLLAB_MODE", "sample")
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(sample_path))
    assert materialize(groups=(*MOBILITY, "flights")).success

    mobility = "SELECT origin, destination, year, source, students FROM mart.student_mobility ORDER BY ALL"
    assert query(live_path, mobility) == query(sample_path, mobility)
    proxy = (
        "SELECT origin, year, passengers, round(august_share, 12), round(did_estimate, 9) "
        "FROM mart.flight_proxy_index ORDER BY ALL"
    )
    assert query(live_path, proxy) == query(sample_path, proxy)
    gateways = "SELECT * EXCLUDE (source_mode, retrieved_at) FROM mart.flight_gateway_arrivals ORDER BY ALL"
    assert query(live_path, gateways) == query(sample_path, gateways)
    modes = query(live_path, "SELECT DISTINCT source_mode FROM mart.flight_proxy_index")
    assert modes == [("live",)]
    # Live requests are recorded as provenance, with no secret in them.
    requests = query(live_path, "SELECT DISTINCT request FROM raw.opensky_arrivals")
    assert requests and all("/flights/arrival" in r[0] and OPENSKY_SECRET not in r[0] for r in requests)


def test_oecd_download_is_skipped_while_valid_from_is_unchanged(isolated_env, live_sources):
    assert materialize(groups=("reference", "mobility")).success
    downloads = len(live_sources["oecd"].data_requests)
    assert downloads == 1
    before = query(isolated_env, "SELECT count(*) FROM raw.oecd_observations")
    assert materialize(groups=("reference", "mobility")).success
    assert len(live_sources["oecd"].data_requests) == downloads  # the constraint said: nothing new
    assert query(isolated_env, "SELECT count(*) FROM raw.oecd_observations") == before


# ------------------------------------------------------------------------------------------- bad input
def test_unknown_uis_indicator_fails_naming_it_and_changes_nothing(isolated_env, live_sources, monkeypatch):
    assert materialize(groups=MOBILITY).success
    before = fingerprint(isolated_env)
    monkeypatch.setenv("COLLAB_HTTP_CACHE", "off")  # ask the changed source (cached answers live a day)
    # UIS withdraws the inbound total: the id the connector asks for is now unknown to the service.
    live_sources["uis"].records = [r for r in live_sources["uis"].records if r["indicatorId"] != "26637"]
    live_sources["uis"].definitions = [
        d for d in live_sources["uis"].definitions if d.get("indicatorCode", d.get("indicatorId")) != "26637"
    ]
    result = materialize(groups=("mobility",))
    assert not result.success
    message = " ".join(step_failures(result))
    assert "[uis]" in message and "unknown indicator" in message and "26637" in message
    assert fingerprint(isolated_env)["raw.uis_records"] == before["raw.uis_records"]


def test_oecd_413_is_a_clear_error_and_keeps_the_last_good_rows(isolated_env, live_sources, monkeypatch):
    monkeypatch.setenv("COLLAB_MODE", "sample")
    assert materialize(groups=MOBILITY).success
    before = fingerprint(isolated_env)["raw.oecd_observations"]
    monkeypatch.setenv("COLLAB_MODE", "live")
    live_sources["oecd"].fail_next(413, when=lambda request: "/data/" in request.path)
    result = materialize(groups=("mobility",))
    assert not result.success
    message = " ".join(step_failures(result))
    assert "[oecd]" in message and "413" in message and "/data/" in message
    assert fingerprint(isolated_env)["raw.oecd_observations"] == before


def test_t100_file_with_a_changed_header_fails_naming_the_file(isolated_env, live_sources):
    inbox: Path = live_sources["t100_dir"]
    target = sorted(inbox.glob("T_T100I_*2019.zip"))[0]
    with zipfile.ZipFile(target) as zf:
        [name] = zf.namelist()
        text = zf.read(name).decode()
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(name, text.replace("PASSENGERS", "PAX", 1))
    result = materialize(OPENSKY_WEEK, groups=FLIGHTS)
    assert not result.success
    message = " ".join(step_failures(result))
    assert "T-100 header changed" in message and target.name in message
    assert not isolated_env.exists(), "a failed run publishes nothing"
    assert not query(
        build_path(isolated_env),
        "SELECT * FROM duckdb_tables() WHERE table_name = 't100_segments' AND estimated_size > 0",
    )


def test_repeating_soda_page_fails_and_nothing_is_loaded(isolated_env, live_sources, monkeypatch):
    build = soda_module.build_soda
    # Small pages, so the answer spans several and the fake can repeat one.
    monkeypatch.setattr(soda_module, "build_soda", lambda *a, **kw: build(*a, **{**kw, "page_size": 500}))
    live_sources["soda"].repeat_page_next()
    result = materialize(OPENSKY_WEEK, groups=FLIGHTS)
    assert not result.success
    assert "page repeated" in " ".join(step_failures(result))
    assert not isolated_env.exists(), "a failed run publishes nothing"
    assert query(build_path(isolated_env), "SELECT count(*) FROM raw.soda_passengers")[0][0] == 0


def test_a_failed_gate_reports_the_rule_and_offending_rows(isolated_env, live_sources):
    # The same SODA row twice (carrier, route and month repeated) would count its passengers twice: it blocks.
    rows = live_sources["soda"].rows
    rows.append(dict(next(r for r in rows if r["fg_apt"] == "PVG")))
    result = materialize(OPENSKY_WEEK, groups=FLIGHTS)
    assert not result.success
    failed = [f for f in failed_checks(result) if f.asset_key.to_user_string() == "raw/soda_passengers"]
    assert failed and failed[0].severity.value == "ERROR"
    assert "expect_compound_columns_to_be_unique (2 rows)" in failed[0].description
    assert not isolated_env.exists(), "a failed run publishes nothing"


def test_an_unknown_airport_is_a_warning_with_its_rows_and_the_data_loads(isolated_env, live_sources):
    # A SODA row for an airport airportsdata does not know: real codes BTS uses can be missing from it.
    rows = live_sources["soda"].rows
    rows.append(dict(next(r for r in rows if r["fg_apt"] == "PVG"), usg_apt="QQQ"))
    result = materialize(OPENSKY_WEEK, groups=FLIGHTS)
    assert result.success, step_failures(result)
    [warned] = [f for f in failed_checks(result) if f.asset_key.to_user_string() == "core/international_arrivals"]
    assert warned.severity.value == "WARN" and "us_airport_known" in warned.description
    [sample] = [v.value["sample"] for k, v in warned.metadata.items() if "us_airport_known" in k]
    assert {"us_airport": "QQQ"}.items() <= sample[0].items()
    assert query(isolated_env, "SELECT count(*) FROM core.international_arrivals WHERE us_airport = 'QQQ'")[0][0] == 1


# ------------------------------------------------------------------------------------------- context
CONTEXT = ("reference", "context")
CONTEXT_ROWS = (
    "SELECT country, year, population, gdp_usd, rd_pct_gdp, researchers_per_million, rd_spend_usd, researchers "
    "FROM core.country_context ORDER BY ALL"
)


def test_world_bank_context_in_sample_and_live_mode_agree(isolated_env, tmp_path, monkeypatch, live_sources):
    live = materialize(groups=CONTEXT)
    assert live.success, step_failures(live)
    assert live_sources["worldbank"].requests
    sample_path = tmp_path / "sample.duckdb"
    monkeypatch.setenv("COLLAB_MODE", "sample")
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(sample_path))
    assert materialize(groups=CONTEXT).success
    assert query(isolated_env, CONTEXT_ROWS) == query(sample_path, CONTEXT_ROWS)
    cn = {r[1]: r for r in query(sample_path, CONTEXT_ROWS) if r[0] == "CN"}
    assert cn[2020][6] == pytest.approx(cn[2020][3] * cn[2020][4] / 100)  # R&D spend = GDP × R&D %
    # Aggregates never arrive; a missing value stays NULL, it is not filled from another year.
    assert not query(sample_path, "SELECT * FROM raw.worldbank_indicators WHERE country_iso3 IN ('WLD', 'EUU')")
    assert query(sample_path, "SELECT count(*) FROM core.country_context WHERE researchers IS NULL")[0][0] > 0


def test_normalised_output_divides_by_levels_and_names_missing_context(sample_build):
    built = sample_build.warehouse
    rows = {
        r[0]: r
        for r in query(
            built,
            "SELECT year, share, population, rd_spend_usd, share_per_million_people, share_per_usd_bn_rd, "
            "missing_context FROM mart.country_normalised WHERE country = 'CN' AND paper_set = 'all'",
        )
    }
    _, share, population, rd_spend, per_million, per_rd, missing = rows[2018]
    assert per_million == pytest.approx(share / (population / 1e6))
    assert per_rd == pytest.approx(share / (rd_spend / 1e9))
    assert missing is None
    # The sample World Bank has no R&D figure for 2024: NULL with the reason, not last year's value.
    assert rows[2024][5] is None and "R&D spending" in rows[2024][6]


def test_dashboard_puts_the_three_signals_of_a_pair_side_by_side(sample_build):
    result, built = sample_build.result, sample_build.warehouse
    assert result.success
    rows = {
        r[0]: r
        for r in query(
            built,
            "SELECT year, coauthored_index, students_a_to_b, students_a_to_b_index, passengers_a_to_b_index, "
            "students_a_to_b_provenance, papers_provenance, base_year FROM mart.bilateral_dashboard "
            "WHERE country_a = 'CN' AND country_b = 'US' ORDER BY year",
        )
    }
    assert sorted(rows) == list(range(2015, 2025))
    assert rows[2018][1] == rows[2018][3] == rows[2018][4] == pytest.approx(100.0)
    assert rows[2018][7] == 2018
    # Students: the sample best series, synthetic throughout (no real Open Doors 2024 spliced on).
    assert rows[2024][2] is None and rows[2024][5] is None and rows[2018][5] == rows[2023][5] == "uis (sample)"
    assert rows[2020][6].startswith("openalex (records, sample")
    # The flight proxy covers destination US only: no passengers for US → CN.
    back = query(built, "SELECT count(passengers_a_to_b) FROM mart.bilateral_dashboard WHERE country_a = 'US'")
    assert back == [(0,)]

    # Year-on-year changes and bootstrap intervals beside the values.
    ci = query(
        built,
        "SELECT year, coauthored, coauthored_yoy, collaboration_score, collaboration_score_ci_low, "
        "collaboration_score_ci_high, observed_expected_ci_low, observed_expected, observed_expected_ci_high "
        "FROM mart.bilateral_dashboard WHERE country_a = 'CN' AND country_b = 'US' ORDER BY year",
    )
    assert ci[0][2] is None and ci[1][2] == pytest.approx(ci[1][1] / ci[0][1] - 1)
    for row in ci:
        assert row[4] <= row[3] <= row[5] and row[6] <= row[7] <= row[8], row
        assert row[5] - row[4] > 0  # a real interval from ~60–80 joint papers a year

    # One break row per signal and break year, from the same series; short series say why.
    breaks = query(
        built,
        "SELECT signal, break_year, n_points, n_before, n_after, value_at_break, slope_change, reason, provenance "
        "FROM mart.bilateral_breaks WHERE country_a = 'CN' AND country_b = 'US' ORDER BY signal, break_year",
    )
    by_key = {(r[0], r[1]): r for r in breaks}
    # the 7 dashboard signals and, since issue 20, the 2 tie signals of mart.collaboration_ties
    assert len(breaks) == (7 + 2) * 2
    coauthored_2020 = by_key["coauthored", 2020]
    assert coauthored_2020[2:5] == (10, 5, 5)
    assert coauthored_2020[5] == ci[5][1] and ci[5][0] == 2020  # the break-year value is the dashboard's
    assert coauthored_2020[6] is not None and coauthored_2020[7] is None
    assert by_key["students_b_to_a", 2018][6] is None and by_key["students_b_to_a", 2018][7] is not None
    assert by_key["students_a_to_b", 2018][8] == "uis (sample)"  # one source and mode: fitted on the levels

    # The materialisation carries the plots; the report is a page with the charts embedded.
    [dashboard_event] = [
        m for m in result.get_asset_materialization_events() if m.asset_key.path == ["mart", "bilateral_dashboard"]
    ]
    metadata = dashboard_event.materialization.metadata
    for name in ("plot_signals", "plot_normalised_share"):
        assert metadata[name].value.startswith("![") and "data:image/png;base64," in metadata[name].value
    report = sample_build.reports / "cn_us.html"
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == html.count("<figure data-chart=") >= 6 and "SYNTHETIC SAMPLE" in html

    # Every example query of the data dictionary runs and answers.
    for table, question, sql in examples():
        assert query(built, sql), (table, question)
