"""Freshness checks per source cadence (assets/operations.py): wired for every source's raw table with its
cadence, and they fail for a table never loaded while passing for one just loaded."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from assets.definitions import defs
from assets.operations import SOURCE_FRESHNESS, freshness_checks

SOURCES = {
    "raw/openalex_works": timedelta(hours=26),
    "raw/t100_segments": timedelta(days=45),
    "raw/uis_records": timedelta(days=400),
    "raw/oecd_observations": timedelta(days=400),
    "raw/worldbank_indicators": timedelta(days=400),
}


def test_every_source_has_a_freshness_check_with_its_cadence():
    graph = defs.resolve_asset_graph()
    checked = {k.asset_key.to_user_string() for c in freshness_checks for k in c.check_keys}
    assert set(SOURCES) <= checked
    for table, window in SOURCES.items():
        assert table.replace("/", ".") in SOURCE_FRESHNESS[window], table
    # the checks are part of the code location, so the UI lists them under each asset's Checks tab
    assert {k.asset_key.to_user_string() for k in graph.asset_check_keys} >= checked


def test_fresh_table_passes_and_a_never_loaded_one_fails():
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=["raw", "openalex_works"]))
    result = defs.resolve_job_def("freshness_checks").execute_in_process(instance=instance, raise_on_error=False)
    by_asset = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert by_asset["raw/openalex_works"].passed
    params = by_asset["raw/openalex_works"].metadata["dagster/freshness_params"].value
    assert params["lower_bound_delta_seconds"] == 26 * 3600
    assert not by_asset["raw/uis_records"].passed
    assert by_asset["raw/uis_records"].severity == dg.AssetCheckSeverity.WARN
