"""Run settings read from the environment (the project's configuration contract).

Parsed once per run, when Dagster initialises the run's resources (`RunSettings`), and handed to every
asset and resource; nothing below the definitions reads the environment. Never at import time, so tests
can set the environment per test and `dagster definitions validate` works with nothing set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import dagster as dg
import pycountry
from pydantic import PrivateAttr

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "collab.duckdb"

# sample: the bundled synthetic sample; live: every source's real API; snapshot: OpenAlex from a local
# copy of its snapshot (OPENALEX_SNAPSHOT_DIR), every other source live.
MODES = ("sample", "live", "snapshot")
HTTP_CACHE_MODES = ("off", "on", "replay")
# HK/MO(/TW) stay separate by default, as OpenAlex codes them; a policy may merge them into CN.
TERRITORY_POLICIES = {
    "separate": {},
    "greater_china": {"HK": "CN", "MO": "CN"},
    "greater_china_tw": {"HK": "CN", "MO": "CN", "TW": "CN"},
}


def repo_relative(path: Path) -> str:
    """A path as provenance: relative to the repository when inside it, else absolute."""
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


class SettingsError(ValueError):
    """A configuration value is invalid; the message names the variable and the rule."""


@dataclass(frozen=True)
class Settings:
    mode: str
    warehouse: Path
    # The record-level focus countries: the report pair (first two), the pairs whose records live mode
    # fetches (Shares), ties and institution marts. COLLAB_FOCUS=ALL keeps CN,US here unless it names others.
    focus: tuple[str, ...]
    years: tuple[int, int]
    territory_policy: str
    refresh_years: int
    work_types: tuple[str, ...] = ("article",)
    exclude_paratext: bool = True
    exclude_retracted: bool = True
    rowcount_tolerance: float = 0.5
    # Student mobility: destinations fetched for each focus origin, and the largest plausible
    # year-on-year change of a national student count before the gate calls it a data error.
    mobility_countries: tuple[str, ...] = ("US", "GB", "AU", "CA", "JP", "KR", "DE", "FR")
    mobility_max_yoy: float = 0.5
    # Flight proxy: the before/after windows of the difference-in-differences around 2018.
    did_pre: tuple[int, int] = (2015, 2017)
    did_post: tuple[int, int] = (2018, 2019)
    # Base year of every index column of the dashboard (= 100).
    base_year: int = 2018
    # Years at which mart.bilateral_breaks tests for a structural break.
    break_years: tuple[int, ...] = (2018, 2020)
    # Snapshot mode: the local copy of s3://openalex, and where per-partition extracts are kept.
    snapshot_dir: Path | None = None
    snapshot_store: Path = REPO_ROOT / "warehouse" / "snapshot"
    # Records read at once in a partition run (whole parts, by the manifest's record_count): bounds its memory.
    snapshot_batch_records: int = 400_000
    # DuckDB's memory limit per connection: beyond it, joins and sorts spill to disk instead of growing.
    duckdb_memory_limit: str = "2GB"
    # Run-failure alerts: a JSON Lines file and/or a webhook URL (secret: never logged).
    alert_file: Path | None = None
    alert_webhook_url: str = ""
    # Where the focus pair's static HTML report is written.
    report_dir: Path = REPO_ROOT / "warehouse" / "reports"
    # Bootstrap intervals of the collaboration score and observed/expected (resampling papers).
    bootstrap_replicates: int = 200
    bootstrap_seed: int = 2018
    # mart.collaboration_ties: the look-back window that decides a "new" author pair, and the byline length
    # above which a joint paper counts but contributes no author pairs (docs/methods.md#new-versus-repeat-ties).
    collab_ties_lookback_years: int = 5
    collab_ties_max_authors: int = 50
    # Raw response cache of the live connectors (pipeline.http.ResponseCache): off, on or replay.
    http_cache: str = "on"
    http_cache_file: Path = REPO_ROOT / "warehouse" / "http_cache.sqlite"
    http_cache_ttl_hours: int = 20
    # Live mode: the most a run may spend at OpenAlex in USD (a free key's whole day is $1); the guard stops
    # before a billed call would pass it (assets/openalex/spend.py).
    openalex_budget_usd: float = 1.0
    # COLLAB_FOCUS=ALL: live mode counts every country pair from group_by
    # (docs/methods.md#every-pair-from-group_by-collab_focusall); sample and snapshot count every pair anyway.
    focus_all: bool = False
    # The environment as it was when the settings were parsed: source slices read their own optional,
    # non-secret variables from it (a URL override such as UIS_BASE_URL, UIS_VERSION, T100_DIR).
    environment: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def variable(self, name: str, default: str = "") -> str:
        """An optional variable of the parsed environment, stripped; `default` when unset or empty."""
        return self.environment.get(name, "").strip() or default

    @property
    def year_list(self) -> list[int]:
        return list(range(self.years[0], self.years[1] + 1))

    @property
    def territory_map(self) -> dict[str, str]:
        return TERRITORY_POLICIES[self.territory_policy]


def parse_years(text: str, variable: str = "COLLAB_YEARS") -> tuple[int, int]:
    """`2015-2024` or `2020` → inclusive (first, last)."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not m:
        raise SettingsError(f"{variable}={text!r}: expected YYYY or YYYY-YYYY")
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last or first < 1900 or last > 2100:
        raise SettingsError(f"{variable}={text!r}: range must be increasing and within 1900-2100")
    return first, last


