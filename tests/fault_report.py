"""pytest plugin: the fault suite's table, fault x connector -> recovered / reported / n/a.

Loaded by `scripts/faults.sh` (``-p tests.fault_report``); without it `tests/test_fault_suite.py` runs
as any other test module. A cell shows the outcome the case asserted when its test passed, FAILED when
it did not, "-" when it was not run, and n/a (with the reason below the table) when the fault cannot
happen to that API.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from tests.faults import CASES, CONNECTORS, FAULTS, NA, ONCE, PERSISTENT, RECOVERED, REPORTED, TIMES, TRANSIENT

_CASE = re.compile(r"test_fault_suite\.py::test_fault\[(?P<id>[^\]]+)\]$")
_MODES = {TRANSIENT: f"{TIMES}x, then ok", PERSISTENT: "persists", ONCE: "once"}
_results: dict[str, str] = {}  # case id -> "passed" | "failed" | "skipped"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    match = _CASE.search(report.nodeid)
    if match is None:
        return
    case = match.group("id")
    if report.failed:
        _results[case] = "failed"
    elif report.skipped:
        _results.setdefault(case, "skipped")
    elif report.when == "call":
        _results.setdefault(case, "passed")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _results:
        return
    write = terminalreporter.write_line
    label_width = max(len(f.label) for f in FAULTS) + 2
    mode_width = max(len(m) for m in _MODES.values()) + 2
    width = max(len(c.name) for c in CONNECTORS) + 2
    terminalreporter.write_sep("=", "connector fault suite: fault x connector")
    header = "fault".ljust(label_width) + "mode".ljust(mode_width) + "".join(c.name.ljust(width) for c in CONNECTORS)
    write(header.rstrip())
    cells = {case.id: _cell(case.id, case.expect.outcome) for case in CASES}
    previous = None
    for case in CASES:
        if case.connector is not CONNECTORS[0]:
            continue
        label = case.fault.label if case.fault.key != previous else ""
        previous = case.fault.key
        row = [cells[f"{c.key}-{case.fault.key}-{case.mode}"].ljust(width) for c in CONNECTORS]
        write(label.ljust(label_width) + _MODES[case.mode].ljust(mode_width) + "".join(row).rstrip())

    ran = [case for case in CASES if case.expect.outcome != NA and case.id in _results]
    passed = [case for case in ran if _results[case.id] == "passed"]
    recovered = sum(case.expect.outcome == RECOVERED for case in passed)
    reported = sum(case.expect.outcome == REPORTED for case in passed)
    failed = sum(_results[case.id] == "failed" for case in ran)
    na = sum(case.expect.outcome == NA for case in CASES)
    write(
        f"faults tried: {len(ran)} connector x fault cases; survived: {len(passed)} "
        f"(recovered {recovered} + correctly reported {reported}); failed: {failed}; n/a: {na}; "
        f"not run: {len(CASES) - na - len(ran)}",
        bold=True,
        green=failed == 0 and len(ran) == len(CASES) - na,
        red=failed > 0,
    )

    write("n/a, and why:")
    for case in CASES:
        if case.expect.outcome == NA:
            write(f"  {case.connector.name:<{width}}{case.fault.label}: {case.expect.reason}")
    write("rules of the reported cases (SourceError.rule), with where they were raised:")
    rules: dict[str, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for connector in CONNECTORS:
        by_rule: dict[str, list[str]] = defaultdict(list)
        for case in CASES:
            if case.connector is connector and case.expect.outcome == REPORTED:
                by_rule[case.expect.rule].append(case.fault.key + ("" if case.mode == ONCE else f" ({case.mode})"))
        for rule, where in by_rule.items():
            rules[rule][tuple(where)].append(connector.name)
    for rule, groups in rules.items():
        write(f"  {rule}")
        for where, names in groups.items():
            write(f"      {', '.join(names)}: {', '.join(where)}")
    honoured = {h: [c.name for c in CONNECTORS if h in c.wait_headers] for f in FAULTS if (h := f.wait_header)}
    write("429 waits taken from the header: " + "; ".join(f"{h}: {', '.join(n) or '-'}" for h, n in honoured.items()))
    write("  (a connector that does not read the header waits its own exponential backoff; no wait is slept here)")


def _cell(case_id: str, outcome: str) -> str:
    if outcome == NA:
        return NA
    result = _results.get(case_id)
    if result is None:
        return "-"
    return outcome if result == "passed" else result.upper()
