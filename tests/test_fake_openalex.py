"""Tests of the OpenAlex fake itself (tests/fakes/openalex.py): it must answer as the real API does."""

from __future__ import annotations

import base64
import itertools
import json
import string
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from tests.fakes.openalex import PER_SECOND_MESSAGE, FakeOpenAlex, proxy_429_body

W = "https://openalex.org/W"


def work(
    n: int,
    *countries: list[str],
    year: int = 2020,
    type_: str = "article",
    issn: list[str] | None = None,
    paratext: bool = False,
    retracted: bool = False,
) -> dict[str, Any]:
    """A list-form work with one authorship per ``countries`` entry."""
    return {
        "id": f"{W}{n}",
        "publication_year": year,
        "type": type_,
        "primary_location": {"source": {"issn": issn} if issn is not None else None},
        "authorships": [{"author_position": "middle", "countries": c} for c in countries],
        "countries_distinct_count": len(set(itertools.chain.from_iterable(countries))),
        "is_paratext": paratext,
        "is_retracted": retracted,
    }


WORKS = [
    work(11, ["CN"], ["US"], year=2019, issn=["0028-0836", "1476-4687"]),
    work(12, ["CN", "US"], year=2020, issn=["0036-8075"]),
    work(13, ["CN"], year=2021),
    work(14, ["US"], ["DE"], year=2015, type_="review"),
    work(15, ["DE"], year=2022, paratext=True),
    work(16, [], year=2023, retracted=True),
]


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeOpenAlex:
    fake = FakeOpenAlex(list(WORKS))
    fake.install(httpserver)
    return fake


def get(httpserver: HTTPServer, path: str = "/works", query: str | None = None, **params: Any) -> requests.Response:
    """GET with either a raw query string (to keep a literal ``+``) or requests-encoded params."""
    url = httpserver.url_for(path) + (f"?{query}" if query else "")
    return requests.get(url, params=params, timeout=5)


def ids_of(body: dict[str, Any]) -> set[int]:
    return {int(w["id"].removeprefix(W)) for w in body["results"]}


def ids(resp: requests.Response) -> set[int]:
    return ids_of(resp.json())


def test_cursor_paging_over_three_pages_ends_with_null_cursor_and_empty_results(httpserver, fake):
    cursor, pages = "*", []
    while cursor is not None:
        resp = get(httpserver, per_page=2, cursor=cursor)
        assert resp.status_code == 200
        pages.append(resp.json())
        cursor = pages[-1]["meta"]["next_cursor"]
    assert [len(p["results"]) for p in pages] == [2, 2, 2, 0]
    assert set().union(*map(ids_of, pages)) == {11, 12, 13, 14, 15, 16}
    assert list(pages[0]) == ["meta", "results", "group_by"]
    assert list(pages[0]["meta"]) == [
        "count",
        "db_response_time_ms",
        "page",
        "per_page",
        "next_cursor",
        "groups_count",
        "cost_usd",
    ]
    assert pages[0]["meta"]["page"] is None and pages[0]["meta"]["count"] == 6
    assert pages[-1] == {
        "meta": {**pages[0]["meta"], "next_cursor": None},
        "results": [],
        "group_by": [],
    }
    # Opaque like the real one: base64 of a JSON string holding the sort values.
    assert json.loads(base64.b64decode(pages[0]["meta"]["next_cursor"])).startswith("[")


def test_null_cursor_on_short_page_regime(httpserver, fake):
    fake.null_cursor_on_short_page = True
    first = get(httpserver, per_page=4, cursor="*").json()
    second = get(httpserver, per_page=4, cursor=first["meta"]["next_cursor"]).json()
    assert len(second["results"]) == 2 and second["meta"]["next_cursor"] is None


