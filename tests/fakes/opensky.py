"""Local stand-in for OpenSky's token endpoint (Keycloak) and ``/api/flights/arrival``.

Sources, cited where used:

* "recording": /work/shared/fixtures/real/opensky/ (PROVENANCE.md §5, WebService-OpenSky 0.4):
  a 200 with one EBNM flight (compact JSON, 366 bytes, headers in the sidecar) and the
  "no flights" 404 with ``Content-Length: 0`` and an empty body;
* "docs": openskynetwork/opensky-api docs/free/rest.rst @ 16e3803 (2026-07): OAuth2 client
  credentials, 30-minute tokens, "a 401 means the token has expired", /flights/arrival ≤ 2 days,
  credit table (< 24 h = 4; 1-2 day partitions = 30; ...), ``X-Rate-Limit-Remaining``, 429 with
  ``X-Rate-Limit-Retry-After-Seconds``;
* "keycloak": Keycloak's token endpoint: success body ``{"access_token", "expires_in",
  "refresh_expires_in": 0, "token_type": "Bearer", "not-before-policy": 0, "scope"}`` (many public
  captures of client-credentials answers); unknown client → 401 ``invalid_client``, wrong secret →
  401 ``unauthorized_client``, both "Invalid client or Invalid client credentials"
  (ClientIdAndSecretAuthenticator / AuthenticationProcessor in keycloak/keycloak).

Assumed, not recorded: the 401 of the API (empty body plus an RFC 6750 ``WWW-Authenticate: Bearer
error="invalid_token"`` header; the recorded headers are Spring Security's defaults, whose
resource server answers that way), the 400 for a window over two days (empty body; only the status
follows the docs), whether 400s cost credits (no), that 404s cost credits and carry
``X-Rate-Limit-Remaining`` (the recorded 404 kept only two headers), the 429 body (empty) and its
wait (seconds to the next UTC midnight, when daily credits refill), the ``scope`` value, and the
order of flights in an answer (stored order). Anonymous calls (no bearer token) are refused with 401
although OpenSky serves them from a 400-credit pool: the fake is stricter on purpose, so a client
that forgets its token fails here.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

from tests.fakes import CatchAllFake

if TYPE_CHECKING:
    pass

TOKEN_PATH = "/auth/realms/opensky-network/protocol/openid-connect/token"
API_PREFIX = "/api"
ARRIVALS_PATH = f"{API_PREFIX}/flights/arrival"
DAY = 86_400
MAX_WINDOW = 2 * DAY  # docs: "must not be larger than two days"
STANDARD_CREDITS = 4_000  # docs: standard user, /flights bucket, daily
INVALID_CLIENT = "Invalid client or Invalid client credentials"
# Headers of the recorded 200 (sidecar flights_arrival_EBNM_one_flight.http.json), minus Date,
# Server, Connection, Content-Length (set by the server) and Set-Cookie (a session artefact).
RECORDED_200_HEADERS = {
    "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
    "Expires": "0",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-XSS-Protection": "1; mode=block",
}
RECORDED_CONTENT_TYPE = "application/json;charset=UTF-8"
# The recorded EBNM flight (flights_arrival_EBNM_one_flight.json), key order as recorded.
RECORDED_EBNM_FLIGHT: dict[str, Any] = {
    "icao24": "391cd9",
    "firstSeen": 1685264616,
    "estDepartureAirport": "EBNM",
    "lastSeen": 1685265426,
    "estArrivalAirport": "EBNM",
    "callsign": None,
    "estDepartureAirportHorizDistance": 7934,
    "estDepartureAirportVertDistance": 1007,
    "estArrivalAirportHorizDistance": 5256,
    "estArrivalAirportVertDistance": 1739,
    "departureAirportCandidatesCount": 107,
    "arrivalAirportCandidatesCount": 107,
}


@dataclass(frozen=True)
class OpenSkyRequest:
    """One request as the server saw it; the client secret is never kept."""

    method: str
    path: str
    params: dict[str, str]
    bearer: str | None


@dataclass
class _Token:
    value: str
    expires_at: float
    revoked: bool = False


def flights_cost(begin: int, end: int) -> int:
    """Credits of one /flights call (docs "API Credits"): < 24 h costs 4, else by day partitions."""
    if end - begin < DAY:
        return 4
    partitions = (_utc_date(end) - _utc_date(begin)).days + 1
    for limit, per in ((10, 60), (15, 120), (20, 240), (25, 480)):
        if partitions <= limit:
            return 30 if partitions <= 2 else per * partitions
    return 960 * partitions


def _utc_date(ts: int) -> Any:
    return datetime.fromtimestamp(ts, tz=UTC).date()


def _seconds_to_utc_midnight(now: float) -> int:
    current = datetime.fromtimestamp(now, tz=UTC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - current).total_seconds()))


def compact(payload: Any) -> bytes:
    """Compact JSON: reproduces the recorded 200 body byte for byte."""
    return json.dumps(payload, separators=(",", ":")).encode()


class FakeOpenSky(CatchAllFake):
    """Keycloak client-credentials endpoint plus ``/api/flights/arrival`` on one pytest-httpserver.

    ``arrivals`` maps an airport ICAO code to flight objects in the API's shape; a call answers
    those whose ``lastSeen`` is in [begin, end] (closed, as the docs write it). Attributes tests may
    set: ``credits`` (remaining in the /flights bucket), ``token_lifetime``. ``clock`` gives the
    time used for token expiry and the 429 wait. ``requests`` logs every request.
    """

    def __init__(
        self,
        arrivals: Mapping[str, list[dict[str, Any]]] | None = None,
        *,
        client_id: str = "collab-observatory-ci",
        client_secret: str = "ci-secret-8d1f",
        credits: int = STANDARD_CREDITS,
        token_lifetime: int = 1800,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.arrivals = {k.upper(): list(v) for k, v in (arrivals or {}).items()}
        self.client_id, self.client_secret = client_id, client_secret
        self.credits, self.token_lifetime, self.clock = credits, token_lifetime, clock
        self.tokens: dict[str, _Token] = {}
        self.tokens_issued = 0
        self.requests: list[OpenSkyRequest] = []
        self._faults: list[tuple[int, dict[str, str]]] = []
        self._expire_after: int | None = None
        self._serial = itertools.count(1)

    # ----------------------------------------------------------------- test controls
    def expire_token_now(self) -> None:
        """Every token issued so far stops working, as after its 30 minutes."""
        for token in self.tokens.values():
            token.revoked = True

    def expire_tokens_after(self, calls: int) -> None:
        """Expire every issued token once ``calls`` more API calls have been answered (mid-run expiry)."""
        self._expire_after = calls

    def fail_next(self, status: int, *, retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next ``times`` API calls with ``status``; ``retry_after`` becomes
        ``X-Rate-Limit-Retry-After-Seconds`` (docs: the header OpenSky sends with a 429)."""
        headers = {"X-Rate-Limit-Retry-After-Seconds": str(retry_after)} if retry_after is not None else {}
        self._faults.extend([(status, headers)] * times)

    def api_calls(self) -> list[OpenSkyRequest]:
        return [r for r in self.requests if r.path.startswith(API_PREFIX)]

    def token_calls(self) -> list[OpenSkyRequest]:
        return [r for r in self.requests if r.path == TOKEN_PATH]

    # ----------------------------------------------------------------- handling
    def handle(self, request: Request) -> Response:
        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        params = request.args.to_dict()
        self.requests.append(
            OpenSkyRequest(request.method, request.path, params, bearer if scheme.lower() == "bearer" else None)
        )
        if request.path == TOKEN_PATH:
            return self._token_endpoint(request)
        if request.path.startswith(API_PREFIX):
            response = self._api(request, bearer if scheme.lower() == "bearer" else None, params)
            if self._expire_after is not None:
                self._expire_after -= 1
                if self._expire_after <= 0:
                    self._expire_after = None
                    self.expire_token_now()
            return response
        return Response(b"FakeOpenSky: path not emulated", 501, content_type="text/plain")

    # -- Keycloak
    def _token_endpoint(self, request: Request) -> Response:
        if request.method != "POST":
            return Response(b"FakeOpenSky: only POST is emulated on the token endpoint", 501)
        form = request.form
        grant = form.get("grant_type")
        if not grant:
            return _oauth_error(400, "invalid_request", "Missing form parameter: grant_type")
        if form.get("client_id") != self.client_id:
            return _oauth_error(401, "invalid_client", INVALID_CLIENT)
        if form.get("client_secret") != self.client_secret:
            return _oauth_error(401, "unauthorized_client", INVALID_CLIENT)
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
        self.tokens_issued += 1
        value = f"eyJhbGciOiJSUzI1NiJ9.fake-{self.tokens_issued}-{next(self._serial)}.sig"
        self.tokens[value] = _Token(value, self.clock() + self.token_lifetime)
        body = {
            "access_token": value,
            "expires_in": self.token_lifetime,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "profile email",
        }
        return Response(
            compact(body),
            200,
            content_type="application/json",
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    # -- API
    def _api(self, request: Request, bearer: str | None, params: Mapping[str, str]) -> Response:
        token = self.tokens.get(bearer or "")
        if token is None or token.revoked or self.clock() >= token.expires_at:
            description = "Jwt expired" if token is not None else "Bearer token missing or unknown"
            response = Response(b"", 401)
            response.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{description}"'
            return _without_content_type(response)
        if self._faults:
            status, headers = self._faults.pop(0)
            return _without_content_type(Response(b"", status, headers=headers))
        if request.path != ARRIVALS_PATH:
            return Response(b"FakeOpenSky: path not emulated", 501, content_type="text/plain")
        try:
            airport, begin, end = params["airport"], int(params["begin"]), int(params["end"])
        except (KeyError, ValueError):
            return _without_content_type(Response(b"", 400))
        if end < begin or end - begin > MAX_WINDOW:
            return _without_content_type(Response(b"", 400))
        cost = flights_cost(begin, end)
        if cost > self.credits:
            response = Response(b"", 429)
            response.headers["X-Rate-Limit-Retry-After-Seconds"] = str(_seconds_to_utc_midnight(self.clock()))
            return _without_content_type(response)
        self.credits -= cost
        flights = [f for f in self.arrivals.get(airport.upper(), []) if begin <= f["lastSeen"] <= end]
        if not flights:
            # The recorded "no flights" answer: 404, Content-Length 0, empty body.
            response = _without_content_type(Response(b"", 404))
        else:
            response = Response(compact(flights), 200, headers=RECORDED_200_HEADERS)
            response.headers["Content-Type"] = RECORDED_CONTENT_TYPE
        response.headers["X-Rate-Limit-Remaining"] = str(self.credits)
        return response


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response(
        compact({"error": error, "error_description": description}),
        status,
        content_type="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _without_content_type(response: Response) -> Response:
    """The recorded empty answers carry no Content-Type; werkzeug adds one by default."""
    response.headers.pop("Content-Type", None)
    return response
