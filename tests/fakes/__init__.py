"""Local stand-ins for the real services, served by pytest-httpserver."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from werkzeug import Request, Response

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer


def no_wait(**http: Any) -> dict[str, Any]:
    """HTTP settings of a client talking to a local fake: no rate limit and no real waits (tests assert the
    waits, they do not sleep them); ``http`` overrides."""
    return {"requests_per_second": 0, "sleep": lambda seconds: None, "backoff_initial": 0, **http}


def local_http(httpserver: HTTPServer, **http: Any) -> dict[str, Any]:
    """`no_wait` settings with the URL of ``httpserver`` as the client's base URL."""
    return no_wait(base_url=httpserver.url_for("").rstrip("/"), **http)


@dataclass
class Fault:
    """One injected misbehaviour, used by the next request ``when`` accepts (None: any)."""

    kind: str  # "status", or a fake's own kinds ("malformed", "tamper", "repeat_page")
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] | None = None
    when: Callable[[Request], bool] | None = None
    tamper: Callable[[dict[str, Any]], None] | None = None


class CatchAllFake:
    """A fake that answers every path of its own local server, one host per service like the real ones.
    ``faults`` queues the misbehaviours tests inject; each is used once, by the first request it applies to."""

    faults: list[Fault]

    def install(self, httpserver: HTTPServer) -> Self:
        """Serve every path of ``httpserver`` from this fake; returns the fake (a fixture's one line)."""
        httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)
        return self

    def handle(self, request: Request) -> Response:  # pragma: no cover - every fake defines it
        raise NotImplementedError

    def status_body(self, status: int) -> bytes:
        """The body of an injected ``status`` answer when the test gives none."""
        return f"HTTP {status}".encode()

    def encode(self, body: Mapping[str, Any]) -> bytes:
        """A JSON body a test gives, as the service would write it."""
        return json.dumps(body).encode()

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | str | None = None,
        when: Callable[[Request], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` requests (that ``when`` accepts) with ``status`` and ``body`` (None: the
        service's own body for it, `status_body`)."""
        if body is None:
            raw = self.status_body(status)
        else:
            raw = body.encode() if isinstance(body, str) else self.encode(body)
        self.faults.extend([Fault("status", status, raw, headers, when=when)] * times)

    def take_fault(self, request: Request, kinds: Collection[str]) -> Fault | None:
        """The first queued fault of ``kinds`` that applies to ``request``, taken off the queue."""
        for i, fault in enumerate(self.faults):
            if fault.kind in kinds and (fault.when is None or fault.when(request)):
                return self.faults.pop(i)
        return None
