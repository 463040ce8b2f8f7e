"""Local stand-in for the World Bank Indicators API v2, so tests never touch the network.

Each behaviour and what it is based on ("fixture X" = tests/data/worldbank/X, copies of
/work/shared/fixtures/real/worldbank/X, PROVENANCE §2, recorded 2021-06-13):

* ``GET /v2/country/{codes}/indicator/{ID}`` and the ``/v2/countries/.../indicators/...`` spelling,
  ``codes`` joined by ``;`` (ISO-3 or ISO-2, or ``all``): fixtures indicator_JPN_USA_*,
  docs/methods.md#world-bank-indicators-api.
* Answer ``[meta, rows]``, meta ``page, pages, per_page, total, sourceid, sourcename, lastupdated`` (ints,
  strings as recorded), rows as stored in the dataset: fixture indicator_JPN_USA_*_2018-2019_page1.json
  (``per_page=2`` gives ``pages=2, total=4``). ``date=a:b`` inclusive, a single ``date=a`` too; default
  ``per_page`` 50: fixture *_trimmed_5_of_50 (no ``per_page`` → ``per_page=50``) and
  docs/methods.md#world-bank-indicators-api.
* Unknown indicator → HTTP 200 with the 1-element error array, bytes of fixture error_invalid_indicator.json.
  An unknown country code or a non-numeric ``per_page``/``page`` get the same answer: ASSUMED.
* ``source`` other than ``2`` (WDI) → HTTP 400 ``text/html``, bytes of fixture error_400_invalid_source.html
  (recorded for ``source=invalid_source_id``; that every bad source answers so is ASSUMED).
* No rows → ``[{"page":1,"pages":0,"per_page":N,"total":0,"sourceid":null,"lastupdated":null}, null]``;
  a page past the end → its meta and ``null`` rows: ASSUMED (not recorded).
* Row order: the dataset's (the sample: aggregates first, then economies by name, years descending): ASSUMED.
* Fault bodies (``fail_next``) are plain text ``HTTP <status>``: ASSUMED, the real gateway pages are unknown.

Not emulated (answer 501 ``FakeWorldBank: not emulated``): missing/other ``format`` (the real API
answers XML), several indicators in one request, ``mrv``/``mrnev``/``gapfill``/``frequency``, other paths.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

from tests.fakes import CatchAllFake, Fault

if TYPE_CHECKING:
    pass

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "pipeline" / "sample_data" / "worldbank"
RECORDED = ROOT / "tests" / "data" / "worldbank"
NOT_EMULATED = "FakeWorldBank: not emulated"
_PATH = re.compile(r"^/v2/(?:country|countries)/(?P<codes>[^/]+)/(?:indicator|indicators)/(?P<ids>[^/]+)/?$")
_JSON = "application/json;charset=utf-8"  # as recorded


@dataclass(frozen=True)
class Series:
    """One indicator's rows plus the source fields of its meta."""

    rows: list[dict[str, Any]]
    sourceid: str = "2"
    sourcename: str = "World Development Indicators"
    lastupdated: str | None = None


def load_sample(directory: Path = SAMPLE_DIR) -> dict[str, Series]:
    """The bundled sample as the fake's dataset: indicator id → Series."""
    out = {}
    for path in sorted(directory.glob("*.json")):
        meta, rows = json.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = Series(rows, meta["sourceid"], meta["sourcename"], meta["lastupdated"])
    return out


class FakeWorldBank(CatchAllFake):
    """In-memory World Bank API served through pytest-httpserver; ``requests`` logs (path, {param: [values]})."""

    def __init__(self, dataset: Mapping[str, Series] | None = None) -> None:
        self.dataset = dict(dataset) if dataset is not None else load_sample()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.error_body = (RECORDED / "error_invalid_indicator.json").read_bytes()
        self.html_400 = (RECORDED / "error_400_invalid_source.html").read_bytes()

    def malformed_next(self, *, times: int = 1) -> None:
        """Cut the next usable answer's body in half (status 200 stays): not valid JSON."""
        self.faults.extend([Fault("malformed")] * times)

    # ----------------------------------------------------------------- request handling
    def handle(self, request: Request) -> Response:
        self.requests.append((request.path, request.args.to_dict(flat=False)))
        fault = self.take_fault(request, ("status",))
        if fault is not None:
            return Response(fault.body, fault.status, headers=dict(fault.headers or {}), content_type="text/plain")
        match = _PATH.match(request.path)
        if match is None:
            return _not_emulated(f"path {request.path}")
        args = request.args
        if args.get("source", "2") != "2":
            return Response(self.html_400, 400, content_type="text/html")
        if args.get("format") != "json":
            return _not_emulated("format other than json")
        for name in ("mrv", "mrnev", "gapfill", "frequency"):
            if name in args:
                return _not_emulated(name)
        ids = match.group("ids").split(";")
        if len(ids) > 1:
            return _not_emulated("several indicators in one request")
        series = self.dataset.get(ids[0].upper())
        codes = [c.upper() for c in match.group("codes").split(";")]
        years = _years(args.get("date"))
        per_page, page = args.get("per_page", "50"), args.get("page", "1")
        if series is None or years is False or not per_page.isdigit() or not page.isdigit() or int(per_page) < 1:
            return self._error()
        known = {r["countryiso3code"] for r in series.rows} | {r["country"]["id"] for r in series.rows}
        if codes != ["ALL"] and not set(codes) <= known:
            return self._error()
        rows = [
            r
            for r in series.rows
            if (codes == ["ALL"] or r["countryiso3code"] in codes or r["country"]["id"] in codes)
            and (years is None or years[0] <= int(r["date"][:4]) <= years[1])  # "2021Q1" style dates: by year
        ]
        size, number = int(per_page), int(page)
        if not rows:
            payload: list[Any] = [
                {"page": 1, "pages": 0, "per_page": size, "total": 0, "sourceid": None, "lastupdated": None},
                None,
            ]
        else:
            chunk = rows[(number - 1) * size : number * size]
            meta = {
                "page": number,
                "pages": math.ceil(len(rows) / size),
                "per_page": size,
                "total": len(rows),
                "sourceid": series.sourceid,
                "sourcename": series.sourcename,
                "lastupdated": series.lastupdated,
            }
            payload = [meta, [dict(r) for r in chunk] or None]
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        if self.take_fault(request, ("malformed",)) is not None:
            body = body[: len(body) // 2]
        return Response(body, 200, content_type=_JSON)

    def _error(self) -> Response:
        return Response(self.error_body, 200, content_type=_JSON)  # errors come with HTTP 200


def _years(raw: str | None) -> tuple[int, int] | bool | None:
    """``a:b`` or ``a`` → (a, b); absent → None (all years); anything else → False (invalid)."""
    if raw is None:
        return None
    match = re.fullmatch(r"(\d{4})(?::(\d{4}))?", raw)
    if match is None:
        return False
    return int(match.group(1)), int(match.group(2) or match.group(1))


def _not_emulated(what: str) -> Response:
    return Response(json.dumps({"error": NOT_EMULATED, "message": what}), 501, content_type=_JSON)
