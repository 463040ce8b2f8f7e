"""Local stand-in for the Socrata SODA 2.x API of ``data.transportation.gov`` (``/resource/xgub-n9bw.json``).

No recorded answer of this dataset exists (/work/shared/fixtures/real/PROVENANCE.md §3a), so the
fake follows Socrata's documented and publicly observed SODA behaviour, cited where used:

* "docs:<page>": dev.socrata.com/docs/<page> (paging, queries/limit, response-codes, app-tokens,
  formats/json);
* "sodapy page": the recorded 1,000-row SODA page in xmunoz/sodapy
  tests/test_data/bike_counts_page_1.json @ f8b9f18 (body layout ``[{...}\\n,{...}]\\n``, numbers as
  strings);
* "soda-fountain": socrata-platform/soda-fountain, querycoordinator errors (``errorCode`` + ``data``);
* "live notes": error bodies quoted from live calls in public repositories (a 400
  ``{"message": "Query coordinator error: query.soql.no-such-column; No such column: …",
  "errorCode": …, "data": {"column", "dataset", "position"}}``, a parse error
  ``{"code": "query.compiler.malformed", "error": true, "message": "… could not parse SoQL query …",
  "data": {"query": …}}``, a bad token 403 ``{"code": "permission_denied", "error": true,
  "message": "Invalid app_token specified"}``, null values left out of rows, ``X-SODA2-Fields`` /
  ``X-SODA2-Types`` headers).

Only the SoQL subset the connector sends is evaluated: ``$select`` (columns, ``sum(col)``,
``count(*)``, ``AS`` aliases), ``$where`` (``=``, ``in(...)``, ``between … and …`` joined by
``AND``), ``$group``, ``$order`` (``:id`` included), ``$limit``, ``$offset``. Valid SoQL outside that
subset (OR, other operators and functions, ``$q``, ``$having``, simple column filters, ``$limit``
above the 2.0 cap) answers 501 ``FakeSoda: not emulated`` rather than an invented answer.
Unknown: the exact wording of parse-error messages (approximated), whether 429 carries
``Retry-After`` (a public note says no rate-limit headers are sent), how an empty result is
laid out (``[]\\n`` assumed), where nulls sort (first, assumed), and the dataset's real column types
(year, month and the counts are assumed ``number``).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

from tests.fakes import CatchAllFake, Fault

if TYPE_CHECKING:
    pass

DATASET = "xgub-n9bw"
DEFAULT_LIMIT = 1_000  # docs:queries/limit
MAX_LIMIT = 50_000  # docs:queries/limit, "Version 2.0 endpoints have a maximum $limit of 50,000"
NOT_EMULATED = "FakeSoda: not emulated"
JSON_TYPE = "application/json;charset=utf-8"
# Columns of the dataset (docs/methods.md#dot-open-data-mirror-socrata) and their assumed SODA types
# (UNCONFIRMED: no X-SODA2-Types seen).
SCHEMA: dict[str, str] = {
    "data_dte": "text",
    "year": "number",
    "month": "number",
    "usg_apt_id": "number",
    "usg_apt": "text",
    "usg_wac": "number",
    "fg_apt_id": "number",
    "fg_apt": "text",
    "fg_wac": "number",
    "airlineid": "number",
    "carrier": "text",
    "carriergroup": "number",
    "type": "text",
    "scheduled": "number",
    "charter": "number",
    "total": "number",
}
INVALID_TOKEN_BODY = {"code": "permission_denied", "error": True, "message": "Invalid app_token specified"}
_KEYWORDS = {"and", "or", "not", "in", "between", "as", "asc", "desc", "is", "null", "like"}


@dataclass(frozen=True)
class SodaRequest:
    """One request as the server saw it (``app_token``: the X-App-Token header or ``$$app_token``)."""

    path: str
    params: dict[str, str]
    app_token: str | None


class SoqlError(Exception):
    """An error answer: ``body`` is sent as JSON with ``status``."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status, self.body = status, dict(body)


# --------------------------------------------------------------------------- SoQL subset
@dataclass(frozen=True)
class _Token:
    kind: str  # ident, system, string, number, op, kw, end
    text: str
    pos: int
    value: Any = None


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<system>:[A-Za-z_]+)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|!=|<>|[(),=*<>|+/-]))"
)


