"""Every live connector against every HTTP-level fault (issue 8): recovered or reported, never wrong.

Table-driven over `tests/faults.py` (`CASES`: connector x fault x mode). The faults come from a local
server (pytest-httpserver, threaded) whose handler answers the fault to the targeted requests and
hands the rest to the connector's fake, so the real client path runs (requests + tenacity). Each case
must end as its table says:

* RECOVERED: the public extraction call returns exactly what it returns without the fault, after
  exactly the expected attempts at the faulted request; every wait goes to a fake sleep (recorded,
  never slept) and a 429's wait is the one its header asks for when the connector reads that header;
* REPORTED: it raises `SourceError` whose message names the source, the rule and the request (the
  faulted one, with secrets redacted), within the retry bound.

Cases that cannot happen to an API are n/a in the table, with the reason, and are not run.
`bash scripts/faults.sh` runs this module with `tests/fault_report.py`, which prints the fault x
connector table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug.test import create_environ

from assets.soda.resource import SodaResource
from pipeline.http import REDACTED, SourceError
from pipeline.settings import load_settings
from tests.faults import (
    CASES,
    CONNECTORS,
    FAULTS,
    MAX_ATTEMPTS,
    NA,
    NORMAL_TIMEOUT,
    PERSISTENT,
    READ_TIMEOUT,
    RECOVERED,
    RELEASE,
    REPORTED,
    RETRY_AFTER,
    SODA,
    TIMES,
    Answer,
    Case,
    Connector,
    FaultInjector,
    comparable,
)

pytestmark = pytest.mark.faults

CASE_SECONDS = 5.0  # wall-clock bound of one case: waits are recorded, not slept
RUN = [case for case in CASES if case.expect.outcome != NA]


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """One threaded local server for the module: a held (timed-out) request must not block the retry."""
    RELEASE.clear()
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    RELEASE.set()
    server.clear()
    server.stop()


@dataclass
class Run:
    result: Any
    error: SourceError | None
    waits: list[float]  # what the client asked its sleep for
    calls: int  # HTTP attempts of all the client's HTTP clients
    retries: int
    injector: FaultInjector
    seconds: float


def run(
    server: HTTPServer,
    connector: Connector,
    answer: Answer | None = None,
    times: float = 0,
    timeout: float = NORMAL_TIMEOUT,
) -> Run:
    """The connector's extraction against a fresh fake behind a fault injector; SourceError is kept."""
    server.clear()
    injector = FaultInjector(connector.fake().handle, connector.target, connector.skip)
    if answer is not None:
        injector.arm(answer, times)
    server.expect_request(re.compile(r"^/.*")).respond_with_handler(injector)
    settings = {"requests_per_second": 0, "max_attempts": MAX_ATTEMPTS, "timeout_seconds": timeout}
    client = connector.client(server.url_for(""), settings)
    waits: list[float] = []
    https = connector.http(client)
    for http in https:
        http.sleep = waits.append
        # A response cache (requests-cache, when configured) starts empty: every request of the run
        # reaches the server, the faulted ones included.
        cache = getattr(http.session, "cache", None)
        if cache is not None:
            cache.clear()
    started = time.monotonic()
    result, error = None, None
    try:
        result = connector.extract(client)
    except SourceError as exc:
        error = exc
    seconds = time.monotonic() - started
    calls, retries = sum(h.calls for h in https), sum(h.retries for h in https)
    return Run(result, error, waits, calls, retries, injector, seconds)


@pytest.fixture(scope="module")
def normal(server: HTTPServer) -> Callable[[Connector], Run]:
    """Each connector's answer without a fault (run once per module)."""
    runs: dict[str, Run] = {}

    def get(connector: Connector) -> Run:
        if connector.key not in runs:
            baseline = run(server, connector)
            assert baseline.error is None, f"{connector.name} fails without a fault: {baseline.error}"
            assert baseline.result and baseline.retries == 0
            assert baseline.injector.matched > connector.skip, "the targeted request is part of the extraction"
            runs[connector.key] = baseline
        return runs[connector.key]

    return get


