"""UNESCO UIS Data API connector (api.uis.unesco.org): versions, indicator definitions, data.

Plain Python over `JsonHttpClient`. The bundled sample (assets.uis.sample) goes through the same parse
and check functions as live answers, so the offline default exercises the real parsing code.

What the API does, as far as recorded material shows (docs/methods.md#unesco-uis-api; the recordings of
malkreide/global-education-mcp, described in tests/fakes/uis.py):
* `GET /api/public/data/indicators` answers `{"hints": [], "records": [...], "indicatorMetadata": []}`,
  one record per indicator × geoUnit × year; `start`/`end` are inclusive years; no paging.
* More than 100,000 matching records → HTTP 400 "Too much data requested (N records) ..."; a URL
  that is too long → 414. Both mean "ask for less", so the client splits the request.
* Unknown ids are not errors at the HTTP level: HTTP 200 with `hints` (UIS::HINT::001 indicator,
  UIS::HINT::003 geoUnit, UIS::HINT::004 no data in the time range).
* Definitions name the id `indicatorCode` (recorded 2026-08); the data export CSV calls it
  `indicatorId`. Both spellings are read.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import isfinite
from typing import Any

import pycountry
import requests

from assets.uis.table import UisRecord
from pipeline.http import JsonHttpClient, SourceError, error_text

SOURCE = "uis"
BASE_URL = "https://api.uis.unesco.org"
MAX_RECORDS = 100_000  # per request, documented by the 400 answer itself
VERSIONS_DEFAULT_PATH = "/api/public/versions/default"
DEFINITIONS_PATH = "/api/public/definitions/indicators"
DATA_PATH = "/api/public/data/indicators"

INBOUND_TOTAL = "26637"  # Total inbound internationally mobile students, both sexes (number)
OUTBOUND_TOTAL = "OE.5T8.40510"  # Total outbound internationally mobile tertiary students, all countries

HINT_UNKNOWN_INDICATOR = "UIS::HINT::001"
HINT_UNKNOWN_GEOUNIT = "UIS::HINT::003"
HINT_NO_DATA_IN_RANGE = "UIS::HINT::004"

_TOO_MUCH = re.compile(r"Too much data requested \((\d+) records\)")
_NOT_FOUND = re.compile(r"could not be found,\s*(.+)$")
# Recorded UIS names: "Inbound internationally mobile students from Africa: Students from Egypt, both sexes
# (number)" (region, then origin); the shorter "... students from China, both sexes (number)" is read too.
_BILATERAL = re.compile(
    r"^Inbound internationally mobile students from (?:[^:]+: Students from )?(?P<origin>.+?), both sexes \(number\)$",
    re.IGNORECASE,
)
# UN/UIS country names pycountry does not resolve (pycountry.countries.lookup handles the rest).
_UN_NAMES = {
    "republic of korea": "KOR",
    "democratic people's republic of korea": "PRK",
    "iran (islamic republic of)": "IRN",
    "bolivia (plurinational state of)": "BOL",
    "venezuela (bolivarian republic of)": "VEN",
    "micronesia (federated states of)": "FSM",
    "netherlands (kingdom of the)": "NLD",
    "china, hong kong special administrative region": "HKG",
    "china, macao special administrative region": "MAC",
    "lao people's democratic republic": "LAO",
    "democratic republic of the congo": "COD",
    "united republic of tanzania": "TZA",
    "republic of moldova": "MDA",
    "state of palestine": "PSE",
    "palestine": "PSE",
}


# ------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class UisVersion:
    version: str
    publication_date: str | None
    description: str | None
    theme_last_update: dict[str, str]  # theme -> lastUpdate, as UIS writes it (formats vary by release)


@dataclass(frozen=True)
class UisIndicator:
    indicator_id: str
    name: str
    theme: str | None
    last_data_update: str | None
    total_records: int | None
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class BilateralIndicator:
    """Students from `origin_iso3`; the geoUnit of its records is the DESTINATION country."""

    indicator_id: str
    name: str
    origin_iso3: str


@dataclass(frozen=True)
class UisFetch:
    records: list[UisRecord]
    hints: list[dict]  # {"code", "message", "request"}: warnings the source attached to usable answers
    requests: int  # HTTP requests answered (split-and-retry included); 0 for the bundled sample


class TooMuchData(SourceError):
    """The request matches too many records (400) or its URL is too long (414): ask for less."""

    def __init__(self, rule: str, *, records: int | None, request: str | None = None, detail: str = "") -> None:
        super().__init__(SOURCE, rule, request=request, detail=detail)
        self.records = records


# ------------------------------------------------------------------------------------- parsing
def parse_version(payload: Any, request: str) -> UisVersion:
    """`/versions/default`: {version, publicationDate, description, themeDataStatus[{theme, lastUpdate}]}."""
    if not isinstance(payload, dict) or not isinstance(payload.get("version"), str) or not payload["version"]:
        raise SourceError(SOURCE, "version answer without a version id", request=request, detail=str(payload)[:200])
    themes = payload.get("themeDataStatus") or []
    if not isinstance(themes, list):
        raise SourceError(SOURCE, "themeDataStatus is not a list", request=request, detail=str(themes)[:200])
    return UisVersion(
        version=payload["version"],
        publication_date=_opt_str(payload.get("publicationDate")),
        description=_opt_str(payload.get("description")),
        theme_last_update={
            str(t["theme"]): str(t.get("lastUpdate"))
            for t in themes
            if isinstance(t, dict) and t.get("theme") and t.get("lastUpdate") is not None
        },
    )


def parse_indicators(payload: Any, request: str) -> list[UisIndicator]:
    """`/definitions/indicators`: a list of definitions with nested `dataAvailability`."""
    if not isinstance(payload, list):
        raise SourceError(SOURCE, "definitions answer is not a list", request=request, detail=str(payload)[:200])
    out = []
    for i, item in enumerate(payload):
        if not isinstance(item, dict):
            item = {}
        indicator_id = _indicator_id(item.get("indicatorCode", item.get("indicatorId")))
        if indicator_id is None or not isinstance(item.get("name"), str):
            record = f"#{i}: {str(payload[i])[:120]}"
            raise SourceError(SOURCE, "indicator definition without id or name", request=request, record=record)
        availability = item.get("dataAvailability") if isinstance(item.get("dataAvailability"), dict) else {}
        timeline = availability.get("timeLine") if isinstance(availability.get("timeLine"), dict) else {}
        out.append(
            UisIndicator(
                indicator_id=indicator_id,
                name=item["name"],
                theme=_opt_str(item.get("theme")),
                last_data_update=_opt_str(item.get("lastDataUpdate")),
                total_records=_opt_int(availability.get("totalRecordCount")),
                first_year=_opt_int(timeline.get("min")),
                last_year=_opt_int(timeline.get("max")),
            )
        )
    return out


def parse_records(payload: Any, request: str, retrieved_at: datetime) -> tuple[list[UisRecord], list[dict]]:
    """A data answer → validated records and its hints (each tagged with the request it came from)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise SourceError(SOURCE, "data answer without a records list", request=request, detail=str(payload)[:200])
    raw_hints = payload.get("hints") or []
    if not isinstance(raw_hints, list):
        raise SourceError(SOURCE, "hints is not a list", request=request, detail=str(raw_hints)[:200])
    hints = [
        {"code": _opt_str(h.get("code")), "message": str(h.get("message", "")), "request": request}
        if isinstance(h, dict)
        else {"code": None, "message": str(h), "request": request}
        for h in raw_hints
    ]
    return [_record(r, request, retrieved_at) for r in payload["records"]], hints


