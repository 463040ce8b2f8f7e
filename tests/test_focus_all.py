"""COLLAB_FOCUS=ALL: every country pair's counts from group_by in live mode
(docs/methods.md#every-pair-from-group_by-collab_focusall): the setting, the plan and its cost, the refusal
of a plan over budget before any call, and a live run whose pair counts equal sample mode's for every pair."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from assets.openalex.live import LiveOpenAlex
from assets.openalex.plan import (
    PlanOverBudget,
    check_plan_budget,
    partner_countries,
    plan_cost,
    plan_group_queries,
    plan_record_queries,
    universe_filters,
)
from pipeline.settings import SettingsError, load_settings
from pipeline.validation import iso2_codes
from tests.conftest import TEST_API_KEY
from tests.fakes.openalex import FakeOpenAlex
from tests.test_e2e import INDEX_COLUMNS, materialize, query
from tests.test_fake_openalex import work
from tests.test_openalex_client import make_client
from tests.test_openalex_spend import unpaced  # noqa: F401 (a fixture)

REFERENCE = ("CN", "US", "DE", "FR", "JP")
UNIVERSE = universe_filters(("article",), True, True)
LOG = logging.getLogger(__name__)


def settings(focus: str, **env: str):
    return replace(load_settings({"COLLAB_FOCUS": focus, **env}), environment={})


@pytest.mark.parametrize(
    ("text", "focus", "every_pair"),
    [("CN,US", ("CN", "US"), False), ("ALL", ("CN", "US"), True), ("all, de ,FR", ("DE", "FR"), True)],
)
def test_collab_focus_all_is_parsed(text, focus, every_pair):
    parsed = settings(text)
    assert (parsed.focus, parsed.focus_all) == (focus, every_pair)


@pytest.mark.parametrize("text", ["ALL,DE", "ALL,DE,ZZ"])
def test_collab_focus_all_with_one_or_a_bad_country_is_refused(text):
    with pytest.raises(SettingsError, match=r"COLLAB_FOCUS.*with ALL: no country, meaning CN,US, or at least two"):
        settings(text)


def test_the_plan_asks_every_reference_country_for_its_partners():
    years, chunks = [2019, 2020], [["0028-0836"], ["0036-8075"]]  # two Nature Index chunks: three paper sets
    every = settings("ALL,DE,FR")
    partners = partner_countries(every, REFERENCE)
    assert partners == ("DE", "FR", "CN", "US", "JP"), "focus first, each country once"
    queries = plan_group_queries(every, years, UNIVERSE, chunks, partners)
    asked = [q for q in queries if q.query_kind == "partners_in_year"]
    assert len(asked) == len(years) * 3 * len(REFERENCE)
    assert {(q.year, q.paper_set, q.filter_country) for q in asked} == {
        (y, s, c) for y in years for s in ("all", "nature_index") for c in REFERENCE
    }
    # Topic counts stay with the record-level focus: their marts are about focus pairs.
    assert {q.filter_country for q in queries if q.query_kind == "country_by_field"} == {"DE", "FR"}
    focus_only = plan_group_queries(
        settings("DE,FR"), years, UNIVERSE, chunks, partner_countries(settings("DE,FR"), [])
    )
    assert {q.filter_country for q in focus_only if q.query_kind == "partners_in_year"} == {"DE", "FR"}
    assert len(queries) - len(focus_only) == len(years) * 3 * (len(REFERENCE) - 2)

    # Cost: 6 world_by_year (one page), 12 countries_in_year and 30 partners_in_year (two pages at most with
    # 250 possible keys), 24 topic queries (one page); 2 joint DE-FR and 2 large-byline record queries.
    cost = plan_cost(queries, plan_record_queries(every, years, UNIVERSE), country_keys=250)
    assert (cost.group_by_queries, cost.group_by_calls_min, cost.group_by_calls_max) == (72, 72, 6 + 84 + 24)
    assert (cost.record_queries, cost.calls_min, cost.calls_max) == (4, 76, 118)
    assert cost.usd(cost.calls_max) == Decimal("0.0118")
    assert "76-118 billed calls, $0.0076-$0.0118 at the documented $0.10 per 1,000" in cost.text()


def test_the_documented_figures_of_a_real_plan():
    """docs/methods.md quotes these: 250 reference countries and the 82 fixed-set journals in 4 chunks."""
    every, reference = settings("ALL"), iso2_codes()
    chunks = [["x"]] * 4
    one_year = plan_cost(
        plan_group_queries(every, [2019], UNIVERSE, chunks, partner_countries(every, reference)),
        plan_record_queries(every, [2019], UNIVERSE),
        len(reference),
    )
    assert (len(reference), one_year.calls_min, one_year.calls_max) == (250, 1284, 2544)
    three = [2018, 2019, 2020]
    three_years = plan_cost(
        plan_group_queries(every, three, UNIVERSE, chunks, partner_countries(every, reference)),
        plan_record_queries(every, three, UNIVERSE),
        len(reference),
    )
    check_plan_budget(three_years, 8000, 1.0, "three years")  # fits the defaults
    ten = list(range(2015, 2025))
    ten_years = plan_cost(
        plan_group_queries(every, ten, UNIVERSE, chunks, partner_countries(every, reference)),
        plan_record_queries(every, ten, UNIVERSE),
        len(reference),
    )
    assert (ten_years.calls_min, ten_years.calls_max) == (12750, 25350)
    with pytest.raises(PlanOverBudget, match=r"call_budget=8000 .* and COLLAB_OPENALEX_BUDGET_USD=1\.0"):
        check_plan_budget(ten_years, 8000, 1.0, "ten years")


@pytest.mark.parametrize(
    ("call_budget", "budget_usd", "named"),
    [(100, 1.0, "call_budget=100"), (100_000, 0.05, "COLLAB_OPENALEX_BUDGET_USD=0.05")],
)
def test_a_plan_over_budget_is_refused_before_any_request(fake_openalex, httpserver, call_budget, budget_usd, named):
    source = LiveOpenAlex(make_client(fake_openalex, httpserver), issn_chunk_size=50, call_budget=call_budget)
    run = settings("ALL", COLLAB_YEARS="2019-2020", COLLAB_OPENALEX_BUDGET_USD=str(budget_usd))
    with pytest.raises(PlanOverBudget) as err:
        source.pull(run, run.year_list, lambda: [["0028-0836", "1476-4687"]], LOG)
    message = str(err.value)
    assert named in message and "COLLAB_FOCUS=ALL, 2019-2020, every pair (250 countries)" in message
    assert "no call was made" in message and "billed calls" in message
    assert fake_openalex.requests == [], "refused before the first call"


def test_a_country_with_more_than_200_partners_is_paged_whole(httpserver):
    """The real API answers 200 groups a page: the client follows the cursor past them (two calls here, the
    most the plan's cost allows for 250 possible keys)."""
    partners = [c for c in iso2_codes() if c != "CN"][:230]
    fake = FakeOpenAlex([work(1000 + i, ["CN"], [code]) for i, code in enumerate(partners)], api_key=TEST_API_KEY)
    fake.install(httpserver)
    client = make_client(fake, httpserver)
    groups = client.group_by([("authorships.countries", "CN")], "authorships.countries")
    assert sorted(g.key for g in groups) == sorted([*partners, "CN"])
    assert fake.calls_by_kind()["group_by"] == 2


@pytest.mark.e2e
def test_live_all_counts_every_pair_as_sample_mode_does(isolated_env, tmp_path, monkeypatch, live_env, unpaced):  # noqa: F811
    """One year (the fake then searches that year's works only): ~770 group_by calls, every pair counted."""
    monkeypatch.setenv("COLLAB_YEARS", "2019")
    monkeypatch.setenv("COLLAB_FOCUS", "ALL")
    live_env.works = [w for w in live_env.works if w["publication_year"] == 2019]
    # 100 ISSNs an OR-filter: the 82 Nature Index journals in 2 chunks, not 4 (~770 group_by calls, not ~1,280).
    # (Run config replaces the resource's configuration: the key comes from the environment as in the slice.)
    config = {"api_key": {"env": "OPENALEX_API_KEY"}, "mailto": {"env": "OPENALEX_MAILTO"}, "issn_chunk_size": 100}
    live = materialize({"resources": {"openalex": {"config": config}}})
    assert live.success, [e for e in live.all_events if e.event_type_value == "STEP_FAILURE"]
    [event] = [m for m in live.get_asset_materialization_events() if m.asset_key.path == ["raw", "openalex_works"]]
    stats = {k: v.value for k, v in event.materialization.metadata.items()}
    kinds = live_env.calls_by_kind()
    billed = kinds["list"] + kinds["group_by"]
    assert int(stats["planned_calls_min"]) <= billed <= int(stats["planned_calls_max"]), "the plan's cost held"
    asked = [
        (re.search(r"authorships\.countries:([A-Z]{2})", q["filter"]).group(1), q["filter"])
        for _, q in live_env.requests
        if q.get("group_by") == "authorships.countries" and "authorships.countries:" in q["filter"]
    ]
    assert {country for country, _ in asked} == set(iso2_codes()), "the partners of every reference country"
    assert len(set(asked)) == 250 * 3, "in the universe and each of the two Nature Index chunks"

    sample_path = tmp_path / "sample.duckdb"
    monkeypatch.setenv("COLLAB_MODE", "sample")
    monkeypatch.setenv("COLLAB_WAREHOUSE", str(sample_path))
    assert materialize().success

    columns = ", ".join(INDEX_COLUMNS)
    rows = f"SELECT country_a, country_b, year, paper_set, {columns} FROM mart.bilateral_papers ORDER BY ALL"
    live_rows, sample_rows = query(isolated_env, rows), query(sample_path, rows)
    assert len(live_rows) == len(sample_rows)
    assert [r[:4] for r in live_rows] == [r[:4] for r in sample_rows], "the same pairs, years and paper sets"
    outside = [r for r in live_rows if not {"CN", "US"} & {r[0], r[1]}]
    assert len(outside) > len(live_rows) / 2, "most pairs have no focus country"
    for lrow, srow in zip(live_rows, sample_rows, strict=True):
        for column, lval, sval in zip(INDEX_COLUMNS, lrow[4:], srow[4:], strict=True):
            assert (lval is None and sval is None) or lval == pytest.approx(sval, rel=1e-12), (lrow[:4], column)
    shares = query(
        isolated_env,
        "SELECT country_a, country_b, count(share_a_joint), count(collaboration_score) FROM mart.bilateral_papers "
        "WHERE share_a_joint IS NOT NULL OR collaboration_score IS NOT NULL GROUP BY ALL ORDER BY ALL",
    )
    assert [r[:2] for r in shares] == [("CN", "US"), ("US", "CN")], "Shares only for the record pair"
