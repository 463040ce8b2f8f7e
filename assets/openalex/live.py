"""The live OpenAlex source: the cheap plan (assets.openalex.plan) run through the API client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assets.openalex.client import OpenAlexClient, OpenAlexHttp, Pulled, WorkRecord
from assets.openalex.plan import issn_chunks, plan_group_queries, plan_record_queries, universe_filters
from assets.openalex.spend import Spend
from pipeline.settings import Settings


class LiveOpenAlex:
    def __init__(self, client: OpenAlexClient, issn_chunk_size: int, call_budget: int) -> None:
        self.client, self.issn_chunk_size, self.call_budget = client, issn_chunk_size, call_budget

    @property
    def spend(self) -> Spend:
        """What the calls so far cost (read after a failed pull too: the money is gone either way)."""
        return self.client.http.spend if isinstance(self.client.http, OpenAlexHttp) else Spend()

    def pull(self, settings: Settings, years: list[int], issns: Callable[[], list[list[str]]], log: Any) -> Pulled:
        """Run the cheap plan: group_by counts for pairs with a focus country over works with at most 100
        authors; records for focus pairs and for every work with more than 100 authors."""
        client = self.client
        universe = universe_filters(settings.work_types, settings.exclude_paratext, settings.exclude_retracted)
        group_queries = plan_group_queries(settings, years, universe, issn_chunks(issns(), self.issn_chunk_size))
        record_queries = plan_record_queries(settings, years, universe)
        log.info(f"OpenAlex live plan: {len(group_queries)} group_by queries, {len(record_queries)} record queries")
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
        }
        return Pulled(list(works.values()), groups, stats)
