"""US DOT open-data mirror of T-100 international passengers: Socrata dataset `xgub-n9bw`.

Plain Python over `JsonHttpClient`. What the code relies on, and where it comes from
(docs/methods.md#dot-open-data-mirror-socrata unless said otherwise):

* `GET /resource/xgub-n9bw.json` answers a JSON array of row objects; number columns arrive as
  strings ("45210"), and a null value is left out of its row (dev.socrata.com/docs/formats/json;
  the recorded page xmunoz/sodapy tests/test_data/bike_counts_page_1.json has `"counts":"100"`).
* `$limit` defaults to 1,000 and is capped at 50,000 on 2.0 endpoints; rows have no implicit order,
  so paging needs an `$order`, and `:id` makes it total (dev.socrata.com/docs/paging,
  dev.socrata.com/docs/queries/limit).
* Errors come in two envelopes: parse errors `{"code": "query.compiler.malformed", "error": true,
  "message": ...}`, analysis errors `{"errorCode": "query.soql.no-such-column", "message": ...,
  "data": {...}}` (socrata-platform/soda-fountain querycoordinator errors use the errorCode/data
  codec; both bodies seen live in public notes), and a bad app token gets 403
  `{"code": "permission_denied", "error": true, "message": "Invalid app_token specified"}`.
  202 means "still processing, ask again"; 429 means throttled (dev.socrata.com/docs/response-codes).
* No recorded answer of this dataset exists (fixtures/real/PROVENANCE.md §3a). The column types
  assumed here (year, month and the counts are numbers; airports and carrier are text) are
  UNCONFIRMED until a live call shows `X-SODA2-Types`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import requests

from pipeline.http import JsonHttpClient, JsonResponse, RetryableAnswer, SourceError, error_text

SOURCE = "dot_soda_xgub-n9bw"
DATASET = "xgub-n9bw"
BASE_URL = "https://data.transportation.gov"
MAX_PAGE_SIZE = 50_000  # SODA 2.0 cap on $limit

# The columns passenger_rows reads, and the natural key it orders by (`:id` breaks remaining ties).
PASSENGER_COLUMNS = (
    "year",
    "month",
    "usg_apt",
    "usg_wac",
    "fg_apt",
    "fg_wac",
    "airlineid",
    "carrier",
    "carriergroup",
    "scheduled",
    "charter",
    "total",
)
NATURAL_ORDER = ("year", "month", "usg_apt", "fg_apt", "carrier")
_AIRPORT_CODE = re.compile(r"[A-Z0-9]{3,4}")


@dataclass(frozen=True)
class SodaRow:
    """One dataset row: nonstop passengers between a US gateway and a foreign airport in a month."""

    year: int
    month: int
    usg_apt: str
    fg_apt: str
    carrier: str
    carriergroup: int  # 1 = US carrier, 0 = foreign carrier
    scheduled: int
    charter: int
    total: int
    request: str
    retrieved_at: datetime
    usg_wac: int | None = None
    fg_wac: int | None = None
    airlineid: int | None = None


# --------------------------------------------------------------------------- row parsing (shared)
def _record_label(row: Mapping[str, Any], index: int) -> str:
    keys = ("year", "month", "usg_apt", "fg_apt", "carrier")
    return f"row {index} (" + ", ".join(f"{k}={row.get(k)!r}" for k in keys) + ")"


def parse_count(value: Any, name: str, *, record: str, request: str) -> int:
    """A non-negative whole number from a SODA value ("45210", "45210.0", 45210).

    Fractions, negatives and text are errors, not roundings: a passenger count with a fraction
    means the column is not what we think it is.
    """

    def fail(rule: str) -> SourceError:
        return SourceError(SOURCE, f"{name} {rule}", request=request, record=record, detail=f"{name}={value!r}")

    if value is None:
        raise fail("is missing (Socrata leaves nulls out of the row)")
    if isinstance(value, bool):
        raise fail("is not a number")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise fail("is not a number") from None
    else:
        raise fail("is not a number")
    if not number.is_finite():
        raise fail("is not a number")
    if number != number.to_integral_value():
        raise fail("is not a whole number")
    if number < 0:
        raise fail("is negative")
    return int(number)


def _text(row: Mapping[str, Any], name: str, *, record: str, request: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SourceError(SOURCE, f"{name} is missing or not text", request=request, record=record, detail=f"{value!r}")
    return value.strip()


def parse_row(row: Any, index: int, *, request: str, retrieved_at: datetime) -> SodaRow:
    """Check and type one raw SODA row; live and sample rows go through here alike."""
    if not isinstance(row, dict):
        raise SourceError(
            SOURCE, "row is not a JSON object", request=request, record=f"row {index}", detail=str(row)[:200]
        )
    record = _record_label(row, index)

    def count(name: str) -> int:
        return parse_count(row.get(name), name, record=record, request=request)

    def optional(name: str) -> int | None:
        return None if row.get(name) is None else count(name)

    parsed = SodaRow(
        year=count("year"),
        month=count("month"),
        usg_apt=_text(row, "usg_apt", record=record, request=request),
        fg_apt=_text(row, "fg_apt", record=record, request=request),
        carrier=_text(row, "carrier", record=record, request=request),
        carriergroup=count("carriergroup"),
        scheduled=count("scheduled"),
        charter=count("charter"),
        total=count("total"),
        request=request,
        retrieved_at=retrieved_at,
        usg_wac=optional("usg_wac"),
        fg_wac=optional("fg_wac"),
        airlineid=optional("airlineid"),
    )
    if not 1 <= parsed.month <= 12:
        raise SourceError(SOURCE, "month outside 1..12", request=request, record=record, detail=f"month={parsed.month}")
    if parsed.carriergroup not in (0, 1):
        raise SourceError(
            SOURCE,
            "carriergroup is neither 1 (US) nor 0 (foreign)",
            request=request,
            record=record,
            detail=f"carriergroup={parsed.carriergroup}",
        )
    return parsed


def _check_query(foreign_airports: Sequence[str], years: tuple[int, int]) -> tuple[list[str], tuple[int, int]]:
    codes = list(dict.fromkeys(code.strip().upper() for code in foreign_airports))
    bad = [c for c in codes if not _AIRPORT_CODE.fullmatch(c)]
    if bad:
        # Codes go into SoQL text, so only plain airport codes are accepted (no quoting games).
        raise ValueError(f"foreign_airports must be 3-4 letter/digit airport codes, got {list(foreign_airports)!r}")
    first, last = years
    if first > last:
        raise ValueError(f"years must be (first, last) with first <= last, got {years!r}")
    return codes, (first, last)


def _sort_key(row: SodaRow) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in NATURAL_ORDER)


def soql_text(value: str) -> str:
    """A SoQL string literal: single quotes, a quote inside doubled."""
    return "'" + value.replace("'", "''") + "'"


def passenger_where(codes: Sequence[str], years: tuple[int, int]) -> str:
    airports = ",".join(soql_text(c) for c in codes)
    return f"type='Passengers' AND fg_apt in({airports}) AND year between {years[0]} and {years[1]}"


# --------------------------------------------------------------------------- HTTP
def socrata_error(response: requests.Response) -> tuple[str, str]:
    """(code, message) of a Socrata error body, whichever of its two envelopes it uses."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:300].strip()
    if isinstance(body, dict):
        code = str(body.get("errorCode") or body.get("code") or "")
        message = str(body.get("message") or "")[:300]
        return code, message or json.dumps(body)[:300]
    return "", error_text(response)