def check_answer(
    records: Sequence[UisRecord],
    hints: Sequence[dict],
    indicators: Iterable[str],
    geo_units: Iterable[str],
    start: int,
    end: int,
    request: str,
) -> None:
    """Reject what the request cannot have produced; turn an answer that is only "not found" into an error.

    Empty records plus an unknown-indicator hint means the id is wrong (a typo would otherwise read
    as "no data"). With records, hints stay warnings (UIS answers good ids and names the bad ones).
    """
    if not records:
        for hint in hints:
            if hint.get("code") == HINT_UNKNOWN_INDICATOR or "indicator could not be found" in hint["message"]:
                match = _NOT_FOUND.search(hint["message"])
                raise SourceError(
                    SOURCE,
                    "unknown indicator",
                    request=request,
                    record=match.group(1).strip() if match else ",".join(indicators),
                    detail=hint["message"],
                )
    wanted_indicators, wanted_geo = set(indicators), set(geo_units)
    seen: set[tuple[str, str, int]] = set()
    for r in records:
        key = (r.indicator_id, r.geo_unit, r.year)
        if r.indicator_id not in wanted_indicators or r.geo_unit not in wanted_geo or not start <= r.year <= end:
            raise SourceError(SOURCE, "record not asked for", request=request, record=_describe(key))
        if key in seen:
            raise SourceError(SOURCE, "duplicate record", request=request, record=_describe(key))
        seen.add(key)


def origin_iso3(name: str) -> str | None:
    """ISO-3 of the origin country in a bilateral indicator name, None if it is not one (regions too)."""
    match = _BILATERAL.match(name.strip())
    return country_iso3(match.group("origin")) if match else None


