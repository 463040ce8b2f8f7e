"""What every source's Dagster resource shares (the HTTP budget, the response cache, URL overrides).

Each source slice has its own resource (assets/<source>/resource.py) built on `HttpResource`; it picks the
bundled sample or the live client for the run's mode behind the slice's `Protocol`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import dagster as dg
from pydantic import Field

from pipeline.http import ResponseCache
from pipeline.settings import Settings

USER_AGENT = "collab-observatory/0.1 (+https://github.com/collab-observatory)"


def response_cache(settings: Settings) -> ResponseCache | None:
    """The raw response cache the live connectors share (COLLAB_HTTP_CACHE, _FILE, _TTL_HOURS)."""
    if settings.http_cache == "off":
        return None
    return ResponseCache(settings.http_cache_file, settings.http_cache, timedelta(hours=settings.http_cache_ttl_hours))


class HttpResource(dg.ConfigurableResource):
    """What every live connector shares: bounded retries, the longest server-requested wait, timeouts,
    and its base URL: the resource's default (the real service), unless the environment variable named
    by `url_variable` overrides it (read once, with the run settings), e.g. to point at a mirror; a URL
    configured on the resource itself wins over both."""

    url_variable: ClassVar[str] = ""
    base_url: str = ""
    max_attempts: int = Field(default=6, ge=1)
    max_retry_after_seconds: float = Field(default=120.0, ge=0)
    timeout_seconds: float = Field(default=60.0, gt=0)

    def url(self, settings: Settings, field: str = "base_url", variable: str | None = None) -> str:
        """The URL a `field` names: the resource's own value when it was configured (run config, a test),
        else the environment variable when set, else the field's default (the real service)."""
        value, default = getattr(self, field), type(self).model_fields[field].default
        variable = self.url_variable if variable is None else variable
        if value != default or not variable:
            return value
        return settings.variable(variable, default)

    @classmethod
    def url_settings(cls) -> tuple[tuple[str, str], ...]:
        """(environment variable, default URL) of each host the resource calls: what the preflight probes."""
        return ((cls.url_variable, cls.model_fields["base_url"].default),)

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