class _Clause:
    """Tokens of one SoQL clause, with errors that point into the whole query text."""

    def __init__(self, text: str, soql: str, dataset_alias: str) -> None:
        self.text, self.soql, self.alias = text, soql, dataset_alias
        self.tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            if not text[pos:].strip():
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].lstrip().startswith("'"):
                    self.malformed(pos, "Unterminated string")
                self.malformed(pos, f"Unexpected character `{text[pos:].lstrip()[:1]}'")
            kind = m.lastgroup or "op"
            raw = m.group(kind)
            start = m.start(kind)
            if kind == "ident" and raw.lower() in _KEYWORDS:
                self.tokens.append(_Token("kw", raw.lower(), start))
            elif kind == "string":
                self.tokens.append(_Token("string", raw, start, raw[1:-1].replace("''", "'")))
            elif kind == "number":
                self.tokens.append(_Token("number", raw, start, Decimal(raw)))
            else:
                self.tokens.append(_Token(kind, raw, start))
            pos = m.end()
        self.tokens.append(_Token("end", "", len(text)))
        self.i = 0

    # -- errors
    def malformed(self, pos: int, what: str) -> None:
        message = f'Could not parse SoQL query "{self.soql}" at line 1 character {pos + 1}: {what}'
        raise SoqlError(
            400, {"code": "query.compiler.malformed", "error": True, "message": message, "data": {"query": self.soql}}
        )

    def no_such_column(self, token: _Token) -> None:
        raise SoqlError(
            400,
            {
                "message": f"Query coordinator error: query.soql.no-such-column; No such column: {token.text}",
                "errorCode": "query.soql.no-such-column",
                "data": {"column": token.text, "dataset": self.alias, "position": {"row": 1, "column": token.pos + 1}},
            },
        )

    def not_emulated(self, what: str) -> None:
        raise SoqlError(501, {"code": NOT_EMULATED, "error": True, "message": f"{what} is valid SoQL but not emulated"})

    # -- cursor
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, kind: str, text: str | None = None) -> _Token:
        token = self.take()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            self.malformed(token.pos, f"Expected `{wanted}', but got `{token.text or 'end of input'}'")
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        return token.kind == kind and (text is None or token.text == text)

    def column(self, columns: Mapping[str, str]) -> _Token:
        token = self.take()
        if token.kind == "system":
            if token.text != ":id":
                self.not_emulated(f"system field {token.text}")
            return token
        if token.kind != "ident":
            self.malformed(token.pos, f"Expected a column name, but got `{token.text or 'end of input'}'")
        if token.text not in columns:
            self.no_such_column(token)
        return token


@dataclass(frozen=True)
class _Predicate:
    column: str
    op: str  # "=", "in", "between"
    values: tuple[Any, ...]


def _literal(clause: _Clause, column: str) -> Any:
    token = clause.take()
    if token.kind not in ("string", "number"):
        if token.kind in ("ident", "system"):
            clause.not_emulated("comparing two columns")
        clause.malformed(token.pos, f"Expected a literal, but got `{token.text or 'end of input'}'")
    column_type = SCHEMA[column]
    literal_type = "number" if token.kind == "number" else "text"
    if column_type != literal_type:
        # SoQL is typed: a number column against a text literal is an analysis error (live notes:
        # "Types must match X-SODA2-Types or you get a ... type-mismatch").
        raise SoqlError(
            400,
            {
                "message": f"Query coordinator error: query.soql.type-mismatch; Type mismatch for {column}, "
                f"is {literal_type}",
                "errorCode": "query.soql.type-mismatch",
                "data": {
                    "dataset": clause.alias,
                    "name": column,
                    "type": literal_type,
                    "position": {"row": 1, "column": token.pos + 1},
                },
            },
        )
    return token.value


