"""World Bank Indicators API v2 connector (api.worldbank.org): one indicator × countries × years.

Plain Python over `JsonHttpClient`. The bundled sample (assets.worldbank.sample) goes through the same
parse and check functions as live answers, so the offline default exercises the real parsing code.

What the API does, as far as recorded material shows (docs/methods.md#world-bank-indicators-api; fixtures in
tests/data/worldbank, from jkkitakita/wbdata-go's recordings of 2021-06-13):
* `GET /v2/country/{codes;...}/indicator/{ID}?format=json&date=a:b&per_page=N&page=P` answers
  `[meta, rows]`; meta `{page, pages, per_page, total, sourceid, sourcename, lastupdated}`; a row is
  `{indicator{id,value}, country{id,value}, countryiso3code, date, value, unit, obs_status, decimal}`.
* `date` is a string ("2019"); `value` is often null (JPN 2020 in the recording).
* Errors come as HTTP 200 with a 1-element array `[{"message": [{"id", "key", "value"}]}]`
  (an unknown indicator: id 120 "Invalid value"); an invalid `source` gives HTTP 400 with an HTML page.
* Aggregates (WLD, EUU, income groups...) share the row shape; they are not countries and are dropped.
  So are economies pycountry has no ISO-3 code for (Kosovo XKX, Channel Islands CHI).
* An answer with no rows: `[{"page":1,"pages":0,...,"total":0,...}, null]` (ASSUMED from memory of
  the API, not recorded): read as zero rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from math import isfinite
from typing import Any

import pycountry
import requests

from assets.worldbank.table import WbObservation
from pipeline.http import JsonHttpClient, SourceError

SOURCE = "worldbank"
BASE_URL = "https://api.worldbank.org"
INDICATORS = {
    "SP.POP.TOTL": "population",
    "NY.GDP.MKTP.CD": "gdp_usd",
    "GB.XPD.RSDV.GD.ZS": "rd_pct_gdp",
    "SP.POP.SCIE.RD.P6": "researchers_per_million",
}
ALL = "all"  # the API's "every economy" code (aggregates included)

_INDICATOR_ID = re.compile(r"^[A-Za-z0-9_.]+$")  # also keeps ids safe as URL segments and file names
_YEAR = re.compile(r"^\d{4}$")


# ------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class WbMeta:
    page: int
    pages: int
    per_page: int
    total: int
    last_updated: str | None


# ------------------------------------------------------------------------------------- parsing
def parse_answer(payload: Any, request: str, indicator: str) -> tuple[WbMeta, list[Any]]:
    """`[meta, rows]` → (meta, raw rows); the 1-element error array → SourceError naming the indicator."""
    if isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], dict) and "message" in payload[0]:
        raise SourceError(
            SOURCE,
            "World Bank error answer",
            request=request,
            record=f"indicator {indicator}",
            detail=error_messages(payload[0]["message"]),
        )
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], dict):
        raise SourceError(SOURCE, "answer is not [meta, rows]", request=request, detail=str(payload)[:200])
    raw_meta, rows = payload
    if rows is None:  # no rows at all (or a page past the end): the API sends null, not []
        rows = []
    if not isinstance(rows, list):
        raise SourceError(SOURCE, "rows are not a list", request=request, detail=str(rows)[:200])
    values = {k: _meta_int(raw_meta.get(k)) for k in ("page", "pages", "per_page", "total")}
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise SourceError(
            SOURCE, f"meta without integer {', '.join(missing)}", request=request, detail=str(raw_meta)[:200]
        )
    last_updated = raw_meta.get("lastupdated")
    meta = WbMeta(
        page=values["page"] or 0,
        pages=values["pages"] or 0,
        per_page=values["per_page"] or 0,
        total=values["total"] or 0,
        last_updated=last_updated if isinstance(last_updated, str) and last_updated else None,
    )
    return meta, rows


def error_messages(messages: Any) -> str:
    """`[{"id","key","value"}, ...]` → "120 Invalid value: The provided ... ; ..."."""
    if not isinstance(messages, list):
        return str(messages)[:300]
    parts = [
        f"{m.get('id', '?')} {m.get('key', '?')}: {m.get('value', '')}" if isinstance(m, dict) else str(m)
        for m in messages
    ]
    return "; ".join(parts)[:500]


def parse_row(raw: Any, request: str, retrieved_at: datetime, last_updated: str | None) -> WbObservation | None:
    """One row → an observation, or None for an aggregate (not an ISO-3 country)."""
    if not isinstance(raw, dict):
        raise SourceError(SOURCE, "row is not an object", request=request, record=str(raw)[:200])
    indicator, country = raw.get("indicator"), raw.get("country")
    indicator_id = indicator.get("id") if isinstance(indicator, dict) else None
    iso2 = country.get("id") if isinstance(country, dict) else None
    iso3, date, value = raw.get("countryiso3code"), raw.get("date"), raw.get("value")
    if not isinstance(indicator_id, str) or not indicator_id or not isinstance(iso2, str) or not isinstance(iso3, str):
        raise SourceError(
            SOURCE, "row without indicator.id, country.id or countryiso3code", request=request, record=str(raw)[:200]
        )
    name = f"indicator {indicator_id} country {iso3 or iso2} date {date!r}"
    if not is_country(iso3):
        return None
    if not isinstance(date, str) or not _YEAR.match(date):
        # WDI is annual; "2021Q1"/"2021M01" belong to other databases and are not years.
        raise SourceError(SOURCE, "row date is not a year", request=request, record=name, detail=repr(date))
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool) or not isfinite(value)):
        raise SourceError(SOURCE, "row value is not a number or null", request=request, record=name, detail=repr(value))
    obs_status = raw.get("obs_status")
    return WbObservation(
        indicator=indicator_id,
        country_iso2=iso2,
        country_iso3=iso3,
        year=int(date),
        value=None if value is None else float(value),
        obs_status=obs_status if isinstance(obs_status, str) and obs_status else None,  # "" means no flag
        last_updated=last_updated,
        request=request,
        retrieved_at=retrieved_at,
    )


def parse_rows(
    rows: Sequence[Any], request: str, retrieved_at: datetime, last_updated: str | None
) -> list[WbObservation]:
    """Rows → observations of countries only (aggregates dropped)."""
    return [o for o in (parse_row(r, request, retrieved_at, last_updated) for r in rows) if o is not None]


def is_country(iso3: str) -> bool:
    """An ISO-3 country code per pycountry; WLD, EUU, HIC, "" (some aggregates) are not."""
    if len(iso3) != 3:
        return False
    try:
        return pycountry.countries.get(alpha_3=iso3) is not None
    except KeyError:  # older pycountry raised instead of returning None
        return False


def check_observations(
    observations: Sequence[WbObservation],
    indicator: str,
    countries_iso3: Sequence[str],
    start: int,
    end: int,
    request: str,
) -> None:
    """Reject rows the request cannot have produced, and repeats (paging over a changing table)."""
    wanted = None if list(countries_iso3) == [ALL] else set(countries_iso3)
    seen: set[tuple[str, int]] = set()
    for o in observations:
        name = f"indicator {o.indicator} country {o.country_iso3} year {o.year}"
        if o.indicator != indicator or (wanted is not None and o.country_iso3 not in wanted):
            raise SourceError(SOURCE, "row for an indicator or country not asked for", request=request, record=name)
        if not start <= o.year <= end:
            raise SourceError(
                SOURCE, "row for a year not asked for", request=request, record=name, detail=f"asked {start}:{end}"
            )
        if (o.country_iso3, o.year) in seen:
            raise SourceError(SOURCE, "duplicate row", request=request, record=name)
        seen.add((o.country_iso3, o.year))


# ------------------------------------------------------------------------------------- live client
class WorldBankHttp(JsonHttpClient):
    """World Bank answers: a bad `source` (and similar) gives HTTP 400 as an HTML "Request Error" page."""

    def __init__(self, source: str = SOURCE, base_url: str = BASE_URL, **kwargs: Any) -> None:
        # no documented limit; stay polite (docs/methods.md#world-bank-indicators-api)
        kwargs.setdefault("requests_per_second", 2.0)
        super().__init__(source, base_url, **kwargs)

    def classify(self, response: requests.Response, safe_url: str) -> None:
        status = response.status_code
        if 400 <= status < 500 and status != 429 and "html" in response.headers.get("Content-Type", "").lower():
            raise SourceError(
                self.source,
                f"HTTP {status} with an HTML error page (invalid source or parameter?)",
                request=safe_url,
                # Sent as bare text/html (no charset) with a UTF-8 BOM: decode the bytes ourselves.
                detail=html_text(response.content.decode("utf-8-sig", errors="replace")),
            )
        super().classify(response, safe_url)


def html_text(body: str, limit: int = 300) -> str:
    """The start of an HTML page as readable text (the recorded page starts with a BOM and a style block)."""
    text = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", body.lstrip("\ufeff"))
    text = re.sub(r"(?s)<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit]


class WorldBankClient:
    def __init__(self, http: JsonHttpClient, per_page: int = 1000) -> None:
        if per_page < 1:
            raise ValueError(f"per_page must be positive, got {per_page}")
        self.http, self.per_page = http, per_page

    def observations(self, indicator: str, countries_iso3: Sequence[str], start: int, end: int) -> list[WbObservation]:
        """Every country row of `indicator` for the countries (ISO-3, or ["all"]) and years start..end.

        Pages 1..meta.pages; the rows received must add up to meta.total. Aggregates are dropped
        after counting (they are part of the total), nulls are kept as None.
        """
        countries = _query(indicator, countries_iso3, start, end)
        path = f"/v2/country/{';'.join(countries)}/indicator/{indicator}"
        out: list[WbObservation] = []
        received, page, first, url = 0, 1, None, ""
        while True:
            params = {"format": "json", "date": f"{start}:{end}", "per_page": self.per_page, "page": page}
            resp = self.http.get_json(path, params)
            url = resp.url
            meta, rows = parse_answer(resp.data, url, indicator)
            if meta.page != page:
                raise SourceError(SOURCE, "answer is for another page", request=url, detail=f"page {meta.page}")
            if first is not None and (meta.pages, meta.total) != (first.pages, first.total):
                # The table changed between pages: rows may have shifted, so the pages do not add up.
                raise SourceError(
                    SOURCE,
                    "pages/total changed while paging",
                    request=url,
                    detail=f"{first.pages}/{first.total} then {meta.pages}/{meta.total}",
                )
            first = first or meta
            received += len(rows)
            out += parse_rows(rows, url, resp.retrieved_at, meta.last_updated)
            if page >= meta.pages:  # also ends an empty answer (pages 0)
                break
            page += 1
        if first is not None and received != first.total:
            raise SourceError(
                SOURCE,
                "rows received differ from meta.total",
                request=url,
                detail=f"{received} rows, total {first.total}",
            )
        check_observations(out, indicator, countries, start, end, url)
        return _sorted(out)


# ------------------------------------------------------------------------------------- helpers
def _query(indicator: str, countries_iso3: Sequence[str], start: int, end: int) -> list[str]:
    if not _INDICATOR_ID.match(indicator):
        raise ValueError(f"not a World Bank indicator id: {indicator!r}")
    if isinstance(countries_iso3, str):  # a bare "CHN;USA" would be iterated letter by letter
        raise TypeError("countries_iso3 must be a sequence of codes, not a string")
    countries = [ALL] if [c.lower() for c in countries_iso3] == [ALL] else [c.upper() for c in countries_iso3]
    if not countries or any(not re.fullmatch(r"[A-Z]{3}", c) for c in countries if c != ALL):
        raise ValueError(f"countries must be ISO-3 codes or ['all'], got {list(countries_iso3)!r}")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    return list(dict.fromkeys(countries))


def _meta_int(value: Any) -> int | None:
    """Meta numbers are ints in the recordings; digit strings are read too (older answers had "50")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _sorted(observations: list[WbObservation]) -> list[WbObservation]:
    return sorted(observations, key=lambda o: (o.indicator, o.country_iso3, o.year))
