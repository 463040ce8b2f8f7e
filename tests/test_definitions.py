"""The code location loads, its surface is what users rely on, and the docs cover every column."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg

from assets.definitions import defs
from pipeline.dictionary import render_markdown
from pipeline.warehouse import SQL_ROOT


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_asset_keys_groups_and_checks_are_stable():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "raw/openalex_works",
        "raw/openalex_group_counts",
        "core/works",
        "core/pair_year",
        "mart/bilateral_papers",
        "mart/country_papers",
        "mart/papers_quality",
        "ref/countries",
        "raw/uis_records",
        "raw/oecd_observations",
        "raw/open_doors",
        "mart/student_mobility",
        "mart/student_mobility_best",
        "ref/airports",
        "ref/university_towns",
        "raw/t100_segments",
        "raw/soda_passengers",
        "raw/opensky_arrivals",
        "mart/flight_gateway_arrivals",
        "mart/university_town_inflow",
        "mart/flight_proxy_index",
        "mart/bilateral_dashboard",
        "mart/bilateral_breaks",
        "report/focus_pair",
        "raw/openalex_snapshot_parts",
        "raw/openalex_snapshot_works",
        "publish/warehouse",
    } <= keys
    groups = {graph.get(dg.AssetKey.from_user_string(k)).group_name for k in keys}
    assert groups == {
        "reference",
        "papers",
        "indices",
        "mobility",
        "flights",
        "context",
        "dashboard",
        "snapshot",
        "publish",
    }
    # Publication comes after every unpartitioned warehouse table, whatever a run selects.
    tables = {
        k
        for k in graph.get_all_asset_keys()
        if graph.get(k).partitions_def is None and k.path[0] not in ("report", "publish")
    }
    assert graph.get(dg.AssetKey(["publish", "warehouse"])).parent_keys == tables
    checks = {c.asset_key.to_user_string() for c in graph.asset_check_keys}
    assert {"raw/openalex_works", "core/work_country_shares", "mart/bilateral_papers"} <= checks
    # Every table of a source family is gated before anything reads it.
    assert {
        "raw/uis_records",
        "raw/oecd_observations",
        "raw/open_doors",
        "mart/student_mobility",
        "raw/t100_segments",
        "raw/soda_passengers",
        "raw/opensky_arrivals",
        "mart/flight_proxy_index",
        "raw/worldbank_indicators",
        "core/country_context",
    } <= checks
    # Every great-expectations gate blocks; freshness checks only warn (a stale table is still the last good one).
    gates = [c for c in graph.asset_check_keys if c.name == "great_expectations"]
    assert len(gates) > 40 and all(graph.get_check_spec(c).blocking for c in gates)
    freshness = [c for c in graph.asset_check_keys if c.name != "great_expectations"]
    assert freshness and not any(graph.get_check_spec(c).blocking for c in freshness)


def test_daily_schedule_refreshes_recent_years_only():
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 6 * * *"
    config = schedule.evaluate_tick(dg.build_schedule_context()).run_requests[0].run_config
    assert config["ops"]["openalex_raw"]["config"]["recent_only"] is True


def test_cli_validates_the_code_location():
    done = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "assets.definitions"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_rendered_dictionary_is_current():
    assert (SQL_ROOT / "DICTIONARY.md").read_text(encoding="utf-8") == render_markdown(), (
        "run: python scripts/render_dictionary.py"
    )
