"""Row rules of a suite evaluated as DuckDB aggregates: great-expectations' result without pandas.

`validate(conn, sql, suite)` takes any SELECT (a table, a view, a staged relation) and returns the
`SuiteResult` great-expectations gives for `fetchdf()` of it: same verdicts, unexpected and missing
counts, percentages, `mostly`, severities and failure order. The rule counts are ONE query (a `count_if`
per rule, a `GROUP BY … HAVING count(*) > 1` per uniqueness rule, all over the same relation); only a
failed rule costs a second scan, to fetch its first SAMPLE_ROWS offending rows in the relation's own
order (as fetchdf indexes them), with the suite's id columns, through fetchdf so values convert as they
do for great-expectations.

Supported, with great-expectations' null semantics (pandas `isna`: NULL, and NaN in FLOAT/DOUBLE):
not null (counts nulls), in set, between (min/max/both, strict_min/strict_max), match regex (nulls
ignored), unique and compound unique (`ignore_row_if`), table row count between / equal. Anything else
(a row_condition, suite parameters, a type whose comparison could differ from pandas) raises
UnsupportedRule naming the suite and the rule: a suite is declared SQL-evaluated on purpose
(`Suite.sql_rules`) and must be fully expressible.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import duckdb
import great_expectations.expectations as gxe

from pipeline.catalog import quote_name
from pipeline.validation import (
    EXACT_KEY_TYPES,
    SAMPLE_ROWS,
    Suite,
    SuiteResult,
    _failure,
    _gx_order,
    fetch_frame,
)

POSITION = "__sql_rules_position"  # the row's place in the relation, as fetchdf would index it

INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"})
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})  # pandas counts NaN as missing in these

COLUMN_MAP = (
    gxe.ExpectColumnValuesToNotBeNull,
    gxe.ExpectColumnValuesToBeInSet,
    gxe.ExpectColumnValuesToBeBetween,
    gxe.ExpectColumnValuesToMatchRegex,
)
UNIQUE = (gxe.ExpectColumnValuesToBeUnique, gxe.ExpectCompoundColumnsToBeUnique)
ROW_COUNT = (gxe.ExpectTableRowCountToBeBetween, gxe.ExpectTableRowCountToEqual)
SUPPORTED = (*COLUMN_MAP, *UNIQUE, *ROW_COUNT)


class UnsupportedRule(ValueError):
    """A rule of a SQL-evaluated suite that this engine cannot evaluate exactly as great-expectations."""


@dataclass(frozen=True)
class Rule:
    """One expectation compiled to SQL predicates over the relation's columns."""

    index: int  # position in suite.expectations
    expectation: Any
    missing: str | None = None  # a row the rule does not consider (None: every row counts, as not_null)
    unexpected: str | None = None  # an offending row among those considered (row rules)
    keys: tuple[str, ...] = ()  # uniqueness: the key, compared on the considered rows
    sample_columns: tuple[str, ...] = ()  # the sample's columns, in great-expectations' key order
    absent: str | None = None  # a column the relation lacks: great-expectations fails the rule without counts


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict and great-expectations' `result` dict for it (the fields this engine reproduces)."""

    rule: Rule
    success: bool
    details: dict[str, Any]


# --- compiling ---------------------------------------------------------------------------------------------


def _fail(suite: Suite, expectation: Any, why: str) -> UnsupportedRule:
    config = expectation.configuration
    column = config.kwargs.get("column") or config.kwargs.get("column_list")
    return UnsupportedRule(f"{suite.name}: {config.type}[{column}] cannot run in SQL: {why}")


def _is_null(column: str, sql_type: str) -> str:
    c = quote_name(column)
    return f"({c} IS NULL OR isnan({c}))" if sql_type in FLOAT_TYPES else f"{c} IS NULL"


def _is_numeric(sql_type: str) -> bool:
    return sql_type in INTEGER_TYPES or sql_type in FLOAT_TYPES or sql_type.startswith("DECIMAL")