def test_basic_paging_has_page_and_no_next_cursor_and_stops_at_10000(httpserver, fake):
    resp = get(httpserver, page=2, **{"per-page": 4})
    assert ids(resp) == {15, 16}
    assert resp.json()["meta"] == {
        "count": 6,
        "db_response_time_ms": 5,
        "page": 2,
        "per_page": 4,
        "groups_count": None,
        "cost_usd": 0.0001,
    }
    assert len(get(httpserver).json()["results"]) == 6  # default per_page 25
    deep = get(httpserver, page=101, per_page=100)
    assert deep.status_code == 400
    assert deep.json() == {
        "error": "Pagination error.",
        "message": "Maximum results size of 10,000 records is exceeded. Cursor pagination is required for "
        "records beyond 10,000. See: https://developers.openalex.org/guides/page-through-results",
    }
    assert get(httpserver, page=2, cursor="*").json()["message"] == "Cannot use page parameter with cursor."


def test_per_page_above_max_is_rejected(httpserver, fake):
    resp = get(httpserver, per_page=101)
    assert resp.status_code == 400
    assert resp.json() == {
        "error": "Pagination error.",
        "message": "per-page parameter must be between 1 and 100.",
    }
    assert get(httpserver, per_page=100).status_code == 200


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("authorships.countries:CN,authorships.countries:US", {11, 12}),  # comma / repeat = AND
        ("authorships.countries:cn+us", {11, 12}),  # + = AND within a value; case-insensitive
        ("authorships.countries:https://openalex.org/countries/DE", {14, 15}),
        ("authorships.countries:CN|DE", {11, 12, 13, 14, 15}),
        ("authorships.countries:!CN|DE", {16}),  # NOT (CN OR DE)
        ("authorships.countries:null", {16}),
        ("publication_year:>2020", {13, 15, 16}),
        ("publication_year:<2020,type:article", {11}),
        ("publication_year:2019-2021", {11, 12, 13}),
        ("publication_year:!2015-2021", {15, 16}),
        ("countries_distinct_count:>1", {11, 12, 14}),
        ("type:Review", {14}),
        ("is_paratext:false,is_retracted:false", {11, 12, 13, 14}),
        ("primary_location.source.issn:1476-4687|0036-8075", {11, 12}),
    ],
)
def test_filters(httpserver, fake, filter_, expected):
    resp = get(httpserver, query=f"filter={filter_}")
    assert resp.status_code == 200, resp.text
    assert ids(resp) == expected
    assert resp.json()["meta"]["count"] == len(expected)


def test_invalid_filter_has_the_recorded_400_shape(httpserver, fake):
    resp = get(httpserver, filter="DOESNTEXIST:1")
    assert resp.status_code == 400
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert list(body) == ["error", "message"] and body["error"] == "Invalid query parameters error."
    assert body["message"].startswith(
        "DOESNTEXIST is not a valid field. Valid fields are underscore or hyphenated versions of: "
        "abstract.search, abstract.search.exact, "
    )
    assert body["message"].endswith(", type, type_crossref, updated_date, version")
    assert resp.text.endswith("}\n")  # Flask jsonify, as in the recording
    bad_value = get(httpserver, filter="is_paratext:maybe").json()["message"]
    assert bad_value == "Value for is_paratext must be true, false null, or !null: not maybe."
    too_many = get(httpserver, filter="primary_location.source.issn:" + "|".join(["1234-5678"] * 101))
    assert too_many.json()["message"].startswith("Maximum number of values exceeded")


def test_param_errors_can_use_the_2025_status_403(httpserver, fake):
    fake.param_error_status = 403
    assert get(httpserver, filter="DOESNTEXIST:1").status_code == 403


def test_valid_but_unemulated_filter_or_param_is_501_not_a_fake_400(httpserver, fake):
    assert get(httpserver, filter="from_publication_date:2020-01-01").status_code == 501
    assert get(httpserver, sort="cited_by_count:desc").status_code == 501
    unknown = get(httpserver, perpage=5)
    assert unknown.status_code == 400 and unknown.json()["message"].startswith("perpage is not a valid parameter.")