def country_iso3(name: str) -> str | None:
    """A UN/UIS country name → ISO-3 via pycountry (plus UN spellings it lacks); None for regions."""
    text = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    if text.lower() in _UN_NAMES:
        return _UN_NAMES[text.lower()]
    if len(text) <= 3:  # pycountry.lookup also matches codes; an origin is a name
        return None
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


def find_bilateral(indicators: Iterable[UisIndicator], origins_iso3: Sequence[str]) -> list[BilateralIndicator]:
    """Per-origin inbound series ("... Students from China, both sexes (number)") for the given origins."""
    wanted = {o.upper() for o in origins_iso3}
    out = []
    for ind in indicators:
        origin = origin_iso3(ind.name)
        if origin in wanted:
            out.append(BilateralIndicator(ind.indicator_id, ind.name, origin))
    return out


# ------------------------------------------------------------------------------------- live client
class UisHttp(JsonHttpClient):
    """UIS answers: "too much data" (400) and "URL too long" (414) mean split, not fail."""

    def __init__(self, source: str = SOURCE, base_url: str = BASE_URL, **kwargs: Any) -> None:
        # no documented limit; stay polite (docs/methods.md#unesco-uis-api)
        kwargs.setdefault("requests_per_second", 2.0)
        super().__init__(source, base_url, **kwargs)

    def classify(self, response: requests.Response, safe_url: str) -> None:
        if response.status_code == 400:
            text = error_text(response)
            match = _TOO_MUCH.search(text)
            if match:
                raise TooMuchData("too much data requested", records=int(match.group(1)), request=safe_url, detail=text)
        if response.status_code == 414:
            raise TooMuchData("URL too long", records=None, request=safe_url, detail=error_text(response))
        super().classify(response, safe_url)


@dataclass(frozen=True)
class Chunk:
    """One data request: indicators × geo units × the inclusive years start..end."""

    indicators: tuple[str, ...]
    geo_units: tuple[str, ...]
    start: int
    end: int

    @property
    def estimate(self) -> int:
        """Upper bound of the records it can match: one per indicator × geoUnit × year."""
        return len(self.indicators) * len(self.geo_units) * (self.end - self.start + 1)

    def split(self) -> tuple[Chunk, Chunk] | None:
        """Halves: geo units first, then years, then indicators; None for a single cell."""
        if len(self.geo_units) > 1:
            h = len(self.geo_units) // 2
            return Chunk(self.indicators, self.geo_units[:h], self.start, self.end), Chunk(
                self.indicators, self.geo_units[h:], self.start, self.end
            )
        if self.end > self.start:
            mid = (self.start + self.end) // 2
            return Chunk(self.indicators, self.geo_units, self.start, mid), Chunk(
                self.indicators, self.geo_units, mid + 1, self.end
            )
        if len(self.indicators) > 1:
            h = len(self.indicators) // 2
            return Chunk(self.indicators[:h], self.geo_units, self.start, self.end), Chunk(
                self.indicators[h:], self.geo_units, self.start, self.end
            )
        return None


def plan_chunks(chunk: Chunk, max_records: int) -> list[Chunk]:
    """Split until each estimate is below max_records (UIS asks for "less than" the limit)."""
    halves = chunk.split() if chunk.estimate >= max_records else None
    if halves is None:
        return [chunk]
    return plan_chunks(halves[0], max_records) + plan_chunks(halves[1], max_records)


class _Discovery:
    """What the live client and the sample share beyond the parse functions."""

    # The data version a run is pinned to (the resource's UIS_VERSION); empty: the default version.
    pinned_version: str = ""

    def bilateral_indicators(
        self, indicators: Iterable[UisIndicator], origins_iso3: Sequence[str]
    ) -> list[BilateralIndicator]:
        return find_bilateral(indicators, origins_iso3)

    def fetch(
        self,
        indicators: Sequence[str],
        geo_units: Sequence[str],
        start: int,
        end: int,
        version: str | None = None,
    ) -> UisFetch:
        """Every record of indicators × geo units × start..end: the query is checked here, once, and
        answered by the client (`_answer`: the API) or the sample."""
        return self._answer(_whole_chunk(indicators, geo_units, start, end), version)

    def _answer(self, whole: Chunk, version: str | None) -> UisFetch:
        raise NotImplementedError  # the client asks the API, the sample reads its file


