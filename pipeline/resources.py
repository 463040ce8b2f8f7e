"""Dagster resources for everything that talks to the outside world."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from pipeline.openalex.client import MAX_PER_PAGE, SOURCE, OpenAlexClient, OpenAlexHttp

USER_AGENT = "collab-observatory/0.1 (+https://github.com/collab-observatory)"


class OpenAlexResource(dg.ConfigurableResource):
    """The live OpenAlex API. base_url, api_key and mailto come from OPENALEX_BASE_URL,
    OPENALEX_API_KEY and OPENALEX_MAILTO (EnvVar in definitions); empty means unset."""

    base_url: str = "https://api.openalex.org"
    api_key: str = ""
    mailto: str = ""
    per_page: int = Field(default=MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    requests_per_second: float = Field(default=5.0, ge=0, description="client-side pace; the API allows 100/s")
    call_budget: int = Field(
        default=8000, ge=1, description="per-run cap on HTTP calls (a free key ≈ 10,000 list calls/day)"
    )
    max_attempts: int = Field(default=6, ge=1)
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)
    issn_chunk_size: int = Field(default=50, ge=2, le=100, description="ISSNs per OR-filter")

    def client(self) -> OpenAlexClient:
        params = {}
        headers = {"User-Agent": USER_AGENT}
        if self.api_key:
            params["api_key"] = self.api_key
        if self.mailto:
            # Polite-pool identification: both the documented parameter and the User-Agent form.
            params["mailto"] = self.mailto
            headers["User-Agent"] = f"{USER_AGENT} mailto:{self.mailto}"
        http = OpenAlexHttp(
            source=SOURCE,
            base_url=self.base_url or "https://api.openalex.org",
            requests_per_second=self.requests_per_second,
            max_attempts=self.max_attempts,
            max_retry_after=self.max_retry_after_seconds,
            timeout=self.timeout_seconds,
            call_budget=self.call_budget,
            default_params=params,
            headers=headers,
            secret_params=("api_key", "mailto"),
        )
        return OpenAlexClient(http, per_page=self.per_page)
