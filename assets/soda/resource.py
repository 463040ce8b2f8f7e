"""The DOT Socrata source of a run: the bundled sample in sample mode, the live dataset otherwise."""

from collections.abc import Sequence
from typing import ClassVar, Protocol

from pydantic import Field

from assets.soda import client as soda_client
from assets.soda.client import BASE_URL, MAX_PAGE_SIZE, SodaRow
from assets.soda.sample import SampleSoda
from pipeline.resources import HttpResource
from pipeline.settings import Settings


class SodaSource(Protocol):
    def passenger_rows(self, foreign_airports: Sequence[str], years: tuple[int, int]) -> list[SodaRow]: ...


class SodaResource(HttpResource):
    """US DOT open data (Socrata) dataset xgub-n9bw (override the URL with SODA_BASE_URL); the app token
    (SODA_APP_TOKEN) is optional and raises the request budget."""

    url_variable: ClassVar[str] = "SODA_BASE_URL"
    base_url: str = BASE_URL
    app_token: str = ""
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    requests_per_second: float = Field(default=1.0, ge=0, description="≈1,000 requests/hour with a token")

    def source(self, settings: Settings) -> SodaSource:
        if settings.mode == "sample":
            return SampleSoda()
        # Looked up on the module at call time, so a test can wrap the builder.
        return soda_client.build_soda(
            self.app_token or None,
            base_url=self.url(settings),
            page_size=self.page_size,
            **self.http_settings(settings, self.requests_per_second),
        )
