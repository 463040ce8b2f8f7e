"""OpenAlex spend in USD: counted per call kind from the X-RateLimit-* headers, capped by
COLLAB_OPENALEX_BUDGET_USD, and a 429 told apart: "too fast" is retried, "budget spent" stops at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from requests.structures import CaseInsensitiveDict

import pipeline.http as http_module
from assets.definitions import defs
from assets.openalex.spend import DailyBudgetSpent, Spend, SpendBudgetExceeded, call_kind
from pipeline.http import CallBudgetExceeded
from pipeline.publish import build_path
from tests.test_e2e import query
from tests.test_openalex_client import CN_US, make_client

DATA = Path(__file__).parent / "data" / "openalex"
PRICE = Decimal("0.0001")  # the fake's price of a list or group_by call, as recorded
RAW = (("raw", "openalex_works"), ("raw", "openalex_group_counts"))


@pytest.fixture
def unpaced(monkeypatch) -> None:
    """No client-side pacing against the local fake (5 calls/s would make a run wait ~10 s); pacing is
    tested with the connectors."""
    make_session = http_module.make_session
    monkeypatch.setattr(http_module, "make_session", lambda per_second, *rest: make_session(0, *rest))


def extract_and_publish() -> dg.ExecuteInProcessResult:
    """The OpenAlex extraction with what it reads (the reference group) and the publication after it: the
    least of the graph that shows the spend reaching the published warehouse."""
    graph = defs.resolve_asset_graph()
    selection = [
        k
        for k in graph.get_all_asset_keys()
        if (graph.get(k).group_name in ("reference", "publish") and graph.get(k).partitions_def is None)
        or tuple(k.path) in RAW
    ]
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection
    )


def next_utc_midnight() -> datetime:
    return (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def billed_requests(fake) -> int:
    kinds = fake.calls_by_kind()
    return kinds["list"] + kinds["group_by"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://api.openalex.org/works?filter=x:1&cursor=*", "list"),
        ("https://api.openalex.org/works?filter=x:1&group_by=type", "group_by"),
        ("https://api.openalex.org/works/W123?select=id", "singleton"),
    ],
)
def test_call_kinds(url, kind):
    assert call_kind(url) == kind


def test_spend_is_counted_by_kind_from_the_headers(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver, per_page=25)
    records = client.fetch_works([*CN_US, ("publication_year", "2019")])
    client.group_by([("publication_year", "2019"), ("authorships.countries", "CN")], "authorships.countries")
    spend, kinds = client.http.spend, fake_openalex.calls_by_kind()
    assert any(r.authors_refetched for r in records), "a free singleton is part of the run"
    assert {k: spend.kinds[k].calls for k in ("list", "group_by", "singleton")} == {
        k: kinds[k] for k in ("list", "group_by", "singleton")
    }
    assert spend.spent_usd == PRICE * billed_requests(fake_openalex) and spend.unpriced == 0
    assert spend.kinds["singleton"].usd == 0
    assert spend.limit_usd == 1 and spend.remaining_usd == 1 - spend.spent_usd
    assert spend.resets_at is not None and abs((spend.resets_at - next_utc_midnight()).total_seconds()) <= 2


def test_answers_without_a_price_are_unknown_not_free(fake_openalex, httpserver):
    """2025 answers carried only ratelimit-* headers: their cost is unknown, estimated at the documented price."""
    client = make_client(fake_openalex, httpserver)
    httpserver.clear_all_handlers()
    httpserver.expect_request("/works").respond_with_json(
        {"meta": {"count": 0, "next_cursor": None}, "group_by": []},
        headers={"ratelimit-limit": "100", "ratelimit-remaining": "99", "ratelimit-reset": "1"},
    )
    client.group_by([("publication_year", "2020")], "publication_year")
    spend = client.http.spend
    assert spend.unpriced == 1 and spend.rows()[1][5] is None, "usd_spent of group_by is NULL: unknown"
    assert spend.estimated_usd() == PRICE and spend.usd_text().startswith("unknown (1 answers without")


def test_guard_stops_before_a_call_would_pass_the_budget(fake_openalex, httpserver, monkeypatch):
    monkeypatch.setenv("COLLAB_OPENALEX_BUDGET_USD", "0.0003")
    client = make_client(fake_openalex, httpserver, per_page=5)
    with pytest.raises(SpendBudgetExceeded) as err:
        client.fetch_works([*CN_US, ("publication_year", "2019")])
    message = str(err.value)
    assert "COLLAB_OPENALEX_BUDGET_USD=0.0003" in message and "spent $0.0003" in message
    assert isinstance(err.value, CallBudgetExceeded)
    assert billed_requests(fake_openalex) == 3, "three calls fit the budget, the fourth was never sent"
    assert client.http.spend.spent_usd == Decimal("0.0003")
    big = next(w["id"] for w in fake_openalex.works if len(w["authorships"]) > 100)
    assert client.get_work(big).authors_refetched, "free singletons still pass the guard"


def test_a_too_fast_429_is_retried(fake_openalex, httpserver):
    waits: list[float] = []
    client = make_client(fake_openalex, httpserver)
    client.http.sleep = waits.append
    fake_openalex.too_fast_next(times=2)
    assert client.group_by([("publication_year", "2020")], "publication_year")
    assert waits == [1, 1] and client.http.retries == 2, "Retry-After: 1 is honoured, never slept here"
    group_by = client.http.spend.kinds["group_by"]
    assert (group_by.calls, group_by.refused, group_by.usd) == (3, 2, PRICE), "refusals cost nothing"
    # The per-second 429 says remaining 0 (as the real proxy does); the allowance comes from served answers.
    assert client.http.spend.remaining_usd == 1 - PRICE


@pytest.mark.parametrize("max_retry_after", [120, 10**7], ids=["long-retry-after", "by-message"])
def test_a_budget_spent_429_stops_at_once_with_the_reset_time(fake_openalex, httpserver, max_retry_after):
    waits: list[float] = []
    client = make_client(fake_openalex, httpserver, per_page=5, max_retry_after_seconds=max_retry_after)
    client.http.sleep = waits.append
    fake_openalex.ratelimit_remaining = 2  # two list pages left of the key's day
    with pytest.raises(DailyBudgetSpent) as err:
        client.fetch_works([*CN_US, ("publication_year", "2019")])
    message = str(err.value)
    assert f"budget resets at {next_utc_midnight():%Y-%m-%d} 00:00:00 UTC" in message, message
    assert "Insufficient budget" in message and "not retried" in message
    assert waits == [] and client.http.retries == 0
    assert billed_requests(fake_openalex) == 3, "two served, one refused, no further call"
    assert client.http.spend.remaining_usd == 0 and client.http.spend.spent_usd == 2 * PRICE


@pytest.mark.e2e
def test_live_run_records_spend_in_metadata_and_meta_table(isolated_env, monkeypatch, live_env, unpaced):
    monkeypatch.setenv("COLLAB_YEARS", "2019")
    live_env.works = [w for w in live_env.works if w["publication_year"] == 2019]  # the fake scans them all per call
    result = extract_and_publish()
    assert result.success
    kinds = live_env.calls_by_kind()
    billed = kinds["list"] + kinds["group_by"]
    assert kinds["singleton"] >= 1 and billed > 0
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key.path == ["raw", "openalex_works"]]
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert {k: metadata[f"openalex_calls_{k}"] for k in ("list", "group_by", "singleton")} == {
        k: kinds[k] for k in ("list", "group_by", "singleton")
    }
    assert metadata["openalex_usd_spent"] == pytest.approx(float(PRICE * billed))
    assert metadata["openalex_usd_remaining"] == pytest.approx(1 - float(PRICE * billed))
    assert metadata["openalex_usd_limit"] == 1 and metadata["openalex_budget_usd"] == 1
    assert metadata["openalex_budget_resets_at"] == f"{next_utc_midnight():%Y-%m-%d} 00:00:00 UTC"
    rows = query(
        isolated_env,
        "SELECT run_id, call_kind, calls, usd_spent, usd_spent_estimated, usd_remaining, budget_resets_at "
        "FROM meta.openalex_spend ORDER BY call_kind",
    )
    assert [r[1:3] for r in rows] == [(k, kinds[k]) for k in ("group_by", "list", "singleton")]
    assert {r[0] for r in rows} == {result.run_id}
    assert sum(r[3] for r in rows) == PRICE * billed and all(r[3] == r[4] for r in rows)
    assert {r[5] for r in rows} == {1 - PRICE * billed}
    assert {r[6].astimezone(UTC) for r in rows} == {next_utc_midnight()}


@pytest.mark.e2e
def test_live_run_stops_at_the_usd_budget_and_records_what_it_spent(isolated_env, monkeypatch, live_env, unpaced):
    monkeypatch.setenv("COLLAB_YEARS", "2019")
    live_env.works = [w for w in live_env.works if w["publication_year"] == 2019]  # the fake scans them all per call
    monkeypatch.setenv("COLLAB_OPENALEX_BUDGET_USD", "0.0005")
    result = extract_and_publish()
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "COLLAB_OPENALEX_BUDGET_USD=0.0005" in str(failure.event_specific_data.error)
    assert billed_requests(live_env) == 5
    rows = query(build_path(isolated_env), "SELECT sum(usd_spent), max(budget_usd) FROM meta.openalex_spend")
    assert rows == [(Decimal("0.0005"), Decimal("0.0005"))]


def recorded(name: str) -> tuple[dict[str, str], int, datetime]:
    """Headers, status and time of a real recorded answer (tests/data/openalex/README.md)."""
    sidecar = json.loads((DATA / f"{name}.http.json").read_text(encoding="utf-8"))
    at = datetime.strptime(sidecar["recorded_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return CaseInsensitiveDict(sidecar["response"]["headers"]), sidecar["response"]["status"], at


def test_recorded_answers_are_counted_as_they_say():
    spend = Spend()
    for name, kind in (
        ("works_group_by_type", "group_by"),
        ("error_400_invalid_filter", "list"),
        ("error_400_invalid_select", "singleton"),
    ):
        headers, status, at = recorded(name)
        spend.observe(kind, status, headers, cached=False, now=at)
    assert spend.spent_usd == 2 * PRICE and spend.kinds["singleton"].usd == 0 and spend.unpriced == 0
    # The last one (a free key, 13:10:42 UTC) says $0.9653 left of $1, reset in 38958 s: midnight UTC.
    assert (spend.limit_usd, spend.remaining_usd) == (1, Decimal("0.9653"))
    assert spend.resets_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    headers, status, at = recorded("works_cursor_page1_two_works")  # 2025: ratelimit-* only, no price
    spend.observe("list", status, headers, cached=False, now=at)
    assert spend.unpriced == 1 and spend.remaining_usd == Decimal("0.9653"), "no USD figure invented"


def test_fake_sends_the_recorded_header_names(fake_openalex, httpserver):
    client = make_client(fake_openalex, httpserver)
    client.group_by([("publication_year", "2020")], "publication_year")
    names = {n.lower() for n in client.http.last_headers if n.lower().startswith("x-ratelimit-")}
    assert names == {n for n in recorded("works_group_by_type")[0] if n.startswith("x-ratelimit-")}
