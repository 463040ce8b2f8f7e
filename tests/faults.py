"""The connector fault suite's tables: the faults, the six connectors, and what each must do.

`tests/test_fault_suite.py` runs every (connector, fault) case of `CASES` against the connector's
own fake (tests/fakes/) behind a `FaultInjector`: a pytest-httpserver handler that answers the fault
to the requests it targets, once or N times, and hands every other request to the fake. So the real
client path runs (requests + tenacity in `pipeline.http`), built through the connector's Dagster
resource with small limits (3 attempts, a short timeout where the fault is a read timeout).

Outcomes: RECOVERED (the same records as without the fault, within bounded retries), REPORTED
(`SourceError` naming source, request and rule), or n/a (the fault cannot happen to that API; the
reason is kept next to it and printed by `tests/fault_report.py`).
"""

from __future__ import annotations

import gzip
import inspect
import json
import math
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cache
from typing import Any
from urllib.parse import urlencode

from werkzeug import Request, Response
from werkzeug.serving import WSGIRequestHandler

from assets.oecd.resource import OecdResource
from assets.openalex.resource import OpenAlexResource
from assets.openalex.sample import SAMPLE_DIR as OPENALEX_SAMPLE
from assets.opensky.client import ARRIVALS_PATH as OPENSKY_ARRIVALS
from assets.opensky.resource import OpenSkyResource
from assets.soda import client as soda
from assets.soda.resource import SodaResource
from assets.soda.sample import SAMPLE_DIR as SODA_SAMPLE
from assets.uis.client import DATA_PATH as UIS_DATA
from assets.uis.client import INBOUND_TOTAL, OUTBOUND_TOTAL
from assets.uis.resource import UisResource
from assets.worldbank.resource import WorldBankResource
from pipeline.http import JsonHttpClient
from pipeline.settings import REPO_ROOT, Settings, load_settings
from tests.fakes.oecd import FakeOecd
from tests.fakes.openalex import FakeOpenAlex
from tests.fakes.opensky import API_PREFIX, TOKEN_PATH, FakeOpenSky
from tests.fakes.soda import FakeSoda
from tests.fakes.uis import FakeUis
from tests.fakes.worldbank import FakeWorldBank

RECOVERED, REPORTED, NA = "recovered", "reported", "n/a"
TRANSIENT, PERSISTENT, ONCE = "transient", "persistent", "once"
MAX_ATTEMPTS = 3  # every client in the suite: the retry bound the faults are measured against
TIMES = MAX_ATTEMPTS - 1  # a transient fault answers this many times, then the fake answers
READ_TIMEOUT = 0.25  # client timeout (seconds) in the read-timeout cases; normal cases use NORMAL_TIMEOUT
NORMAL_TIMEOUT = 10.0
HOLD = 1.0  # a "read timeout" handler keeps the client waiting this long (> READ_TIMEOUT)
RETRY_AFTER = 7  # seconds a 429 asks for; recorded by the fake sleep, never slept
GAVE_UP = "gave up after bounded retries"  # pipeline.http: an answer still bad at the last attempt
TRANSPORT = "transport failure after bounded retries"  # pipeline.http: no usable answer at the last attempt
WRONG_SHAPE_BODY = b'{"data": []}'  # valid JSON, and no connector's envelope

Delegate = Callable[[Request], Response]
Answer = Callable[[Request, Delegate], Response]

# Secrets the clients are configured with: none may appear in an error message.
OPENALEX_KEY, OPENALEX_MAILTO = "fault-suite-key-7c1e", "faults@example.org"
SODA_TOKEN = "fault-suite-soda-token-2b9d"
OPENSKY_ID, OPENSKY_SECRET = "fault-suite-client", "fault-suite-secret-4a7f"


# --------------------------------------------------------------------------- HTTP-level fault answers
def status(code: int, headers: Mapping[str, str] | None = None) -> Answer:
    """An error status with a short text body instead of the fake's answer."""
    return lambda request, delegate: Response(
        f"fault suite: HTTP {code}".encode(), code, headers=dict(headers or {}), content_type="text/plain"
    )


