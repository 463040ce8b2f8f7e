"""OECD SDMX REST connector: international tertiary students by destination and country of origin.

Plain Python over `JsonHttpClient`; the Dagster asset owns caching and the "skip when ValidFrom has
not changed" rule, this module answers four questions: which dataflows the agency has, which of them
is the mobility one, when it was last updated (`valid_from`), and its observations.

Requests (SDMX 2.1 REST, docs/methods.md#oecd-sdmx):

* ``dataflow/{agency}`` - the agency's dataflows (SDMX-ML 2.1 structure message);
* ``contentconstraint/{agency}/CR_A_{dataflow}/`` - the "actual" constraint: ``validFrom`` (last
  update), an ``obs_count`` annotation and, per dimension, the codes that have data;
* ``dataflow/{agency}/{id}/{version}?references=datastructure`` - the DSD, for the key's dimension order;
* ``data/{agency},{id},{version}/{key}?startPeriod=&endPeriod=&dimensionAtObservation=AllDimensions
  &format=csvfile`` - one data download (SDMX-CSV).

Discovery. The mobility dataflow id is UNCONFIRMED, so `mobility_dataflow` lists the agency's
dataflows and picks the one that really has countries of origin. A DSD-only test cannot tell: public
queries show the student dataflows sharing one DSD (``DSD_EAG_UOE_NON_FIN_STUD``) whose 15 dimensions
already include ORIGIN, DESTINATION and MOBILITY. So the client reads each candidate's actual content
constraint (cheap structure queries, no data download) and keeps the dataflow whose origin dimension
holds country codes and whose cube contains the codes we filter on. An explicit `override` skips the
guesswork; several or no matches are errors that say to set it.

Parsing choice. No SDMX library: sdmx1 (import ``sdmx``, 2.28) reads SDMX-ML structure messages, but
its SDMX-CSV reader handles SDMX-CSV 2.x only, needs the DSD object first and accepts a STRUCTURE value
of lower-case ``dataflow`` only, while OECD writes ``DATAFLOW`` (real answer printed in
m-mcmain/m-mcmain.github.io, "Econ_390 Lecture 17 - Additional APIs_full.md"); it would also add lxml,
platformdirs and dateutil for the few fields we need. Instead: data is requested as ``format=csvfile``
and read with the stdlib ``csv`` module (SDMX-CSV 1.0 and 2.0 headers, with or without label columns,
are understood); polars was tried and rejected because polars 2.1 pads a short (cut-off) row with
nulls without a word, whereas ``csv`` reports each record's real field count, which we check. Structure
messages are SDMX-ML 2.1, whose element names are fixed by the standard, read with
``xml.etree.ElementTree`` after refusing any DOCTYPE (no entity expansion).

Empty answers. The SDMX REST standard maps error 100 "No results found" to HTTP 404
(sdmx-twg/sdmx-rest v1.5.0, v2_1/ws/rest/docs/4_7_errors.md); OECD's service reportedly writes
``NoRecordsFound`` (public client code that checks the body with ``startsWith("NoRecords")``). A 404
carrying either token, or an SDMX-ML error message with code 100, is an empty result, not an error.
413 is SDMX error 130/510 "response too large" (same page; OECD also answers 413 for blocked parameters
on large dataflows, oecd.org "API query parameter restrictions", 2026-03).

Limits (oecd.org "API best practices and recommendations", 2024-11 and later): 20 queries per minute
and 20, later 60, data downloads per hour. `REQUESTS_PER_SECOND` paces every call at 20/min; the
client refuses a data download beyond `MAX_DOWNLOADS_PER_HOUR` per run.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import requests

from pipeline.http import JsonHttpClient, SourceError, error_text

SOURCE = "oecd"
AGENCY = "OECD.EDU.IMEP"
BASE_URL = "https://sdmx.oecd.org/public/rest/"
REQUESTS_PER_SECOND = 1 / 3  # 20 queries per minute (documented limit since 2024-11)
MAX_DOWNLOADS_PER_HOUR = 20  # the stricter of the documented 20 and 60 data downloads per hour
DATA_FORMAT = "csvfile"  # SDMX-CSV, codes only

# --- ASSUMPTIONS (not confirmed against the live API; see sample_data/oecd/README.md) ----------------
# The mobility dataflow's id: one public note names it; the client discovers the real one.
DEFAULT_DATAFLOW = "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_MOBILE_STUDENTS"
# DSD dimension order as three independent public queries of OECD.EDU.IMEP student/personnel
# dataflows show it (15 dimensions); REF_AREA is the reporting (destination) country.
EXPECTED_DIMENSIONS = (
    "REF_AREA",
    "EDUCATION_LEV",
    "MEASURE",
    "EDUCATION_TYPE",
    "INTENSITY",
    "EDUCATION_FIELD",
    "GRADE",
    "FREQ",
    "ORIGIN",
    "DESTINATION",
    "INST_TYPE_EDU",
    "MOBILITY",
    "UNIT_MEASURE",
    "SEX",
    "AGE",
)
TIME_DIMENSION = "TIME_PERIOD"
DESTINATION_DIMENSION = "REF_AREA"
ORIGIN_DIMENSION = "ORIGIN"
# Dimension ids that mean "country of origin" when discovering (the legacy OECD.Stat table used
# COUNTRY_ORIGIN); a match on COUNTRY_ORIGIN then fails the dimension check loudly.
ORIGIN_DIMENSION_IDS = ("ORIGIN", "COUNTRY_ORIGIN")
# Fixed in the data key: tertiary (ISCED 5-8) total, enrolled, international students, persons,
# both sexes, all ages, all institutions, annual. ISCED11_5T8, _T, INST_EDU and A appear in public
# queries of the same agency; ENRL, INTL and PS are guesses.
FILTER_CODES: Mapping[str, str] = {
    "EDUCATION_LEV": "ISCED11_5T8",
    "MEASURE": "ENRL",
    "FREQ": "A",
    "INST_TYPE_EDU": "INST_EDU",
    "MOBILITY": "INTL",
    "UNIT_MEASURE": "PS",
    "SEX": "_T",
    "AGE": "_T",
}
# Words in a dataflow's id or name that make it worth probing during discovery.
CANDIDATE_WORDS = ("MOBIL", "INTERNATIONAL", "FOREIGN", "ORIGIN")
MAX_DISCOVERY_PROBES = 8  # structure queries spent on discovery at most
# SDMX codes that are totals or "not applicable", never a country.
NON_COUNTRY_CODES = frozenset({"_T", "_Z", "_X", "_U", "_O", "_N"})
# ----------------------------------------------------------------------------------------------------

_NS = {
    "message": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "structure": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "common": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODE = re.compile(r"[A-Za-z0-9_@.\-]+")
_KEY_CODE = re.compile(r"[A-Z0-9_]+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NO_RESULTS = re.compile(r"no[\s_]?(?:results|records)[\s_]?found", re.IGNORECASE)
_SDMX_ERROR_100 = re.compile(r"ErrorMessage[^>]*code=\"100\"")
_CSV_META = ("DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "SERIES_KEY", "OBS_KEY")


@dataclass(frozen=True)
class Dataflow:
    agency: str
    id: str
    version: str
    name: str

    @property
    def flow_ref(self) -> str:
        """The data query's flowRef: ``AGENCY,ID,VERSION``."""
        return f"{self.agency},{self.id},{self.version}"