def _literal(value: Any, sql_type: str) -> str | None:
    """`value` as a SQL literal comparable to a column of `sql_type` as pandas compares it, or None."""
    if isinstance(value, bool):
        return ("true" if value else "false") if sql_type == "BOOLEAN" else None
    if isinstance(value, int):
        return str(value) if _is_numeric(sql_type) else None
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)" if _is_numeric(sql_type) and math.isfinite(value) else None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'" if sql_type == "VARCHAR" and "\x00" not in value else None
    return None


def _sample_columns(first: Sequence[str], then: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *then]))


def _unique_missing(suite: Suite, e: Any, keys: Sequence[str], types: dict[str, str]) -> str:
    """The rows a uniqueness rule leaves out (pandas drops them before `duplicated`), checking that the key
    compares in DuckDB's GROUP BY as in pandas (no floats: -0.0 and NaN; no decimals or nested types)."""
    if not keys or any(types[k] not in EXACT_KEY_TYPES for k in keys):
        raise _fail(suite, e, f"key types {[types[k] for k in keys]}")
    rule = "any_value_is_missing" if isinstance(e, gxe.ExpectColumnValuesToBeUnique) else str(e.ignore_row_if)
    null = [f"{quote_name(k)} IS NULL" for k in keys]
    missing = {"any_value_is_missing": " OR ".join(null), "all_values_are_missing": " AND ".join(null)}
    if rule == "never":
        return "false"
    if rule not in missing:
        raise _fail(suite, e, f"ignore_row_if={rule}")
    return missing[rule]


def _compile(suite: Suite, index: int, types: dict[str, str]) -> Rule:
    e = suite.expectations[index]
    if not isinstance(e, SUPPORTED):
        raise _fail(suite, e, f"{type(e).__name__} is not one of the supported types")
    if getattr(e, "row_condition", None):
        raise _fail(suite, e, "row_condition")
    if any(isinstance(v, dict) for v in e.configuration.kwargs.values()):
        raise _fail(suite, e, "suite parameters")
    ids = list(suite.id_columns)
    if isinstance(e, ROW_COUNT):
        return Rule(index, e)
    if isinstance(e, gxe.ExpectCompoundColumnsToBeUnique):
        keys = list(e.column_list)
        if absent := next((k for k in keys if k not in types), None):
            return Rule(index, e, absent=absent)
        return Rule(
            index,
            e,
            _unique_missing(suite, e, keys, types),
            keys=tuple(keys),
            sample_columns=_sample_columns(ids, keys),
        )
    column = e.column
    if column not in types:
        return Rule(index, e, absent=column)
    sql_type, c = types[column], quote_name(column)
    null = _is_null(column, sql_type)
    sample = _sample_columns([column], ids)
    if isinstance(e, gxe.ExpectColumnValuesToNotBeNull):
        return Rule(index, e, None, null, sample_columns=sample)
    if isinstance(e, gxe.ExpectColumnValuesToBeUnique):
        missing = _unique_missing(suite, e, [column], types)
        return Rule(index, e, missing, keys=(column,), sample_columns=sample)
    if isinstance(e, gxe.ExpectColumnValuesToBeInSet):
        values = [v for v in e.value_set if v is not None]  # a null is missing, never in or out of the set
        literals = [_literal(v, sql_type) for v in values]
        if None in literals:
            raise _fail(suite, e, f"a value of the set does not compare with a {sql_type} column as in pandas")
        # IN over a subquery is a hash (mark) join; IN over a literal list is a chain of comparisons, 80x slower
        # with the ~250 country codes
        ok = f"{c} IN (SELECT unnest([{', '.join(literals)}]))" if literals else "false"
        return Rule(index, e, null, f"NOT ({ok})", sample_columns=sample)
    if isinstance(e, gxe.ExpectColumnValuesToBeBetween):
        return Rule(index, e, null, _between_test(suite, e, c, sql_type), sample_columns=sample)
    return Rule(index, e, null, _regex_test(suite, e, c, sql_type), sample_columns=sample)  # MatchRegex


