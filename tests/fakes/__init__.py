"""Local stand-ins for the real services, served by pytest-httpserver."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug import Request, Response

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer


class CatchAllFake:
    """A fake that answers every path of its own local server, one host per service like the real ones."""

    def install(self, httpserver: HTTPServer) -> None:
        httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:  # pragma: no cover - every fake defines it
        raise NotImplementedError
