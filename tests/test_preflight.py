"""Preflight: settings and the live sources a run's steps need, checked once before any step."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from assets.definitions import LIVE_SOURCES
from pipeline.preflight import PreflightError, preflight, probe_http
from pipeline.settings import REPO_ROOT

PAPERS_STEPS = ("reference_countries", "openalex_raw", "openalex_core", "mart_bilateral_papers")
EVERY_LIVE_STEP = ("openalex_raw", "uis_raw", "oecd_raw", "soda_raw", "worldbank_raw", "opensky_raw", "t100_raw")
NOWHERE = "http://127.0.0.1:9"  # nothing listens on the discard port: refused at once


class Probes:
    """A probe that records the URLs asked and answers from a table (None = it answers)."""

    def __init__(self, down: tuple[str, ...] = ()) -> None:
        self.asked: list[str] = []
        self.down = down

    def __call__(self, url: str) -> str | None:
        self.asked.append(url)
        return "connection refused or reset" if url in self.down else None


def live(**extra: str) -> dict[str, str]:
    return {**os.environ, "COLLAB_MODE": "live", "OPENALEX_API_KEY": "k-123", **extra}


def test_a_bad_setting_is_one_message_naming_it_its_value_and_what_is_allowed():
    with pytest.raises(PreflightError) as failed:
        preflight(PAPERS_STEPS, {"COLLAB_YEARS": "2024-2015"}, probe=Probes(), sources=LIVE_SOURCES)
    assert str(failed.value) == "COLLAB_YEARS='2024-2015': range must be increasing and within 1900-2100"


def test_sample_mode_probes_nothing():
    probes = Probes()
    checked = preflight(EVERY_LIVE_STEP, {"COLLAB_MODE": "sample"}, probe=probes, sources=LIVE_SOURCES)
    assert probes.asked == [] and checked.settings.mode == "sample"


def test_a_papers_run_probes_openalex_only_and_needs_the_key():
    probes = Probes()
    preflight(PAPERS_STEPS, live(OPENALEX_BASE_URL="http://openalex.test"), probe=probes, sources=LIVE_SOURCES)
    assert probes.asked == ["http://openalex.test"]
    with pytest.raises(PreflightError, match=r"openalex: OPENALEX_API_KEY is not set \(required in live mode\)"):
        preflight(PAPERS_STEPS, live(OPENALEX_API_KEY=""), probe=Probes(), sources=LIVE_SOURCES)


def test_every_unreachable_source_is_named_with_its_setting_in_one_message():
    env = live(UIS_BASE_URL="http://uis.test", SODA_BASE_URL="http://soda.test", OPENSKY_CLIENT_ID="")
    with pytest.raises(PreflightError) as failed:
        preflight(
            EVERY_LIVE_STEP, env, probe=Probes(down=("http://uis.test", "http://soda.test")), sources=LIVE_SOURCES
        )
    lines = str(failed.value).splitlines()
    assert lines[0] == "the run cannot start:"
    assert sorted(lines[1:]) == [
        "  - dot_soda: cannot reach http://soda.test (SODA_BASE_URL): connection refused or reset",
        "  - uis: cannot reach http://uis.test (UIS_BASE_URL): connection refused or reset",
    ]


def test_optional_sources_left_unconfigured_are_skipped_and_say_so(tmp_path):
    env = live(OPENSKY_CLIENT_ID="", T100_DIR="", COLLAB_WAREHOUSE=str(tmp_path / "w.duckdb"))
    probes = Probes()
    checked = preflight(("opensky_raw", "t100_raw"), env, probe=probes, sources=LIVE_SOURCES)
    assert probes.asked == []
    assert checked.notes[0] == "opensky: skipped, not configured (OPENSKY_CLIENT_ID is empty)"
    assert (
        any(n.startswith("bts_t100: skipped, no folder") for n in checked.notes)
        or (REPO_ROOT / "warehouse" / "inbox" / "t100").is_dir()
    )
    with pytest.raises(PreflightError, match=r"bts_t100: T100_DIR=.*nope is not a directory"):
        preflight(("t100_raw",), live(T100_DIR=str(tmp_path / "nope")), probe=probes, sources=LIVE_SOURCES)
    with pytest.raises(PreflightError, match="opensky: OPENSKY_CLIENT_SECRET is not set"):
        preflight(
            ("opensky_raw",), live(OPENSKY_CLIENT_ID="me", OPENSKY_CLIENT_SECRET=""), probe=probes, sources=LIVE_SOURCES
        )


def test_replaying_the_response_cache_probes_nothing():
    probes = Probes()
    checked = preflight(
        EVERY_LIVE_STEP, live(COLLAB_HTTP_CACHE="replay", OPENSKY_CLIENT_ID=""), probe=probes, sources=LIVE_SOURCES
    )
    assert probes.asked == [] and any("replay" in n for n in checked.notes)


def test_the_real_probe_tells_an_answering_host_from_a_closed_port(httpserver):
    httpserver.expect_request("/").respond_with_data("", status=404)  # any status is an answer
    assert probe_http(httpserver.url_for("/")) is None
    assert probe_http(NOWHERE) == "connection refused or reset"


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"COLLAB_YEARS": "2024-2015"}, "COLLAB_YEARS='2024-2015': range must be increasing"),
        (
            {"COLLAB_MODE": "live", "OPENALEX_API_KEY": ""},
            "openalex: OPENALEX_API_KEY is not set (required in live mode)",
        ),
    ],
)
def test_the_readme_command_stops_before_any_step(isolated_env, setting, expected):
    env = {**os.environ, **setting, "COLLAB_HTTP_CACHE": "off"}
    done = subprocess.run(
        ["bash", "scripts/materialize.sh"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert output.count(expected) == 1, output[-3000:]
    assert "STEP_START" not in output and "Traceback" not in output
    assert not Path(isolated_env).exists()  # nothing was published
