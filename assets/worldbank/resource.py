"""The World Bank source of a run: the bundled sample in sample mode, the live API otherwise."""

from collections.abc import Sequence
from typing import ClassVar, Protocol

from pydantic import Field

from assets.worldbank.client import BASE_URL, SOURCE, WorldBankClient, WorldBankHttp
from assets.worldbank.sample import SampleWorldBank
from assets.worldbank.table import WbObservation
from pipeline.resources import HttpResource
from pipeline.settings import Settings


class WorldBankSource(Protocol):
    def observations(
        self, indicator: str, countries_iso3: Sequence[str], start: int, end: int
    ) -> list[WbObservation]: ...


class WorldBankResource(HttpResource):
    """World Bank Indicators API v2 (override the URL with WORLDBANK_BASE_URL); no key, undocumented
    limits: stay slow."""

    url_variable: ClassVar[str] = "WORLDBANK_BASE_URL"
    base_url: str = BASE_URL
    requests_per_second: float = Field(default=2.0, ge=0)

    def source(self, settings: Settings) -> WorldBankSource:
        if settings.mode == "sample":
            return SampleWorldBank()
        http = WorldBankHttp(
            source=SOURCE, base_url=self.url(settings), **self.http_settings(settings, self.requests_per_second)
        )
        return WorldBankClient(http)