def reset_connection(request: Request, delegate: Delegate) -> Response:
    """Close the socket with an RST (SO_LINGER 0) before any answer: the client sees ECONNRESET."""
    frame = inspect.currentframe()
    while frame is not None:  # tell werkzeug's handler not to read another request from the dead socket
        handler = frame.f_locals.get("self")
        if isinstance(handler, WSGIRequestHandler):
            handler.close_connection = True
            break
        frame = frame.f_back
    raw = socket.socket(fileno=request.environ["werkzeug.socket"].detach())
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()
    raise ConnectionResetError("fault suite: connection reset")  # werkzeug drops it quietly


RELEASE = threading.Event()  # set when the suite ends, so no handler thread outlives it


def hold_past_timeout(request: Request, delegate: Delegate) -> Response:
    """Answer nothing for HOLD seconds (the client's READ_TIMEOUT is shorter), then give up.

    The fake is not asked: its state must not change after the client has stopped waiting."""
    RELEASE.wait(HOLD)
    return Response(b"too late", 503, content_type="text/plain")


def cut_point(data: bytes) -> int:
    """Past the middle, just after the first comma of a line: no parser can take the prefix for a
    whole answer (JSON stays unbalanced; an SDMX-CSV record loses fields)."""
    mid = len(data) // 2
    line = data.find(b"\n", mid)
    comma = data.find(b",", line + 1 if line != -1 else mid)
    return comma + 1 if comma != -1 else mid


def truncated(request: Request, delegate: Delegate) -> Response:
    """The fake's answer cut short of its Content-Length: the connection ends mid-body."""
    whole = delegate(request)
    data = whole.get_data()
    cut = Response(data[: cut_point(data)], whole.status_code, headers=whole.headers)
    cut.headers["Content-Length"] = str(len(data))
    return cut


def cut_mid_document(request: Request, delegate: Delegate) -> Response:
    """The fake's answer cut mid-document, sent whole (Content-Length fits), as a proxy that cut it would."""
    response = delegate(request)
    data = response.get_data()
    response.set_data(data[: cut_point(data)])
    return response


def wrong_shape(request: Request, delegate: Delegate) -> Response:
    """HTTP 200 with valid JSON of a shape no connector expects."""
    return Response(WRONG_SHAPE_BODY, 200, content_type="application/json")


def rewrite_json(response: Response, change: Callable[[Any], Any]) -> Response:
    response.set_data(json.dumps(change(json.loads(response.get_data()))).encode())
    return response


def with_args(request: Request, **changes: str) -> Request:
    """The same request with some query parameters replaced (a server that misreads its page token)."""
    args = request.args.to_dict(flat=False)
    args.update({k: [v] for k, v in changes.items()})
    return Request(dict(request.environ, QUERY_STRING=urlencode(args, doseq=True)))


class FaultInjector:
    """A pytest-httpserver handler: the requests `target` accepts, after the first `skip` of them, get
    `answer` (up to `times` of them); every other request goes to the fake. Counts what it saw."""

    def __init__(self, delegate: Delegate, target: Callable[[Request], bool], skip: int = 0) -> None:
        self.delegate, self.target, self.skip = delegate, target, skip
        self.answer: Answer | None = None
        self.times: float = 0
        self.matched = self.injected = self.attempts = 0
        self.faulted: tuple[str, dict[str, list[str]]] | None = None  # (path, query) of the faulted request
        self._lock = threading.Lock()

    def arm(self, answer: Answer, times: float) -> None:
        self.answer, self.times = answer, times

    def __call__(self, request: Request) -> Response:
        asked = (request.path, request.args.to_dict(flat=False))
        with self._lock:
            inject = False
            if self.target(request):
                self.matched += 1
                inject = self.answer is not None and self.matched > self.skip and self.injected < self.times
                self.injected += inject
                if inject and self.faulted is None:
                    self.faulted = asked
            self.attempts += asked == self.faulted  # the faulted request, its retries included
        if inject:
            assert self.answer is not None
            return self.answer(request, self.delegate)
        return self.delegate(request)


# --------------------------------------------------------------------------- faults
@dataclass(frozen=True)
class Fault:
    key: str  # test id
    label: str  # row of the printed table
    answer: Answer | None  # None: a paging fault, answered by the connector's own transform
    transient: bool = False  # worth retrying: tried as TRANSIENT (TIMES, then the fake) and PERSISTENT
    transport: bool = False  # a persistent one ends in TRANSPORT (no answer), else in GAVE_UP
    wait_header: str | None = None  # a 429 asking for RETRY_AFTER seconds through this header
    read_timeout: bool = False  # the client runs with READ_TIMEOUT

    @property
    def modes(self) -> tuple[str, ...]:
        return (TRANSIENT, PERSISTENT) if self.transient else (ONCE,)