def parse_where(text: str, soql: str, alias: str) -> list[_Predicate]:
    clause = _Clause(text, soql, alias)
    predicates: list[_Predicate] = []
    while True:
        if clause.at("op", "(") or clause.at("kw", "not"):
            clause.not_emulated("parentheses and NOT in $where")
        column = clause.column(SCHEMA)
        if column.kind == "system":
            clause.not_emulated(":id in $where")
        token = clause.take()
        if token.kind == "op" and token.text == "=":
            predicates.append(_Predicate(column.text, "=", (_literal(clause, column.text),)))
        elif token.kind == "kw" and token.text == "in":
            clause.expect("op", "(")
            values = [_literal(clause, column.text)]
            while clause.at("op", ","):
                clause.take()
                values.append(_literal(clause, column.text))
            clause.expect("op", ")")
            predicates.append(_Predicate(column.text, "in", tuple(values)))
        elif token.kind == "kw" and token.text == "between":
            low = _literal(clause, column.text)
            clause.expect("kw", "and")
            predicates.append(_Predicate(column.text, "between", (low, _literal(clause, column.text))))
        elif token.kind in ("op", "kw") and token.text in ("!=", "<>", "<", ">", "<=", ">=", "is", "like", "not"):
            clause.not_emulated(f"operator {token.text}")
        else:
            clause.malformed(token.pos, f"Expected an operator, but got `{token.text or 'end of input'}'")
        if clause.at("end"):
            return predicates
        if clause.at("kw", "or"):
            clause.not_emulated("OR in $where")
        clause.expect("kw", "and")


@dataclass(frozen=True)
class _SelectItem:
    name: str  # output key
    source: str | None  # column read (None for count(*))
    aggregate: str | None  # None, "sum" or "count"


def parse_select(text: str | None, soql: str, alias: str) -> list[_SelectItem]:
    if text is None or not text.strip() or text.strip() == "*":
        return [_SelectItem(c, c, None) for c in SCHEMA]
    clause = _Clause(text, soql, alias)
    items: list[_SelectItem] = []
    while True:
        token = clause.peek()
        if token.kind == "ident" and clause.tokens[clause.i + 1].text == "(":
            function = clause.take().text.lower()
            if function not in ("sum", "count"):
                clause.not_emulated(f"function {function}()")
            clause.expect("op", "(")
            if function == "count" and clause.at("op", "*"):
                clause.take()
                source, name = None, "count"
            else:
                column = clause.column(SCHEMA)
                if column.kind == "system":
                    clause.not_emulated(f"{function}(:id)")
                if function == "sum" and SCHEMA[column.text] != "number":
                    clause.not_emulated("sum() of a text column")
                source, name = column.text, f"{function}_{column.text}"  # Socrata's default alias
            clause.expect("op", ")")
            item = _SelectItem(name, source, function)
        else:
            column = clause.column(SCHEMA)
            if column.kind == "system":
                clause.not_emulated("selecting :id")
            item = _SelectItem(column.text, column.text, None)
        if clause.at("kw", "as"):
            clause.take()
            item = _SelectItem(clause.expect("ident").text, item.source, item.aggregate)
        items.append(item)
        if clause.at("end"):
            return items
        clause.expect("op", ",")


def parse_names(
    text: str, soql: str, alias: str, columns: Mapping[str, str], with_direction: bool
) -> list[tuple[str, bool]]:
    """A comma list of columns (``$group``) or of ``column [ASC|DESC]`` (``$order``)."""
    clause = _Clause(text, soql, alias)
    names: list[tuple[str, bool]] = []
    while True:
        column = clause.column(columns)
        descending = False
        if with_direction and clause.at("kw"):
            direction = clause.expect("kw").text
            if direction not in ("asc", "desc"):
                clause.malformed(clause.tokens[clause.i - 1].pos, f"Unexpected `{direction}'")
            descending = direction == "desc"
        names.append((column.text, descending))
        if clause.at("end"):
            return names
        clause.expect("op", ",")


def _sortable(value: Any, kind: str) -> tuple[int, Any]:
    """Nulls first (assumed); numbers by value, text by code point."""
    if value is None:
        return (0, 0)
    if kind == "number":
        try:
            return (1, Decimal(str(value)))
        except InvalidOperation:
            return (1, Decimal(0))
    return (1, str(value))


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _matches(row: Mapping[str, Any], predicate: _Predicate) -> bool:
    raw = row.get(predicate.column)
    if raw is None:
        return False
    value: Any = _number(raw) if SCHEMA[predicate.column] == "number" else str(raw)
    if value is None:
        return False
    if predicate.op == "between":
        return predicate.values[0] <= value <= predicate.values[1]
    return value in predicate.values


