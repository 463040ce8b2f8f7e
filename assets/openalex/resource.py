"""The OpenAlex source of a run: the bundled sample in sample mode, the live API otherwise."""

from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from pydantic import Field

from assets.openalex.client import BASE_URL, MAX_PER_PAGE, SOURCE, OpenAlexClient, OpenAlexHttp, Pulled
from assets.openalex.live import LiveOpenAlex
from assets.openalex.sample import SampleOpenAlex
from assets.openalex.spend import Spend
from pipeline.resources import USER_AGENT, HttpResource
from pipeline.settings import Settings


class OpenAlexSource(Protocol):
    @property
    def spend(self) -> Spend | None:
        """What the source's calls cost so far; None for a source that calls nothing."""
        ...

    def pull(self, settings: Settings, years: list[int], issns: Callable[[], list[list[str]]], log: Any) -> Pulled:
        """The works (and group_by counts) of `years`; `issns` reads the Nature Index journals' ISSNs."""
        ...


class OpenAlexResource(HttpResource):
    """The OpenAlex API (override the URL with OPENALEX_BASE_URL). api_key and mailto come from
    OPENALEX_API_KEY and OPENALEX_MAILTO (EnvVar in the slice); empty means unset."""

    url_variable: ClassVar[str] = "OPENALEX_BASE_URL"
    base_url: str = BASE_URL
    api_key: str = ""
    mailto: str = ""
    per_page: int = Field(default=MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    requests_per_second: float = Field(
        default=20.0, ge=0, description="client-side pace: a fifth of the 100/s OpenAlex allows every plan (2026)"
    )
    call_budget: int = Field(
        default=8000,
        ge=1,
        description="per-run cap on billed HTTP calls: list and group_by pages; singleton re-reads are free "
        "(a free key ≈ 10,000 list calls/day)",
    )
    issn_chunk_size: int = Field(default=50, ge=2, le=100, description="ISSNs per OR-filter")

    def source(self, settings: Settings) -> OpenAlexSource:
        if settings.mode == "sample":
            return SampleOpenAlex()
        return LiveOpenAlex(self.client(settings), self.issn_chunk_size, self.call_budget)

    def client(self, settings: Settings) -> OpenAlexClient:
        """The live API client, paced, retried, cached and held to the run's USD budget."""
        params, headers = {}, {}
        if self.api_key:
            params["api_key"] = self.api_key
        if self.mailto:
            # Polite-pool identification: both the documented parameter and the User-Agent form.
            params["mailto"] = self.mailto
            headers["User-Agent"] = f"{USER_AGENT} mailto:{self.mailto}"
        http = OpenAlexHttp(
            source=SOURCE,
            base_url=self.url(settings),
            call_budget=self.call_budget,
            default_params=params,
            secret_params=("api_key", "mailto"),
            budget_usd=settings.openalex_budget_usd,
            **self.http_settings(settings, self.requests_per_second, headers),
        )
        return OpenAlexClient(http, per_page=self.per_page)
