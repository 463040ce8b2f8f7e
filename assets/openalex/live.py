"""The live OpenAlex source: the cheap plan (assets.openalex.plan) run through the API client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assets.openalex.client import OpenAlexClient, OpenAlexHttp, Pulled, WorkRecord
from assets.openalex.plan import (
    check_plan_budget,
    issn_chunks,
    partner_countries,
    plan_cost,
    plan_group_queries,
    plan_record_queries,
    universe_filters,
)
from assets.openalex.spend import Spend
from pipeline.settings import Settings
from pipeline.validation import iso2_codes


class LiveOpenAlex:
    def __init__(self, client: OpenAlexClient, issn_chunk_size: int, call_budget: int) -> None:
        self.client, self.issn_chunk_size, self.call_budget = client, issn_chunk_size, call_budget

    @property
    def spend(self) -> Spend:
        """What the calls so far cost (read after a failed pull too: the money is gone either way)."""
        return self.client.http.spend if isinstance(self.client.http, OpenAlexHttp) else Spend()

    def pull(self, settings: Settings, years: list[int], issns: Callable[[], list[list[str]]], log: Any) -> Pulled:
        """Run the cheap plan: group_by counts for pairs with a focus country (every pair with COLLAB_FOCUS=ALL)
        over works with at most 100 authors; records for focus pairs and for every work with more than 100
        authors. The plan's cost is logged first; with COLLAB_FOCUS=ALL a plan that may pass the run's budgets
        is refused before its first call."""
        client = self.client
        universe = universe_filters(settings.work_types, settings.exclude_paratext, settings.exclude_retracted)
        # ref.countries is loaded from the same list (assets/reference/countries.py), which is also every key a
        # group_by answer may carry (the raw gate rejects any other).
        reference = iso2_codes()
        partners = partner_countries(settings, reference)
        group_queries = plan_group_queries(
            settings, years, universe, issn_chunks(issns(), self.issn_chunk_size), partners
        )
        record_queries = plan_record_queries(settings, years, universe)
        cost = plan_cost(group_queries, record_queries, len(reference))
        scope = f"{years[0]}-{years[-1]}" + (f", every pair ({len(partners)} countries)" if settings.focus_all else "")
        log.info(f"OpenAlex live plan ({scope}): {cost.text()}")
        if settings.focus_all:
            check_plan_budget(cost, self.call_budget, settings.openalex_budget_usd, f"COLLAB_FOCUS=ALL, {scope}")
        works: dict[str, WorkRecord] = {}
        for rq in record_queries:
            for record in client.fetch_works(rq.filters):
                works.setdefault(record.payload["id"], record)  # a 3-country paper is joint to several pairs
        groups = [(q, g) for q in group_queries for g in client.group_by(q.filters, q.group_field)]
        stats = {
            "http_calls": client.http.calls,
            "billed_calls": client.http.billed_calls,
            "http_retries": client.http.retries,
            "call_budget": self.call_budget,
            "group_by_queries": len(group_queries),
            "record_queries": len(record_queries),
            "planned_calls_min": cost.calls_min,
            "planned_calls_max": cost.calls_max,
        }
        return Pulled(list(works.values()), groups, stats)
