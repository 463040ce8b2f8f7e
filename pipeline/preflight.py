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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import dagster as dg
import requests

from pipeline.settings import Settings, SettingsError, load_settings
from pipeline.slices import LiveSource

PROBE_TIMEOUT = (3.05, 5.0)  # seconds to connect, to the first byte
Probe = Callable[[str], str | None]  # URL -> None when it answers, else why not


class PreflightError(RuntimeError):
    """The run cannot start: the message names each setting or source at fault."""


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


def preflight(
    steps: Collection[str],
    env: Mapping[str, str] | None = None,
    probe: Probe = probe_http,
    sources: Sequence[LiveSource] = (),
) -> Preflight:
    """Parse the settings and check what the run's `steps` need of `sources` (each slice's LiveSource);
    raises PreflightError naming every fault."""
    env = dict(os.environ if env is None else env)
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        raise PreflightError(str(exc)) from None
    faults: list[str] = []
    notes: list[str] = []
    to_probe: dict[tuple[str, str], str] = {}  # (source, setting) -> URL
    called = [s for s in sources if settings.mode in s.modes and s.steps & set(steps)]
    for source in called:
        if source.local_check is not None:
            local_faults, local_notes = source.local_check(settings)
            faults, notes = faults + local_faults, notes + local_notes
            continue
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
    if faults:
        raise PreflightError("the run cannot start:\n  - " + "\n  - ".join(faults))
    return Preflight(settings, notes)


class PreflightExecutor(dg.Executor):
    """Runs the preflight for the run's steps, then hands the plan to the wrapped executor. Every run
    (the CLI, the UI's launchpad, the schedule and sensors) goes through its job's executor once, before
    any step starts, so a failed preflight fails the run with its one message and no step is tried."""

    def __init__(self, inner: dg.Executor, sources: Sequence[LiveSource]) -> None:
        self._inner = inner
        self._sources = sources

    @property
    def retries(self) -> Any:
        return self._inner.retries

    def execute(self, plan_context: Any, execution_plan: Any) -> Iterator[Any]:
        checked = preflight(execution_plan.step_keys_to_execute, sources=self._sources)
        for note in checked.notes:
            plan_context.log.info(f"preflight: {note}")
        plan_context.log.info(f"preflight passed ({checked.settings.mode} mode)")
        yield from self._inner.execute(plan_context, execution_plan)


def preflight_in_process_executor(sources: Sequence[LiveSource]) -> dg.ExecutorDefinition:
    """Dagster's in-process executor behind the preflight of `sources` (every slice's LiveSource)."""

    @dg.executor(name="preflight_in_process", config_schema=dg.in_process_executor.config_schema)
    def _executor(init_context: dg.InitExecutorContext) -> dg.Executor:
        return PreflightExecutor(dg.in_process_executor.executor_creation_fn(init_context), sources)

    return _executor