def _between_test(suite: Suite, e: Any, c: str, sql_type: str) -> str:
    """The SQL test of an ExpectColumnValuesToBeBetween that a row fails."""
    bounds = [(e.min_value, ">" if e.strict_min else ">="), (e.max_value, "<" if e.strict_max else "<=")]
    tests = []
    for value, op in bounds:
        if value is None:
            continue
        literal = _literal(value, sql_type) if not isinstance(value, str | bool) else None
        if literal is None or not _is_numeric(sql_type):
            raise _fail(suite, e, f"bound {value!r} on a {sql_type} column")
        tests.append(f"{c} {op} {literal}")
    if not tests:
        raise _fail(suite, e, "neither min_value nor max_value")
    return f"NOT ({' AND '.join(tests)})"


def _regex_test(suite: Suite, e: Any, c: str, sql_type: str) -> str:
    """The SQL test of an ExpectColumnValuesToMatchRegex that a row fails."""
    if sql_type != "VARCHAR":
        raise _fail(suite, e, f"a {sql_type} column (great-expectations matches its str())")
    try:
        pattern = re2_pattern(e.regex)
    except UnsupportedRule as err:
        raise _fail(suite, e, str(err)) from err
    literal = "'" + pattern.replace("'", "''") + "'"
    return f"NOT regexp_matches({c}, {literal})"


def compile_suite(suite: Suite, types: dict[str, str]) -> list[Rule]:
    """Every expectation of `suite` compiled against a relation with these column types."""
    if not suite.id_columns:
        raise UnsupportedRule(f"{suite.name}: a SQL-evaluated suite needs id_columns to sample offending rows")
    return [_compile(suite, i, types) for i in range(len(suite.expectations))]


def counts_sql(sql: str, rules: Sequence[Rule]) -> str:
    """The one query of a suite: the relation's row count, then per rule its missing and unexpected counts
    (NULL where the rule has none), one row."""
    row_rules = ["count(*) AS n_rows"]
    unique_parts = []
    for r in rules:
        if r.absent or isinstance(r.expectation, ROW_COUNT):
            continue
        row_rules.append(f"coalesce(count_if({r.missing}), 0) AS m{r.index}" if r.missing else f"NULL AS m{r.index}")
        if r.keys:
            key = ", ".join(quote_name(k) for k in r.keys)
            unique_parts.append(
                f"(SELECT coalesce(sum(n), 0) AS u{r.index} FROM (SELECT count(*) AS n FROM ({sql}) AS v "
                f"WHERE NOT ({r.missing}) GROUP BY {key} HAVING count(*) > 1))"
            )
        else:
            considered = f"NOT ({r.missing}) AND " if r.missing else ""
            row_rules.append(f"coalesce(count_if({considered}{r.unexpected}), 0) AS u{r.index}")
    return f"SELECT * FROM (SELECT {', '.join(row_rules)} FROM ({sql}) AS v)" + "".join(
        f" CROSS JOIN {part}" for part in unique_parts
    )


def sample_sql(sql: str, rule: Rule, limit: int = SAMPLE_ROWS) -> str:
    """The first `limit` offending rows of `rule` in the relation's order, its sample columns only."""
    columns = ", ".join(f"v.{quote_name(c)}" for c in rule.sample_columns)
    # row_number() OVER () numbers the rows as the relation streams them, the order fetchdf gives them
    positioned = f"SELECT *, row_number() OVER () AS {POSITION} FROM ({sql})"
    if rule.keys:
        key = ", ".join(quote_name(k) for k in rule.keys)
        match = " AND ".join(f"v.{quote_name(k)} IS NOT DISTINCT FROM d.{quote_name(k)}" for k in rule.keys)
        duplicated = f"SELECT {key} FROM ({sql}) WHERE NOT ({rule.missing}) GROUP BY {key} HAVING count(*) > 1"
        source = f"({positioned}) AS v SEMI JOIN ({duplicated}) AS d ON {match}"
    else:
        considered = f"NOT ({rule.missing}) AND " if rule.missing else ""
        source = f"({positioned}) AS v WHERE {considered}{rule.unexpected}"
    return f"SELECT {columns} FROM {source} ORDER BY v.{POSITION} LIMIT {limit}"


