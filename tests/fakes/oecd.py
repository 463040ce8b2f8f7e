"""Local stand-in for the OECD SDMX REST API (``sdmx.oecd.org/public/rest/``), for tests only.

No recording of the current OECD API exists for an education dataflow (shared/fixtures/real/
PROVENANCE.md §4b), so each behaviour is built from the material cited where it is used:

* "spec:errors" - SDMX 2.1 REST guidelines, sdmx-twg/sdmx-rest @ v1.5.0, v2_1/ws/rest/docs/4_7_errors.md:
  error 100 "No results found" -> HTTP 404, 130/510 "response too large" -> 413, 140 syntax error -> 400,
  503 service unavailable, 501 not implemented;
* "spec:data" - same release, 4_4_data_queries.md: flowRef ``AGENCY,ID,VERSION`` (one part = id, two =
  agency,id), key = dot-separated codes, empty = wildcard, ``+`` = OR, ``all`` = everything,
  startPeriod/endPeriod inclusive;
* "csv guide" - sdmx-twg/sdmx-csv @ 9a65b13, data-message/docs/sdmx-csv-field-guide.md: column order
  (dimensions, measure, attributes), STRUCTURE/STRUCTURE_ID/STRUCTURE_NAME/ACTION, ``labels=name``;
* "oecd csv" - a real ``format=csvfilewithlabels`` answer printed in m-mcmain/m-mcmain.github.io,
  "_pages/Econ_390_mds/Econ_390 Lecture 17 - Additional APIs_full.md": header ``STRUCTURE,...``, first
  cell ``DATAFLOW``, ``AGENCY:DSD@DF(VERSION)``, action ``I``, CRLF; ``format=csvfile`` as SDMX-CSV 1.0
  (``DATAFLOW`` header) follows the form public client code parses for that format;
* "oecd constraint" - a real OECD answer to ``contentconstraint/...`` (NSI Web Service v8.18.2.0),
  khaeru/sdmx-test-data @ d220582, OECD/actualconstraint-0.xml: validFrom, obs_count annotation,
  CubeRegion KeyValues, TIME_PERIOD as a TimeRange;
* "nsi references" - a real NSI v9.11 answer to ``dataflow/.../latest?references=datastructure``, same
  repository, recorded/2556f1775294929a.json: Dataflow with Structure/Ref, DataStructure with
  DimensionList (position), TimeDimension, AttributeList, MeasureList;
* "oecd limits" - oecd.org "API best practices and recommendations" (2024-11, updated): 20 queries/min,
  20 then 60 data downloads/hour, then "temporarily blocked"; docs/methods.md#oecd-sdmx.

Where the real wording is unknown the fake says so next to the constant. A valid SDMX request the fake
does not implement gets 501 with ``FakeOecd: not emulated`` rather than an invented answer.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from werkzeug import Request, Response

from assets.oecd.client import AGENCY
from assets.oecd.sample import SAMPLE_DIR, constraint_file, data_file
from tests.fakes import CatchAllFake

if TYPE_CHECKING:
    pass

NOT_EMULATED = "FakeOecd: not emulated"
# The token OECD's service is reported to send for an empty data query (public client code tests
# ``startsWith("NoRecords")``); the exact body and content type are UNCONFIRMED.
NO_RECORDS_TEXT = "NoRecordsFound"
# Wording of OECD's 413/429/unknown-dataflow bodies is UNCONFIRMED; only the status codes are documented.
TOO_LARGE_TEXT = "Response too large due to client request"
TOO_MANY_TEXT = "Too Many Requests"
UNKNOWN_FLOW_TEXT = "Could not find Dataflow and/or DSD related with this data request"
NSI_COMMENT = "<!--NSI Web Service v8.18.2.0-->"  # oecd constraint
NAMESPACES = (
    'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message" '
    'xmlns:structure="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure" '
    'xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"'
)
NS = {
    "message": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "structure": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "common": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
STRUCTURE_TYPE = "application/vnd.sdmx.structure+xml; version=2.1; charset=utf-8"  # nsi references
CSV_TYPES = {  # csv guide; the media type OECD sets per format is UNCONFIRMED
    "csvfile": "application/vnd.sdmx.data+csv; charset=utf-8; version=1.0.0",
    "csvfilewithlabels": "application/vnd.sdmx.data+csv; charset=utf-8; version=2.0.0; labels=name",
}
DATA_PARAMS = frozenset({"startPeriod", "endPeriod", "dimensionAtObservation", "format"})
NOT_EMULATED_PARAMS = frozenset(
    {"updatedAfter", "firstNObservations", "lastNObservations", "detail", "includeHistory", "asOf", "attributes"}
)
LABELS = {  # English names for csvfilewithlabels; the real ones come from the codelists
    "REF_AREA": "Reference area",
    "TIME_PERIOD": "Time period",
    "OBS_VALUE": "Observation value",
    "OBS_STATUS": "Observation status",
    "UNIT_MULT": "Unit multiplier",
}


@dataclass
class FakeDsd:
    id: str
    version: str
    dimensions: tuple[str, ...]
    attributes: tuple[str, ...] = ("OBS_STATUS", "UNIT_MULT", "DECIMALS")
    name: str = "Education at a Glance - UOE non-finance students"


@dataclass
class FakeFlow:
    """One dataflow and its data. ``cube`` None: the actual constraint is computed from ``rows``."""

    id: str
    dsd: FakeDsd
    names: dict[str, str]
    rows: list[dict[str, str]] = field(default_factory=list)
    version: str = "1.0"
    valid_from: str | None = "2025-09-09T08:12:41.503Z"
    cube: dict[str, tuple[str, ...]] | None = None
    obs_count: int | None = None


@dataclass
class Fault:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    when: Callable[[Request], bool] | None


class FakeOecd(CatchAllFake):
    """In-memory OECD SDMX REST service served through pytest-httpserver.

    Attributes tests may set: ``faults`` (via `fail_next`), ``changed_data_dimensions`` (rename
    columns of data answers, e.g. ``{"ORIGIN": "COUNTRY_ORIGIN"}``), ``no_results_style`` ("text":
    NO_RECORDS_TEXT, "sdmx-ml": the standard SDMX error message 100), ``max_observations`` (more in
    one answer -> 413), ``download_limit`` / ``block_seconds`` (data downloads per hour before a 429
    with Retry-After). ``requests`` logs (path, query params) of every request.
    """

    def __init__(self, flows: Iterable[FakeFlow], agency: str = AGENCY) -> None:
        self.flows = list(flows)
        self.agency = agency
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.changed_data_dimensions: dict[str, str] = {}
        self.no_results_style = "text"
        self.max_observations = 100_000
        self.download_limit: int | None = None
        self.block_seconds = 3600
        self.downloads = 0

    @classmethod
    def from_sample(cls, directory: Path = SAMPLE_DIR) -> FakeOecd:
        """The bundled sample as a service: same dataflows, DSD, constraints and rows."""
        listing = ET.parse(directory / "dataflow.xml").getroot()
        dsds: dict[str, FakeDsd] = {}
        for path in sorted(directory.glob("datastructure_*.xml")):
            for dsd in ET.parse(path).getroot().iterfind(".//structure:DataStructure", NS):
                dims = sorted(
                    (int(d.get("position", "0")), d.get("id", ""))
                    for d in dsd.iterfind(".//structure:DimensionList/structure:Dimension", NS)
                )
                attrs = tuple(
                    a.get("id", "") for a in dsd.iterfind(".//structure:AttributeList/structure:Attribute", NS)
                )
                dsds[dsd.get("id", "")] = FakeDsd(
                    dsd.get("id", ""), dsd.get("version", ""), tuple(d for _, d in dims), attrs
                )
        flows = []
        for element in listing.iterfind(".//structure:Dataflow", NS):
            ref = element.find("structure:Structure/Ref", NS)
            dsd_id = ref.get("id", "") if ref is not None else ""
            names = {
                n.get("{http://www.w3.org/XML/1998/namespace}lang", "en"): n.text or ""
                for n in element.iterfind("common:Name", NS)
            }
            flow = FakeFlow(
                element.get("id", ""),
                dsds.get(dsd_id) or FakeDsd(dsd_id, ref.get("version", "1.0") if ref is not None else "1.0", ()),
                names,
                version=element.get("version", "1.0"),
                valid_from=None,
            )
            constraint_path = directory / constraint_file(flow.id)
            if constraint_path.exists():
                constraint = ET.parse(constraint_path).getroot().find(".//structure:ContentConstraint", NS)
                assert constraint is not None
                flow.valid_from = constraint.get("validFrom")
                flow.cube = {
                    kv.get("id", ""): tuple(v.text or "" for v in kv.iterfind("common:Value", NS))
                    for kv in constraint.iterfind(".//common:KeyValue", NS)
                    if kv.find("common:Value", NS) is not None
                }
                count = constraint.find(".//common:Annotation[@id='obs_count']/common:AnnotationTitle", NS)
                flow.obs_count = int(count.text) if count is not None and count.text else None
            data_path = directory / data_file(flow.id)
            if data_path.exists():
                with data_path.open(newline="", encoding="utf-8") as fh:
                    flow.rows = [dict(r) for r in csv.DictReader(fh)]
                for row in flow.rows:
                    row.pop("DATAFLOW", None)
            flows.append(flow)
        return cls(flows)

    # ----------------------------------------------------------------- wiring and fault injection
    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: str | bytes | None = None,
        when: Callable[[Request], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` requests (that ``when`` accepts) with ``status``.

        429 gets ``Retry-After: 60`` unless ``headers`` say otherwise (whether OECD sends the header
        is UNCONFIRMED; the brief and the HTTP spec expect it); other statuses get a short text body.
        """
        merged = {"Retry-After": "60"} if status == 429 else {}
        merged.update(headers or {})
        if body is None:
            body = {429: TOO_MANY_TEXT, 413: TOO_LARGE_TEXT}.get(status, f"HTTP {status}")
        raw = body.encode() if isinstance(body, str) else body
        self.faults.extend([Fault(status, raw, "text/plain; charset=utf-8", merged, when)] * times)

    @property
    def data_requests(self) -> list[tuple[str, dict[str, str]]]:
        return [(p, q) for p, q in self.requests if _resource(p) == "data"]

    # ----------------------------------------------------------------- request handling
    def handle(self, request: Request) -> Response:
        path = request.path.removeprefix("/public/rest")
        self.requests.append((path, request.args.to_dict()))
        for i, fault in enumerate(self.faults):
            if fault.when is None or fault.when(request):
                self.faults.pop(i)
                return Response(fault.body, fault.status, content_type=fault.content_type, headers=fault.headers)
        resource = _resource(path)
        if resource == "dataflow":
            return self._dataflow(path, request.args.to_dict())
        if resource == "contentconstraint":
            return self._constraint(path)
        if resource == "data":
            return self._data(path, request)
        return _text(501, f"{NOT_EMULATED}: resource {resource!r}")

    # ----------------------------------------------------------------- structure
    def _select(self, agency: str, flow_id: str, version: str) -> list[FakeFlow]:
        return [
            f
            for f in self.flows
            if agency in ("all", self.agency)
            and flow_id in ("all", f.id)
            and version in ("all", "latest", "~", f.version)
        ]

    def _dataflow(self, path: str, args: dict[str, str]) -> Response:
        """``dataflow/{agency}[/{id}[/{version}]]`` (spec:data keywords; nsi references shape)."""
        parts = [p for p in path.split("/")[2:] if p]
        if not 1 <= len(parts) <= 3:
            return _text(400, "Syntax error")
        agency, flow_id, version = [*parts, "all", "latest"][:3]
        references = args.get("references", "none")
        if references not in ("none", "datastructure") or set(args) - {"references"}:
            return _text(501, f"{NOT_EMULATED}: parameters {sorted(args)}")
        flows = self._select(agency, flow_id, version)
        if not flows:
            return self._no_results()
        body = "    <structure:Dataflows>\n" + "".join(_dataflow_xml(f, self.agency) for f in flows)
        body += "    </structure:Dataflows>\n"
        if references == "datastructure":
            dsds = {(f.dsd.id, f.dsd.version): f.dsd for f in flows}
            body += "    <structure:DataStructures>\n"
            body += "".join(_dsd_xml(d, self.agency) for d in dsds.values())
            body += "    </structure:DataStructures>\n"
        return _structure(body)

    def _constraint(self, path: str) -> Response:
        """``contentconstraint/{agency}/CR_A_{flow}[/{version}]`` (oecd constraint)."""
        parts = [p for p in path.split("/")[2:] if p]
        if len(parts) < 2 or not parts[1].startswith("CR_A_"):
            return _text(501, f"{NOT_EMULATED}: constraint {path}")
        flows = self._select(parts[0], parts[1].removeprefix("CR_A_"), "latest")
        if not flows:
            return self._no_results()
        flow = flows[0]
        cube = flow.cube if flow.cube is not None else _cube(flow)
        years = sorted({int(r["TIME_PERIOD"][:4]) for r in flow.rows}) or [2013]
        obs_count = flow.obs_count if flow.obs_count is not None else len(flow.rows)
        return _structure(_constraint_xml(flow, self.agency, cube, obs_count, years[0], years[-1]))

    # ----------------------------------------------------------------- data
    def _data(self, path: str, request: Request) -> Response:
        """``data/{flowRef}[/{key}[/{provider}]]`` with period and format (spec:data, oecd csv)."""
        args = request.args.to_dict()
        if set(args) & NOT_EMULATED_PARAMS or set(args) - DATA_PARAMS - NOT_EMULATED_PARAMS:
            return _text(501, f"{NOT_EMULATED}: parameters {sorted(args)}")
        fmt = args.get("format") or ("csvfile" if "data+csv" in request.headers.get("Accept", "") else "")
        if fmt not in CSV_TYPES:
            return _text(501, f"{NOT_EMULATED}: format {fmt or '(SDMX-ML default)'}")
        self.downloads += 1
        if self.download_limit is not None and self.downloads > self.download_limit:
            # oecd limits: over the hourly data-download limit requests are "temporarily blocked".
            return Response(
                TOO_MANY_TEXT, 429, content_type="text/plain", headers={"Retry-After": str(self.block_seconds)}
            )
        parts = [p for p in path.split("/")[2:]]
        flow_ref = parts[0] if parts else ""
        key = parts[1] if len(parts) > 1 else "all"
        ref = flow_ref.split(",")
        agency, flow_id, version = {1: ["all", *ref, "latest"], 2: [*ref, "latest"]}.get(len(ref), ref[:3])
        flows = self._select(agency, flow_id, version or "latest")
        if not flows:
            return _text(404, UNKNOWN_FLOW_TEXT)
        flow = flows[0]
        dims = flow.dsd.dimensions
        if key in ("", "all"):
            wanted: list[set[str] | None] = [None] * len(dims)
        else:
            codes = key.split(".")
            if len(codes) != len(dims):  # spec:errors 140 syntax error
                return _text(400, f"Syntax error: key has {len(codes)} dimensions, the dataflow {len(dims)}")
            wanted = [set(c.split("+")) if c else None for c in codes]
        try:
            first = int(args["startPeriod"][:4]) if args.get("startPeriod") else None
            last = int(args["endPeriod"][:4]) if args.get("endPeriod") else None
        except ValueError:
            return _text(400, "Syntax error: startPeriod/endPeriod")
        rows = [
            r
            for r in flow.rows
            if all(w is None or r.get(d) in w for d, w in zip(dims, wanted, strict=True))
            and (first is None or int(r["TIME_PERIOD"][:4]) >= first)
            and (last is None or int(r["TIME_PERIOD"][:4]) <= last)
        ]
        if not rows:
            return self._no_results()
        if len(rows) > self.max_observations:  # spec:errors 130/510 -> 413
            return _text(413, TOO_LARGE_TEXT)
        return Response(self._csv(flow, rows, fmt), 200, content_type=CSV_TYPES[fmt])

    def _csv(self, flow: FakeFlow, rows: list[dict[str, str]], fmt: str) -> bytes:
        """SDMX-CSV 1.0 for csvfile, 2.0 with label columns for csvfilewithlabels (oecd csv, csv guide)."""
        components = [*flow.dsd.dimensions, "TIME_PERIOD", "OBS_VALUE", *flow.dsd.attributes]
        shown = [self.changed_data_dimensions.get(c, c) for c in components]
        structure_id = f"{self.agency}:{flow.id}({flow.version})"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if fmt == "csvfile":
            writer.writerow(["DATAFLOW", *shown])
            for row in rows:
                writer.writerow([structure_id, *(row.get(c, "") for c in components)])
        else:
            header = ["STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"]
            for name in shown:
                header += [name, LABELS.get(name, name.replace("_", " ").capitalize())]
            writer.writerow(header)
            for row in rows:
                cells = ["DATAFLOW", structure_id, flow.names.get("en", ""), "I"]
                for c in components:
                    # oecd csv: TIME_PERIOD and OBS_VALUE label cells are empty; codes get names
                    cells += [row.get(c, ""), "" if c in ("TIME_PERIOD", "OBS_VALUE") else row.get(c, "")]
                writer.writerow(cells)
        return out.getvalue().encode("utf-8")

    def _no_results(self) -> Response:
        """spec:errors 100 -> 404; OECD reportedly writes NoRecordsFound."""
        if self.no_results_style == "sdmx-ml":
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<message:Error {NAMESPACES}>\n"
                '  <message:ErrorMessage code="100">\n'
                '    <common:Text xml:lang="en">No Results Found</common:Text>\n'
                "  </message:ErrorMessage>\n"
                "</message:Error>"
            )
            return Response(body, 404, content_type="application/vnd.sdmx.error+xml; version=2.1")
        return _text(404, NO_RECORDS_TEXT)


