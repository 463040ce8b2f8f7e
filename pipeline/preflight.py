"""Preflight: a run's settings and the live sources its steps need, checked once before any step starts.

A bad setting or a source that cannot answer stops the run in seconds with one message naming the setting
(or the source and its setting), instead of failing step after step after minutes of retries. Sources are
probed only when the run's steps call them live: a papers run does not probe UIS. An optional source the
user did not configure (OpenSky without credentials, T-100 without a folder) is skipped and noted.
A probe asks only whether the host resolves and answers (any HTTP status) within a few seconds: it sends
no credential and costs no API budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import requests

from pipeline.resources import (
    OecdResource,
    OpenAlexResource,
    OpenSkyResource,
    SodaResource,
    T100Files,
    UisResource,
    WorldBankResource,
)
from pipeline.settings import Settings, SettingsError, load_settings

PROBE_TIMEOUT = (3.05, 5.0)  # seconds to connect, to the first byte
Probe = Callable[[str], str | None]  # URL -> None when it answers, else why not


class PreflightError(RuntimeError):
    """The run cannot start: the message names each setting or source at fault."""


@dataclass(frozen=True)
class LiveSource:
    name: str
    steps: frozenset[str]  # the step keys (op names) that call it
    url_settings: tuple[tuple[str, str], ...]  # (environment variable, default URL) of each host it calls
    required: tuple[str, ...] = ()  # credentials that must be set
    enabled_by: str = ""  # optional source: skipped while this variable is empty


def _default(resource: type, field: str) -> str:
    """The resource's own default, so a URL left empty is probed where the connector would go."""
    return resource.model_fields[field].default


LIVE_SOURCES: tuple[LiveSource, ...] = (
    LiveSource(
        "openalex",
        frozenset({"openalex_raw"}),
        (("OPENALEX_BASE_URL", _default(OpenAlexResource, "base_url")),),
        required=("OPENALEX_API_KEY",),  # required by OpenAlex since 2026-02
    ),
    LiveSource("uis", frozenset({"uis_raw"}), (("UIS_BASE_URL", _default(UisResource, "base_url")),)),
    LiveSource("oecd", frozenset({"oecd_raw"}), (("OECD_BASE_URL", _default(OecdResource, "base_url")),)),
    LiveSource("dot_soda", frozenset({"soda_raw"}), (("SODA_BASE_URL", _default(SodaResource, "base_url")),)),
    LiveSource(
        "worldbank", frozenset({"worldbank_raw"}), (("WORLDBANK_BASE_URL", _default(WorldBankResource, "base_url")),)
    ),
    LiveSource(
        "opensky",
        frozenset({"opensky_raw"}),
        (
            ("OPENSKY_BASE_URL", _default(OpenSkyResource, "base_url")),
            ("OPENSKY_AUTH_URL", _default(OpenSkyResource, "auth_url")),
        ),
        required=("OPENSKY_CLIENT_SECRET",),
        enabled_by="OPENSKY_CLIENT_ID",
    ),
)
SNAPSHOT_STEPS = frozenset({"raw__openalex_snapshot_parts", "openalex_snapshot_works"})
T100_STEP = "t100_raw"


def probe_http(url: str) -> str | None:
    """None when `url`'s host resolves and answers with any HTTP status within PROBE_TIMEOUT."""
    try:
        with requests.get(url, timeout=PROBE_TIMEOUT, allow_redirects=False, stream=True):
            return None
    except requests.Timeout:
        return f"no answer within {sum(PROBE_TIMEOUT):.0f} s"
    except requests.ConnectionError as exc:
        text = str(exc)
        if "NameResolution" in text or "Name or service not known" in text:
            return "host name not found"
        return "connection refused or reset" if "NewConnectionError" in text else text[:160]
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {str(exc)[:160]}"


@dataclass(frozen=True)
class Preflight:
    settings: Settings
    notes: list[str]


def _live_sources(settings: Settings, steps: Collection[str]) -> list[LiveSource]:
    if settings.mode == "sample":
        return []
    return [
        s
        for s in LIVE_SOURCES
        if s.steps & set(steps) and not (settings.mode == "snapshot" and s.name == "openalex")  # read from disk
    ]


def preflight(steps: Collection[str], env: Mapping[str, str] | None = None, probe: Probe = probe_http) -> Preflight:
    """Parse the settings and check what the run's `steps` need; raises PreflightError naming every fault."""
    env = dict(os.environ if env is None else env)
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        raise PreflightError(str(exc)) from None
    faults: list[str] = []
    notes: list[str] = []
    to_probe: dict[tuple[str, str], str] = {}  # (source, setting) -> URL
    for source in _live_sources(settings, steps):
        if source.enabled_by and not env.get(source.enabled_by, "").strip():
            notes.append(f"{source.name}: skipped, not configured ({source.enabled_by} is empty)")
            continue
        faults += [
            f"{source.name}: {name} is not set (required in {settings.mode} mode)"
            for name in source.required
            if not env.get(name, "").strip()
        ]
        for setting, default in source.url_settings:
            to_probe[(source.name, setting)] = env.get(setting, "").strip() or default
    if to_probe and settings.http_cache == "replay":
        notes.append("COLLAB_HTTP_CACHE=replay: answers come from the response cache, no source is probed")
        to_probe = {}
    urls = sorted(set(to_probe.values()))
    with ThreadPoolExecutor(max_workers=max(1, len(urls))) as pool:  # side by side: seconds, not a sum
        answers = dict(zip(urls, pool.map(probe, urls), strict=True))
    faults += [
        f"{name}: cannot reach {url} ({setting}): {answers[url]}"
        for (name, setting), url in to_probe.items()
        if answers[url]
    ]
    if settings.mode == "snapshot" and SNAPSHOT_STEPS & set(steps) and not Path(settings.snapshot_dir or "").is_dir():
        faults.append(f"openalex snapshot: OPENALEX_SNAPSHOT_DIR={settings.snapshot_dir} is not a directory")
    if settings.mode != "sample" and T100_STEP in steps:
        folder = env.get("T100_DIR", "").strip()
        if folder and not Path(folder).is_dir():
            faults.append(f"bts_t100: T100_DIR={folder} is not a directory")
        elif not T100Files(directory_path=folder).directory(settings.mode).is_dir():
            notes.append("bts_t100: skipped, no folder (set T100_DIR to the folder of TranStats downloads)")
    if faults:
        raise PreflightError("the run cannot start:\n  - " + "\n  - ".join(faults))
    return Preflight(settings, notes)


class PreflightExecutor(dg.Executor):
    """Runs the preflight for the run's steps, then hands the plan to the wrapped executor. Every run
    (the CLI, the UI's launchpad, the schedule and sensors) goes through its job's executor once, before
    any step starts, so a failed preflight fails the run with its one message and no step is tried."""

    def __init__(self, inner: dg.Executor) -> None:
        self._inner = inner

    @property
    def retries(self) -> Any:
        return self._inner.retries

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        checked = preflight(execution_plan.step_keys_to_execute)
        for note in checked.notes:
            plan_context.log.info(f"preflight: {note}")
        plan_context.log.info(f"preflight passed ({checked.settings.mode} mode)")
        yield from self._inner.execute(plan_context, execution_plan)


@dg.executor(name="preflight_in_process", config_schema=dg.in_process_executor.config_schema)
def preflight_in_process_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """Dagster's in-process executor behind the preflight."""
    return PreflightExecutor(dg.in_process_executor.executor_creation_fn(init_context))