# --- great-expectations' verdicts on the counts --------------------------------------------------------


def _map_details(rows: int, missing: int | None, unexpected: int) -> dict[str, Any]:
    """great-expectations' `_format_map_output` fields (missing None: a rule counting every row, not_null)."""
    details: dict[str, Any] = {"element_count": rows, "unexpected_count": unexpected}
    total = unexpected / rows * 100 if rows else None
    if missing is None:
        details["unexpected_percent"] = total
        return details
    considered = rows - missing
    nonmissing = unexpected / considered * 100 if rows and considered else None
    details |= {
        "unexpected_percent": nonmissing,
        "missing_count": missing,
        "missing_percent": missing / rows * 100 if rows else None,
        "unexpected_percent_total": total,
        "unexpected_percent_nonmissing": nonmissing,
    }
    return details


def _map_success(rows: int, missing: int | None, unexpected: int, mostly: float | None) -> bool:
    """ColumnMapExpectation._validate (and its not-null and multicolumn peers): vacuously true without rows
    considered, else the share of expected rows among them against `mostly`."""
    considered = rows - (missing or 0)
    if rows == 0 or considered == 0:
        return True
    return (float(considered) - float(unexpected)) / float(considered) >= (1 if mostly is None else mostly)


def _row_count_success(e: Any, rows: int) -> bool:
    if isinstance(e, gxe.ExpectTableRowCountToEqual):
        return rows == e.value
    low = e.min_value is None or (rows > e.min_value if e.strict_min else rows >= e.min_value)
    high = e.max_value is None or (rows < e.max_value if e.strict_max else rows <= e.max_value)
    return low and high


def evaluate(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite) -> tuple[int, list[Outcome]]:
    """(rows of the relation, each expectation's outcome in suite order)."""
    shape = conn.sql(f"SELECT * FROM ({sql}) LIMIT 0")
    if len(set(shape.columns)) != len(shape.columns):
        raise UnsupportedRule(f"{suite.name}: the relation has two columns of the same name")
    types = dict(zip(shape.columns, (str(t) for t in shape.types), strict=True))
    rules = compile_suite(suite, types)
    row = conn.execute(counts_sql(sql, rules)).fetchall()[0]
    values = dict(zip((d[0] for d in conn.description or ()), row, strict=True))
    rows = values["n_rows"]
    outcomes = []
    for r in rules:
        if r.absent:
            outcomes.append(Outcome(r, False, {}))  # as great-expectations, which raises on the missing column
        elif isinstance(r.expectation, ROW_COUNT):
            outcomes.append(Outcome(r, _row_count_success(r.expectation, rows), {"observed_value": rows}))
        else:
            missing, unexpected = values[f"m{r.index}"], int(values[f"u{r.index}"])
            success = _map_success(rows, missing, unexpected, getattr(r.expectation, "mostly", None))
            details = _map_details(rows, missing, unexpected)
            if not success:
                frame = fetch_frame(conn, sample_sql(sql, r))
                details["unexpected_index_list"] = frame.to_dict(orient="records")
            outcomes.append(Outcome(r, success, details))
    return rows, outcomes


def validate(conn: duckdb.DuckDBPyConnection, sql: str, suite: Suite) -> SuiteResult:
    """`suite` on the rows of `sql`, as `validation.validate_frame(fetchdf(sql), suite)` reports it."""
    rows, outcomes = evaluate(conn, sql, suite)
    failures = [
        _failure(o.rule.expectation.configuration, o.details)
        for o in (outcomes[i] for i in _gx_order(suite.expectations, range(len(outcomes))))
        if not o.success
    ]
    return SuiteResult(suite.name, rows, len(outcomes), failures)


# --- Python regular expressions as RE2 patterns ------------------------------------------------------------


def _re_parser() -> ModuleType:
    from re import _parser  # type: ignore[attr-defined]  # the parser pandas uses for the same question

    return _parser


