"""The cheap live plan (docs/methods.md#live-mode-an-exact-split-at-100-authors): group_by counts for
every pair that involves a focus country, paper records only for the joint papers of pairs between focus
countries. With COLLAB_FOCUS=ALL the partners of every reference country are asked, so every pair has its
counts (docs/methods.md#every-pair-from-group_by-collab_focusall). A plan's cost is known before its
first call (`plan_cost`); an ALL plan is checked against the run's budgets then (`check_plan_budget`).

The API's `authorships.countries` filter, its group_by and `countries_distinct_count` see only the
first 100 authorships of a work (same section), while `authors_count` sees the whole byline. So
the plan splits every year exactly in two: group_by counts over works with at most 100 authors
(or none), where the cut changes nothing, and the full records of every universe work with more
than 100 authors, counted in SQL like snapshot records (core/*.group_counts.sql).

Pure functions: the plan is data, so it can be tested, costed and printed without the network.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from assets.openalex.client import MAX_GROUPS_PER_PAGE
from assets.openalex.spend import BUDGET_SETTING, DOCUMENTED_PRICE_USD
from pipeline.http import CallBudgetExceeded
from pipeline.settings import Settings

PAPER_SETS = ("all", "nature_index")
AUTHOR_CUT = 100  # authorships the API's country filter and group_by see
# `authors_count` can be null (the API's own tests find such works, presumably without authorships);
# null stays on the group_by side, so the two halves cover every work.
UP_TO_CUT = ("authors_count", f"<{AUTHOR_CUT + 1}|null")
BEYOND_CUT = ("authors_count", f">{AUTHOR_CUT}")
# The primary-topic levels counted per year for mart.bilateral_papers_by_field
# (docs/methods.md#collaboration-by-field); `:include_unknown` adds the works without a primary topic as the
# key "unknown".
TOPIC_GROUP_FIELDS = ("primary_topic.field.id:include_unknown", "primary_topic.domain.id:include_unknown")


@dataclass(frozen=True)
class GroupQuery:
    query_kind: str  # world_by_year | countries_in_year | partners_in_year | world_by_field | country_by_field
    paper_set: str
    year: int | None  # None: one call covers the whole year range (world_by_year)
    intl_only: bool
    filter_country: str | None
    group_field: str
    filters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RecordQuery:
    pair: tuple[str, str] | None  # None: every universe work with more than 100 authors
    year: int
    filters: tuple[tuple[str, str], ...]


def universe_filters(
    work_types: Sequence[str], exclude_paratext: bool, exclude_retracted: bool
) -> list[tuple[str, str]]:
    """API filters for the paper universe, the same rule core/works.sql applies to records."""
    out = [("type", "|".join(work_types))]
    if exclude_paratext:
        out.append(("is_paratext", "false"))
    if exclude_retracted:
        out.append(("is_retracted", "false"))
    return out


def issn_chunks(journal_issns: Sequence[Sequence[str]], max_values: int) -> list[list[str]]:
    """OR-lists of ISSNs of at most `max_values`, never splitting one journal's ISSNs.

    A work's primary source is one journal, so chunks built from whole journals are disjoint and
    their counts add up; splitting a journal's print and electronic ISSN could count a work twice.
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    for issns in journal_issns:
        issns = [i for i in dict.fromkeys(issns) if i]
        if len(issns) > max_values:
            raise ValueError(f"a journal has {len(issns)} ISSNs, more than the {max_values} an OR-filter may hold")
        if current and len(current) + len(issns) > max_values:
            chunks.append(current)
            current = []
        current.extend(issns)
    if current:
        chunks.append(current)
    return chunks


def partner_countries(settings: Settings, reference_countries: Sequence[str]) -> tuple[str, ...]:
    """The countries whose partners the plan asks (one partners_in_year query each per year and paper set):
    the focus countries, or with COLLAB_FOCUS=ALL every country of the reference list (ref.countries'
    codes, which are also every key the group_by answers may carry), focus countries first."""
    if not settings.focus_all:
        return settings.focus
    if not reference_countries:
        raise ValueError("COLLAB_FOCUS=ALL needs the reference country list to plan from; it is empty")
    return tuple(dict.fromkeys((*settings.focus, *reference_countries)))


def plan_group_queries(
    settings: Settings,
    years: Sequence[int],
    universe: Sequence[tuple[str, str]],
    nature_index_chunks: Sequence[Sequence[str]],
    partners: Sequence[str] | None = None,
) -> list[GroupQuery]:
    """Every group_by call of a live refresh of `years`, each over works with at most 100 authors;
    partners_in_year for each of `partners` (default: the focus countries, see `partner_countries`)."""
    partners = settings.focus if partners is None else partners
    set_filters: list[tuple[str, tuple[tuple[str, str], ...]]] = [("all", ())]
    set_filters += [
        ("nature_index", (("primary_location.source.issn", "|".join(chunk)),)) for chunk in nature_index_chunks
    ]
    base = (*universe, UP_TO_CUT)
    queries: list[GroupQuery] = []
    span = f"{min(years)}-{max(years)}"
    for paper_set, extra in set_filters:
        for intl_only in (False, True):
            located = ("countries_distinct_count", ">1" if intl_only else ">0")
            queries.append(
                GroupQuery(
                    "world_by_year",
                    paper_set,
                    None,
                    intl_only,
                    None,
                    "publication_year",
                    (*base, *extra, ("publication_year", span), located),
                )
            )
        for year in years:
            for intl_only in (False, True):
                f = (*base, *extra, ("publication_year", str(year)))
                if intl_only:
                    f = (*f, ("countries_distinct_count", ">1"))
                queries.append(
                    GroupQuery("countries_in_year", paper_set, year, intl_only, None, "authorships.countries", f)
                )
            for country in partners:
                f = (*base, *extra, ("publication_year", str(year)), ("authorships.countries", country))
                queries.append(
                    GroupQuery("partners_in_year", paper_set, year, False, country, "authorships.countries", f)
                )
            if paper_set == "all":  # by field for the whole universe; the Nature Index set's fields stay NULL
                queries += topic_queries(settings, paper_set, year, (*base, *extra, ("publication_year", str(year))))
    return queries