@dataclass(frozen=True)
class OecdObservation:
    destination_iso3: str
    origin_iso3: str
    year: int
    value: float | None
    obs_status: str | None
    unit_mult: int | None
    dimensions: dict[str, str]
    request: str
    retrieved_at: datetime


@dataclass(frozen=True)
class OecdFetch:
    observations: tuple[OecdObservation, ...]
    valid_from: str | None
    dataflow: Dataflow
    request: str


@dataclass(frozen=True)
class Constraint:
    """An actual content constraint: last update, observation count, codes with data per dimension."""

    valid_from: str | None
    obs_count: int | None
    cube: Mapping[str, tuple[str, ...]]
    request: str


@dataclass(frozen=True)
class Answer:
    """One raw answer, live or bundled: what the parse functions read."""

    status: int
    body: bytes
    request: str
    retrieved_at: datetime


# ------------------------------------------------------------------------------------ parsing
def is_no_results(status: int, text: str) -> bool:
    """The SDMX "no results" answer: 404 with NoResultsFound/NoRecordsFound or SDMX error 100."""
    return status == 404 and bool(_NO_RESULTS.search(text) or _SDMX_ERROR_100.search(text))


def _xml(answer: Answer, what: str) -> ET.Element:
    head = answer.body[:4096].lstrip()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise SourceError(SOURCE, f"{what} answer declares a DOCTYPE (refused)", request=answer.request)
    try:
        root = ET.fromstring(answer.body)
    except ET.ParseError as exc:
        raise SourceError(
            SOURCE,
            f"{what} answer is not SDMX-ML",
            request=answer.request,
            detail=f"{exc}; starts {answer.body[:120]!r}",
        ) from None
    if root.tag != f"{{{_NS['message']}}}Structure":
        raise SourceError(
            SOURCE, f"{what} answer is not an SDMX-ML 2.1 structure message", request=answer.request, detail=root.tag
        )
    return root