def parse_year_list(text: str, variable: str) -> tuple[int, ...]:
    """`2018,2020` → (2018, 2020), sorted and distinct."""
    years = sorted({parse_years(part, variable)[0] for part in text.split(",") if part.strip()})
    if not years:
        raise SettingsError(f"{variable} is empty: give years such as 2018,2020")
    return tuple(years)


def parse_countries(text: str, variable: str = "COLLAB_FOCUS", minimum: int = 1) -> tuple[str, ...]:
    """Comma-separated ISO 3166-1 alpha-2 codes, validated against pycountry, at least `minimum` of them."""
    codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    if not codes:
        raise SettingsError(f"{variable} is empty: give ISO-2 codes such as CN,US")
    if len(codes) < minimum:
        raise SettingsError(f"{variable}={text!r}: give at least {minimum} ISO-2 codes, such as CN,US")
    bad = [c for c in codes if pycountry.countries.get(alpha_2=c) is None]
    if bad:
        raise SettingsError(f"{variable}: not ISO 3166-1 alpha-2 codes: {', '.join(bad)}")
    return codes


FOCUS_ALL = "ALL"
FOCUS_ALL_DEFAULT = ("CN", "US")


def parse_focus(text: str, variable: str = "COLLAB_FOCUS") -> tuple[tuple[str, ...], bool]:
    """COLLAB_FOCUS: (focus countries, every pair?). `CN,US,DE` names the focus countries (at least two);
    `ALL` asks for every pair's counts with CN,US as the record-level focus; `ALL,DE,FR` names that focus."""
    tokens = [t.strip().upper() for t in text.split(",") if t.strip()]
    if FOCUS_ALL not in tokens:
        return parse_countries(text, variable, minimum=2), False
    named = ",".join(t for t in tokens if t != FOCUS_ALL)
    if not named:
        return FOCUS_ALL_DEFAULT, True
    try:
        return parse_countries(named, variable, minimum=2), True
    except SettingsError as err:  # say what ALL accepts, not only what a country list does
        raise SettingsError(f"{err} (with ALL: no country, meaning CN,US, or at least two, e.g. ALL,DE,FR)") from err


def parse_bool(text: str, variable: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{variable}={text!r}: expected true or false")


def parse_int(text: str, variable: str, minimum: int) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) < minimum:
        raise SettingsError(f"{variable}={text!r}: expected an integer >= {minimum}")
    return int(value)


def parse_memory(text: str, variable: str) -> str:
    """A DuckDB memory size such as `2GB` or `1500MB`."""
    value = text.strip().replace(" ", "")
    if not re.fullmatch(r"\d+(\.\d+)?(MB|GB|MiB|GiB)", value):
        raise SettingsError(f"{variable}={text!r}: expected a size such as 2GB or 1500MB")
    return value