# --------------------------------------------------------------------- writers
def _resource(path: str) -> str:
    parts = path.split("/")
    return parts[1] if len(parts) > 1 else ""


def _text(status: int, text: str) -> Response:
    return Response(text, status, content_type="text/plain; charset=utf-8")


def _structure(body: str) -> Response:
    text = (
        f'<?xml version="1.0" encoding="utf-8"?>\n{NSI_COMMENT}\n<message:Structure {NAMESPACES}>\n'
        "  <message:Header>\n    <message:ID>IDREF1</message:ID>\n    <message:Test>false</message:Test>\n"
        "    <message:Prepared>2026-01-15T10:00:00</message:Prepared>\n"
        '    <message:Sender id="Unknown" />\n    <message:Receiver id="Unknown" />\n  </message:Header>\n'
        f"  <message:Structures>\n{body}  </message:Structures>\n</message:Structure>"
    )
    return Response(text.replace("\n", "\r\n"), 200, content_type=STRUCTURE_TYPE)


def _dataflow_xml(flow: FakeFlow, agency: str) -> str:
    names = "".join(
        f'        <common:Name xml:lang="{lang}">{escape(name)}</common:Name>\n' for lang, name in flow.names.items()
    )
    return (
        f'      <structure:Dataflow id="{flow.id}" agencyID="{agency}" version="{flow.version}" isFinal="false">\n'
        f"{names}"
        "        <structure:Structure>\n"
        f'          <Ref id="{flow.dsd.id}" version="{flow.dsd.version}" agencyID="{agency}" '
        'package="datastructure" class="DataStructure" />\n'
        "        </structure:Structure>\n"
        "      </structure:Dataflow>\n"
    )


