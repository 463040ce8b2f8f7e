"""What a run spends at OpenAlex, in US dollars, read from the `X-RateLimit-*` headers of its answers.

Since 2026-02 an OpenAlex key has a daily USD allowance ($1 for a free key): list and group_by pages
cost $0.10 per 1,000 calls, singletons (`/works/{id}`) nothing (developers.openalex.org, "Authentication
& Pricing"). Every answer past the key check says what it cost and what is left of the day; the header
names are those of the recorded answers (tests/data/openalex/README.md; e.g. `x-ratelimit-cost-usd:
0.0001`, `x-ratelimit-remaining-usd: 0.9654`, `x-ratelimit-reset: 39907`, seconds to the reset at
midnight UTC). Answers recorded in 2025 carry `ratelimit-*` headers instead, which describe the old
per-second window (`ratelimit-reset: 1`), not a day: they give no price, so such calls are "unpriced".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

import duckdb

from pipeline.http import CallBudgetExceeded, SourceError

KINDS = ("list", "group_by", "singleton")
# The documented price of one call, used only for calls whose answer carried no x-ratelimit-cost-usd (and
# always labelled an estimate) and, before the first priced answer, for what the next call will cost.
DOCUMENTED_PRICE_USD = {"list": Decimal("0.0001"), "group_by": Decimal("0.0001"), "singleton": Decimal(0)}
COST = "x-ratelimit-cost-usd"
LIMIT = "x-ratelimit-limit-usd"
REMAINING = "x-ratelimit-remaining-usd"
PREPAID = "x-ratelimit-prepaid-remaining-usd"
RESET = "x-ratelimit-reset"
BUDGET_SETTING = "COLLAB_OPENALEX_BUDGET_USD"


class SpendBudgetExceeded(CallBudgetExceeded):
    """The next billed call would take the run's spend past COLLAB_OPENALEX_BUDGET_USD."""


class DailyBudgetSpent(SourceError):
    """OpenAlex refused a call because the key's daily USD allowance is spent: no retry can succeed before
    the reset at midnight UTC."""


def call_kind(url: str) -> str:
    """'singleton' (/works/W…), 'group_by' or 'list': what OpenAlex prices differently (list and group_by
    the same today, but counted apart because a run's plan is made of both)."""
    parts = urlsplit(url)
    if "/works/" in parts.path:  # /works/W123 and what hangs under it (/works/W123/ngrams), free
        return "singleton"
    params = dict(parse_qsl(parts.query))
    return "group_by" if "group_by" in params or "group-by" in params else "list"


