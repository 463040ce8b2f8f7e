"""The run's settings are parsed once per run (RunSettings) and handed to every step; nothing re-reads the
environment step by step."""

from __future__ import annotations

import dagster as dg
import pytest

import pipeline.settings as settings_module
from pipeline.settings import RunSettings, SettingsError


def test_a_run_of_several_steps_parses_the_environment_once(monkeypatch):
    from assets.definitions import defs

    calls = []
    build = settings_module.Settings
    monkeypatch.setattr(settings_module, "Settings", lambda **values: calls.append(values) or build(**values))
    graph = defs.resolve_asset_graph()
    selection = [k for k in graph.get_all_asset_keys() if graph.get(k).group_name in ("reference", "context")]
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=selection, raise_on_error=False
    )
    steps = [e for e in result.all_events if e.event_type_value == "STEP_SUCCESS"]
    assert result.success and len(steps) >= 4
    # execute_in_process runs Dagster's own in-process executor (no preflight): the run's resources parse the
    # environment once, for every step
    assert len(calls) == 1, f"the environment was parsed {len(calls)} times"


def test_the_resource_reports_a_bad_setting_by_name(monkeypatch):
    monkeypatch.setenv("COLLAB_YEARS", "2024-2015")
    with pytest.raises(SettingsError, match="COLLAB_YEARS='2024-2015'"):
        RunSettings().get()


def test_optional_variables_come_from_the_parsed_environment(monkeypatch):
    monkeypatch.setenv("UIS_BASE_URL", " http://mirror.test ")
    settings = RunSettings().get()
    monkeypatch.setenv("UIS_BASE_URL", "http://changed.test")  # read once: a later change is not seen
    assert settings.variable("UIS_BASE_URL", "https://default") == "http://mirror.test"
    assert settings.variable("NOT_SET_ANYWHERE", "https://default") == "https://default"
