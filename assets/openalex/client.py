"""OpenAlex API client: cursor paging, group_by counts, singletons, truncated author lists.

Plain Python over `JsonHttpClient`; the Dagster resource in `assets.openalex.resource` builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import requests

from assets.openalex.spend import BUDGET_SETTING, DailyBudgetSpent, Spend, call_kind, reset_time, utc_text
from pipeline.http import (
    JsonHttpClient,
    JsonResponse,
    RetryableAnswer,
    SourceError,
    error_text,
    from_cache,
    parse_retry_after,
)

if TYPE_CHECKING:
    from assets.openalex.plan import GroupQuery

SOURCE = "openalex"
BASE_URL = "https://api.openalex.org"
MAX_PER_PAGE = 100  # current documented maximum (legacy deployments allowed 200)
MAX_GROUPS_PER_PAGE = 200
# Root fields a work record needs for counting, Shares, quality figures and the by-field marts (the work's
# primary_topic: field and domain) (select= is root-level only).
WORK_FIELDS = (
    "id",
    "doi",
    "display_name",
    "publication_year",
    "publication_date",
    "type",
    "is_paratext",
    "is_retracted",
    "is_authors_truncated",
    "primary_location",
    "primary_topic",
    "authorships",
    "countries_distinct_count",
    "institutions_distinct_count",
)


@dataclass(frozen=True)
class WorkRecord:
    """One work object as received, with where and when it came from."""

    payload: dict
    request: str
    retrieved_at: datetime
    authors_refetched: bool = False


@dataclass(frozen=True)
class Group:
    key: str
    display_name: str | None
    count: int
    request: str
    retrieved_at: datetime


@dataclass(frozen=True)
class Pulled:
    """What a source hands to openalex_raw: work records, group_by counts with their queries, call figures."""

    records: list[WorkRecord]
    groups: list[tuple[GroupQuery, Group]]
    stats: dict[str, int]


def format_filter(filters: Sequence[tuple[str, str]]) -> str:
    """OpenAlex filter syntax: comma = AND; repeating an attribute ANDs its values."""
    return ",".join(f"{k}:{v}" for k, v in filters)


def normalise_group_key(key: str) -> str:
    """Group keys arrive as codes ("CN", "2020") or entity URLs (".../countries/CN"); keep the code."""
    return key.rstrip("/").rsplit("/", 1)[-1]


def resolve_truncated(records: Sequence[WorkRecord], fetch_full: Callable[[str], WorkRecord]) -> list[WorkRecord]:
    """List responses stop at 100 authors; replace those works by their full singleton record."""
    return [fetch_full(r.payload["id"]) if r.payload.get("is_authors_truncated") else r for r in records]


@dataclass
class OpenAlexHttp(JsonHttpClient):
    """OpenAlex's answers: 403 means "slow down" unless the body says the query is invalid; a 429 is either
    "too fast" (retried) or "the day's budget is spent" (final). Every answer's cost is counted in `spend`,
    and `budget_usd` (COLLAB_OPENALEX_BUDGET_USD) stops the run before a billed call would pass it."""

    budget_usd: float | None = None
    spend: Spend = field(default_factory=Spend, init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.spend.budget_usd = None if self.budget_usd is None else Decimal(str(self.budget_usd))

    def billed(self, request: requests.PreparedRequest) -> bool:
        """Singletons (/works/{id}) cost no credit: the recorded singleton answer says x-ratelimit-cost-usd 0
        and x-ratelimit-credits-used 0 (fixture error_400_invalid_select.http.json)."""
        return call_kind(request.url or "") != "singleton"

    def _attempt(
        self, prepared: requests.PreparedRequest, safe_url: str, parse: Callable[[requests.Response], object]
    ) -> JsonResponse:
        # Checked on every attempt, retries included: each answer the API sends may be charged.
        self.spend.check(call_kind(prepared.url or ""), safe_url)
        return super()._attempt(prepared, safe_url, parse)

    def classify(self, response: requests.Response, safe_url: str) -> None:
        now = datetime.now(UTC)
        self.spend.observe(call_kind(response.url), response.status_code, response.headers, from_cache(response), now)
        if response.status_code == 429:
            self._stop_if_budget_spent(response, safe_url, now)
        if response.status_code == 403:
            text = error_text(response)
            if "invalid" not in text.lower():
                raise RetryableAnswer("HTTP 403 (per-second rate limit)", self._retry_after(response, safe_url))
            raise SourceError(SOURCE, "HTTP 403 invalid query", request=safe_url, detail=text)
        super().classify(response, safe_url)

    def _stop_if_budget_spent(self, response: requests.Response, safe_url: str, now: datetime) -> None:
        """A 429 for a spent day fails at once, saying when the budget resets; any other 429 is retried.

        The API's proxy refuses a spent day with Retry-After = seconds to midnight UTC and a message starting
        "Insufficient budget"; it refuses "too fast" with Retry-After of about 1 s, and that answer also says
        X-RateLimit-Remaining(-USD) 0 whatever is left of the day (ourresearch/openalex-api-proxy
        src/rateLimiter.ts returns remaining 0 for the per-second branch). So remaining-USD 0 alone does not
        mean spent: the long wait or the message decides.
        """
        wait = parse_retry_after(response.headers.get("Retry-After"))
        message = error_text(response)
        if not ((wait is not None and wait > self.max_retry_after) or "Insufficient budget" in message):
            return
        self.spend.note_allowance(response.headers, now)
        resets = reset_time(response.headers, now) or (now + timedelta(seconds=wait) if wait is not None else None)
        raise DailyBudgetSpent(
            SOURCE,
            "HTTP 429: the key's daily USD budget is spent; not retried",
            request=safe_url,
            detail=f"budget resets at {utc_text(resets)}; this run spent {self.spend.usd_text()} "
            f"({BUDGET_SETTING}={self.spend.budget_usd}); {self.spend.allowance_text()}; OpenAlex says: {message}",
        )


class OpenAlexClient:
    def __init__(self, http: JsonHttpClient, per_page: int = MAX_PER_PAGE) -> None:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within 1..{MAX_PER_PAGE}, got {per_page}")
        self.http, self.per_page = http, per_page

    # -- records ----------------------------------------------------------------------------------
    def iter_works(
        self, filters: Sequence[tuple[str, str]], select: Sequence[str] = WORK_FIELDS
    ) -> Iterator[WorkRecord]:
        """Every work matching `filters`, by cursor paging (never basic paging, capped at 10,000).

        Stops on a null cursor or an empty page; a repeating cursor or a total that disagrees with
        `meta.count` is an error, because either means records were skipped or double-counted.
        """
        cursor, seen_cursors, seen_ids, fetched, expected = "*", set(), set(), 0, None
        while True:
            resp = self.http.get_json(
                "/works",
                {
                    "filter": format_filter(filters),
                    "select": ",".join(select),
                    "per_page": self.per_page,
                    "cursor": cursor,
                },
            )
            meta, results = self._page(resp.data, resp.url, "results")
            if expected is None:
                expected = meta.get("count")
            for work in results:
                if not isinstance(work, dict) or not work.get("id"):
                    raise SourceError(SOURCE, "work without an id", request=resp.url, detail=str(work)[:200])
                if work["id"] in seen_ids:
                    raise SourceError(SOURCE, "duplicate work id while paging", request=resp.url, record=work["id"])
                seen_ids.add(work["id"])
                yield WorkRecord(work, resp.url, resp.retrieved_at)
            fetched += len(results)
            next_cursor = meta.get("next_cursor")
            if not results or next_cursor is None:
                break
            if next_cursor == cursor or next_cursor in seen_cursors:
                raise SourceError(SOURCE, "cursor repeated", request=resp.url, detail=f"next_cursor {next_cursor!r}")
            seen_cursors.add(cursor)
            cursor = next_cursor
        if expected is not None and fetched != expected:
            raise SourceError(
                SOURCE,
                "meta.count disagrees with the records paged",
                request=resp.url,
                detail=f"meta.count={expected}, paged={fetched}",
            )

    def get_work(self, work_id: str, select: Sequence[str] = WORK_FIELDS) -> WorkRecord:
        """A singleton /works/{id}: never truncated, so it carries the whole byline."""
        short_id = normalise_group_key(work_id)
        resp = self.http.get_json(f"/works/{short_id}", {"select": ",".join(select)})
        if not isinstance(resp.data, dict) or normalise_group_key(str(resp.data.get("id", ""))) != short_id:
            raise SourceError(SOURCE, "singleton answer is not the work asked for", request=resp.url, record=work_id)
        return WorkRecord(resp.data, resp.url, resp.retrieved_at, authors_refetched=True)

    def fetch_works(self, filters: Sequence[tuple[str, str]]) -> list[WorkRecord]:
        return resolve_truncated(list(self.iter_works(filters)), self.get_work)

    # -- counts -----------------------------------------------------------------------------------
    def group_by(self, filters: Sequence[tuple[str, str]], field: str) -> list[Group]:
        """Counts of matching works per value of `field` (one dimension), all groups via cursor."""
        cursor, seen_cursors, groups = "*", set(), []
        while True:
            resp = self.http.get_json(
                "/works",
                {
                    "filter": format_filter(filters),
                    "group_by": field,
                    "per_page": MAX_GROUPS_PER_PAGE,
                    "cursor": cursor,
                },
            )
            meta, page = self._page(resp.data, resp.url, "group_by")
            for g in page:
                if not isinstance(g, dict) or "key" not in g or not isinstance(g.get("count"), int):
                    raise SourceError(
                        SOURCE, "group without key or integer count", request=resp.url, detail=str(g)[:200]
                    )
                groups.append(
                    Group(
                        normalise_group_key(str(g["key"])),
                        g.get("key_display_name"),
                        g["count"],
                        resp.url,
                        resp.retrieved_at,
                    )
                )
            next_cursor = meta.get("next_cursor")
            # OpenAlex hands out a cursor even when every group fit on the page; a short page is the
            # last one, which saves one paid call per query.
            if len(page) < MAX_GROUPS_PER_PAGE or next_cursor is None:
                return groups
            if next_cursor == cursor or next_cursor in seen_cursors:
                raise SourceError(SOURCE, "cursor repeated", request=resp.url, detail=f"next_cursor {next_cursor!r}")
            seen_cursors.add(cursor)
            cursor = next_cursor

    @staticmethod
    def _page(data: object, url: str, items: str) -> tuple[dict, list]:
        if not isinstance(data, dict) or not isinstance(data.get("meta"), dict):
            raise SourceError(SOURCE, "response without a meta object", request=url, detail=str(data)[:200])
        page = data.get(items)
        if not isinstance(page, list):
            raise SourceError(SOURCE, f"response without a {items!r} list", request=url, detail=str(data)[:200])
        return data["meta"], page