def _name(element: ET.Element) -> str:
    names = element.findall("common:Name", _NS)
    for name in names:
        if name.get(_XML_LANG, "en").startswith("en"):
            return (name.text or "").strip()
    return (names[0].text or "").strip() if names else ""


def parse_dataflows(answer: Answer) -> list[Dataflow]:
    """Dataflows of a ``dataflow/{agency}`` answer; a "no results" 404 is an empty list."""
    if is_no_results(answer.status, answer.body[:2000].decode("utf-8", "replace")):
        return []
    root = _xml(answer, "dataflow")
    flows = []
    for element in root.iterfind("message:Structures/structure:Dataflows/structure:Dataflow", _NS):
        agency, flow_id, version = (element.get(a) for a in ("agencyID", "id", "version"))
        if not (agency and flow_id and version):
            raise SourceError(
                SOURCE,
                "dataflow without agencyID, id or version",
                request=answer.request,
                detail=ET.tostring(element)[:200].decode(),
            )
        flows.append(Dataflow(agency, flow_id, version, _name(element)))
    return flows


def parse_constraint(answer: Answer) -> Constraint | None:
    """The actual constraint of a ``contentconstraint/...`` answer; None when the service has none."""
    if is_no_results(answer.status, answer.body[:2000].decode("utf-8", "replace")):
        return None
    root = _xml(answer, "content constraint")
    constraints = root.findall("message:Structures/structure:Constraints/structure:ContentConstraint", _NS)
    actual = [c for c in constraints if c.get("type", "Actual") == "Actual"]
    if len(actual) != 1:
        raise SourceError(
            SOURCE,
            "expected exactly one actual content constraint",
            request=answer.request,
            detail=f"found {len(actual)} of {len(constraints)}",
        )
    element = actual[0]
    obs_count = None
    for annotation in element.iterfind("common:Annotations/common:Annotation", _NS):
        if annotation.get("id") == "obs_count":
            title = (annotation.findtext("common:AnnotationTitle", "", _NS) or "").strip()
            obs_count = int(title) if title.isdigit() else None
    cube: dict[str, tuple[str, ...]] = {}
    for region in element.iterfind("structure:CubeRegion", _NS):
        if region.get("include", "true") != "true":
            continue
        for key_value in region.iterfind("common:KeyValue", _NS):
            values = tuple((v.text or "").strip() for v in key_value.iterfind("common:Value", _NS))
            if values:  # TIME_PERIOD comes as a TimeRange, not as values
                cube[key_value.get("id", "")] = values
    return Constraint(element.get("validFrom"), obs_count, cube, answer.request)


def parse_dimensions(answer: Answer, dataflow: Dataflow) -> tuple[str, ...]:
    """Key dimensions, in position order, of the DSD that `dataflow` references."""
    if is_no_results(answer.status, answer.body[:2000].decode("utf-8", "replace")):
        raise SourceError(SOURCE, "dataflow not found", request=answer.request, record=dataflow.id)
    root = _xml(answer, "data structure")
    structures = root.find("message:Structures", _NS)
    flow = (
        None
        if structures is None
        else structures.find(f"structure:Dataflows/structure:Dataflow[@id='{dataflow.id}']", _NS)
    )
    ref = None if flow is None else flow.find("structure:Structure/Ref", _NS)
    dsds = [] if structures is None else structures.findall("structure:DataStructures/structure:DataStructure", _NS)
    if ref is not None:
        dsds = [d for d in dsds if d.get("id") == ref.get("id") and d.get("version") == ref.get("version")]
    if len(dsds) != 1:
        raise SourceError(
            SOURCE,
            "answer lacks the dataflow's data structure",
            request=answer.request,
            record=dataflow.id,
            detail=f"{len(dsds)} matching DataStructure elements",
        )
    dims = []
    for dim in dsds[0].iterfind("structure:DataStructureComponents/structure:DimensionList/structure:Dimension", _NS):
        position = dim.get("position", "")
        if not position.isdigit() or not dim.get("id"):
            raise SourceError(SOURCE, "dimension without id or position", request=answer.request, record=dataflow.id)
        dims.append((int(position), dim.get("id", "")))
    return tuple(d for _, d in sorted(dims))