def usd(headers: Mapping[str, str], name: str) -> Decimal | None:
    """A USD header as an exact Decimal (the proxy rounds to 4 places; floats would drift when summed)."""
    try:
        value = Decimal(headers[name].strip())
    except (KeyError, InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def reset_time(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When the daily allowance resets: x-ratelimit-reset is seconds from now, not an epoch."""
    try:
        seconds = int(float(headers[RESET]))
    except (KeyError, ValueError):
        return None
    return (now + timedelta(seconds=seconds)).replace(microsecond=0)


@dataclass
class KindSpend:
    calls: int = 0  # answers the API itself sent (cached answers are not calls)
    cached: int = 0  # answers served by the response cache: free
    refused: int = 0  # 429s: refused before metering (the proxy returns before charging), so they cost nothing
    unpriced: int = 0  # answers without x-ratelimit-cost-usd: their cost is unknown
    usd: Decimal = Decimal(0)  # sum of x-ratelimit-cost-usd


@dataclass
class Spend:
    """A run's OpenAlex calls by kind and their cost; the budget guard; the allowance last seen."""

    budget_usd: Decimal | None = None
    kinds: dict[str, KindSpend] = field(default_factory=lambda: {k: KindSpend() for k in KINDS})
    limit_usd: Decimal | None = None
    remaining_usd: Decimal | None = None
    resets_at: datetime | None = None
    last_price: dict[str, Decimal] = field(default_factory=dict)

    @property
    def spent_usd(self) -> Decimal:
        """What the answers said they cost (priced answers only)."""
        return sum((k.usd for k in self.kinds.values()), Decimal(0))

    @property
    def unpriced(self) -> int:
        return sum(k.unpriced for k in self.kinds.values())

    def estimated_usd(self, kind: str | None = None) -> Decimal:
        """Reported cost plus unpriced calls at the documented price: an upper estimate, labelled as such."""
        kinds = [kind] if kind else list(KINDS)
        return sum((self.kinds[k].usd + self.kinds[k].unpriced * DOCUMENTED_PRICE_USD[k] for k in kinds), Decimal(0))

    def observe(self, kind: str, status: int, headers: Mapping[str, str], cached: bool, now: datetime) -> None:
        """Count one answer. Allowance figures are taken from served answers only: a per-second 429 says
        remaining 0 whatever is left of the day (see OpenAlexHttp.classify)."""
        spend = self.kinds[kind]
        if cached:
            spend.cached += 1
            return
        spend.calls += 1
        if status == 429:
            spend.refused += 1
            return
        cost = usd(headers, COST)
        if cost is None:
            spend.unpriced += 1
        else:
            spend.usd += cost
            self.last_price[kind] = cost
        self.note_allowance(headers, now)

    def note_allowance(self, headers: Mapping[str, str], now: datetime) -> None:
        self.limit_usd = usd(headers, LIMIT) if LIMIT in headers else self.limit_usd
        self.remaining_usd = usd(headers, REMAINING) if REMAINING in headers else self.remaining_usd
        self.resets_at = reset_time(headers, now) or self.resets_at

    def allowance_text(self) -> str:
        """What the key has left of its day, as last seen, for logs and errors."""
        if self.remaining_usd is None:
            return "the key's remaining allowance is unknown (no x-ratelimit-remaining-usd seen)"
        limit = f" of ${self.limit_usd} a day" if self.limit_usd is not None else ""
        return f"the key has ${self.remaining_usd} left{limit}, resetting at {utc_text(self.resets_at)}"

    def check(self, kind: str, request: str) -> None:
        """Stop before a billed call whose price would take the run past the budget (the last price seen for
        that kind, else the documented one; unpriced calls count at the documented price)."""
        price = self.last_price.get(kind, DOCUMENTED_PRICE_USD[kind])
        if self.budget_usd is None or price == 0:
            return
        spent = self.estimated_usd()
        if spent + price > self.budget_usd:
            raise SpendBudgetExceeded(
                "openalex",
                f"run budget {BUDGET_SETTING} reached",
                request=request,
                detail=f"spent ${spent} (+ ${price} for this {kind} call) would pass {BUDGET_SETTING}="
                f"{self.budget_usd}; raise it or refresh fewer years",
            )

    def rows(self) -> list[tuple]:
        """(call_kind, calls, cached, refused, unpriced, usd_spent, usd_spent_estimated) per kind; usd_spent is
        NULL ("unknown") when the kind had calls and none was priced."""
        return [
            (
                kind,
                k.calls,
                k.cached,
                k.refused,
                k.unpriced,
                None if k.unpriced and k.unpriced == k.calls - k.refused else k.usd,
                self.estimated_usd(kind),
            )
            for kind, k in self.kinds.items()
        ]

    def usd_text(self) -> str:
        """The run's spend for people: exact when every billed answer was priced, else said to be estimated."""
        if not self.unpriced:
            return f"${self.spent_usd}"
        return f"unknown ({self.unpriced} answers without {COST}; ≈${self.estimated_usd()} at documented prices)"


DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.openalex_spend (
    run_id VARCHAR, recorded_at TIMESTAMPTZ, call_kind VARCHAR, calls INTEGER, cached_calls INTEGER,
    refused_calls INTEGER, unpriced_calls INTEGER, usd_spent DECIMAL(18, 6), usd_spent_estimated DECIMAL(18, 6),
    budget_usd DECIMAL(18, 6), usd_limit DECIMAL(18, 6), usd_remaining DECIMAL(18, 6), budget_resets_at TIMESTAMPTZ
);
"""


def record_spend(conn: duckdb.DuckDBPyConnection, run_id: str, spend: Spend | None, at: datetime) -> None:
    """Create meta.openalex_spend if needed and write this run's rows (None: create only, for modes that call
    nothing). A run extracts once (a re-execution is a new run); were the step run again within one run, its
    rows would replace the earlier ones, keeping one row per run and kind."""
    conn.execute(DDL)
    if spend is None:
        return
    conn.execute("BEGIN TRANSACTION")
    conn.execute("DELETE FROM meta.openalex_spend WHERE run_id = ?", [run_id])
    conn.executemany(
        "INSERT INTO meta.openalex_spend VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, at, kind, *counts, spend.budget_usd, spend.limit_usd, spend.remaining_usd, spend.resets_at)
            for kind, *counts in spend.rows()
        ],
    )
    conn.execute("COMMIT")


def utc_text(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "unknown"
