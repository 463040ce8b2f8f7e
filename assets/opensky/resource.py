"""The OpenSky source of a run: the bundled sample in sample mode, the live API otherwise (or none when
no API client is configured: OpenSky is optional)."""

from datetime import date
from typing import ClassVar, Protocol

from pydantic import Field

from assets.opensky.client import API_URL, TOKEN_URL, Arrivals, build_opensky
from assets.opensky.sample import SampleOpenSky
from pipeline.resources import HttpResource
from pipeline.settings import Settings


class OpenSkySource(Protocol):
    def arrivals(self, icao: str, begin: int, end: int) -> Arrivals: ...

    def days(self, count: int, last_day: date | None = None) -> list[date]: ...


class OpenSkyResource(HttpResource):
    """OpenSky Network REST (override the URL with OPENSKY_BASE_URL) with OAuth2 client credentials (token
    endpoint overridden by OPENSKY_AUTH_URL; OPENSKY_CLIENT_ID, OPENSKY_CLIENT_SECRET). Optional:
    unconfigured means not fetched."""

    url_variable: ClassVar[str] = "OPENSKY_BASE_URL"
    auth_url_variable: ClassVar[str] = "OPENSKY_AUTH_URL"
    base_url: str = API_URL
    auth_url: str = TOKEN_URL
    client_id: str = ""
    client_secret: str = ""
    requests_per_second: float = Field(default=1.0, ge=0)

    @classmethod
    def url_settings(cls) -> tuple[tuple[str, str], ...]:
        """The API and, beside it, the token endpoint."""
        return (*super().url_settings(), (cls.auth_url_variable, cls.model_fields["auth_url"].default))

    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def source(self, settings: Settings) -> OpenSkySource | None:
        """None in live mode without API credentials: the run fetches nothing and keeps the rows held."""
        if settings.mode == "sample":
            return SampleOpenSky()
        if not self.configured():
            return None
        return build_opensky(
            self.client_id,
            self.client_secret,
            api_url=self.url(settings),
            token_url=self.url(settings, "auth_url", self.auth_url_variable),
            **self.http_settings(settings, self.requests_per_second),
        )