def _decimal_text(value: Decimal) -> str:
    """A SODA number as text: integral values without a fraction ("45210")."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _has_offset(request: Request) -> bool:
    return int(request.args.get("$offset", "0") or 0) > 0


# --------------------------------------------------------------------------- the server
class FakeSoda(CatchAllFake):
    """In-memory SODA 2.x ``/resource/<dataset>.json`` served through pytest-httpserver.

    ``rows`` are dataset rows in the SODA shape (values as strings); their list position is the
    hidden ``:id``. With ``app_token`` set, a request carrying a *different* token is refused with
    Socrata's 403; a request without one is served (tokens are optional: docs:app-tokens).
    ``requests`` logs every request.
    """

    def __init__(self, rows: list[dict[str, Any]], *, app_token: str | None = None, dataset: str = DATASET) -> None:
        self.rows = rows
        self.app_token = app_token
        self.dataset = dataset
        self.dataset_alias = "alpha.41735"  # internal dataset name shown in analysis errors (value invented)
        self.requests: list[SodaRequest] = []
        self.faults: list[Fault] = []
        self._request_ids = itertools.count(1)

    # ----------------------------------------------------------------- faults
    def status_body(self, status: int) -> bytes:
        """The body of `fail_next` without one (pass ``{"Retry-After": "7"}`` as its headers for a 429 that
        asks for a wait; the real throttle is not known to send one)."""
        # Real 429/5xx bodies of Socrata are not recorded: a small JSON body in its error style.
        return self.encode({"code": f"http.{status}", "error": True, "message": f"FakeSoda injected HTTP {status}"})

    def repeat_page_next(self) -> None:
        """Ignore ``$offset`` once: the next request with an offset is answered from offset 0."""
        self.faults.append(Fault("repeat_page", when=_has_offset))

    # ----------------------------------------------------------------- handling
    def handle(self, request: Request) -> Response:
        params = request.args.to_dict()
        token = request.headers.get("X-App-Token") or params.get("$$app_token")
        self.requests.append(SodaRequest(request.path, params, token))
        fault = self.take_fault(request, ("status", "repeat_page"))
        if fault is not None and fault.kind == "status":
            return Response(fault.body, fault.status, content_type=JSON_TYPE, headers=dict(fault.headers or {}))
        if self.app_token is not None and token is not None and token != self.app_token:
            return self._json_error(SoqlError(403, INVALID_TOKEN_BODY))
        if request.path != f"/resource/{self.dataset}.json":
            # docs:response-codes 404; body shape from live notes ({"code": "dataset.missing", ...}).
            match = re.fullmatch(r"/resource/([^/.]+)\.json", request.path)
            missing = match.group(1) if match else request.path
            return self._json_error(
                SoqlError(
                    404, {"code": "dataset.missing", "error": True, "message": "Not found", "data": {"id": missing}}
                )
            )
        try:
            rows, fields = self._query(params, ignore_offset=fault is not None)
        except SoqlError as err:
            return self._json_error(err)
        # Row-per-line layout of the sodapy page: "[" row ("\n," row)* "]\n".
        body = ("[" + "\n,".join(json.dumps(r, separators=(",", ":")) for r in rows) + "]\n").encode()
        response = Response(body, 200, content_type=JSON_TYPE)
        response.headers["X-SODA2-Fields"] = json.dumps([name for name, _ in fields], separators=(",", ":"))
        response.headers["X-SODA2-Types"] = json.dumps([kind for _, kind in fields], separators=(",", ":"))
        response.headers["X-Socrata-RequestId"] = f"fake{next(self._request_ids):08d}"
        return response

    @staticmethod
    def _json_error(err: SoqlError) -> Response:
        return Response(json.dumps(err.body, separators=(",", ":")), err.status, content_type=JSON_TYPE)

    def _query(
        self, params: Mapping[str, str], ignore_offset: bool
    ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        unknown = [
            k
            for k in params
            if k != "$$app_token" and k not in ("$select", "$where", "$group", "$order", "$limit", "$offset")
        ]
        if unknown:
            raise SoqlError(
                501, {"code": NOT_EMULATED, "error": True, "message": f"parameters {unknown} are not emulated"}
            )
        soql = " ".join(
            f"{word} {params[key]}"
            for key, word in (
                ("$select", "SELECT"),
                ("$where", "WHERE"),
                ("$group", "GROUP BY"),
                ("$order", "ORDER BY"),
                ("$limit", "LIMIT"),
                ("$offset", "OFFSET"),
            )
            if key in params
        )
        alias = self.dataset_alias
        items = parse_select(params.get("$select"), soql, alias)
        predicates = parse_where(params["$where"], soql, alias) if params.get("$where", "").strip() else []
        group = (
            [n for n, _ in parse_names(params["$group"], soql, alias, SCHEMA, False)] if params.get("$group") else []
        )
        limit = self._count_param(params, "$limit", DEFAULT_LIMIT, soql)
        offset = 0 if ignore_offset else self._count_param(params, "$offset", 0, soql)
        if limit > MAX_LIMIT:
            raise SoqlError(
                501,
                {
                    "code": NOT_EMULATED,
                    "error": True,
                    "message": f"$limit above {MAX_LIMIT} (SODA 2.0 cap; the real answer is not recorded)",
                },
            )

        indexed = [(i, r) for i, r in enumerate(self.rows) if all(_matches(r, p) for p in predicates)]
        aggregated = bool(group) or any(item.aggregate for item in items)
        output_types = {item.name: ("number" if item.aggregate else SCHEMA[item.source or ""]) for item in items}
        if aggregated:
            for item in items:
                if item.aggregate is None and item.source not in group:
                    raise SoqlError(
                        400,
                        {
                            "message": "Query coordinator error: query.soql.column-not-in-group-bys; "
                            f"Column not in group bys: {item.source}",
                            "errorCode": "query.soql.column-not-in-group-bys",
                            "data": {"column": item.source, "dataset": alias},
                        },
                    )
            out = self._aggregate(indexed, items, group)
        else:
            out = [(i, {it.name: r.get(it.source or "") for it in items}, r) for i, r in indexed]
        if params.get("$order"):
            # Ordering may use output names and, without aggregation, any dataset column or :id.
            columns = {**output_types, **({} if aggregated else SCHEMA)}
            order = parse_names(params["$order"], soql, alias, columns, True)
            for name, descending in reversed(order):
                if name == ":id":
                    if aggregated:
                        raise SoqlError(501, {"code": NOT_EMULATED, "error": True, "message": ":id with $group"})
                    out.sort(key=lambda t: t[0], reverse=descending)
                    continue
                kind = output_types.get(name) or SCHEMA[name]

                def key(t: tuple[int, dict[str, Any], dict[str, Any]], name: str = name, kind: str = kind) -> Any:
                    return _sortable(t[1][name] if name in t[1] else t[2].get(name), kind)

                out.sort(key=key, reverse=descending)
        page = out[offset : offset + limit]
        # Nulls are left out of a row (live notes); everything else is text.
        rows = [{k: v for k, v in r.items() if v is not None} for _, r, _ in page]
        return rows, list(output_types.items())

    @staticmethod
    def _aggregate(
        indexed: list[tuple[int, dict[str, Any]]], items: list[_SelectItem], group: list[str]
    ) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        buckets: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = {}
        for i, row in indexed:
            buckets.setdefault(tuple(row.get(c) for c in group), []).append((i, row))
        if not group and not buckets:
            buckets[()] = []  # an aggregate without $group answers one row even over no rows
        out = []
        for key, members in buckets.items():
            values = dict(zip(group, key, strict=True))
            result: dict[str, Any] = {}
            for item in items:
                if item.aggregate == "count":
                    result[item.name] = str(
                        len(members)
                        if item.source is None
                        else sum(1 for _, r in members if r.get(item.source) is not None)
                    )
                elif item.aggregate == "sum":
                    numbers = [n for _, r in members if (n := _number(r.get(item.source or ""))) is not None]
                    result[item.name] = _decimal_text(sum(numbers, Decimal(0))) if numbers else None
                else:
                    result[item.name] = values[item.source or ""]
            out.append((members[0][0] if members else 0, result, values))
        return out

    @staticmethod
    def _count_param(params: Mapping[str, str], name: str, default: int, soql: str) -> int:
        raw = params.get(name)
        if raw is None:
            return default
        if not re.fullmatch(r"\d+", raw.strip()):
            message = f'Could not parse SoQL query "{soql}": {name} must be a non-negative integer'
            raise SoqlError(
                400, {"code": "query.compiler.malformed", "error": True, "message": message, "data": {"query": soql}}
            )
        return int(raw)


def soda_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rows as SODA serialises them: every value text, nulls left out."""
    return [{k: (v if isinstance(v, str) else str(v)) for k, v in r.items() if v is not None} for r in rows]