FAULTS: tuple[Fault, ...] = (
    Fault(
        "429-retry-after",
        f"429 + Retry-After: {RETRY_AFTER}",
        status(429, {"Retry-After": str(RETRY_AFTER)}),
        transient=True,
        wait_header="Retry-After",
    ),
    Fault(
        "429-x-rate-limit",
        f"429 + X-Rate-Limit-Retry-After-Seconds: {RETRY_AFTER}",
        status(429, {"X-Rate-Limit-Retry-After-Seconds": str(RETRY_AFTER)}),
        transient=True,
        wait_header="X-Rate-Limit-Retry-After-Seconds",
    ),
    *(Fault(str(code), f"HTTP {code}", status(code), transient=True) for code in (500, 502, 503, 504)),
    Fault("reset", "connection reset (RST before any answer)", reset_connection, transient=True, transport=True),
    Fault(
        "read-timeout",
        f"read timeout (silent {HOLD:g} s > client {READ_TIMEOUT:g} s)",
        hold_past_timeout,
        transient=True,
        transport=True,
        read_timeout=True,
    ),
    Fault("truncated", "truncated body (short of Content-Length)", truncated, transient=True, transport=True),
    Fault("cut", "body cut mid-document (Content-Length fits)", cut_mid_document, transient=True),
    Fault("wrong-shape", "valid JSON of the wrong shape", wrong_shape),
    Fault("empty-page", "empty page in the middle of paging", None),
    Fault("repeat-token", "repeating cursor / page token", None),
)


# --------------------------------------------------------------------------- expectations
@dataclass(frozen=True)
class Expect:
    outcome: str
    rule: str = ""  # SourceError.rule, when REPORTED
    attempts: int = 1  # requests made for the faulted request (the first that got the fault), retries included
    reason: str = ""  # why n/a
    names_target: bool = True  # the error's request is the faulted one (else: another of the same query)


@dataclass(frozen=True)
class PagingFault:
    """A fault of a paged API: how the server misbehaves on the targeted page, and the rule it breaks."""

    answer: Answer
    rule: str
    names_target: bool = True


# --------------------------------------------------------------------------- connectors
@dataclass(frozen=True)
class Connector:
    """How to run one connector against its fake, and where the faults hit it."""

    key: str
    name: str  # column of the printed table
    source: str  # SourceError.source
    fake: Callable[[], Any]  # a fresh fake (with `.handle`) serving the bundled sample
    client: Callable[[str, dict[str, Any]], Any]  # (server URL, resource settings) -> client, via the resource
    extract: Callable[[Any], Any]  # the public extraction call
    http: Callable[[Any], list[JsonHttpClient]]  # the client's HTTP clients (fake sleep goes there)
    target: Callable[[Request], bool]  # the requests faults hit...
    skip: int  # ...after letting this many of them through (so the fault falls mid-extraction)
    wait_headers: tuple[str, ...]  # 429 wait headers the connector honours (else: its own backoff)
    wrong_shape_rule: str
    empty_page: PagingFault | str  # str: why it is n/a
    repeat_token: PagingFault | str
    secrets: tuple[str, ...] = ()
    redacts: bool = False  # its URLs carry secret parameters, shown as <redacted>
    overrides: Mapping[str, Expect] = field(default_factory=dict)  # fault key -> expectation (every mode)


def _live_settings() -> Settings:
    """The run's settings in live mode, without the environment: no *_BASE_URL overrides the fake's URL."""
    return replace(load_settings(), mode="live", environment={})


# -- OpenAlex: /works cursor paging (fetch_works), faults on the second page
OPENALEX_YEAR = 2019