def parse_fraction(text: str, variable: str, upper: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= upper:
        raise SettingsError(f"{variable}={text!r}: expected a number in (0, {upper:g}]")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """The settings of `env` (default: the process environment); a bad value raises SettingsError naming it.
    The groups are parsed in this order, so the first bad value reported does not depend on the grouping."""
    env = dict(os.environ if env is None else env)
    values = {
        **_run_mode(env),
        "rowcount_tolerance": parse_fraction(
            env.get("COLLAB_ROWCOUNT_TOLERANCE", "0.5"), "COLLAB_ROWCOUNT_TOLERANCE", upper=10
        ),
        **_did_windows(env),
        "work_types": _work_types(env),
        "http_cache": _choice(env, "COLLAB_HTTP_CACHE", "on", HTTP_CACHE_MODES),
        **_scope(env),
        **_mobility(env),
        **_snapshot(env),
        **_outputs(env),
        **_statistics(env),
        **_http(env),
    }
    return Settings(**values, environment=MappingProxyType(env))


def _choice(env: Mapping[str, str], variable: str, default: str, allowed: Iterable[str]) -> str:
    value = env.get(variable, default).strip().lower() or default
    if value not in allowed:
        raise SettingsError(f"{variable}={value!r}: expected one of {', '.join(allowed)}")
    return value


def _run_mode(env: Mapping[str, str]) -> dict[str, Any]:
    mode = _choice(env, "COLLAB_MODE", "sample", MODES)
    snapshot_dir = Path(env["OPENALEX_SNAPSHOT_DIR"]) if env.get("OPENALEX_SNAPSHOT_DIR", "").strip() else None
    if mode == "snapshot" and snapshot_dir is None:
        raise SettingsError("COLLAB_MODE=snapshot needs OPENALEX_SNAPSHOT_DIR: the local copy of s3://openalex")
    policy = _choice(env, "COLLAB_TERRITORY_POLICY", "separate", TERRITORY_POLICIES)
    return {"mode": mode, "snapshot_dir": snapshot_dir, "territory_policy": policy}


def _did_windows(env: Mapping[str, str]) -> dict[str, Any]:
    did_pre = parse_years(env.get("COLLAB_DID_PRE", "2015-2017"), "COLLAB_DID_PRE")
    did_post = parse_years(env.get("COLLAB_DID_POST", "2018-2019"), "COLLAB_DID_POST")
    if did_pre[1] >= did_post[0]:
        raise SettingsError(f"COLLAB_DID_PRE {did_pre} must end before COLLAB_DID_POST {did_post} begins")
    return {"did_pre": did_pre, "did_post": did_post}


def _work_types(env: Mapping[str, str]) -> tuple[str, ...]:
    work_types = tuple(t.strip().lower() for t in env.get("COLLAB_WORK_TYPES", "article").split(",") if t.strip())
    if not work_types or not all(re.fullmatch(r"[a-z-]+", t) for t in work_types):
        raise SettingsError("COLLAB_WORK_TYPES: expected a comma list of OpenAlex work types, e.g. article,review")
    return work_types


def _scope(env: Mapping[str, str]) -> dict[str, Any]:
    """Where the warehouse is and what the papers family covers."""
    # The first two focus countries are the focus pair of the dashboard's report.
    focus, focus_all = parse_focus(env.get("COLLAB_FOCUS", "CN,US"))
    return {
        "warehouse": Path(env.get("COLLAB_WAREHOUSE") or DEFAULT_WAREHOUSE),
        "focus": focus,
        "focus_all": focus_all,
        "years": parse_years(env.get("COLLAB_YEARS", "2015-2024")),
        "refresh_years": parse_int(env.get("COLLAB_REFRESH_YEARS", "2"), "COLLAB_REFRESH_YEARS", 1),
        "exclude_paratext": parse_bool(env.get("COLLAB_EXCLUDE_PARATEXT", "true"), "COLLAB_EXCLUDE_PARATEXT"),
        "exclude_retracted": parse_bool(env.get("COLLAB_EXCLUDE_RETRACTED", "true"), "COLLAB_EXCLUDE_RETRACTED"),
    }


def _mobility(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "mobility_countries": parse_countries(
            env.get("COLLAB_MOBILITY_COUNTRIES", "US,GB,AU,CA,JP,KR,DE,FR"), "COLLAB_MOBILITY_COUNTRIES"
        ),
        "mobility_max_yoy": parse_fraction(
            env.get("COLLAB_MOBILITY_MAX_YOY", "0.5"), "COLLAB_MOBILITY_MAX_YOY", upper=10
        ),
        "base_year": parse_years(env.get("COLLAB_BASE_YEAR", "2018"), "COLLAB_BASE_YEAR")[0],
    }


def _snapshot(env: Mapping[str, str]) -> dict[str, Any]:
    """Snapshot mode's extract store and the memory a run's connections may use."""
    return {
        "snapshot_store": Path(env.get("COLLAB_SNAPSHOT_STORE") or REPO_ROOT / "warehouse" / "snapshot"),
        "snapshot_batch_records": parse_int(
            env.get("COLLAB_SNAPSHOT_BATCH_RECORDS", "400000"), "COLLAB_SNAPSHOT_BATCH_RECORDS", 1
        ),
        "duckdb_memory_limit": parse_memory(env.get("COLLAB_DUCKDB_MEMORY_LIMIT", "2GB"), "COLLAB_DUCKDB_MEMORY_LIMIT"),
    }


def _outputs(env: Mapping[str, str]) -> dict[str, Any]:
    """Where alerts and the report go."""
    return {
        "alert_file": Path(env["COLLAB_ALERT_FILE"]) if env.get("COLLAB_ALERT_FILE", "").strip() else None,
        "alert_webhook_url": env.get("COLLAB_ALERT_WEBHOOK_URL", "").strip(),
        "report_dir": Path(env.get("COLLAB_REPORT_DIR") or REPO_ROOT / "warehouse" / "reports"),
    }


def _statistics(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "break_years": parse_year_list(env.get("COLLAB_BREAK_YEARS", "2018,2020"), "COLLAB_BREAK_YEARS"),
        "bootstrap_replicates": parse_int(
            env.get("COLLAB_BOOTSTRAP_REPLICATES", "200"), "COLLAB_BOOTSTRAP_REPLICATES", minimum=20
        ),
        "bootstrap_seed": parse_int(env.get("COLLAB_BOOTSTRAP_SEED", "2018"), "COLLAB_BOOTSTRAP_SEED", 0),
        "collab_ties_lookback_years": parse_int(
            env.get("COLLAB_TIES_LOOKBACK_YEARS", "5"), "COLLAB_TIES_LOOKBACK_YEARS", minimum=1
        ),
        "collab_ties_max_authors": parse_int(env.get("COLLAB_TIES_MAX_AUTHORS", "50"), "COLLAB_TIES_MAX_AUTHORS", 2),
    }


def _http(env: Mapping[str, str]) -> dict[str, Any]:
    """The live connectors' response cache and the OpenAlex spending cap."""
    return {
        "http_cache_file": Path(env.get("COLLAB_HTTP_CACHE_FILE") or REPO_ROOT / "warehouse" / "http_cache.sqlite"),
        "http_cache_ttl_hours": parse_int(
            env.get("COLLAB_HTTP_CACHE_TTL_HOURS", "20"), "COLLAB_HTTP_CACHE_TTL_HOURS", 0
        ),
        "openalex_budget_usd": parse_fraction(
            env.get("COLLAB_OPENALEX_BUDGET_USD", "1.0"), "COLLAB_OPENALEX_BUDGET_USD", upper=100_000
        ),
    }


class RunSettings(dg.ConfigurableResource):
    """The run's settings: parsed from the environment once, when the run's resources are initialised,
    then handed to every asset (`run_settings.get()`)."""

    _settings: Settings | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._settings = None  # parsed afresh for every run
        self.get()

    def get(self) -> Settings:
        if self._settings is None:  # at a run's start, or on first use outside a run (a script or test)
            self._settings = load_settings()
        return self._settings
