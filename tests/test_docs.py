"""The methods live in the repository: nothing cites the research notes outside it, and every
link to a section of docs/methods.md (`#anchor`, from the dictionary, READMEs, SQL, code, tests) names
one of its headings.

Quick: reads the tracked files only (git ls-files), no warehouse, no Dagster.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from functools import cache

from pipeline.settings import REPO_ROOT

METHODS = REPO_ROOT / "docs" / "methods.md"
# The research notes the project was built from live outside the repository (users do not have them):
# their file names and the folder that held them. Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        re.escape(name)
        for name in (
            "sources" + ".md",
            "indices" + ".md",
            "stack" + ".md",
            "anchors-code" + ".md",
            "shared" + "/docs",
            "../" + "shared",
        )
    )
)
LINK = re.compile(r"docs/methods\.md#([\w-]+)")
LOCAL_LINK = re.compile(r"\]\(#([\w-]+)\)")


@cache
def tracked_text_files() -> dict[str, str]:
    """Every tracked file that is text (UTF-8, no NUL byte), by repository path."""
    names = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    texts = {}
    for name in filter(None, names):
        path = REPO_ROOT / name
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of every heading (outside code fences), numbered as GitHub numbers repeats."""
    seen: Counter[str] = Counter()
    out = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(1))
            out.add(base if seen[base] == 0 else f"{base}-{seen[base]}")
            seen[base] += 1
    return out


def test_slug_follows_github() -> None:
    assert slug("Breaks (`mart.bilateral_breaks`)") == "breaks-martbilateral_breaks"
    assert slug("Validation: what blocks and what warns") == "validation-what-blocks-and-what-warns"
    assert slug("Salton's cosine and Jaccard") == "saltons-cosine-and-jaccard"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_no_tracked_file_cites_the_notes_outside_the_repository() -> None:
    hits = [
        f"{name}:{number}: {line.strip()[:100]}"
        for name, text in tracked_text_files().items()
        for number, line in enumerate(text.splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not hits, "cite docs/methods.md#<section> instead:\n" + "\n".join(hits)


def test_every_methods_link_names_a_heading() -> None:
    targets = anchors(METHODS.read_text(encoding="utf-8"))
    links = [
        (name, number, anchor)
        for name, text in tracked_text_files().items()
        for number, line in enumerate(text.splitlines(), 1)
        for anchor in LINK.findall(line)
    ]
    # the dictionary, the READMEs and the code all cite sections (a loose check that the scan sees them)
    cited_from = {name for name, _, _ in links}
    assert {"warehouse/dictionary.yaml", "warehouse/DICTIONARY.md", "README.md", "warehouse/macros/indices.sql"} <= (
        cited_from
    )
    broken = [f"{name}:{number}: #{anchor}" for name, number, anchor in links if anchor not in targets]
    assert not broken, "no such heading in docs/methods.md:\n" + "\n".join(broken)


def test_methods_links_within_the_page_resolve() -> None:
    text = METHODS.read_text(encoding="utf-8")
    targets = anchors(text)
    local = LOCAL_LINK.findall(text)
    assert local, "the contents list links to the sections"
    assert sorted(set(local) - targets) == []


def test_methods_names_files_that_exist() -> None:
    """Paths the page names (`warehouse/...`, `pipeline/...`, `tests/...`, ...) are in the repository."""
    text = METHODS.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:warehouse|pipeline|tests|scripts|assets|benchmarks|docs)/[\w./-]+)`", text))
    missing = sorted(p for p in named if "*" not in p and "NNNN" not in p and not (REPO_ROOT / p.rstrip("/")).exists())
    assert not missing, missing
