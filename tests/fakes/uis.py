"""Local stand-in for the UNESCO UIS Data API (``/api/public/...``), so tests never touch the network.

Each behaviour and what it is based on ("fixture X" = /work/shared/fixtures/real/unesco_uis/X,
PROVENANCE §4a; "malkreide" = malkreide/global-education-mcp @ 96ce413/cc8c14c, live recordings of
2026-08-08; "bissoli" = SidneyBissoli/uis-mcp-server, CHANGELOG 0.7.0/1.1.0 and src/uis/upstream.ts,
measurements of 2026-09-24/27):

* Data envelope ``{"hints", "records", "indicatorMetadata"}`` and record fields ``indicatorId, geoUnit,
  year, value, magnitude, qualifier``: fixtures data_indicators_*.json. Records come sorted by
  indicator, geoUnit, year (the recording is in year order; the rest of the order is assumed).
* Repeated ``indicator``/``geoUnit`` params and the query-parameter names of each path: docs/methods.md#unesco-uis-api,
  malkreide tests/fixtures/uis_openapi_query_params.json (from the API's own OpenAPI schema).
* ``start``/``end`` are inclusive; unknown query parameters are ignored with HTTP 200: malkreide
  uis_data_year_filter.json and its PROVENANCE.md (``startYear``/``endYear`` silently dropped).
* Unknown geoUnit → 200, empty records, ``UIS::HINT::003 "The geoUnit could not be found, XXX"``: fixture
  data_indicators_unknown_geounit.json. Unknown indicator → ``UIS::HINT::001 "The indicator could not be
  found, <id>"``: docs/methods.md#unesco-uis-api, bissoli (measured), which also measured that a good and an unknown
  indicator together answer the good one's records plus the hint. One hint per unknown id is assumed.
* ``UIS::HINT::004 "No data for the given time range, available time range for indicator <id>= start:
  <min>, end: <max>"``: message from bissoli (measured); WHEN it is sent is assumed (here: a known
  indicator with data for the asked geoUnits, none of it inside start..end).
* Record limit: more than the limit → 400 ``{"message":"Too much data requested (N records), please reduce
  the amount of data requested to less than 100000 records","error":"Bad Request","statusCode":400}``:
  docs/methods.md#unesco-uis-api (lpicci96/unesco_reader documents an older wording of the same message). Counted
  before serving (bissoli: refused in 0.9 s). The fake refuses N >= max_records ("less than").
* 414 for a URL that is too long: docs/methods.md#unesco-uis-api, unesco_reader api.py. The length at which it
  happens is NOT known; ``max_url_length`` (default 8192, a common proxy limit) is an assumption.
* Neither ``indicator`` nor ``geoUnit`` → 400: the rule is documented (docs/methods.md#unesco-uis-api, unesco_reader
  "At least an indicator or a geo_unit must be provided"); the body text is ASSUMED, in the NestJS shape
  of the recorded 400.
* Unknown ``version``: NO recorded answer was found. The fake answers 404 with an ASSUMED NestJS-shaped
  body; the client only relies on "some 4xx".
* ``/versions/default``: one entry of malkreide uis_versions.json (``version, publicationDate,
  description, themeDataStatus``). ``/definitions/indicators``: malkreide uis_definitions_indicators.json
  (a list, id key ``indicatorCode``); its ``theme`` parameter is ignored, as recorded there.
* Fault bodies (``fail_next``): UIS sits behind CloudFront and AWS API Gateway (bissoli: ``Via:
  CloudFront``, ``x-amzn-RequestId`` headers); the default bodies are API Gateway's stock answers, not
  recorded from UIS.

Valid UIS features the fake does not implement (``indicatorMetadata=true``, ``footnotes=true``,
``geoUnitType``, exports, ``/definitions/geounits``) answer 501 ``FakeUis: not emulated`` instead of
inventing a real-looking answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
from werkzeug import Request, Response

from tests.fakes import CatchAllFake, Fault

if TYPE_CHECKING:
    pass

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "sample_data" / "uis"
API = "/api/public"
NOT_EMULATED = "FakeUis: not emulated"
# Stock AWS API Gateway bodies (assumed for UIS, see module docstring).
GATEWAY_BODIES = {
    429: {"message": "Too Many Requests"},
    502: {"message": "Internal server error"},
    503: {"message": "Service Unavailable"},
    504: {"message": "Endpoint request timed out"},
}


def too_much_data_body(count: int, limit: int) -> dict[str, Any]:
    """The recorded 400 for a query over the record limit (docs/methods.md#unesco-uis-api), with its numbers."""
    return {
        "message": f"Too much data requested ({count} records), please reduce the amount of data requested "
        f"to less than {limit} records",
        "error": "Bad Request",
        "statusCode": 400,
    }


def load_sample(directory: Path = SAMPLE_DIR) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """(default version, indicator definitions, records) of the bundled sample."""
    version = json.loads((directory / "versions_default.json").read_text(encoding="utf-8"))
    definitions = json.loads((directory / "definitions_indicators.json").read_text(encoding="utf-8"))
    records = json.loads((directory / "data_indicators.json").read_text(encoding="utf-8"))["records"]
    return version, definitions, records


class ApiError(Exception):
    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(str(body))
        self.status, self.body = status, body


class FakeUis(CatchAllFake):
    """In-memory UIS Data API served through pytest-httpserver.

    Tests may set ``max_records`` and ``max_url_length``; ``requests`` logs (path, {param: [values]})
    for every request received, faults included.
    """

    def __init__(
        self,
        records: list[dict[str, Any]] | None = None,
        definitions: list[dict[str, Any]] | None = None,
        version: dict[str, Any] | None = None,
        *,
        geo_units: Iterable[str] | None = None,
        max_records: int = 100_000,
        max_url_length: int = 8192,
    ) -> None:
        sample_version, sample_definitions, sample_records = load_sample()
        self.version = version if version is not None else sample_version
        self.definitions = definitions if definitions is not None else sample_definitions
        self.records = records if records is not None else sample_records
        # The real API knows 462 geo units (national ISO-3 + regional); ISO-3 plus what the data uses here.
        self.geo_units = set(geo_units) if geo_units is not None else {c.alpha_3 for c in pycountry.countries}
        self.geo_units |= {r["geoUnit"] for r in self.records}
        self.max_records = max_records
        self.max_url_length = max_url_length
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

    # ----------------------------------------------------------------- wiring and fault injection
    def status_body(self, status: int) -> bytes:
        """API Gateway's body for ``status`` (`fail_next` without a body)."""
        return _compact(GATEWAY_BODIES.get(status, {"message": f"HTTP {status}"}))

    def encode(self, body: Mapping[str, Any]) -> bytes:
        return _compact(body)

    def malformed_next(self, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Cut the next answer's body in half (status 200 stays): not valid JSON."""
        self.faults.extend([Fault("malformed", when=when)] * times)

    def tamper_next(self, change: Callable[[dict[str, Any]], None], *, times: int = 1) -> None:
        """Let ``change`` edit the next data answer (a dict) before it is sent."""
        self.faults.extend([Fault("tamper", tamper=change, when=_is_data)] * times)

    def corrupt_record_next(self, **fields: Any) -> None:
        """Overwrite fields of the first record of the next data answer (e.g. ``year="2019"``)."""

        def change(payload: dict[str, Any]) -> None:
            if payload["records"]:
                payload["records"][0].update(fields)

        self.tamper_next(change)

    def data_requests(self) -> list[dict[str, list[str]]]:
        return [params for path, params in self.requests if path == f"{API}/data/indicators"]

    # ----------------------------------------------------------------- request handling
    def handle(self, request: Request) -> Response:
        self.requests.append((request.path, request.args.to_dict(flat=False)))
        fault = self.take_fault(request, ("status",))
        if fault is not None:
            return Response(fault.body, fault.status, headers=dict(fault.headers or {}), content_type=_JSON)
        try:
            status, payload = self._serve(request)
        except ApiError as err:
            return Response(_compact(err.body), err.status, content_type=_JSON)
        fault = self.take_fault(request, ("tamper", "malformed"))  # only usable answers get damaged
        if fault is not None and fault.tamper is not None:
            fault.tamper(payload)
        body = _compact(payload)
        if fault is not None and fault.kind == "malformed":
            body = body[: len(body) // 2]
        return Response(body, status, content_type=_JSON)

    def _serve(self, request: Request) -> tuple[int, Any]:
        if len(request.full_path.rstrip("?")) > self.max_url_length:
            raise ApiError(414, {"message": "URI Too Long"})
        path = request.path.rstrip("/")
        if path == f"{API}/versions/default":
            return 200, self.version
        if path == f"{API}/versions":
            return 200, [self.version]
        self._check_version(request.args.get("version"))
        if path == f"{API}/definitions/indicators":
            return 200, self.definitions
        if path == f"{API}/data/indicators":
            return 200, self._data(request)
        if path.startswith(API):
            raise ApiError(501, {"message": f"path {path} is not emulated", "error": NOT_EMULATED})
        raise ApiError(404, {"message": f"Cannot GET {path}", "error": "Not Found", "statusCode": 404})

    def _check_version(self, version: str | None) -> None:
        if version is not None and version != self.version["version"]:
            # ASSUMED answer: no recording of an unknown version was found.
            raise ApiError(404, {"message": f"Version {version} not found", "error": "Not Found", "statusCode": 404})

    def _data(self, request: Request) -> dict[str, Any]:
        args = request.args
        indicators, geo_units = args.getlist("indicator"), args.getlist("geoUnit")
        if not indicators and not geo_units:
            raise ApiError(400, _bad_request("At least one indicator or geoUnit must be provided"))  # ASSUMED text
        for flag in ("indicatorMetadata", "footnotes"):
            if args.get(flag, "false").lower() != "false":
                raise ApiError(501, {"message": f"{flag}=true is not emulated", "error": NOT_EMULATED})
        if args.get("geoUnitType") and not geo_units:  # ignored by UIS when geoUnit is given
            raise ApiError(501, {"message": "geoUnitType is not emulated", "error": NOT_EMULATED})
        start, end = _year(args, "start"), _year(args, "end")
        known = {_definition_id(d) for d in self.definitions} | {r["indicatorId"] for r in self.records}
        hints = [_hint("001", f"The indicator could not be found, {i}") for i in indicators if i not in known]
        hints += [_hint("003", f"The geoUnit could not be found, {g}") for g in geo_units if g not in self.geo_units]
        asked = [
            r
            for r in self.records
            if (not indicators or r["indicatorId"] in indicators) and (not geo_units or r["geoUnit"] in geo_units)
        ]
        selected = [r for r in asked if (start is None or r["year"] >= start) and (end is None or r["year"] <= end)]
        if len(selected) >= self.max_records:  # counted before serving
            raise ApiError(400, too_much_data_body(len(selected), self.max_records))
        for indicator in dict.fromkeys(indicators):
            years = [r["year"] for r in asked if r["indicatorId"] == indicator]
            if years and not any(r["indicatorId"] == indicator for r in selected):
                hints.append(
                    _hint(
                        "004",
                        "No data for the given time range, available time range for indicator "
                        f"{indicator}= start: {min(years)}, end: {max(years)}",
                    )
                )
        records = sorted(selected, key=lambda r: (r["indicatorId"], r["geoUnit"], r["year"]))
        # Copies: tampering must not change the dataset.
        return {"hints": hints, "records": [dict(r) for r in records], "indicatorMetadata": []}


_JSON = "application/json; charset=utf-8"


def _compact(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _bad_request(message: str) -> dict[str, Any]:
    return {"message": message, "error": "Bad Request", "statusCode": 400}


def _hint(code: str, message: str) -> dict[str, str]:
    return {"code": f"UIS::HINT::{code}", "message": message}


def _year(args: Any, name: str) -> int | None:
    raw = args.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{4}", raw):
        raise ApiError(400, _bad_request(f"{name} must be a year"))  # ASSUMED text
    return int(raw)


def _definition_id(definition: Mapping[str, Any]) -> str:
    return str(definition.get("indicatorCode", definition.get("indicatorId")))


def _is_data(request: Request) -> bool:
    return request.path.rstrip("/") == f"{API}/data/indicators"