def topic_queries(
    settings: Settings, paper_set: str, year: int, filters: tuple[tuple[str, str], ...]
) -> list[GroupQuery]:
    """The universe of each field and domain in one year and paper set (works with at most 100 authors):
    the located works and the international ones of the world (world_by_field) and of each focus country
    (country_by_field), one group_by per level, flag and country."""
    queries = []
    for group_field, intl_only in itertools.product(TOPIC_GROUP_FIELDS, (False, True)):
        located = ("countries_distinct_count", ">1" if intl_only else ">0")
        queries.append(GroupQuery("world_by_field", paper_set, year, intl_only, None, group_field, (*filters, located)))
        for country in settings.focus:
            f = (*filters, ("authorships.countries", country))
            if intl_only:
                f = (*f, located)
            queries.append(GroupQuery("country_by_field", paper_set, year, intl_only, country, group_field, f))
    return queries


def plan_record_queries(
    settings: Settings, years: Sequence[int], universe: Sequence[tuple[str, str]]
) -> list[RecordQuery]:
    """Per year: the joint works (at most 100 authors) of each pair of focus countries, with no
    universe filter (the universe is applied to records in SQL, so the quality mart can report what
    it excluded); then every universe work with more than 100 authors, whose countries after author
    100 only its full record shows (the group_by counts leave these works out)."""
    pairs = [
        RecordQuery(
            (a, b),
            year,
            (("authorships.countries", a), ("authorships.countries", b), ("publication_year", str(year)), UP_TO_CUT),
        )
        for a, b in itertools.combinations(sorted(settings.focus), 2)
        for year in years
    ]
    large = [RecordQuery(None, year, (*universe, ("publication_year", str(year)), BEYOND_CUT)) for year in years]
    return pairs + large


# -- what a plan costs, before its first call --------------------------------------------------------------
PRICE_PER_CALL = DOCUMENTED_PRICE_USD["group_by"]  # the same for list pages


@dataclass(frozen=True)
class PlanCost:
    """The billed calls of a plan, known before it runs. A group_by query is one page, or more when its
    answer has 200 keys or more (`max_group_keys`); a record query is one list page at least, and more by its
    number of records, which only its answer says (the running guards cover those)."""

    group_by_queries: int
    group_by_calls_min: int
    group_by_calls_max: int
    record_queries: int

    @property
    def calls_min(self) -> int:
        return self.group_by_calls_min + self.record_queries

    @property
    def calls_max(self) -> int:
        """The most the group_by side can cost, plus the first page of each record query."""
        return self.group_by_calls_max + self.record_queries

    @staticmethod
    def usd(calls: int) -> Decimal:
        """At the documented list price (list and group_by pages alike)."""
        return calls * PRICE_PER_CALL

    def text(self) -> str:
        return (
            f"{self.group_by_queries} group_by queries ({self.group_by_calls_min}-{self.group_by_calls_max} calls) "
            f"and {self.record_queries} record queries (at least one list call each): "
            f"{self.calls_min}-{self.calls_max} billed calls, ${self.usd(self.calls_min)}-${self.usd(self.calls_max)} "
            f"at the documented ${PRICE_PER_CALL * 1000:.2f} per 1,000"
        )


def max_group_keys(query: GroupQuery, country_keys: int) -> int:
    """The most keys the query's answer can have: every reference country for authorships.countries, every
    year of the span for publication_year; a primary-topic level has fewer than a page (26 fields, 4 domains,
    plus "unknown")."""
    if query.group_field == "authorships.countries":
        return country_keys
    if query.group_field == "publication_year":
        first, _, last = dict(query.filters)["publication_year"].partition("-")
        return int(last or first) - int(first) + 1
    return MAX_GROUPS_PER_PAGE - 1


def plan_cost(
    group_queries: Sequence[GroupQuery], record_queries: Sequence[RecordQuery], country_keys: int
) -> PlanCost:
    """The plan's billed calls: the client stops paging a group_by at its first short page, so an answer of
    k keys takes k // 200 + 1 pages at most."""
    return PlanCost(
        group_by_queries=len(group_queries),
        group_by_calls_min=len(group_queries),
        group_by_calls_max=sum(max_group_keys(q, country_keys) // MAX_GROUPS_PER_PAGE + 1 for q in group_queries),
        record_queries=len(record_queries),
    )


class PlanOverBudget(CallBudgetExceeded):
    """The plan can cost more than the run may spend: refused before its first call."""


def check_plan_budget(cost: PlanCost, call_budget: int, budget_usd: float, scope: str) -> None:
    """Refuse a plan whose most expensive outcome (every group_by answer on as many pages as it can fill, one
    page per record query) passes the run's call budget or COLLAB_OPENALEX_BUDGET_USD, naming the setting."""
    over = []
    if cost.calls_max > call_budget:
        over.append(f"the openalex resource's call_budget={call_budget} (billed calls per run)")
    if cost.usd(cost.calls_max) > Decimal(str(budget_usd)):
        over.append(f"{BUDGET_SETTING}={budget_usd}")
    if over:
        raise PlanOverBudget(
            "openalex",
            f"the live plan of {scope} may cost more than " + " and ".join(over),
            detail=f"plan: {cost.text()}; no call was made. Raise the budget or plan fewer COLLAB_YEARS per run",
        )