def request_of(url: str) -> Request:
    return Request(create_environ(url))


@pytest.mark.parametrize("case", RUN, ids=[case.id for case in RUN])
def test_fault(case: Case, server: HTTPServer, normal: Callable[[Connector], Run]) -> None:
    connector, fault, expect = case.connector, case.fault, case.expect
    baseline = normal(connector)
    timeout = READ_TIMEOUT if fault.read_timeout else NORMAL_TIMEOUT
    got = run(server, connector, case.answer, case.times, timeout)

    assert got.injector.injected >= 1, "the fault was injected"
    assert got.injector.attempts == expect.attempts, "attempts at the faulted request"
    assert got.retries == len(got.waits) == expect.attempts - 1, "one (fake) wait per retry"
    assert got.seconds < CASE_SECONDS
    assert not got.waits or got.seconds < sum(got.waits), "the waits were recorded, not slept"
    if fault.wait_header is not None:
        if fault.wait_header in connector.wait_headers:
            assert got.waits == [RETRY_AFTER] * len(got.waits), f"{fault.wait_header} is honoured"
        else:  # a header this API never sends: the client's own backoff (1 s, 2 s, ... plus jitter)
            assert all(w < RETRY_AFTER for w in got.waits)

    if expect.outcome == RECOVERED:
        assert got.error is None, f"expected recovery, got: {got.error}"
        assert comparable(got.result) == comparable(baseline.result), "the same records as without the fault"
        assert got.calls == baseline.calls + TIMES
        return

    assert expect.outcome == REPORTED
    error = got.error
    assert error is not None, f"expected a SourceError ({expect.rule}), got a result"
    message = str(error)
    assert (error.source, error.rule) == (connector.source, expect.rule)
    assert message.startswith(f"[{connector.source}] {expect.rule}"), message
    assert error.request and f"request: GET {error.request}" in message
    assert error.request.startswith(server.url_for("")), "the request is named by its URL"
    if expect.names_target:  # the very request that got the fault, every parameter shown or redacted
        named = request_of(error.request)
        assert got.injector.faulted is not None
        path, query = got.injector.faulted
        shown = {k: v for k, v in named.args.to_dict(flat=False).items() if v != [REDACTED]}
        assert (named.path, shown) == (path, {k: v for k, v in query.items() if k in shown}), error.request
        assert set(named.args) == set(query), error.request
    for secret in connector.secrets:
        assert secret not in message
    if connector.redacts:
        assert REDACTED in error.request


def test_every_connector_meets_every_fault() -> None:
    """The table is complete: each connector x fault x mode is a case, and an n/a case says why."""
    modes = [(fault.key, mode) for fault in FAULTS for mode in fault.modes]
    assert [(c.connector.key, c.fault.key, c.mode) for c in CASES] == [
        (connector.key, fault, mode) for fault, mode in modes for connector in CONNECTORS
    ]
    assert all(c.expect.reason for c in CASES if c.expect.outcome == NA)
    transient = [c for c in CASES if c.fault.transient]
    assert {c.expect.outcome for c in transient if c.mode == PERSISTENT} == {REPORTED}


def test_socrata_empty_last_page_at_the_exact_end_is_the_end(server: HTTPServer) -> None:
    """The other side of the empty-page check: with 116 rows in pages of 58 the third page is empty
    because the rows ran out, count(*) says so, and the result is whole (one extra call)."""
    fake = SODA.fake()
    server.clear()
    fake.install(server)
    live = replace(load_settings(), mode="live", environment={})  # no SODA_BASE_URL overriding the fake's URL
    client = SodaResource(base_url=server.url_for(""), page_size=58, requests_per_second=0).source(live)
    assert len(client.passenger_rows(["PEK"], (2018, 2020))) == 116
    assert [r.params.get("$offset", r.params["$select"]) for r in fake.requests] == [
        "0",
        "58",
        "116",
        "count(*) AS row_count",
    ]
