"""What every source's Dagster resource shares (the HTTP budget, the response cache, URL overrides).

Each source slice has its own resource (assets/<source>/resource.py) built on `HttpResource`; it picks the
bundled sample or the live client for the run's mode behind the slice's `Protocol`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg
from pydantic import Field

from pipeline.flights import opensky, soda
from pipeline.http import ResponseCache
from pipeline.mobility import oecd, uis
from pipeline.openalex.client import MAX_PER_PAGE, SOURCE, OpenAlexClient, OpenAlexHttp
from pipeline.settings import REPO_ROOT, Settings, load_settings

USER_AGENT = "collab-observatory/0.1 (+https://github.com/collab-observatory)"
T100_SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "t100"


def response_cache(settings: Settings) -> ResponseCache | None:
    """The raw response cache the live connectors share (COLLAB_HTTP_CACHE, _FILE, _TTL_HOURS)."""
    if settings.http_cache == "off":
        return None
    return ResponseCache(settings.http_cache_file, settings.http_cache, timedelta(hours=settings.http_cache_ttl_hours))


class OpenAlexResource(dg.ConfigurableResource):
    """The live OpenAlex API. base_url, api_key and mailto come from OPENALEX_BASE_URL,
    OPENALEX_API_KEY and OPENALEX_MAILTO (EnvVar in definitions); empty means unset."""

    base_url: str = "https://api.openalex.org"
    api_key: str = ""
    mailto: str = ""
    per_page: int = Field(default=MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    requests_per_second: float = Field(default=5.0, ge=0, description="client-side pace; the API allows 100/s")
    call_budget: int = Field(
        default=8000,
        ge=1,
        description="per-run cap on billed HTTP calls: list and group_by pages; singleton re-reads are free "
        "(a free key ≈ 10,000 list calls/day)",
    )
    max_attempts: int = Field(default=6, ge=1)
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)
    issn_chunk_size: int = Field(default=50, ge=2, le=100, description="ISSNs per OR-filter")

    def client(self) -> OpenAlexClient:
        settings = load_settings()
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
            cache=response_cache(settings),
            budget_usd=settings.openalex_budget_usd,
        )
        return OpenAlexClient(http, per_page=self.per_page)


class HttpResource(dg.ConfigurableResource):
    """What every live connector shares: bounded retries, the longest server-requested wait, timeouts,
    and its base URL: the resource's default (the real service), unless the environment variable named
    by `url_variable` overrides it (read once, with the run settings), e.g. to point at a mirror."""

    url_variable: ClassVar[str] = ""
    base_url: str = ""
    max_attempts: int = Field(default=6, ge=1)
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)

    def url(self, settings: Settings) -> str:
        return settings.variable(self.url_variable, self.base_url) if self.url_variable else self.base_url

    def http_settings(
        self, settings: Settings, requests_per_second: float, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return {
            "requests_per_second": requests_per_second,
            "max_attempts": self.max_attempts,
            "max_retry_after": self.max_retry_after_seconds,
            "timeout": self.timeout_seconds,
            "headers": {"User-Agent": USER_AGENT, **(headers or {})},
            "cache": response_cache(settings),
        }


# Until every source has its slice: the former name of HttpResource.
_HttpSettings = HttpResource


class UisResource(_HttpSettings):
    """UNESCO UIS Data API (UIS_BASE_URL). `version` pins the data version (UIS_VERSION); empty means
    the default version at extraction time, which is then recorded in every row."""

    base_url: str = uis.BASE_URL
    version: str = ""
    requests_per_second: float = Field(default=2.0, ge=0, description="no documented limit; stay polite")
    max_records: int = Field(default=uis.MAX_RECORDS, ge=1, description="documented per-request record limit")

    def client(self) -> uis.UisClient:
        http = uis.UisHttp(base_url=self.base_url or uis.BASE_URL, **self.http_settings(self.requests_per_second))
        return uis.UisClient(http, max_records=self.max_records)


class OecdResource(_HttpSettings):
    """OECD SDMX REST API (OECD_BASE_URL). `dataflow` overrides the discovered mobility dataflow id."""

    base_url: str = oecd.BASE_URL
    agency: str = oecd.AGENCY
    dataflow: str = ""
    requests_per_second: float = Field(default=oecd.REQUESTS_PER_SECOND, ge=0, description="20 queries/minute")

    def client(self) -> oecd.OecdClient:
        settings = self.http_settings(self.requests_per_second, {"Accept-Language": "en"})
        http = oecd.OecdHttp(base_url=self.base_url or oecd.BASE_URL, **settings)
        return oecd.OecdClient(http)


class SodaResource(_HttpSettings):
    """US DOT open data (Socrata) dataset xgub-n9bw (SODA_BASE_URL, optional SODA_APP_TOKEN)."""

    base_url: str = soda.BASE_URL
    app_token: str = ""
    page_size: int = Field(default=soda.MAX_PAGE_SIZE, ge=1, le=soda.MAX_PAGE_SIZE)
    requests_per_second: float = Field(default=1.0, ge=0, description="≈1,000 requests/hour with a token")

    def client(self) -> soda.SodaClient:
        return soda.build_soda(
            self.app_token or None,
            base_url=self.base_url or soda.BASE_URL,
            page_size=self.page_size,
            **self.http_settings(self.requests_per_second),
        )


class OpenSkyResource(_HttpSettings):
    """OpenSky Network REST (OPENSKY_BASE_URL) with OAuth2 client credentials (OPENSKY_AUTH_URL,
    OPENSKY_CLIENT_ID, OPENSKY_CLIENT_SECRET). Optional: unconfigured means not fetched."""

    base_url: str = opensky.API_URL
    auth_url: str = opensky.TOKEN_URL
    client_id: str = ""
    client_secret: str = ""
    requests_per_second: float = Field(default=1.0, ge=0)

    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def client(self) -> opensky.OpenSkyClient:
        return opensky.build_opensky(
            self.client_id,
            self.client_secret,
            api_url=self.base_url or opensky.API_URL,
            token_url=self.auth_url or opensky.TOKEN_URL,
            **self.http_settings(self.requests_per_second),
        )


class T100Files(dg.ConfigurableResource):
    """The folder the BTS T-100 segment downloads are dropped into (T100_DIR). Sample mode reads the
    bundled sample; live mode reads `directory` (default warehouse/inbox/t100)."""

    directory_path: str = ""

    def directory(self, mode: str) -> Path:
        if mode == "sample":
            return T100_SAMPLE_DIR
        return Path(self.directory_path) if self.directory_path else REPO_ROOT / "warehouse" / "inbox" / "t100"