def _dimension_detail(expected: Iterable[str], got: Iterable[str]) -> str:
    expected, got = list(expected), list(got)
    missing = [d for d in expected if d not in got]
    extra = [d for d in got if d not in expected]
    return f"expected {','.join(expected)}; got {','.join(got)} (missing: {missing or '-'}; unexpected: {extra or '-'})"


def check_dimensions(dimensions: Sequence[str], request: str) -> None:
    """Raise when the dataflow's dimensions are not the ones the key and the filters assume."""
    if sorted(dimensions) != sorted(EXPECTED_DIMENSIONS):
        raise SourceError(
            SOURCE,
            "SDMX dimensions changed",
            request=request,
            detail=_dimension_detail(EXPECTED_DIMENSIONS, dimensions),
        )


def parse_data_csv(answer: Answer) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    """(dimension ids, rows) of an SDMX-CSV answer; a "no results" answer is ((), []).

    Understands SDMX-CSV 1.0 (``DATAFLOW`` first) and 2.0 (``STRUCTURE,STRUCTURE_ID[,STRUCTURE_NAME],
    ACTION``), with ``labels=name`` label columns (2.0, after STRUCTURE_NAME) or ``ID: Name`` headers.
    Dimension columns are the component columns before OBS_VALUE, as the SDMX-CSV guide orders them
    (dimensions, then measures, then attributes; sdmx-twg/sdmx-csv data-message field guide).
    """
    text = answer.body.decode("utf-8-sig", "replace")
    if is_no_results(answer.status, text[:2000]) or _NO_RESULTS.fullmatch(text.strip()):
        return (), []
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not records[0] or records[0][0].split("[")[0].upper() not in ("DATAFLOW", "STRUCTURE"):
        raise SourceError(SOURCE, "answer is not SDMX-CSV", request=answer.request, detail=f"starts {text[:120]!r}")
    header = records[0]
    labels = "STRUCTURE_NAME" in header
    first = 0
    while first < len(header) and header[first].split("[")[0] in _CSV_META:
        first += 1
    step = 2 if labels else 1
    columns = {i: header[i].split(": ")[0] for i in range(first, len(header), step)}
    names = list(columns.values())
    if "OBS_VALUE" not in names:
        raise SourceError(SOURCE, "SDMX-CSV answer without an OBS_VALUE column", request=answer.request)
    dims = tuple(n for n in names[: names.index("OBS_VALUE")] if n != TIME_DIMENSION)
    rows = []
    for line_no, record in enumerate(records[1:], start=2):
        if not record:
            continue
        if len(record) != len(header):
            raise SourceError(
                SOURCE,
                "SDMX-CSV record with a wrong number of fields (cut off?)",
                request=answer.request,
                record=f"line {line_no}",
                detail=f"{len(record)} fields, header has {len(header)}",
            )
        rows.append({name: record[i] for i, name in columns.items()})
    return dims, rows


def _record_name(row: Mapping[str, str], dims: Sequence[str]) -> str:
    return f"{'.'.join(row.get(d, '') for d in dims)} {TIME_DIMENSION}={row.get(TIME_DIMENSION, '')}"


def _wanted(row: Mapping[str, str], destinations: set[str], origins: set[str]) -> bool:
    """In the query: an asked destination and origin, and every `FILTER_CODES` code."""
    if row.get(DESTINATION_DIMENSION) not in destinations or row.get(ORIGIN_DIMENSION) not in origins:
        return False
    return all(row.get(d) == code for d, code in FILTER_CODES.items())


def _year(row: Mapping[str, str], record: str, request: str) -> int:
    period = row.get(TIME_DIMENSION, "")
    if not re.fullmatch(r"\d{4}", period):
        raise SourceError(SOURCE, "period is not a year", request=request, record=record)
    return int(period)