class UisClient(_Discovery):
    def __init__(self, http: JsonHttpClient, max_records: int = MAX_RECORDS, pinned_version: str = "") -> None:
        if max_records < 1:
            raise ValueError(f"max_records must be positive, got {max_records}")
        self.http, self.max_records, self.pinned_version = http, max_records, pinned_version

    def default_version(self) -> UisVersion:
        resp = self.http.get_json(VERSIONS_DEFAULT_PATH)
        return parse_version(resp.data, resp.url)

    def indicators(self, version: str | None = None) -> list[UisIndicator]:
        resp = self.http.get_json(DEFINITIONS_PATH, {"version": version})
        return parse_indicators(resp.data, resp.url)

    def _answer(self, whole: Chunk, version: str | None) -> UisFetch:
        """The records of the query, in requests below the record limit.

        The plan uses an upper-bound estimate; if UIS still refuses a chunk (400 too much data, 414)
        it is halved and both halves asked, down to a single indicator × geoUnit × year.
        """
        pending = deque(plan_chunks(whole, self.max_records))
        records: list[UisRecord] = []
        hints: list[dict] = []
        answered = 0
        while pending:
            chunk = pending.popleft()
            params = {
                "indicator": list(chunk.indicators),
                "geoUnit": list(chunk.geo_units),
                "start": chunk.start,
                "end": chunk.end,
                "version": version,
                "indicatorMetadata": "false",
                "footnotes": "false",
            }
            try:
                resp = self.http.get_json(DATA_PATH, params)
            except TooMuchData as exc:
                answered += 1
                halves = chunk.split()
                if halves is None:
                    raise TooMuchData(
                        "too much data even for one indicator × geoUnit × year",
                        records=exc.records,
                        request=exc.request,
                        detail=exc.detail,
                    ) from None
                pending.extendleft(reversed(halves))
                continue
            answered += 1
            got, got_hints = parse_records(resp.data, resp.url, resp.retrieved_at)
            check_answer(got, got_hints, chunk.indicators, chunk.geo_units, chunk.start, chunk.end, resp.url)
            records += got
            hints += got_hints
        return UisFetch(_sorted_unique(records), hints, answered)


# ------------------------------------------------------------------------------------- helpers
def _whole_chunk(indicators: Sequence[str], geo_units: Sequence[str], start: int, end: int) -> Chunk:
    if isinstance(indicators, str) or isinstance(geo_units, str):
        raise TypeError("indicators and geo_units are sequences of ids, not a single string")
    chunk = Chunk(tuple(dict.fromkeys(indicators)), tuple(dict.fromkeys(geo_units)), int(start), int(end))
    if not chunk.indicators or not chunk.geo_units:
        raise ValueError("give at least one indicator and one geoUnit (an unbounded query cannot be chunked)")
    if chunk.start > chunk.end:
        raise ValueError(f"start {start} is after end {end}")
    return chunk


def _record(raw: Any, request: str, retrieved_at: datetime) -> UisRecord:
    if not isinstance(raw, dict):
        raise SourceError(SOURCE, "record is not an object", request=request, record=str(raw)[:200])
    indicator_id, geo_unit, year, value = (raw.get(k) for k in ("indicatorId", "geoUnit", "year", "value"))
    name = _describe((indicator_id, geo_unit, year))
    if _indicator_id(indicator_id) is None or not isinstance(geo_unit, str) or not geo_unit:
        raise SourceError(SOURCE, "record without indicatorId or geoUnit", request=request, record=str(raw)[:200])
    if not isinstance(year, int) or isinstance(year, bool):
        raise SourceError(SOURCE, "record year is not an integer", request=request, record=name, detail=repr(year))
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool) or not isfinite(value)):
        raise SourceError(
            SOURCE, "record value is not a number or null", request=request, record=name, detail=repr(value)
        )
    for key in ("magnitude", "qualifier"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise SourceError(SOURCE, f"record {key} is not a string", request=request, record=name)
    return UisRecord(
        indicator_id=_indicator_id(indicator_id) or "",
        geo_unit=geo_unit,
        year=year,
        value=None if value is None else float(value),
        magnitude=raw.get("magnitude"),
        qualifier=raw.get("qualifier"),
        request=request,
        retrieved_at=retrieved_at,
    )


def _indicator_id(value: Any) -> str | None:
    """Ids are strings ("26637", "CR.1"); a bare JSON number is accepted as its string."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _sorted_unique(records: list[UisRecord]) -> list[UisRecord]:
    seen: dict[tuple[str, str, int], UisRecord] = {}
    for r in records:
        key = (r.indicator_id, r.geo_unit, r.year)
        if key in seen:  # chunks partition the query, so a repeat is the source's fault
            raise SourceError(SOURCE, "duplicate record across requests", request=r.request, record=_describe(key))
        seen[key] = r
    return [seen[k] for k in sorted(seen)]


def _describe(key: tuple[Any, Any, Any]) -> str:
    return f"indicator {key[0]} geoUnit {key[1]} year {key[2]}"


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