def test_group_by_countries_counts_each_work_once_per_country(httpserver, fake):
    resp = get(httpserver, filter="is_retracted:false", group_by="authorships.countries")
    body = resp.json()
    assert list(body) == ["meta", "group_by"]
    assert body["meta"] == {
        "count": 5,
        "db_response_time_ms": 5,
        "page": 1,
        "per_page": 200,
        "groups_count": 3,
        "cost_usd": 0.0001,
    }
    assert body["group_by"] == [
        {"key": "https://openalex.org/countries/CN", "key_display_name": "China", "count": 3},
        {"key": "https://openalex.org/countries/US", "key_display_name": "United States", "count": 3},
        {"key": "https://openalex.org/countries/DE", "key_display_name": "Germany", "count": 2},
    ]
    unknown = get(httpserver, group_by="authorships.countries:include_unknown").json()["group_by"][-1]
    assert unknown == {
        "key": "https://openalex.org/countries/UNKNOWN",
        "key_display_name": "unknown",
        "count": 1,
    }


def test_group_by_year_and_type_keys(httpserver, fake):
    years = get(httpserver, filter="authorships.countries:CN", group_by="publication_year").json()["group_by"]
    assert {(g["key"], g["key_display_name"], g["count"]) for g in years} == {
        ("2019", "2019", 1),
        ("2020", "2020", 1),
        ("2021", "2021", 1),
    }
    types = get(httpserver, group_by="type").json()["group_by"]
    assert types[0] == {
        "key": "https://openalex.org/types/article",
        "key_display_name": "article",
        "count": 5,
    }


def test_group_by_errors(httpserver, fake):
    assert get(httpserver, group_by="type", select="id").json()["message"] == "select does not work with group_by."
    assert get(httpserver, group_by="nope").json()["message"].startswith("nope is not a valid field.")
    assert get(httpserver, group_by="language").status_code == 501
    assert get(httpserver, group_by="type", page=2).json()["error"] == "Pagination error."


def test_group_by_pages_with_cursor_over_more_than_200_keys(httpserver):
    codes = ["".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2)][:230]
    fake = FakeOpenAlex([work(1000 + i, [code]) for i, code in enumerate(reversed(codes))])
    fake.install(httpserver)
    one_page = get(httpserver, group_by="authorships.countries").json()
    assert one_page["meta"]["groups_count"] == 200 and "next_cursor" not in one_page["meta"]
    cursor, pages = "*", []
    while cursor is not None:
        pages.append(get(httpserver, group_by="authorships.countries", cursor=cursor).json())
        cursor = pages[-1]["meta"]["next_cursor"]
    assert [p["meta"]["groups_count"] for p in pages] == [200, 30, 0]
    keys = [g["key"].rsplit("/", 1)[1] for p in pages for g in p["group_by"]]
    assert keys == codes  # key order, every key once
    assert pages[1]["meta"]["page"] is None and pages[-1]["group_by"] == []
    assert base64.b64decode(pages[0]["meta"]["next_cursor"]) == f'"{codes[199]}"'.encode()
    assert get(httpserver, group_by="type", per_page=201).json()["message"] == (
        "per-page parameter must be between 1 and 200."
    )


def test_select(httpserver, fake):
    resp = get(httpserver, filter="type:review", select="id,publication_year")
    assert resp.json()["results"] == [{"id": f"{W}14", "publication_year": 2015}]
    bad = get(httpserver, select="id,DOESNTEXIST")
    assert bad.status_code == 400
    assert bad.json()["message"].startswith(
        "DOESNTEXIST is not a valid select field. Valid fields for select are: id, doi, title, "
    )