@cache
def _openalex_works() -> tuple[dict, ...]:
    """The bundled sample's works of OPENALEX_YEAR, full records (the fake cuts list forms itself)."""
    with gzip.open(OPENALEX_SAMPLE / f"works_{OPENALEX_YEAR}.jsonl.gz", "rt", encoding="utf-8") as fh:
        works = [json.loads(line) for line in fh if line.strip()]
    with gzip.open(OPENALEX_SAMPLE / "singletons.jsonl.gz", "rt", encoding="utf-8") as fh:
        full = {w["id"]: w for w in (json.loads(line) for line in fh if line.strip())}
    return tuple(full.get(w["id"], w) for w in works)


def _openalex_page_two(request: Request) -> bool:
    return request.path == "/works" and request.args.get("cursor") not in (None, "*")


def _openalex_empty(request: Request, delegate: Delegate) -> Response:
    """Page 2 with no results but its cursor and meta.count intact (the next page would go on)."""
    return rewrite_json(delegate(request), lambda body: {**body, "results": []})


def _openalex_repeat(request: Request, delegate: Delegate) -> Response:
    """Page 2 hands back, as next_cursor, the cursor it was asked with."""
    return rewrite_json(
        delegate(request), lambda body: {**body, "meta": {**body["meta"], "next_cursor": request.args["cursor"]}}
    )


OPENALEX = Connector(
    key="openalex",
    name="OpenAlex",
    source="openalex",
    fake=lambda: FakeOpenAlex(list(_openalex_works()), api_key=OPENALEX_KEY),
    # The run's settings without OPENALEX_BASE_URL, which would override the fake's URL.
    client=lambda url, s: OpenAlexResource(
        base_url=url, api_key=OPENALEX_KEY, mailto=OPENALEX_MAILTO, per_page=25, **s
    ).client(replace(load_settings(), environment={})),
    # CN–US 2019: 85 works in pages of 25 (4 pages, then the empty page that ends the cursor), one
    # truncated author list fetched again as a singleton. The fake holds the year's works only.
    extract=lambda c: c.fetch_works(
        [("authorships.countries", "CN"), ("authorships.countries", "US"), ("publication_year", str(OPENALEX_YEAR))]
    ),
    http=lambda c: [c.http],
    target=_openalex_page_two,
    skip=0,
    # The API's proxy sends Retry-After (and X-RateLimit-Reset, the seconds to the daily reset), never
    # X-Rate-Limit-Retry-After-Seconds (ourresearch/openalex-api-proxy src/index.ts, 429 branch).
    wait_headers=("Retry-After",),
    wrong_shape_rule="response without a meta object",
    empty_page=PagingFault(_openalex_empty, "meta.count disagrees with the records paged"),
    repeat_token=PagingFault(_openalex_repeat, "cursor repeated"),
    secrets=(OPENALEX_KEY, OPENALEX_MAILTO),
    redacts=True,
)

# -- UIS: one data request per chunk (no paging), faults on the second chunk
UIS_COUNTRIES = ("CHN", "USA", "GBR", "AUS", "CAN", "JPN", "KOR", "DEU", "FRA", "IND")
UIS_VERSION = "20250917-00000000"

UIS = Connector(
    key="uis",
    name="UIS",
    source="uis",
    fake=FakeUis,
    # 2 indicators x 10 countries x 11 years = 220 cells: two chunks of 110 under max_records 120.
    client=lambda url, s: UisResource(base_url=url, max_records=120, **s).source(_live_settings()),
    extract=lambda c: c.fetch([INBOUND_TOTAL, OUTBOUND_TOTAL], list(UIS_COUNTRIES), 2013, 2023, UIS_VERSION),
    http=lambda c: [c.http],
    target=lambda r: r.path == UIS_DATA,
    skip=1,
    wait_headers=("Retry-After",),
    wrong_shape_rule="data answer without a records list",
    empty_page="no paging: /data/indicators answers a whole chunk in one response (no page, offset or total); "
    "the client chunks by indicator x geoUnit x years itself",
    repeat_token="no paging: no cursor or page parameter exists",
)

