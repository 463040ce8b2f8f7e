"""The OpenAlex connector against a local server that answers as OpenAlex does, faults included."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from assets.openalex.client import normalise_group_key
from assets.openalex.plan import TOPIC_GROUP_FIELDS, plan_group_queries, universe_filters
from assets.openalex.resource import OpenAlexResource
from pipeline.http import CallBudgetExceeded, SourceError
from pipeline.settings import load_settings
from tests.conftest import TEST_API_KEY
from tests.fakes.openalex import FakeOpenAlex

CN_US = [("authorships.countries", "CN"), ("authorships.countries", "US")]


def make_client(fake_openalex: FakeOpenAlex, httpserver, **overrides):
    settings = {
        "base_url": httpserver.url_for("").rstrip("/"),
        "api_key": TEST_API_KEY,
        "mailto": "ci@example.org",
        "requests_per_second": 0,
        **overrides,
    }
    # The run's settings without OPENALEX_BASE_URL, which would override the fake's URL.
    client = OpenAlexResource(**settings).client(replace(load_settings(), environment={}))
    client.http.sleep = lambda seconds: None  # waits are asserted, not slept
    client.http.backoff_initial = 0
    return client


def sample_cn_us(works: list[dict], year: int) -> set[str]:
    """What OpenAlex would match: CN and US among the countries of the first 100 authorships."""
    return {
        w["id"]
        for w in works
        if w["publication_year"] == year
        and {"CN", "US"} <= {c for a in w["authorships"][:100] for c in a.get("countries") or []}
    }


def test_cursor_paging_fetches_every_joint_work(fake_openalex, httpserver, sample_works):
    client = make_client(fake_openalex, httpserver, per_page=25)
    records = client.fetch_works([*CN_US, ("publication_year", "2019")])
    assert {r.payload["id"] for r in records} == sample_cn_us(sample_works, 2019)
    pages = [q for p, q in fake_openalex.requests if p == "/works" and "cursor" in q]
    assert pages[0]["cursor"] == "*" and all(q["per_page"] == "25" for q in pages)
    assert all(q["api_key"] == TEST_API_KEY and q["mailto"] == "ci@example.org" for q in pages)
    assert "page" not in pages[0], "basic paging is capped at 10,000 results and never used"


def test_truncated_author_lists_are_refetched_as_singletons(fake_openalex, httpserver, sample_works):
    client = make_client(fake_openalex, httpserver)
    records = client.fetch_works([*CN_US, ("publication_year", "2019")])
    refetched = [r for r in records if r.authors_refetched]
    assert refetched, "the sample has a truncated CN–US work in 2019"
    for r in refetched:
        assert len(r.payload["authorships"]) > 100
        assert r.request.startswith(httpserver.url_for("/works/W"))
    assert all(len(r.payload["authorships"]) <= 100 for r in records if not r.authors_refetched)


def test_provenance_urls_carry_no_secrets(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver)
    records = client.fetch_works([*CN_US, ("publication_year", "2020")])
    assert records and all(TEST_API_KEY not in r.request and "ci@example.org" not in r.request for r in records)


def test_group_by_countries_and_years(fake_openalex, httpserver, sample_works):
    client = make_client(fake_openalex, httpserver)
    groups = client.group_by([("publication_year", "2019"), ("authorships.countries", "CN")], "authorships.countries")
    by_key = {g.key: g.count for g in groups}
    assert by_key["US"] == len(sample_cn_us(sample_works, 2019))
    years = client.group_by([("publication_year", "2015-2024")], "publication_year")
    assert sorted(g.key for g in years) == [str(y) for y in range(2015, 2025)]


def test_429_with_retry_after_is_honoured(fake_openalex, httpserver):
    waits: list[float] = []
    client = make_client(fake_openalex, httpserver)
    client.http.sleep = waits.append
    fake_openalex.fail_next(429, retry_after=7)
    fake_openalex.fail_next(503)
    assert client.group_by([("publication_year", "2020")], "publication_year")
    assert waits[0] == 7, "Retry-After is honoured"
    assert len(waits) == 2 and client.http.retries == 2


def test_per_second_403_is_retried_but_invalid_filter_403_is_not(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver)
    fake_openalex.fail_next(403)  # {"error": "rate limit exceeded; slow down"}
    assert client.group_by([("publication_year", "2020")], "publication_year")
    fake_openalex.param_error_status = 403  # the 2025-08 behaviour for invalid parameters
    with pytest.raises(SourceError, match="invalid query") as err:
        client.group_by([("DOESNTEXIST", "1")], "publication_year")
    assert "DOESNTEXIST is not a valid field" in str(err.value)


def test_invalid_filter_400_names_source_rule_and_request(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver)
    with pytest.raises(SourceError) as err:
        list(client.iter_works([("DOESNTEXIST", "1")]))
    message = str(err.value)
    assert message.startswith("[openalex] HTTP 400")
    assert "Invalid query parameters error." in message and "DOESNTEXIST" in message
    assert "request: GET http://" in message and TEST_API_KEY not in message


@pytest.mark.parametrize(
    ("overrides", "fault", "error", "calls"),
    [
        # A persistent 5xx: bounded retries, then a clear error.
        ({"max_attempts": 3}, {"status": 502, "times": 5}, "gave up after bounded retries", 3),
        # A Retry-After beyond the limit (a spent daily budget): fail at once rather than sleep for hours.
        ({"max_retry_after_seconds": 60}, {"status": 429, "retry_after": 40_000}, "daily USD budget is spent", 1),
    ],
    ids=["persistent-5xx", "retry-after-too-long"],
)
def test_unrecoverable_answers_fail_within_bounds(fake_openalex, httpserver, overrides, fault, error, calls):
    client = make_client(fake_openalex, httpserver, **overrides)
    fake_openalex.fail_next(**fault)
    with pytest.raises(SourceError, match=error):
        client.group_by([("publication_year", "2020")], "publication_year")
    assert client.http.calls == calls


def test_call_budget_stops_before_spending_more(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, call_budget=2, per_page=5)
    with pytest.raises(CallBudgetExceeded, match="budget exhausted"):
        client.fetch_works([*CN_US, ("publication_year", "2019")])
    assert len([p for p, _ in fake_openalex.requests if p == "/works"]) == 2


def test_call_budget_counts_billed_calls_not_free_singletons(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, call_budget=1, per_page=5)
    big = [w["id"] for w in fake_openalex.works if len(w["authorships"]) > 100]
    assert len(big) == 3 and all(len(client.get_work(i).payload["authorships"]) > 100 for i in big)
    assert (client.http.calls, client.http.billed_calls) == (3, 0)
    client.group_by([("publication_year", "2020")], "publication_year")
    with pytest.raises(CallBudgetExceeded, match="1 of 1 calls used"):
        client.group_by([("publication_year", "2021")], "publication_year")
    assert (client.http.calls, client.http.billed_calls) == (4, 1)


def test_truncated_and_malformed_bodies_are_retried(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver)
    fake_openalex.truncate_next_body()
    fake_openalex.malformed_next()
    assert client.group_by([("publication_year", "2020")], "publication_year")
    assert client.http.retries == 2


def test_repeating_cursor_is_an_error(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, per_page=10)
    fake_openalex.repeat_cursor_next()
    with pytest.raises(SourceError, match="cursor repeated"):
        client.fetch_works([*CN_US, ("publication_year", "2019")])


def test_count_that_disagrees_with_paging_is_an_error(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, per_page=50)
    fake_openalex.lie_about_count(3)
    with pytest.raises(SourceError, match=r"meta\.count disagrees"):
        client.fetch_works([*CN_US, ("publication_year", "2019")])


def test_wrong_api_key_is_a_clear_error(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, api_key="wrong")
    with pytest.raises(SourceError, match=r"HTTP 401.*Invalid or missing API key"):
        client.group_by([("publication_year", "2020")], "publication_year")


def test_per_page_above_the_documented_maximum_is_refused():
    with pytest.raises(ValueError):
        OpenAlexResource(per_page=101)


def test_group_by_primary_topic_field_counts_the_sample_and_the_unknown(fake_openalex, httpserver, sample_works):
    """The plan's topic query (TOPIC_GROUP_FIELDS): keys arrive as full ids and are kept as the number;
    works without a primary topic come back as "unknown"."""
    client = make_client(fake_openalex, httpserver)
    filters = [("publication_year", "2019"), ("authorships.countries", "CN"), ("countries_distinct_count", ">1")]
    groups = client.group_by(filters, TOPIC_GROUP_FIELDS[0])
    expected: Counter[str] = Counter()
    for w in sample_works:
        countries = {c for a in w["authorships"][:100] for c in a.get("countries") or []}
        if w["publication_year"] == 2019 and "CN" in countries and len(countries) > 1:
            topic = w.get("primary_topic")
            expected[topic["field"]["id"].rsplit("/", 1)[-1] if topic else "unknown"] += 1
    assert {g.key: g.count for g in groups} == dict(expected) and len(expected) > 3
    assert all(g.key == "unknown" or g.key.isdigit() for g in groups)


def test_the_plan_counts_each_topic_level_per_year_flag_and_focus_country():
    settings = replace(load_settings(), environment={}, focus=("CN", "US", "DE"))
    universe = universe_filters(["article"], True, True)
    queries = plan_group_queries(settings, [2019, 2020], universe, [["0028-0836"]])
    topic = [q for q in queries if q.query_kind in ("world_by_field", "country_by_field")]
    # the whole universe only ('all'): 2 years x 2 levels x 2 flags x (world + 3 focus countries)
    assert len(topic) == 2 * 2 * 2 * 4 and {q.paper_set for q in topic} == {"all"}
    one = [q for q in topic if q.year == 2020 and q.filter_country == "DE"]
    assert {(q.group_field, q.intl_only) for q in one} == {(f, i) for f in TOPIC_GROUP_FIELDS for i in (False, True)}
    for q in one:
        f = dict(q.filters)
        assert f["authorships.countries"] == "DE" and f["publication_year"] == "2020"
        assert "primary_location.source.issn" not in f and f["authors_count"] == "<101|null"
        assert f.get("countries_distinct_count") == (">1" if q.intl_only else None)
    world = {
        q.intl_only: dict(q.filters)
        for q in topic
        if q.query_kind == "world_by_field"
        and q.year == 2019
        and q.paper_set == "all"
        and q.group_field == TOPIC_GROUP_FIELDS[1]
    }
    assert world[False]["countries_distinct_count"] == ">0" and world[True]["countries_distinct_count"] == ">1"
    assert "authorships.countries" not in world[False]


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("CN", "CN"),
        ("https://openalex.org/countries/US", "US"),
        ("2020", "2020"),
        # group_by=primary_topic.field.id as OpenAlex's own guide shows its answer (developers.openalex.org/guides/
        # recipe-funder-portfolio, 2026-02-23: {"key": "https://openalex.org/fields/22", "key_display_name":
        # "Engineering", ...}); no recording of that answer exists
        ("https://openalex.org/fields/22", "22"),
    ],
)
def test_group_keys_are_normalised(key, code):
    assert normalise_group_key(key) == code