def _scaled_value(row: Mapping[str, str], record: str, request: str) -> tuple[float | None, int | None]:
    """(OBS_VALUE * 10**UNIT_MULT or None when missing, UNIT_MULT as published)."""
    raw = (row.get("OBS_VALUE") or "").strip()
    if raw in ("", "NaN"):  # SDMX-CSV: NaN marks an intentionally missing number
        value = None
    elif _NUMBER.fullmatch(raw):
        value = float(raw)
    else:
        raise SourceError(SOURCE, "non-numeric OBS_VALUE", request=request, record=record, detail=repr(raw))
    mult_text = (row.get("UNIT_MULT") or "").strip()
    if mult_text and not re.fullmatch(r"-?\d{1,2}", mult_text):
        raise SourceError(SOURCE, "UNIT_MULT is not a small integer", request=request, record=record, detail=mult_text)
    unit_mult = int(mult_text) if mult_text else None
    if value is not None and unit_mult:
        value = value * 10**unit_mult
    return value, unit_mult


def to_observations(
    dims: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    *,
    destinations: Iterable[str],
    origins: Iterable[str],
    start: int,
    end: int,
    request: str,
    retrieved_at: datetime,
) -> list[OecdObservation]:
    """Observations for the asked destinations, origins, years and `FILTER_CODES`, checked.

    Rows outside the query are dropped (a wildcarded answer may carry more); a non-numeric value,
    a non-annual period, a bad UNIT_MULT or a repeated (destination, origin, year) is an error that
    names the record. UNIT_MULT is applied: value * 10**UNIT_MULT.
    """
    wanted_dest, wanted_origin = set(destinations), set(origins)
    out: list[OecdObservation] = []
    seen: dict[tuple[str, str, int], str] = {}
    for row in rows:
        if not _wanted(row, wanted_dest, wanted_origin):
            continue
        record = _record_name(row, dims)
        year = _year(row, record, request)
        if not start <= year <= end:
            continue
        value, unit_mult = _scaled_value(row, record, request)
        cell = (row[DESTINATION_DIMENSION], row[ORIGIN_DIMENSION], year)
        if cell in seen:
            raise SourceError(
                SOURCE,
                "duplicate observation for (destination, origin, year)",
                request=request,
                record=record,
                detail=f"also {seen[cell]}",
            )
        seen[cell] = record
        out.append(
            OecdObservation(
                destination_iso3=cell[0],
                origin_iso3=cell[1],
                year=year,
                value=value,
                obs_status=(row.get("OBS_STATUS") or "").strip() or None,
                unit_mult=unit_mult,
                dimensions={d: row.get(d, "") for d in dims},
                request=request,
                retrieved_at=retrieved_at,
            )
        )
    return sorted(out, key=lambda o: (o.destination_iso3, o.origin_iso3, o.year))


def build_key(dimensions: Sequence[str], destinations: Sequence[str], origins: Sequence[str]) -> str:
    """The SDMX key: dot-separated dimension codes in DSD order, ``+`` = OR, empty = wildcard."""
    fixed = {**FILTER_CODES, DESTINATION_DIMENSION: "+".join(destinations), ORIGIN_DIMENSION: "+".join(origins)}
    return ".".join(fixed.get(d, "") for d in dimensions)


def _codes(codes: Iterable[str], what: str) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(c.strip().upper() for c in codes))
    if not out or not all(_KEY_CODE.fullmatch(c) for c in out):
        raise ValueError(f"{what}: expected a non-empty list of SDMX codes such as USA, got {list(codes)!r}")
    return out


def _is_candidate(flow: Dataflow) -> bool:
    text = f"{flow.id} {flow.name}".upper()
    return any(word in text for word in CANDIDATE_WORDS)


def _has_origins(constraint: Constraint | None) -> bool:
    """A dataflow worth taking: country codes in an origin dimension and our filter codes present."""
    if constraint is None:
        return False
    origin_codes = [c for d in ORIGIN_DIMENSION_IDS for c in constraint.cube.get(d, ())]
    if not any(c not in NON_COUNTRY_CODES for c in origin_codes):
        return False
    return all(code in constraint.cube.get(d, (code,)) for d, code in FILTER_CODES.items())