def _char(code: int) -> str:
    ch = chr(code)
    if ch.isascii() and ch.isalnum():
        return ch
    if 0x20 < code < 0x7F:
        return "\\" + ch  # RE2: a backslash before punctuation is the punctuation itself
    return f"\\x{{{code:x}}}"


def _class(items: Sequence[tuple[Any, Any]]) -> str:
    p = _re_parser()
    parts = []
    for op, av in items:
        if op is p.NEGATE:
            parts.insert(0, "^")
        elif op is p.LITERAL:
            parts.append(_char(av))
        elif op is p.RANGE:
            parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is p.CATEGORY and av is p.CATEGORY_DIGIT:
            parts.append(r"\p{Nd}")  # Python's \d is any Unicode decimal digit, RE2's only 0-9
        elif op is p.CATEGORY and av is p.CATEGORY_NOT_DIGIT:
            parts.append(r"\P{Nd}")
        else:
            raise UnsupportedRule(f"character class item {op} {av}")
    return "[" + "".join(parts) + "]"


def _sequence(items: Any, tail: bool) -> str:
    nodes = list(items)
    return "".join(_node(op, av, tail and i == len(nodes) - 1) for i, (op, av) in enumerate(nodes))


def _node(op: Any, av: Any, tail: bool) -> str:
    p = _re_parser()
    if op is p.LITERAL:
        return _char(av)
    if op is p.NOT_LITERAL:
        return f"[^{_char(av)}]"
    if op is p.ANY:
        return "."  # neither engine's dot matches a newline without the s flag
    if op is p.IN:
        return _class(av)
    if op is p.MAX_REPEAT or op is p.MIN_REPEAT:
        low, high, body = av
        if high is p.MAXREPEAT:
            quantifier = {0: "*", 1: "+"}.get(low, f"{{{low},}}")
        else:
            quantifier = "?" if (low, high) == (0, 1) else f"{{{low}}}" if low == high else f"{{{low},{high}}}"
        if max(low, 0 if high is p.MAXREPEAT else high) > 1000:
            raise UnsupportedRule("a repetition above RE2's limit of 1000")
        return f"(?:{_sequence(body, False)}){quantifier}{'?' if op is p.MIN_REPEAT else ''}"
    if op is p.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            raise UnsupportedRule("inline flags in a group")
        return f"(?:{_sequence(body, tail)})"
    if op is p.BRANCH:
        return "(?:" + "|".join(_sequence(alternative, tail) for alternative in av[1]) + ")"
    if op is p.AT:
        if av is p.AT_BEGINNING:
            return "^"  # without MULTILINE, both: the start of the text
        if av is p.AT_BEGINNING_STRING:
            return r"\A"
        if av is p.AT_END_STRING:
            return r"\z"
        if av is p.AT_END and tail:
            # Python's $ also matches before a final newline; RE2's only at the end. Consuming that newline
            # is the same verdict when nothing follows the $.
            return r"(?:\n?\z)"
    raise UnsupportedRule(f"{op} {av}" + (" not at the end of the pattern" if op is p.AT else ""))


def re2_pattern(regex: str) -> str:
    """An RE2 pattern (DuckDB's regexp_matches, a partial match) that matches exactly the strings
    Python's `re.search(regex, s)` matches, as pandas' str.contains and so great-expectations decides.

    The supported subset: literals, classes, ., ^, \\A, \\Z, $ at the end, \\d and \\D (as Unicode
    decimal digits, \\p{Nd}; Python's and RE2's Unicode tables may differ for digits added in recent
    Unicode versions), groups, alternation, greedy and lazy repetition. Anything else (\\w, \\s, \\b,
    lookarounds, back-references, flags) raises UnsupportedRule."""
    p = _re_parser()
    try:
        parsed = p.parse(regex)
    except re.error as err:
        raise UnsupportedRule(f"invalid regex {regex!r}: {err}") from err
    if parsed.state.flags & ~re.UNICODE:
        raise UnsupportedRule(f"regex flags in {regex!r}")
    try:
        return _sequence(parsed, True)
    except UnsupportedRule as err:
        raise UnsupportedRule(f"regex {regex!r}: {err}") from err