def _dsd_xml(dsd: FakeDsd, agency: str) -> str:
    dims = "".join(
        f'            <structure:Dimension id="{d}" position="{i}" />\n' for i, d in enumerate(dsd.dimensions, 1)
    )
    attrs = "".join(
        f'            <structure:Attribute id="{a}" assignmentStatus="Conditional">\n'
        "              <structure:AttributeRelationship>\n"
        '                <structure:PrimaryMeasure>\n                  <Ref id="OBS_VALUE" />\n'
        "                </structure:PrimaryMeasure>\n              </structure:AttributeRelationship>\n"
        "            </structure:Attribute>\n"
        for a in dsd.attributes
    )
    return (
        f'      <structure:DataStructure id="{dsd.id}" agencyID="{agency}" version="{dsd.version}" isFinal="false">\n'
        f'        <common:Name xml:lang="en">{escape(dsd.name)}</common:Name>\n'
        "        <structure:DataStructureComponents>\n"
        '          <structure:DimensionList id="DimensionDescriptor">\n'
        f"{dims}"
        f'            <structure:TimeDimension id="TIME_PERIOD" position="{len(dsd.dimensions) + 1}" />\n'
        "          </structure:DimensionList>\n"
        f'          <structure:AttributeList id="AttributeDescriptor">\n{attrs}          </structure:AttributeList>\n'
        '          <structure:MeasureList id="MeasureDescriptor">\n'
        '            <structure:PrimaryMeasure id="OBS_VALUE" />\n'
        "          </structure:MeasureList>\n"
        "        </structure:DataStructureComponents>\n"
        "      </structure:DataStructure>\n"
    )