# ------------------------------------------------------------------------------------ transports
@dataclass
class OecdHttp(JsonHttpClient):
    """The OECD service's answers: 413 is final and explained; "no results" 404 is an empty answer.

    429 and 5xx (503 included) are retried by the base client, honouring Retry-After and failing fast
    when the wait exceeds `max_retry_after` (an hourly download block).
    """

    source: str = SOURCE
    base_url: str = BASE_URL
    requests_per_second: float = REQUESTS_PER_SECOND
    headers: Mapping[str, str] = field(
        default_factory=lambda: {"User-Agent": "collab-observatory (OECD SDMX connector)", "Accept-Language": "en"}
    )

    def classify(self, response: requests.Response, safe_url: str) -> None:
        if response.status_code == 413:
            raise SourceError(
                SOURCE,
                "query too large for the OECD API (413)",
                request=safe_url,
                detail="narrow the key (fewer destinations or origins) or the years (startPeriod/endPeriod) "
                f"and split the query; server said: {error_text(response)[:200] or '-'}",
            )
        if response.status_code == 404 and is_no_results(404, response.text[:2000]):
            return  # SDMX error 100: an empty result, read as such by the parse functions
        super().classify(response, safe_url)


class _OecdReader:
    """Discovery, freshness and observations over four raw fetches (live or bundled)."""

    def __init__(self, agency: str = AGENCY, dataflow_override: str = "") -> None:
        # The run's choice (the resource's): the agency to search and, if set, the dataflow id to take.
        self.agency, self.dataflow_override = agency, dataflow_override
        self._constraints: dict[Dataflow, Constraint | None] = {}
        self._dimensions: dict[Dataflow, tuple[tuple[str, ...], str]] = {}

    # -- raw fetches, implemented by the transports -------------------------------------------------
    def _fetch_dataflows(self, agency: str) -> Answer:
        raise NotImplementedError

    def _fetch_constraint(self, dataflow: Dataflow) -> Answer:
        raise NotImplementedError

    def _fetch_structure(self, dataflow: Dataflow) -> Answer:
        raise NotImplementedError

    def _fetch_data(self, dataflow: Dataflow, key: str, start: int, end: int) -> Answer:
        raise NotImplementedError

    # -- public -------------------------------------------------------------------------------------
    def dataflows(self, agency: str = AGENCY) -> list[Dataflow]:
        """All dataflows the agency publishes (latest versions)."""
        return parse_dataflows(self._fetch_dataflows(agency))

    def mobility_dataflow(self, agency: str = AGENCY, override: str | None = None) -> Dataflow:
        """The dataflow of international students by country of origin.

        `override` names it (id, e.g. DSD_…@DF_…); otherwise the candidates (id or name mentioning
        mobility, international, foreign or origin) are probed through their actual constraints.
        """
        answer = self._fetch_dataflows(agency)
        flows = parse_dataflows(answer)
        if not flows:
            raise SourceError(SOURCE, "agency lists no dataflows", request=answer.request, record=agency)
        if override:
            chosen = [f for f in flows if f.id == override.strip()]
            if not chosen:
                raise SourceError(
                    SOURCE,
                    "override dataflow not listed by the agency",
                    request=answer.request,
                    record=override,
                    detail="candidates: " + ", ".join(f.id for f in flows if _is_candidate(f)),
                )
            return chosen[0]
        candidates = [f for f in flows if _is_candidate(f)][:MAX_DISCOVERY_PROBES]
        matches = [f for f in candidates if _has_origins(self._constraint(f))]
        if len(matches) == 1:
            return matches[0]
        rule = "no dataflow with countries of origin" if not matches else "several dataflows with countries of origin"
        raise SourceError(
            SOURCE,
            rule,
            request=answer.request,
            detail=f"probed {[f.id for f in candidates]}, matched {[f.id for f in matches]}; "
            "pass the dataflow id as override",
        )

    def valid_from(self, dataflow: Dataflow) -> str | None:
        """The dataflow's last update (ContentConstraint validFrom), None when the service gives none."""
        constraint = self._constraint(dataflow)
        return None if constraint is None else constraint.valid_from

    def observations(
        self,
        dataflow: Dataflow,
        destinations_iso3: Sequence[str],
        origins_iso3: Sequence[str],
        start: int,
        end: int,
    ) -> OecdFetch:
        """Students from each origin enrolled in each destination, start..end: ONE data query."""
        destinations, origins = _codes(destinations_iso3, "destinations"), _codes(origins_iso3, "origins")
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        dims, structure_request = self._structure(dataflow)
        check_dimensions(dims, structure_request)
        constraint = self._constraint(dataflow)
        if constraint is not None:
            # A code we assume but the dataflow lacks would give a silent empty answer: say so instead.
            absent = {d: c for d, c in FILTER_CODES.items() if d in constraint.cube and c not in constraint.cube[d]}
            if absent:
                raise SourceError(
                    SOURCE,
                    "assumed dimension codes have no data in the dataflow",
                    request=constraint.request,
                    record=dataflow.id,
                    detail=", ".join(
                        f"{d}={c} (available: {','.join(constraint.cube[d][:8])})" for d, c in absent.items()
                    ),
                )
        answer = self._fetch_data(dataflow, build_key(dims, destinations, origins), start, end)
        answer_dims, rows = parse_data_csv(answer)
        if rows or answer_dims:
            check_dimensions(answer_dims, answer.request)
        observations = to_observations(
            answer_dims or dims,
            rows,
            destinations=destinations,
            origins=origins,
            start=start,
            end=end,
            request=answer.request,
            retrieved_at=answer.retrieved_at,
        )
        return OecdFetch(
            tuple(observations), None if constraint is None else constraint.valid_from, dataflow, answer.request
        )

    # -- cached structure ---------------------------------------------------------------------------
    def _constraint(self, dataflow: Dataflow) -> Constraint | None:
        if dataflow not in self._constraints:
            self._constraints[dataflow] = parse_constraint(self._fetch_constraint(dataflow))
        return self._constraints[dataflow]

    def _structure(self, dataflow: Dataflow) -> tuple[tuple[str, ...], str]:
        if dataflow not in self._dimensions:
            answer = self._fetch_structure(dataflow)
            self._dimensions[dataflow] = (parse_dimensions(answer, dataflow), answer.request)
        return self._dimensions[dataflow]


