"""The cheap live plan (docs/methods.md#live-mode-an-exact-split-at-100-authors): group_by counts for
every pair that involves a focus country, paper records only for the joint papers of pairs between focus
countries.

The API's `authorships.countries` filter, its group_by and `countries_distinct_count` see only the
first 100 authorships of a work (same section), while `authors_count` sees the whole byline. So
the plan splits every year exactly in two: group_by counts over works with at most 100 authors
(or none), where the cut changes nothing, and the full records of every universe work with more
than 100 authors, counted in SQL like snapshot records (core/*.group_counts.sql).

Pure functions: the plan is data, so it can be tested, costed and printed without the network.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.settings import Settings

PAPER_SETS = ("all", "nature_index")
AUTHOR_CUT = 100  # authorships the API's country filter and group_by see
# `authors_count` can be null (the API's own tests find such works, presumably without authorships);
# null stays on the group_by side, so the two halves cover every work.
UP_TO_CUT = ("authors_count", f"<{AUTHOR_CUT + 1}|null")
BEYOND_CUT = ("authors_count", f">{AUTHOR_CUT}")
# The primary-topic levels counted per year for mart.bilateral_papers_by_field
# (docs/methods.md#collaboration-by-field); `:include_unknown` adds the works without a primary topic as the
# key "unknown".
TOPIC_GROUP_FIELDS = ("primary_topic.field.id:include_unknown", "primary_topic.domain.id:include_unknown")


@dataclass(frozen=True)
class GroupQuery:
    query_kind: str  # world_by_year | countries_in_year | partners_in_year | world_by_field | country_by_field
    paper_set: str
    year: int | None  # None: one call covers the whole year range (world_by_year)
    intl_only: bool
    filter_country: str | None
    group_field: str
    filters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RecordQuery:
    pair: tuple[str, str] | None  # None: every universe work with more than 100 authors
    year: int
    filters: tuple[tuple[str, str], ...]


def universe_filters(
    work_types: Sequence[str], exclude_paratext: bool, exclude_retracted: bool
) -> list[tuple[str, str]]:
    """API filters for the paper universe, the same rule core/works.sql applies to records."""
    out = [("type", "|".join(work_types))]
    if exclude_paratext:
        out.append(("is_paratext", "false"))
    if exclude_retracted:
        out.append(("is_retracted", "false"))
    return out


def issn_chunks(journal_issns: Sequence[Sequence[str]], max_values: int) -> list[list[str]]:
    """OR-lists of ISSNs of at most `max_values`, never splitting one journal's ISSNs.

    A work's primary source is one journal, so chunks built from whole journals are disjoint and
    their counts add up; splitting a journal's print and electronic ISSN could count a work twice.
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    for issns in journal_issns:
        issns = [i for i in dict.fromkeys(issns) if i]
        if len(issns) > max_values:
            raise ValueError(f"a journal has {len(issns)} ISSNs, more than the {max_values} an OR-filter may hold")
        if current and len(current) + len(issns) > max_values:
            chunks.append(current)
            current = []
        current.extend(issns)
    if current:
        chunks.append(current)
    return chunks


def plan_group_queries(
    settings: Settings,
    years: Sequence[int],
    universe: Sequence[tuple[str, str]],
    nature_index_chunks: Sequence[Sequence[str]],
) -> list[GroupQuery]:
    """Every group_by call of a live refresh of `years`, each over works with at most 100 authors."""
    set_filters: list[tuple[str, tuple[tuple[str, str], ...]]] = [("all", ())]
    set_filters += [
        ("nature_index", (("primary_location.source.issn", "|".join(chunk)),)) for chunk in nature_index_chunks
    ]
    base = (*universe, UP_TO_CUT)
    queries: list[GroupQuery] = []
    span = f"{min(years)}-{max(years)}"
    for paper_set, extra in set_filters:
        for intl_only in (False, True):
            located = ("countries_distinct_count", ">1" if intl_only else ">0")
            queries.append(
                GroupQuery(
                    "world_by_year",
                    paper_set,
                    None,
                    intl_only,
                    None,
                    "publication_year",
                    (*base, *extra, ("publication_year", span), located),
                )
            )
        for year in years:
            for intl_only in (False, True):
                f = (*base, *extra, ("publication_year", str(year)))
                if intl_only:
                    f = (*f, ("countries_distinct_count", ">1"))
                queries.append(
                    GroupQuery("countries_in_year", paper_set, year, intl_only, None, "authorships.countries", f)
                )
            for country in settings.focus:
                f = (*base, *extra, ("publication_year", str(year)), ("authorships.countries", country))
                queries.append(
                    GroupQuery("partners_in_year", paper_set, year, False, country, "authorships.countries", f)
                )
            if paper_set == "all":  # by field for the whole universe; the Nature Index set's fields stay NULL
                queries += topic_queries(settings, paper_set, year, (*base, *extra, ("publication_year", str(year))))
    return queries


def topic_queries(
    settings: Settings, paper_set: str, year: int, filters: tuple[tuple[str, str], ...]
) -> list[GroupQuery]:
    """The universe of each field and domain in one year and paper set (works with at most 100 authors):
    the located works and the international ones of the world (world_by_field) and of each focus country
    (country_by_field), one group_by per level, flag and country."""
    queries = []
    for group_field, intl_only in itertools.product(TOPIC_GROUP_FIELDS, (False, True)):
        located = ("countries_distinct_count", ">1" if intl_only else ">0")
        queries.append(GroupQuery("world_by_field", paper_set, year, intl_only, None, group_field, (*filters, located)))
        for country in settings.focus:
            f = (*filters, ("authorships.countries", country))
            if intl_only:
                f = (*f, located)
            queries.append(GroupQuery("country_by_field", paper_set, year, intl_only, country, group_field, f))
    return queries


def plan_record_queries(
    settings: Settings, years: Sequence[int], universe: Sequence[tuple[str, str]]
) -> list[RecordQuery]:
    """Per year: the joint works (at most 100 authors) of each pair of focus countries, with no
    universe filter (the universe is applied to records in SQL, so the quality mart can report what
    it excluded); then every universe work with more than 100 authors, whose countries after author
    100 only its full record shows (the group_by counts leave these works out)."""
    pairs = [
        RecordQuery(
            (a, b),
            year,
            (("authorships.countries", a), ("authorships.countries", b), ("publication_year", str(year)), UP_TO_CUT),
        )
        for a, b in itertools.combinations(sorted(settings.focus), 2)
        for year in years
    ]
    large = [RecordQuery(None, year, (*universe, ("publication_year", str(year)), BEYOND_CUT)) for year in years]
    return pairs + large
