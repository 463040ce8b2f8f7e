"""Every list or joined text the warehouse SQL builds is ordered, so identical runs write identical rows
(issue 17: core.country_context.source_version was a string_agg without ORDER BY). Static: reads the SQL."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.settings import REPO_ROOT

SQL_DIR = REPO_ROOT / "warehouse"
AGGREGATES = re.compile(r"\b(string_agg|array_agg|list|group_concat|listagg)\s*\(", re.IGNORECASE)
# Aggregates whose order cannot reach a written value, with the reason.
UNORDERED_OK = {
    ("core/works.sql", "list(issn)"): "a set for list_has_any: only the boolean is written",
}


def _call(text: str, start: int) -> str:
    """The call starting at `start` up to its balanced closing parenthesis."""
    depth = 0
    for i in range(text.index("(", start), len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start : i + 1]
    raise AssertionError(f"unbalanced call at {start}")


def unordered_aggregates(root: Path = SQL_DIR) -> list[tuple[str, str]]:
    """(file under `root`, call) of every list / string aggregate without ORDER BY (comments ignored)."""
    found = []
    for path in sorted(root.rglob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for match in AGGREGATES.finditer(text):
            call = _call(text, match.start())
            if not re.search(r"\border\s+by\b", call, re.IGNORECASE):
                found.append((path.relative_to(root).as_posix(), " ".join(call.split())))
    return found


def test_every_list_and_joined_text_in_the_warehouse_sql_is_ordered():
    unordered = [f for f in unordered_aggregates() if f not in UNORDERED_OK]
    assert unordered == [], "aggregate without ORDER BY (a run could write its items in any order)"


def test_the_scan_finds_an_unordered_aggregate(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "x.sql").write_text(
        "SELECT string_agg(DISTINCT v, '; ') AS s, list(w ORDER BY w) AS l, list_sort(z) FROM t -- list(y)\n"
    )
    assert unordered_aggregates(tmp_path) == [("core/x.sql", "string_agg(DISTINCT v, '; ')")]