class OecdClient(_OecdReader):
    """The live OECD SDMX REST API through an `OecdHttp` (or any `JsonHttpClient`)."""

    def __init__(
        self,
        http: JsonHttpClient,
        max_downloads: int = MAX_DOWNLOADS_PER_HOUR,
        agency: str = AGENCY,
        dataflow_override: str = "",
    ) -> None:
        super().__init__(agency, dataflow_override)
        self.http, self.max_downloads, self.downloads = http, max_downloads, 0

    def _get(self, path: str, params: Mapping[str, str] | None = None) -> Answer:
        response = self.http.request("GET", path, params=params, parse=lambda r: r.content)
        return Answer(response.status, response.data, response.url, response.retrieved_at)

    def _fetch_dataflows(self, agency: str) -> Answer:
        return self._get(f"dataflow/{_path_code(agency)}")

    def _fetch_constraint(self, dataflow: Dataflow) -> Answer:
        return self._get(f"contentconstraint/{_path_code(dataflow.agency)}/CR_A_{_path_code(dataflow.id)}/")

    def _fetch_structure(self, dataflow: Dataflow) -> Answer:
        path = f"dataflow/{_path_code(dataflow.agency)}/{_path_code(dataflow.id)}/{_path_code(dataflow.version)}"
        return self._get(path, {"references": "datastructure"})

    def _fetch_data(self, dataflow: Dataflow, key: str, start: int, end: int) -> Answer:
        path = f"data/{dataflow.flow_ref}/{key}"
        if self.downloads >= self.max_downloads:
            raise SourceError(
                SOURCE,
                "data-download cap reached",
                request=self.http.base_url.rstrip("/") + "/" + path,
                detail=f"{self.downloads} of {self.max_downloads} data downloads used this run "
                "(OECD allows 20-60 per hour); run again later",
            )
        self.downloads += 1  # counted when asked: the service counts what it receives
        params = {
            "startPeriod": str(start),
            "endPeriod": str(end),
            "dimensionAtObservation": "AllDimensions",
            "format": DATA_FORMAT,
        }
        return self._get(path, params)


def _path_code(code: str) -> str:
    """An agency, id or version as a URL path segment (refuses anything that could change the path)."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"not an SDMX identifier: {code!r}")
    return code
