"""The UIS source of a run: the bundled sample in sample mode, the live API otherwise."""

from collections.abc import Iterable, Sequence
from typing import ClassVar, Protocol

from pydantic import Field

from assets.uis.client import (
    BASE_URL,
    MAX_RECORDS,
    BilateralIndicator,
    UisClient,
    UisFetch,
    UisHttp,
    UisIndicator,
    UisVersion,
)
from assets.uis.sample import SampleUis
from pipeline.resources import HttpResource
from pipeline.settings import Settings

VERSION_VARIABLE = "UIS_VERSION"


class UisSource(Protocol):
    pinned_version: str  # empty: the default version at extraction time

    def default_version(self) -> UisVersion: ...

    def indicators(self, version: str | None = None) -> list[UisIndicator]: ...

    def bilateral_indicators(
        self, indicators: Iterable[UisIndicator], origins_iso3: Sequence[str]
    ) -> list[BilateralIndicator]: ...

    def fetch(
        self, indicators: Sequence[str], geo_units: Sequence[str], start: int, end: int, version: str | None = None
    ) -> UisFetch: ...


class UisResource(HttpResource):
    """UNESCO UIS Data API (override the URL with UIS_BASE_URL). `version` pins the data version, else the
    optional UIS_VERSION does; neither set means the default version at extraction time, which is then
    recorded in every row."""

    url_variable: ClassVar[str] = "UIS_BASE_URL"
    base_url: str = BASE_URL
    version: str = ""
    requests_per_second: float = Field(default=2.0, ge=0, description="no documented limit; stay polite")
    max_records: int = Field(default=MAX_RECORDS, ge=1, description="documented per-request record limit")

    def pinned_version(self, settings: Settings) -> str:
        return self.version or settings.variable(VERSION_VARIABLE)

    def source(self, settings: Settings) -> UisSource:
        if settings.mode == "sample":
            return SampleUis(pinned_version=self.pinned_version(settings))
        http = UisHttp(base_url=self.url(settings), **self.http_settings(settings, self.requests_per_second))
        return UisClient(http, max_records=self.max_records, pinned_version=self.pinned_version(settings))
