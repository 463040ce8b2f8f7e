"""The OpenAlex fake serves the works' primary_topic (select) and filters and groups on its field and domain,
as the by-field marts' live plan asks for them; checked on hand-made works and on the bundled sample."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer

from assets.openalex.client import WORK_FIELDS
from tests.fakes.openalex import FakeOpenAlex

W = "https://openalex.org/W"
F = "https://openalex.org/fields/"
D = "https://openalex.org/domains/"
FIELD_NAMES = {21: "Energy", 31: "Physics and Astronomy", 27: "Medicine"}
FIELD_DOMAIN = {21: (3, "Physical Sciences"), 31: (3, "Physical Sciences"), 27: (4, "Health Sciences")}


def work(n: int, field: int | None, *countries: str) -> dict[str, Any]:
    topic = None
    if field is not None:
        domain, domain_name = FIELD_DOMAIN[field]
        topic = {
            "id": f"https://openalex.org/T9{n:09d}",
            "display_name": f"Synthetic topic {n}",
            "score": 0.9,
            "subfield": {"id": "https://openalex.org/subfields/2102", "display_name": "a subfield"},
            "field": {"id": f"{F}{field}", "display_name": FIELD_NAMES[field]},
            "domain": {"id": f"{D}{domain}", "display_name": domain_name},
        }
    return {
        "id": f"{W}{n}",
        "publication_year": 2020,
        "type": "article",
        "primary_location": {"source": None},
        "primary_topic": topic,
        "authorships": [{"author_position": "middle", "countries": [c]} for c in countries],
        "countries_distinct_count": len(set(countries)),
        "is_paratext": False,
        "is_retracted": False,
    }


WORKS = [
    work(1, 21, "CN", "US"),
    work(2, 21, "CN"),
    work(3, 31, "CN", "US"),
    work(4, 27, "US"),
    work(5, None, "CN", "US"),
    work(6, 27, "CN", "US"),
    work(7, 27, "DE"),
]


@pytest.fixture
def fake(httpserver: HTTPServer) -> FakeOpenAlex:
    fake = FakeOpenAlex(list(WORKS))
    fake.install(httpserver)
    return fake


def get(httpserver: HTTPServer, **params: Any) -> dict[str, Any]:
    resp = requests.get(httpserver.url_for("/works"), params=params, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def ids(body: dict[str, Any]) -> set[int]:
    return {int(w["id"].removeprefix(W)) for w in body["results"]}


def test_the_client_selects_primary_topic_and_the_fake_serves_it(httpserver, fake):
    assert "primary_topic" in WORK_FIELDS
    body = get(httpserver, select=",".join(WORK_FIELDS), filter="publication_year:2020")
    served = {w["id"]: w["primary_topic"] for w in body["results"]}
    assert served == {w["id"]: w["primary_topic"] for w in WORKS}
    assert "primary_topic" not in get(httpserver, select="id,type")["results"][0]


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("primary_topic.field.id:fields/21", {1, 2}),
        ("primary_topic.field.id:21", {1, 2}),
        (f"primary_topic.field.id:{F}27", {4, 6, 7}),
        ("primary_topic.field.id:21|31", {1, 2, 3}),
        ("primary_topic.field.id:!27", {1, 2, 3, 5}),
        ("primary_topic.field.id:null", {5}),
        ("primary_topic.domain.id:domains/4,authorships.countries:CN", {6}),
        ("primary_topic.domain.id:3,authorships.countries:US", {1, 3}),
    ],
)
def test_filters_on_the_primary_topic_field_and_domain(httpserver, fake, filter_, expected):
    assert ids(get(httpserver, filter=filter_)) == expected


def test_group_by_field_with_the_pair_filter(httpserver, fake):
    pair = "authorships.countries:CN,authorships.countries:US"
    body = get(httpserver, filter=pair, group_by="primary_topic.field.id")
    assert body["group_by"] == [
        {"key": f"{F}21", "key_display_name": "Energy", "count": 1},
        {"key": f"{F}27", "key_display_name": "Medicine", "count": 1},
        {"key": f"{F}31", "key_display_name": "Physics and Astronomy", "count": 1},
    ]
    assert body["meta"]["count"] == 4  # the work without a primary topic is counted, not grouped
    unknown = get(httpserver, group_by="primary_topic.domain.id:include_unknown", cursor="*")["group_by"]
    assert unknown == [
        {"key": "unknown", "key_display_name": "unknown", "count": 1},
        {"key": f"{D}3", "key_display_name": "Physical Sciences", "count": 3},
        {"key": f"{D}4", "key_display_name": "Health Sciences", "count": 3},
    ]


def test_the_sample_served_by_the_fake_gives_the_field_counts_of_its_records(httpserver, sample_works):
    fake = FakeOpenAlex(sample_works)
    fake.install(httpserver)
    body = get(
        httpserver,
        filter="publication_year:2024,authorships.countries:CN,authorships.countries:US,type:article",
        group_by="primary_topic.field.id",
    )
    served = {g["key"]: g["count"] for g in body["group_by"]}
    expected = Counter(
        w["primary_topic"]["field"]["id"]
        for w in sample_works
        if w["publication_year"] == 2024
        and w["type"] == "article"
        and {"CN", "US"} <= {c for a in w["authorships"][:100] for c in a["countries"]}
        and w["primary_topic"]
    )
    assert served == dict(expected) and sum(served.values()) >= 60
