"""The OECD source of a run: the bundled sample in sample mode, the live SDMX API otherwise."""

from collections.abc import Sequence
from typing import ClassVar, Protocol

from pydantic import Field

from assets.oecd.client import AGENCY, BASE_URL, REQUESTS_PER_SECOND, Dataflow, OecdClient, OecdFetch, OecdHttp
from assets.oecd.sample import SampleOecd
from pipeline.resources import HttpResource
from pipeline.settings import Settings


class OecdSource(Protocol):
    agency: str  # the agency whose dataflows are searched
    dataflow_override: str  # empty: discover the mobility dataflow

    def mobility_dataflow(self, agency: str = AGENCY, override: str | None = None) -> Dataflow: ...

    def valid_from(self, dataflow: Dataflow) -> str | None: ...

    def observations(
        self, dataflow: Dataflow, destinations_iso3: Sequence[str], origins_iso3: Sequence[str], start: int, end: int
    ) -> OecdFetch: ...


class OecdResource(HttpResource):
    """OECD SDMX REST API (override the URL with OECD_BASE_URL). `dataflow` overrides the discovered
    mobility dataflow id."""

    url_variable: ClassVar[str] = "OECD_BASE_URL"
    base_url: str = BASE_URL
    agency: str = AGENCY
    dataflow: str = ""
    requests_per_second: float = Field(default=REQUESTS_PER_SECOND, ge=0, description="20 queries/minute")

    def source(self, settings: Settings) -> OecdSource:
        if settings.mode == "sample":
            return SampleOecd(agency=self.agency, dataflow_override=self.dataflow)
        http_settings = self.http_settings(settings, self.requests_per_second, {"Accept-Language": "en"})
        http = OecdHttp(base_url=self.url(settings), **http_settings)
        return OecdClient(http, agency=self.agency, dataflow_override=self.dataflow)
