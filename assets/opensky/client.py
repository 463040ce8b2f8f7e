"""OpenSky Network `/flights/arrival` with OAuth2 client credentials.

Plain Python over `JsonHttpClient`. What the code relies on:

* Token: `POST .../protocol/openid-connect/token` with `grant_type=client_credentials`,
  `client_id`, `client_secret` → `{"access_token", "expires_in": 1800, ...}`; tokens last 30 min and
  "a 401 Unauthorized response means the token has expired - request a new one and retry"
  (openskynetwork/opensky-api docs/free/rest.rst, "Authentication", 2026-07). The official
  TokenManager refreshes 30 s before expiry (python/opensky_api.py TOKEN_REFRESH_MARGIN).
* `GET /flights/arrival?airport=<ICAO>&begin=<unix>&end=<unix>`: flights that arrived within
  [begin, end] (both ends included); at most two days; no flights → 404 with an empty body (same
  docs; recorded answer fixtures/real/opensky/flights_arrival_not_found_404.http.json).
* Credits per `/flights` call: < 24 h costs 4, 1-2 day partitions 30; `X-Rate-Limit-Remaining` shows
  the balance, 429 with `X-Rate-Limit-Retry-After-Seconds` when spent (docs "API Credits").
  Windows here are cut at UTC midnight and asked as [day start, next day start - 1], so each call
  stays < 24 h inside one calendar day (the official client also refuses to span more than one
  UTC day boundary: python/opensky_api.py `_count_utc_dates`).
* Flight objects: fixtures/real/opensky/flights_arrival_EBNM_one_flight.json (all 12 fields,
  `callsign` null) and docs/free/flight-response.rst (est* airports and callsign may be null).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

from pipeline.http import REDACTED, JsonHttpClient, JsonResponse, SourceError

SOURCE = "opensky"
API_URL = "https://opensky-network.org/api"
TOKEN_URL = "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token"
ARRIVALS_PATH = "/flights/arrival"
DAY = 86_400
MAX_API_WINDOW = 2 * DAY  # documented cap for /flights/arrival
TOKEN_REFRESH_MARGIN = 30.0

_ICAO = re.compile(r"[A-Z0-9]{4}")
_NULLABLE_TEXT = ("estDepartureAirport", "estArrivalAirport", "callsign")
# The distances and candidate counts: nullable integers, the last fields of a flight object.
_NULLABLE_INT = (
    "estDepartureAirportHorizDistance",
    "estDepartureAirportVertDistance",
    "estArrivalAirportHorizDistance",
    "estArrivalAirportVertDistance",
    "departureAirportCandidatesCount",
    "arrivalAirportCandidatesCount",
)
# The /flights/arrival object's fields in the order the API writes them (fixtures/real/opensky).
FLIGHT_FIELDS: tuple[str, ...] = (
    "icao24",
    "firstSeen",
    "estDepartureAirport",
    "lastSeen",
    "estArrivalAirport",
    "callsign",
    *_NULLABLE_INT,
)


# --------------------------------------------------------------------------- pure helpers
def daily_windows(begin: int, end: int, max_seconds: int = DAY) -> list[tuple[int, int]]:
    """Half-open windows [a, b) covering [begin, end), each at most `max_seconds` long.

    Cuts fall on multiples of `max_seconds` since the epoch, so with a divisor of a day (the
    default) no window crosses UTC midnight: one day partition per call, the cheapest credit tier.
    """
    if max_seconds <= 0:
        raise ValueError(f"max_seconds must be positive, got {max_seconds}")
    if begin > end:
        raise ValueError(f"begin {begin} is after end {end}")
    windows, start = [], begin
    while start < end:
        stop = min(end, (start // max_seconds + 1) * max_seconds)
        windows.append((start, stop))
        start = stop
    return windows


def check_icao(icao: str) -> str:
    code = icao.strip().upper()
    if not _ICAO.fullmatch(code):
        raise ValueError(f"airport must be a 4-character ICAO code such as KCMI, got {icao!r}")
    return code


def validate_flight(flight: Any, index: int, *, request: str) -> dict[str, Any]:
    """Check one flight object against the documented shape; name the record when it fails."""
    if not isinstance(flight, dict):
        raise SourceError(
            SOURCE, "flight is not a JSON object", request=request, record=f"flight {index}", detail=str(flight)[:200]
        )
    record = f"flight {index} (icao24={flight.get('icao24')!r}, lastSeen={flight.get('lastSeen')!r})"

    def fail(rule: str, name: str) -> SourceError:
        return SourceError(SOURCE, rule, request=request, record=record, detail=f"{name}={flight.get(name)!r}")

    if not isinstance(flight.get("icao24"), str) or not flight["icao24"].strip():
        raise fail("icao24 is missing or not text", "icao24")
    for name in ("firstSeen", "lastSeen"):
        value = flight.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"{name} is not an integer Unix time", name)
    if flight["lastSeen"] < flight["firstSeen"]:
        raise fail("lastSeen is before firstSeen", "lastSeen")
    for name in _NULLABLE_TEXT:
        if flight.get(name) is not None and not isinstance(flight[name], str):
            raise fail(f"{name} is neither text nor null", name)
    for name in _NULLABLE_INT:
        value = flight.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise fail(f"{name} is neither an integer nor null", name)
    return flight


def _flight_order(flight: Mapping[str, Any]) -> tuple[int, int, str]:
    return flight["lastSeen"], flight["firstSeen"], flight["icao24"]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class Arrivals(list):
    """The flights of one `arrivals()` answer (it is the list of flight dicts) plus provenance:
    `request` names every call made (one per window, `; `-joined) or the sample file, and
    `retrieved_at` is when the first answer arrived."""

    def __init__(
        self,
        flights: Iterable[dict[str, Any]] = (),
        *,
        requests: Sequence[str] = (),
        retrieved_at: datetime | None = None,
    ) -> None:
        super().__init__(flights)
        self.requests = tuple(requests)
        self.retrieved_at = retrieved_at or datetime.now(UTC)

    @property
    def flights(self) -> list[dict[str, Any]]:
        return list(self)

    @property
    def request(self) -> str:
        return "; ".join(self.requests)


# --------------------------------------------------------------------------- token
class TokenRejected(SourceError):
    """The API answered 401: the bearer token expired or is unknown."""


@dataclass
class OpenSkyAuthHttp(JsonHttpClient):
    """The Keycloak token endpoint: its refusals carry `error` and `error_description`."""

    source: str = SOURCE
    base_url: str = TOKEN_URL

    def classify(self, response: requests.Response, safe_url: str) -> None:
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            try:
                body = response.json()
            except ValueError:
                body = {}
            if isinstance(body, dict) and body.get("error"):
                detail = f"{body['error']}: {body.get('error_description', '')}".rstrip(": ")
            else:
                detail = response.text[:300].strip()
            raise SourceError(
                self.source,
                f"token request refused (HTTP {status})",
                request=safe_url,
                detail=f"{detail}; check the OpenSky API client id and secret",
            )
        super().classify(response, safe_url)


class OpenSkyToken:
    """OAuth2 client-credentials token: fetched on first use, reused, renewed before it expires.

    The secret goes only into the POST form; errors are scrubbed of it and repr never shows it.
    """

    def __init__(
        self,
        http: JsonHttpClient,
        client_id: str,
        client_secret: str,
        *,
        token_url: str = TOKEN_URL,
        refresh_margin: float = TOKEN_REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("OpenSky needs an API client id and secret (basic auth is no longer accepted)")
        self.http, self.client_id, self._secret = http, client_id, client_secret
        self.token_url, self.refresh_margin, self.clock = token_url, refresh_margin, clock
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0

    def __repr__(self) -> str:
        return f"OpenSkyToken(client_id={self.client_id!r}, client_secret={REDACTED!r}, token_url={self.token_url!r})"

    def access_token(self) -> str:
        if self._token is None or self.clock() >= self._expires_at:
            self._fetch()
        assert self._token is not None
        return self._token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token()}"}

    def invalidate(self) -> None:
        """Forget the token (the API refused it); the next use fetches a new one."""
        self._token = None

    def _fetch(self) -> None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret}
        try:
            resp = self.http.request("POST", self.token_url, data=form)
        except SourceError as err:
            raise SourceError(
                err.source, err.rule, request=err.request, detail=err.detail.replace(self._secret, REDACTED)
            ) from None
        body = resp.data
        token = body.get("access_token") if isinstance(body, dict) else None
        expires_in = body.get("expires_in", 1800) if isinstance(body, dict) else None
        token_type = str(body.get("token_type", "Bearer")) if isinstance(body, dict) else ""
        if not isinstance(token, str) or not token or not isinstance(expires_in, int) or expires_in <= 0:
            raise SourceError(SOURCE, "token answer without access_token/expires_in", request=resp.url)
        if token_type.lower() != "bearer":
            raise SourceError(
                SOURCE, "token is not a bearer token", request=resp.url, detail=f"token_type={token_type!r}"
            )
        self._token = token
        # Renew a little early so a token never expires between the check and the call.
        self._expires_at = self.clock() + max(expires_in - self.refresh_margin, expires_in / 2)
        self.fetches += 1


# --------------------------------------------------------------------------- API
@dataclass
class OpenSkyHttp(JsonHttpClient):
    """OpenSky's answers: 404 with an empty body means "no flights" (a usable []), 401 means
    the token expired, 429 waits as long as `X-Rate-Limit-Retry-After-Seconds` says (bounded by
    `max_retry_after`: a spent daily budget fails at once instead of sleeping for hours)."""

    source: str = SOURCE
    base_url: str = API_URL
    retry_after_headers: tuple[str, ...] = ("X-Rate-Limit-Retry-After-Seconds", "Retry-After")

    def classify(self, response: requests.Response, safe_url: str) -> None:
        status = response.status_code
        if status == 404 and not response.content.strip():
            return
        if status == 401:
            raise TokenRejected(
                self.source,
                "HTTP 401 bearer token rejected",
                request=safe_url,
                detail=_header(response.headers, "WWW-Authenticate") or "token expired or unknown",
            )
        if status == 400 and ARRIVALS_PATH in safe_url:
            raise SourceError(
                self.source,
                "HTTP 400",
                request=safe_url,
                detail=(response.text[:300].strip() or "empty body") + "; /flights/arrival allows at most 2 days",
            )
        super().classify(response, safe_url)

    def parse(self, response: requests.Response) -> Any:
        return [] if response.status_code == 404 else super().parse(response)

    def get_authorized(self, path: str, params: Mapping[str, Any], token: OpenSkyToken) -> JsonResponse:
        """GET with the bearer token; on a 401 fetch a new token and ask once more."""
        try:
            return self.get_json(path, params, headers=token.headers())
        except TokenRejected:
            token.invalidate()
        try:
            return self.get_json(path, params, headers=token.headers())
        except TokenRejected as err:
            raise SourceError(
                self.source, "HTTP 401 even with a freshly fetched token", request=err.request, detail=err.detail
            ) from None


class OpenSkyClient:
    def __init__(self, http: OpenSkyHttp, token: OpenSkyToken, max_window_seconds: int = DAY) -> None:
        if not 1 <= max_window_seconds <= MAX_API_WINDOW:
            raise ValueError(f"max_window_seconds must be within 1..{MAX_API_WINDOW}, got {max_window_seconds}")
        self.http, self.token, self.max_window_seconds = http, token, max_window_seconds
        self.credits_remaining: int | None = None
        self.requests: list[str] = []  # redacted URLs of the calls made, for provenance

    def days(self, count: int, last_day: date | None = None) -> list[date]:
        """The `count` UTC days a run asks for, oldest first, ending at `last_day` (default yesterday:
        OpenSky is batch-updated nightly)."""
        last = last_day or datetime.now(UTC).date() - timedelta(days=1)
        return [last - timedelta(days=d) for d in range(count)][::-1]

    def arrivals(self, icao: str, begin: int, end: int) -> Arrivals:
        """Flights whose arrival (`lastSeen`) falls in [begin, end), one call per window.

        Sorted by (lastSeen, firstSeen, icao24) so live and sample answers compare equal.
        """
        airport = check_icao(icao)
        flights: dict[tuple[str, int, int], dict[str, Any]] = {}
        urls: list[str] = []
        retrieved_at: datetime | None = None
        for start, stop in daily_windows(begin, end, self.max_window_seconds):
            # The API interval is closed: ask [start, stop - 1] so adjacent windows never overlap.
            resp = self.http.get_authorized(
                ARRIVALS_PATH, {"airport": airport, "begin": start, "end": stop - 1}, self.token
            )
            self.requests.append(resp.url)
            urls.append(resp.url)
            retrieved_at = retrieved_at or resp.retrieved_at
            remaining = _header(resp.headers, "X-Rate-Limit-Remaining")
            if remaining is not None and remaining.strip().lstrip("-").isdigit():
                self.credits_remaining = int(remaining)
            if not isinstance(resp.data, list):
                raise SourceError(
                    SOURCE, "answer is not a JSON array of flights", request=resp.url, detail=str(resp.data)[:200]
                )
            for index, raw in enumerate(resp.data):
                flight = validate_flight(raw, index, request=resp.url)
                flights.setdefault((flight["icao24"], flight["firstSeen"], flight["lastSeen"]), flight)
        return Arrivals(sorted(flights.values(), key=_flight_order), requests=urls, retrieved_at=retrieved_at)


def build_opensky(
    client_id: str,
    client_secret: str,
    *,
    api_url: str = API_URL,
    token_url: str = TOKEN_URL,
    max_window_seconds: int = DAY,
    **http: Any,
) -> OpenSkyClient:
    """An OpenSkyClient with its API and token clients (`http` are shared JsonHttpClient settings)."""
    token = OpenSkyToken(OpenSkyAuthHttp(base_url=token_url, **http), client_id, client_secret, token_url=token_url)
    return OpenSkyClient(OpenSkyHttp(base_url=api_url, **http), token, max_window_seconds)