# -- OECD SDMX: discovery, structure, then ONE data download; faults on the data request
OECD = Connector(
    key="oecd",
    name="OECD",
    source="oecd",
    fake=FakeOecd.from_sample,
    client=lambda url, s: OecdResource(base_url=url + "public/rest/", **s).source(_live_settings()),
    extract=lambda c: c.observations(
        c.mobility_dataflow(),
        ["USA", "GBR", "AUS", "CAN", "JPN", "DEU", "FRA", "KOR"],
        ["CHN", "IND", "KOR", "USA"],
        2013,
        2022,
    ),
    http=lambda c: [c.http],
    target=lambda r: r.path.removeprefix("/public/rest").startswith("/data/"),
    skip=0,
    wait_headers=("Retry-After",),
    wrong_shape_rule="answer is not SDMX-CSV",
    empty_page="no paging: an SDMX data query answers the whole selection in one SDMX-CSV body",
    repeat_token="no paging: SDMX REST has no cursor or page token",
    overrides={
        # SDMX-CSV is read from the raw bytes (no JSON parse to fail and retry): a record that lost
        # fields is reported at once, naming the line. (A cut exactly at a record boundary would pass:
        # SDMX-CSV carries no total or footer to check against.)
        "cut": Expect(REPORTED, "SDMX-CSV record with a wrong number of fields (cut off?)"),
    },
)

# -- World Bank: page=1..meta.pages, faults on page 2 of 3
WB_COUNTRIES = ("CHN", "USA", "GBR", "DEU", "JPN", "KOR", "IND", "FRA", "CAN", "AUS")


def _worldbank_client(url: str, settings: dict[str, Any]) -> Any:
    client = WorldBankResource(base_url=url, **settings).source(_live_settings())
    client.per_page = 25  # 60 rows: pages of 25, 25, 10 (the resource keeps the client's default 1,000)
    return client


def _worldbank_empty(request: Request, delegate: Delegate) -> Response:
    """Page 2 with its meta intact and no rows (null, as the API writes an empty row list)."""
    return rewrite_json(delegate(request), lambda body: [body[0], None])


def _worldbank_repeat(request: Request, delegate: Delegate) -> Response:
    """Asked for page 2, the server answers page 1 again."""
    return delegate(with_args(request, page=str(int(request.args["page"]) - 1)))


WORLDBANK = Connector(
    key="worldbank",
    name="World Bank",
    source="worldbank",
    fake=FakeWorldBank,
    client=_worldbank_client,
    extract=lambda c: c.observations("SP.POP.TOTL", list(WB_COUNTRIES), 2015, 2020),
    http=lambda c: [c.http],
    target=lambda r: r.path.startswith("/v2/") and r.args.get("page") == "2",
    skip=0,
    wait_headers=("Retry-After",),
    wrong_shape_rule="answer is not [meta, rows]",
    # The client pages on to page 3 and then finds the rows short of meta.total: the error names the
    # last page asked, not the empty one.
    empty_page=PagingFault(_worldbank_empty, "rows received differ from meta.total", names_target=False),
    repeat_token=PagingFault(_worldbank_repeat, "answer is for another page"),
)

# -- Socrata (DOT xgub-n9bw): $limit/$offset paging, faults on the page at $offset 40
SODA_PAGE = 40


def _soda_page_two(request: Request) -> bool:
    return request.path.startswith("/resource/") and int(request.args.get("$offset", "0") or 0) > 0


def _soda_empty(request: Request, delegate: Delegate) -> Response:
    response = delegate(request)
    response.set_data(b"[]\n")  # the layout of an empty SODA answer (tests/fakes/soda.py)
    return response


def _soda_repeat(request: Request, delegate: Delegate) -> Response:
    """The server ignores $offset: the rows of the previous page again."""
    return delegate(with_args(request, **{"$offset": str(int(request.args["$offset"]) - SODA_PAGE)}))


SODA = Connector(
    key="soda",
    name="Socrata",
    source=soda.SOURCE,
    fake=lambda: FakeSoda(
        json.loads((SODA_SAMPLE / "xgub-n9bw.json").read_text(encoding="utf-8")), app_token=SODA_TOKEN
    ),
    client=lambda url, s: SodaResource(base_url=url, app_token=SODA_TOKEN, page_size=SODA_PAGE, **s).source(
        _live_settings()
    ),
    extract=lambda c: c.passenger_rows(["PEK"], (2018, 2020)),  # 116 rows: pages of 40, 40, 36
    http=lambda c: [c.http],
    target=_soda_page_two,
    skip=0,
    wait_headers=("Retry-After",),
    wrong_shape_rule="answer is not a JSON array of rows",
    empty_page=PagingFault(_soda_empty, "empty page before the end of the result"),
    repeat_token=PagingFault(_soda_repeat, "page repeated"),
    secrets=(SODA_TOKEN,),
)