@dataclass
class SodaHttp(JsonHttpClient):
    """Socrata's answers: 202 and 429/5xx are asked again, 4xx are final and carry their message.

    The app token goes into the session's `X-App-Token` header only: never into the URL (so never
    into provenance or error text) and never into this object's repr.
    """

    source: str = SOURCE
    base_url: str = BASE_URL
    app_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.app_token:
            self.session.headers["X-App-Token"] = self.app_token

    def classify(self, response: requests.Response, safe_url: str) -> None:
        status = response.status_code
        if status == 202:
            # "Request Processing: you can retry your request" (dev.socrata.com/docs/response-codes).
            raise RetryableAnswer("HTTP 202 (query still processing)", self._retry_after(response, safe_url))
        if status == 429 or status >= 500:
            super().classify(response, safe_url)
        if status >= 400:
            code, message = socrata_error(response)
            rule = f"HTTP {status}" + (f" {code}" if code else "")
            if status == 403 and "app_token" in message:
                message += " (check the configured Socrata app token; requests also work without one)"
            raise SourceError(self.source, rule, request=safe_url, detail=message)


# --------------------------------------------------------------------------- client
class SodaClient:
    """Paged SoQL queries against one Socrata dataset."""

    def __init__(self, http: JsonHttpClient, page_size: int = MAX_PAGE_SIZE, dataset: str = DATASET) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{MAX_PAGE_SIZE}, got {page_size}")
        self.http, self.page_size, self.dataset = http, page_size, dataset

    @property
    def path(self) -> str:
        return f"/resource/{self.dataset}.json"

    def _pages(self, params: Mapping[str, str]) -> Iterator[JsonResponse]:
        if not str(params.get("$order") or "").strip():
            raise ValueError("paging needs a stable $order (rows have no implicit order)")
        if "$limit" in params or "$offset" in params:
            raise ValueError("$limit and $offset are set by the pager")
        offset, previous = 0, None
        while True:
            resp = self.http.get_json(self.path, {**params, "$limit": str(self.page_size), "$offset": str(offset)})
            rows = resp.data
            if not isinstance(rows, list):
                raise SourceError(
                    SOURCE, "answer is not a JSON array of rows", request=resp.url, detail=str(rows)[:200]
                )
            if len(rows) > self.page_size:
                raise SourceError(
                    SOURCE, "page longer than $limit", request=resp.url, detail=f"{len(rows)} rows > {self.page_size}"
                )
            if rows and rows == previous:
                # The same rows at a new $offset: the server ignored $offset, and paging on would
                # loop or double-count.
                raise SourceError(
                    SOURCE,
                    "page repeated",
                    request=resp.url,
                    detail=f"rows at $offset={offset} equal those at $offset={offset - self.page_size}",
                )
            yield resp
            if len(rows) < self.page_size:
                return
            previous, offset = rows, offset + len(rows)

    def pages(self, params: Mapping[str, str]) -> Iterator[list[dict]]:
        """Every page of rows for a SoQL query, by `$limit`/`$offset`; stops on a short page."""
        for resp in self._pages(params):
            yield resp.data

    def passenger_rows(self, foreign_airports: Sequence[str], years: tuple[int, int]) -> list[SodaRow]:
        """Passenger rows for flights touching the given foreign airports, years inclusive.

        An empty page after full ones is checked against `count(*)` (`_check_count`)."""
        codes, years = _check_query(foreign_airports, years)
        if not codes:
            return []  # nothing asked, nothing to fetch (no call)
        params = {
            "$select": ",".join(PASSENGER_COLUMNS),
            "$where": passenger_where(codes, years),
            "$order": ",".join((*NATURAL_ORDER, ":id")),
        }
        rows: list[SodaRow] = []
        index, pages, last = 0, 0, None
        for resp in self._pages(params):
            pages, last = pages + 1, resp
            for raw in resp.data:
                row = parse_row(raw, index, request=resp.url, retrieved_at=resp.retrieved_at)
                if row.fg_apt not in codes or not years[0] <= row.year <= years[1]:
                    # A server that ignored $where would otherwise pass other airports or years on.
                    raise SourceError(
                        SOURCE,
                        "row outside the query",
                        request=resp.url,
                        record=_record_label(raw, index),
                        detail=f"asked fg_apt in {codes}, years {years[0]}..{years[1]}",
                    )
                rows.append(row)
                index += 1
        if pages > 1 and last is not None and not last.data:
            self._check_count(params["$where"], len(rows), last.url)
        return rows

    def _check_count(self, where: str, received: int, request: str) -> None:
        """An empty page after full ones ends the query only if no rows are left. SODA sends no total,
        so an empty page too early (a server that lost its place) would cut the result short without a
        word: ask `count(*)` for the same `$where` once, in this case only (it also happens when the
        row count is a multiple of the page size)."""
        resp = self.http.get_json(self.path, {"$select": "count(*) AS row_count", "$where": where})
        answer = resp.data
        first = answer[0] if isinstance(answer, list) and len(answer) == 1 else None
        raw = first.get("row_count") if isinstance(first, dict) else None
        total = parse_count(raw, "row_count", record="count(*) answer", request=resp.url)
        if total != received:
            raise SourceError(
                SOURCE,
                "empty page before the end of the result",
                request=request,
                detail=f"{received} rows paged, count(*) = {total} for the same $where",
            )


def build_soda(
    app_token: str | None = None, base_url: str = BASE_URL, page_size: int = MAX_PAGE_SIZE, **http: Any
) -> SodaClient:
    """A SodaClient with a fresh SodaHttp (`http` are JsonHttpClient settings such as call_budget)."""
    return SodaClient(SodaHttp(base_url=base_url, app_token=app_token, **http), page_size=page_size)