def test_truncated_list_form_vs_singleton(httpserver):
    big = work(21, *([["DE"]] * 100 + [["CN"]] * 20))
    listed = {**work(22, *([["FR"]] * 100)), "is_authors_truncated": True}
    full = work(22, *([["FR"]] * 100 + [["US"]]))
    fake = FakeOpenAlex([big, listed], singletons={f"{W}22": full})
    fake.install(httpserver)
    # Filters and group_by see the first 100 authorships only.
    assert get(httpserver, filter="authorships.countries:CN").json()["meta"]["count"] == 0
    assert get(httpserver, filter="authorships.countries:US").json()["meta"]["count"] == 0
    page = get(httpserver, filter="authorships.countries:DE").json()["results"][0]
    assert len(page["authorships"]) == 100 and page["is_authors_truncated"] is True
    assert len(get(httpserver, "/works/W21").json()["authorships"]) == 120
    single = get(httpserver, "/works/W22", select="id,authorships")
    assert single.text.endswith("}\n") and len(single.json()["authorships"]) == 101
    via_url = get(httpserver, f"/works/{W}22", select="id")  # redirected to /works/W22
    assert via_url.json() == {"id": f"{W}22"} and via_url.history[0].status_code == 302
    missing = get(httpserver, "/works/W999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


def test_country_filters_and_group_by_see_the_first_100_authors_but_authors_count_the_whole_byline(httpserver):
    # Shaped like the human-genome paper: GB/US in the first 100 authors, CN and DE only after.
    genome = work(31, *([["GB"]] * 60 + [["US"]] * 40 + [["CN"]] * 9 + [["CN", "DE"]]))
    fake = FakeOpenAlex([genome, work(32, ["CN"], ["US"]), work(33)])
    fake.install(httpserver)
    groups = get(httpserver, group_by="authorships.countries").json()["group_by"]
    assert {g["key"].rsplit("/", 1)[1]: g["count"] for g in groups} == {"GB": 1, "US": 2, "CN": 1}
    assert ids(get(httpserver, query="filter=authorships.countries:DE")) == set()
    assert ids(get(httpserver, query="filter=authorships.countries:CN,authorships.countries:US")) == {32}
    assert ids(get(httpserver, query="filter=countries_distinct_count:>2")) == set()  # 2 in its first 100
    # authors_count sees the whole byline (null without authorships) and is not a field of the answer
    assert ids(get(httpserver, query="filter=authors_count:>100")) == {31}
    assert ids(get(httpserver, query="filter=authors_count:<101")) == {32}
    assert ids(get(httpserver, query="filter=authors_count:<101|null")) == {32, 33}
    [listed] = get(httpserver, query="filter=authors_count:>100").json()["results"]
    assert len(listed["authorships"]) == 100 and listed["is_authors_truncated"] is True
    assert listed["countries_distinct_count"] == 2 and "authors_count" not in listed
    assert len(get(httpserver, "/works/W31").json()["authorships"]) == 110


def test_api_key_is_required(httpserver):
    fake = FakeOpenAlex(list(WORKS), api_key="sekret")
    fake.install(httpserver)
    for params in ({}, {"api_key": "wrong"}):
        resp = get(httpserver, **params)
        assert resp.status_code == 401
        assert resp.text == '{"error":"Invalid or missing API key","message":"API key not found"}'
    assert get(httpserver, api_key="sekret").status_code == 200
    bearer = requests.get(httpserver.url_for("/works/W11"), headers={"Authorization": "Bearer sekret"}, timeout=5)
    assert bearer.status_code == 200


def test_rate_limit_headers_and_daily_budget(httpserver, fake):
    fake.ratelimit_remaining = 2
    first = get(httpserver)
    assert first.headers["x-ratelimit-limit"] == "10000"
    assert first.headers["x-ratelimit-remaining"] == "1"
    assert first.headers["x-ratelimit-credits-used"] == "1"
    assert int(first.headers["x-ratelimit-reset"]) <= 86_400
    single = get(httpserver, "/works/W11")  # singletons are free
    assert (single.headers["x-ratelimit-credits-used"], single.headers["x-ratelimit-remaining"]) == ("0", "1")
    assert get(httpserver, group_by="type").headers["x-ratelimit-remaining"] == "0"
    # USD headers, names and values as recorded (fixtures error_400_invalid_filter / _select.http.json)
    assert {k: first.headers[k] for k in ("x-ratelimit-cost-usd", "x-ratelimit-limit-usd")} == {
        "x-ratelimit-cost-usd": "0.0001",
        "x-ratelimit-limit-usd": "1",
    }
    assert first.headers["x-ratelimit-remaining-usd"] == "0.0001" and single.headers["x-ratelimit-cost-usd"] == "0"
    broke = get(httpserver)
    midnight = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    until_midnight = (midnight - datetime.now(UTC)).total_seconds()
    assert broke.status_code == 429 and abs(int(broke.headers["Retry-After"]) - until_midnight) <= 2
    assert broke.json()["message"].startswith("Insufficient budget. This request costs $0.0001 but you only have $0 ")
    # The proxy's 429: nothing charged (no cost header), what it would have cost, and the day's reset.
    assert "x-ratelimit-cost-usd" not in broke.headers and broke.headers["x-ratelimit-cost-required-usd"] == "0.0001"
    assert broke.headers["x-ratelimit-remaining-usd"] == "0"
    assert abs(int(broke.headers["Retry-After"]) - int(broke.headers["x-ratelimit-reset"])) <= 1


def test_daily_limit_in_usd_and_a_too_fast_429(httpserver):
    fake = FakeOpenAlex(list(WORKS), daily_limit_usd=0.5)
    fake.install(httpserver)
    fake.too_fast_next()
    fast = get(httpserver)
    assert (fast.status_code, fast.headers["Retry-After"]) == (429, "1")
    assert fast.json()["message"] == PER_SECOND_MESSAGE
    # As the real proxy sends it: remaining 0 although the day is untouched (its per-second branch says 0).
    assert fast.headers["x-ratelimit-remaining-usd"] == "0" and fast.headers["x-ratelimit-limit-usd"] == "0.5"
    served = get(httpserver)
    assert served.status_code == 200 and served.headers["x-ratelimit-remaining-usd"] == "0.4999"


def test_fail_next_status_faults(httpserver, fake):
    fake.fail_next(429, retry_after=7, times=2)
    fake.fail_next(403)
    fake.fail_next(429, body=proxy_429_body(PER_SECOND_MESSAGE, 9000, 1))
    for status in (500, 502, 503, 504):
        fake.fail_next(status)
    for _ in range(2):
        resp = get(httpserver)
        assert (resp.status_code, resp.headers["Retry-After"]) == (429, "7")
        assert resp.headers["content-type"] == "text/html"
        assert resp.text == "<html><body>Too Many Requests</body></html>"
    forbidden = get(httpserver)
    assert forbidden.status_code == 403 and forbidden.json() == {"error": "rate limit exceeded; slow down"}
    per_second = get(httpserver)
    assert per_second.headers["Retry-After"] == "1" and per_second.json()["message"] == PER_SECOND_MESSAGE
    assert [get(httpserver).status_code for _ in range(4)] == [500, 502, 503, 504]
    assert get(httpserver).status_code == 200 and not fake.faults


def test_body_faults(httpserver, fake):
    fake.truncate_next_body()
    fake.malformed_next()
    cut = get(httpserver)
    assert cut.status_code == 200 and cut.text.startswith('{"meta": {"count": 6')
    with pytest.raises(ValueError):
        cut.json()
    bad = get(httpserver)
    assert bad.status_code == 200
    with pytest.raises(ValueError):
        bad.json()


def test_repeat_cursor_and_count_lie(httpserver, fake):
    fake.repeat_cursor_next()
    fake.lie_about_count(3)
    assert get(httpserver, group_by="type").json()["meta"]["count"] == 6  # neither fault takes group_by
    first = get(httpserver, per_page=2, cursor="*").json()  # one fault per request: the repeat
    assert first["meta"]["next_cursor"] == "*" and first["meta"]["count"] == 6
    second = get(httpserver, per_page=2, cursor="*").json()
    assert second["meta"]["count"] == 9 and second["meta"]["next_cursor"] != "*"
    third = get(httpserver, per_page=2, cursor=second["meta"]["next_cursor"]).json()
    assert third["meta"]["count"] == 6 and ids_of(third) == {13, 14}


def test_request_log(httpserver, fake):
    get(httpserver, filter="type:article", cursor="*")
    get(httpserver, group_by="type")
    get(httpserver, "/works/W11")
    assert fake.requests[0] == ("/works", {"filter": "type:article", "cursor": "*"})
    assert fake.calls_by_kind() == {"list": 1, "group_by": 1, "singleton": 1}