# -- OpenSky: OAuth2 token, then one /flights/arrival call per UTC day; faults on the second day
OPENSKY_SAMPLE = REPO_ROOT / "pipeline" / "sample_data" / "opensky"
OPENSKY_DAY0 = 17_380 * 86_400  # 2017-08-02, inside the sample's three weeks


def _opensky_fake() -> FakeOpenSky:
    arrivals = {
        p.stem.removeprefix("arrivals_"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(OPENSKY_SAMPLE.glob("arrivals_*.json"))
    }
    return FakeOpenSky(arrivals, client_id=OPENSKY_ID, client_secret=OPENSKY_SECRET)


OPENSKY = Connector(
    key="opensky",
    name="OpenSky",
    source="opensky",
    fake=_opensky_fake,
    client=lambda url, s: OpenSkyResource(
        base_url=url + API_PREFIX.lstrip("/"),
        auth_url=url + TOKEN_PATH.lstrip("/"),
        client_id=OPENSKY_ID,
        client_secret=OPENSKY_SECRET,
        **s,
    ).source(_live_settings()),
    extract=lambda c: c.arrivals("KCMI", OPENSKY_DAY0, OPENSKY_DAY0 + 3 * 86_400),  # three day windows
    http=lambda c: [c.http, c.token.http],
    target=lambda r: r.path == API_PREFIX + OPENSKY_ARRIVALS,
    skip=1,
    wait_headers=("X-Rate-Limit-Retry-After-Seconds", "Retry-After"),
    wrong_shape_rule="answer is not a JSON array of flights",
    empty_page="no paging: one call per UTC day, each a complete answer; an empty day is the documented "
    "'no flights' 404 and there is no total to check it against",
    repeat_token="no paging: no cursor or page token (the client cuts the day windows itself)",
    secrets=(OPENSKY_SECRET,),
)

CONNECTORS: tuple[Connector, ...] = (OPENALEX, UIS, OECD, WORLDBANK, SODA, OPENSKY)


# --------------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Case:
    connector: Connector
    fault: Fault
    mode: str
    expect: Expect
    answer: Answer | None  # None for n/a
    times: float  # how many targeted requests get the fault

    @property
    def id(self) -> str:
        return f"{self.connector.key}-{self.fault.key}-{self.mode}"


def expectation(connector: Connector, fault: Fault, mode: str) -> tuple[Expect, Answer | None]:
    """What `connector` must do when `fault` happens in `mode`, and the answer that injects it."""
    if fault.answer is None:  # paging faults are the connector's own
        paging = connector.empty_page if fault.key == "empty-page" else connector.repeat_token
        if isinstance(paging, str):
            return Expect(NA, reason=paging), None
        return Expect(REPORTED, paging.rule, names_target=paging.names_target), paging.answer
    if fault.key in connector.overrides:
        return connector.overrides[fault.key], fault.answer
    if not fault.transient:
        return Expect(REPORTED, connector.wrong_shape_rule), fault.answer
    if mode == TRANSIENT:
        return Expect(RECOVERED, attempts=TIMES + 1), fault.answer
    return Expect(REPORTED, TRANSPORT if fault.transport else GAVE_UP, attempts=MAX_ATTEMPTS), fault.answer


def _cases() -> tuple[Case, ...]:
    out = []
    for fault in FAULTS:
        for mode in fault.modes:
            for connector in CONNECTORS:
                expect, answer = expectation(connector, fault, mode)
                times = TIMES if mode == TRANSIENT else (math.inf if mode == PERSISTENT else 1)
                out.append(Case(connector, fault, mode, expect, answer, times))
    return tuple(out)


CASES = _cases()


# --------------------------------------------------------------------------- comparing answers
def comparable(value: Any) -> Any:
    """An extraction result as plain data without `retrieved_at` (the only field a retry may change)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: comparable(getattr(value, f.name)) for f in fields(value) if f.name != "retrieved_at"}
    if isinstance(value, list | tuple):
        items = [comparable(v) for v in value]
        requests = getattr(value, "requests", None)  # opensky.Arrivals: the flights plus their requests
        return {"items": items, "requests": list(requests)} if requests is not None else items
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value