def _cube(flow: FakeFlow) -> dict[str, tuple[str, ...]]:
    return {d: tuple(sorted({r[d] for r in flow.rows if d in r})) for d in flow.dsd.dimensions}


def _constraint_xml(
    flow: FakeFlow, agency: str, cube: Mapping[str, tuple[str, ...]], obs: int, y0: int, y1: int
) -> str:
    values = "".join(
        f'          <common:KeyValue id="{d}">\n'
        + "".join(f"            <common:Value>{escape(v)}</common:Value>\n" for v in codes)
        + "          </common:KeyValue>\n"
        for d, codes in cube.items()
    )
    valid_from = f" validFrom={quoteattr(flow.valid_from)}" if flow.valid_from else ""
    return (
        "    <structure:Constraints>\n"
        f'      <structure:ContentConstraint id={quoteattr("CR_A_" + flow.id)} agencyID="{agency}" '
        f'version="1.0"{valid_from} isFinal="false" type="Actual">\n'
        "        <common:Annotations>\n"
        '          <common:Annotation id="obs_count">\n'
        f"            <common:AnnotationTitle>{obs}</common:AnnotationTitle>\n"
        "            <common:AnnotationType>sdmx_metrics</common:AnnotationType>\n"
        "          </common:Annotation>\n"
        "        </common:Annotations>\n"
        f'        <common:Name xml:lang="en">Availability (A) for {escape(flow.id)}</common:Name>\n'
        '        <structure:CubeRegion include="true">\n'
        f"{values}"
        '          <common:KeyValue id="TIME_PERIOD">\n            <common:TimeRange>\n'
        f'              <common:StartPeriod isInclusive="true">{y0}-01-01T00:00:00</common:StartPeriod>\n'
        f'              <common:EndPeriod isInclusive="true">{y1}-12-31T00:00:00</common:EndPeriod>\n'
        "            </common:TimeRange>\n          </common:KeyValue>\n"
        "        </structure:CubeRegion>\n"
        "      </structure:ContentConstraint>\n"
        "    </structure:Constraints>\n"
    )
