"""The DOT Socrata connector (`xgub-n9bw`) against a local server that answers as SODA 2.x does."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest
import requests

from assets.soda import client as soda
from assets.soda.client import SodaRow, build_soda
from assets.soda.sample import SAMPLE_DIR, SampleSoda
from pipeline.http import SourceError
from tests.fakes import local_http
from tests.fakes.soda import FakeSoda

APP_TOKEN = "soda-app-token-5e2b"
FOREIGN = ["PEK", "PVG", "CAN"]


def make_rows() -> list[dict[str, str]]:
    """A synthetic slice of the dataset in the SODA shape (every value a string).

    Two rows share each natural key (same carrier code under two airline ids), so only `:id` makes
    the order total; a few rows are another `type`, other airports or years, to be filtered out.
    """
    rows: list[dict[str, str]] = []
    gateways = [("LAX", "12892", "91"), ("SFO", "14771", "91"), ("JFK", "12478", "22")]
    foreign = [("PEK", "10004", "778"), ("PVG", "10005", "778"), ("CAN", "10006", "778"), ("NRT", "10007", "736")]
    carriers = [("UA", "19977", "1"), ("MU", "20001", "0")]
    for n, (year, month, (usg, usg_id, usg_wac), (fg, fg_id, fg_wac), (carrier, airline, group), dup) in enumerate(
        itertools.product(range(2018, 2022), (1, 7, 8), gateways, foreign, carriers, (0, 1))
    ):
        scheduled = 1000 + (n * 37) % 9000
        charter = (n * 11) % 50 if n % 3 == 0 else 0
        rows.append(
            {
                "data_dte": f"{year}-{month:02d}-01T00:00:00.000",  # format UNCONFIRMED for this dataset
                "year": str(year),
                "month": str(month),
                "usg_apt_id": usg_id,
                "usg_apt": usg,
                "usg_wac": usg_wac,
                "fg_apt_id": fg_id,
                "fg_apt": fg,
                "fg_wac": fg_wac,
                "airlineid": str(int(airline) + dup),
                "carrier": carrier,
                "carriergroup": group,
                "type": "Passengers" if n % 17 else "Freight",  # a few non-passenger rows (type value assumed)
                "scheduled": str(scheduled),
                "charter": str(charter),
                "total": str(scheduled + charter),
            }
        )
    return rows


def expected(rows: list[dict[str, str]], airports: list[str], years: tuple[int, int]) -> list[tuple]:
    """What the query should return, in `$order` (natural key, then `:id`)."""
    picked = [
        (r["year"], r["month"], r["usg_apt"], r["fg_apt"], r["carrier"], i, r)
        for i, r in enumerate(rows)
        if r["type"] == "Passengers" and r["fg_apt"] in airports and years[0] <= int(r["year"]) <= years[1]
    ]
    picked.sort(key=lambda t: (int(t[0]), int(t[1]), t[2], t[3], t[4], t[5]))
    return [
        (int(r["year"]), int(r["month"]), r["usg_apt"], r["fg_apt"], r["carrier"], int(r["total"]), int(r["airlineid"]))
        for *_, r in picked
    ]


def key_of(row: SodaRow) -> tuple:
    return row.year, row.month, row.usg_apt, row.fg_apt, row.carrier, row.total, row.airlineid


def content(rows: list[SodaRow]) -> list[SodaRow]:
    """Rows without provenance (which differs between live and sample by design)."""
    return [dataclasses.replace(r, request="", retrieved_at=None) for r in rows]  # type: ignore[arg-type]


@pytest.fixture
def dataset() -> list[dict[str, str]]:
    return make_rows()


@pytest.fixture
def fake_soda(httpserver, dataset) -> FakeSoda:
    return FakeSoda(dataset, app_token=APP_TOKEN).install(httpserver)


def make_client(httpserver, *, app_token: str | None = APP_TOKEN, page_size: int = 50_000, **http):
    return build_soda(app_token, page_size=page_size, **local_http(httpserver, **http))


# --------------------------------------------------------------------------- paging
def test_paging_across_pages_with_a_stable_order(fake_soda, httpserver, dataset):
    client = make_client(httpserver, page_size=25)
    rows = client.passenger_rows(["pek", "PVG"], (2019, 2020))
    assert [key_of(r) for r in rows] == expected(dataset, ["PEK", "PVG"], (2019, 2020))
    pages = [r.params for r in fake_soda.requests]
    assert len(rows) > 3 * 25, "the query spans several pages"
    assert [int(p["$offset"]) for p in pages] == list(range(0, 25 * len(pages), 25))
    assert len(pages) == len(rows) // 25 + 1, "stops on the first short page"
    for p in pages:
        assert p["$limit"] == "25"
        assert p["$order"] == "year,month,usg_apt,fg_apt,carrier,:id", "natural key, then :id for ties"
        assert p["$where"] == "type='Passengers' AND fg_apt in('PEK','PVG') AND year between 2019 and 2020"
    assert all(r.request.startswith(httpserver.url_for("/resource/xgub-n9bw.json")) for r in rows)


def test_pages_iterates_any_ordered_query_and_insists_on_an_order(fake_soda, httpserver, dataset):
    client = make_client(httpserver, page_size=100)
    pages = list(client.pages({"$where": "fg_apt='NRT'", "$order": ":id"}))
    assert sum(len(p) for p in pages) == sum(r["fg_apt"] == "NRT" for r in dataset)
    assert all(isinstance(v, str) for p in pages for row in p for v in row.values()), "SODA sends text"
    with pytest.raises(ValueError, match=r"\$order"):
        next(client.pages({"$where": "fg_apt='NRT'"}))
    with pytest.raises(ValueError, match="page_size"):
        make_client(httpserver, page_size=50_001)
    with pytest.raises(ValueError, match="airport codes"):
        client.passenger_rows(["PEK','X"], (2019, 2019))  # never spliced into SoQL
    calls = len(fake_soda.requests)
    assert client.passenger_rows([], (2019, 2019)) == [] and len(fake_soda.requests) == calls


def test_a_server_ignoring_offset_is_a_clear_error(fake_soda, httpserver):
    client = make_client(httpserver, page_size=20)
    fake_soda.repeat_page_next()
    with pytest.raises(SourceError, match="page repeated") as err:
        client.passenger_rows(FOREIGN, (2018, 2021))
    assert "$offset=20" in str(err.value)


# --------------------------------------------------------------------------- numbers
def test_string_numbers_are_parsed_and_integral_floats_accepted(httpserver, dataset):
    dataset[0].update(type="Passengers", scheduled="45210.0", charter="0.00", total="45210.00")
    FakeSoda(dataset, app_token=APP_TOKEN).install(httpserver)
    rows = make_client(httpserver).passenger_rows([dataset[0]["fg_apt"]], (2018, 2018))
    first = next(
        r
        for r in rows
        if r.airlineid == int(dataset[0]["airlineid"]) and r.month == 1 and r.usg_apt == dataset[0]["usg_apt"]
    )
    assert (first.scheduled, first.charter, first.total) == (45210, 0, 45210)
    assert all(isinstance(getattr(r, f), int) for r in rows for f in ("year", "month", "total", "carriergroup"))


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("45210.5", "total is not a whole number"),
        ("-3", "total is negative"),
        ("n/a", "total is not a number"),
        (None, "total is missing"),
    ],
    ids=["fraction", "negative", "garbage", "null"],
)
def test_bad_numbers_fail_naming_the_record_and_rule(httpserver, dataset, value, rule):
    bad = next(r for r in dataset if r["type"] == "Passengers" and r["fg_apt"] == "PVG" and r["year"] == "2020")
    if value is None:
        del bad["total"]  # Socrata leaves a null out of the row
    else:
        bad["total"] = value
    FakeSoda(dataset).install(httpserver)
    with pytest.raises(SourceError, match=rule) as err:
        make_client(httpserver, app_token=None).passenger_rows(["PVG"], (2020, 2020))
    message = str(err.value)
    assert message.startswith(f"[{soda.SOURCE}] {rule}")
    assert f"usg_apt='{bad['usg_apt']}'" in message and "year='2020'" in message, "names the record"
    assert "request: GET http://" in message


# --------------------------------------------------------------------------- answers and faults
def test_429_with_retry_after_is_honoured(fake_soda, httpserver, dataset):
    waits: list[float] = []
    client = make_client(httpserver, sleep=waits.append)
    fake_soda.fail_next(429, headers={"Retry-After": "7"})
    fake_soda.fail_next(503)
    rows = client.passenger_rows(["CAN"], (2021, 2021))
    assert [key_of(r) for r in rows] == expected(dataset, ["CAN"], (2021, 2021))
    assert waits[0] == 7 and len(waits) == 2 and client.http.retries == 2


def test_202_still_processing_is_asked_again(fake_soda, httpserver):
    client = make_client(httpserver)
    fake_soda.fail_next(202, body="")
    assert client.passenger_rows(["CAN"], (2021, 2021))
    assert client.http.retries == 1


def test_app_token_goes_in_a_header_and_never_into_urls_errors_or_repr(fake_soda, httpserver):
    client = make_client(httpserver)
    rows = client.passenger_rows(["PEK"], (2018, 2018))
    assert rows and all(r.app_token == APP_TOKEN for r in fake_soda.requests)
    assert all("app_token" not in "".join(r.params) for r in fake_soda.requests), "header, not $$app_token"
    assert all(APP_TOKEN not in r.request for r in rows)
    assert APP_TOKEN not in repr(client.http)

    wrong = make_client(httpserver, app_token="not-the-token-77")
    with pytest.raises(SourceError, match="HTTP 403 permission_denied") as err:
        wrong.passenger_rows(["PEK"], (2018, 2018))
    assert "Invalid app_token specified" in str(err.value)
    assert "not-the-token-77" not in str(err.value) and "not-the-token-77" not in repr(wrong.http)
    assert wrong.http.calls == 1, "a refused token is final, not retried"


@pytest.mark.parametrize(
    ("params", "rule", "text"),
    [
        ({"$where": "fg_apt in('PEK'", "$order": ":id"}, "HTTP 400 query.compiler.malformed", "Could not parse SoQL"),
        ({"$where": "nope='x'", "$order": ":id"}, "HTTP 400 query.soql.no-such-column", "No such column: nope"),
        ({"$where": "year='2019'", "$order": ":id"}, "HTTP 400 query.soql.type-mismatch", "Type mismatch"),
    ],
    ids=["malformed", "no-such-column", "type-mismatch"],
)
def test_socrata_errors_are_final_and_carry_their_message(fake_soda, httpserver, params, rule, text):
    client = make_client(httpserver)
    with pytest.raises(SourceError, match=rule) as err:
        list(client.pages(params))
    assert text in str(err.value)
    assert client.http.calls == 1


def test_fake_answers_in_the_soda_layout_with_group_and_sum(fake_soda, httpserver, dataset):
    url = httpserver.url_for("/resource/xgub-n9bw.json")
    params = {
        "$select": "fg_apt,sum(total) AS pax,count(*)",
        "$where": "type='Passengers' AND year between 2019 and 2019",
        "$group": "fg_apt",
        "$order": "pax DESC",
    }
    answer = requests.get(url, params=params, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json;charset=utf-8"
    assert answer.text.startswith('[{"fg_apt":') and "}\n,{" in answer.text and answer.text.endswith("}]\n")
    assert json.loads(answer.headers["X-SODA2-Fields"]) == ["fg_apt", "pax", "count"]
    got = answer.json()
    sums: dict[str, int] = {}
    for r in dataset:
        if r["type"] == "Passengers" and r["year"] == "2019":
            sums[r["fg_apt"]] = sums.get(r["fg_apt"], 0) + int(r["total"])
    assert [(g["fg_apt"], int(g["pax"])) for g in got] == sorted(sums.items(), key=lambda kv: -kv[1])
    assert all(isinstance(g["pax"], str) and isinstance(g["count"], str) for g in got)
    # Defaults and limits of SODA 2.0: $limit 1000 unless asked, 50,000 at most.
    assert len(requests.get(url, timeout=10).json()) == min(1000, len(dataset))
    assert requests.get(url, params={"$limit": "50001"}, timeout=10).status_code == 501
    ungrouped = requests.get(url, params={"$select": "fg_apt,sum(total)"}, timeout=10)
    assert ungrouped.status_code == 400 and ungrouped.json()["errorCode"] == "query.soql.column-not-in-group-bys"


# --------------------------------------------------------------------------- sample
def test_sample_reader_equals_the_live_client(fake_soda, httpserver, dataset, tmp_path):
    path = tmp_path / "xgub-n9bw.json"
    path.write_text(json.dumps(dataset), encoding="utf-8")
    live = make_client(httpserver, page_size=40).passenger_rows(FOREIGN, (2018, 2020))
    sample = SampleSoda(path).passenger_rows(FOREIGN, (2018, 2020))
    assert live and content(sample) == content(live)
    assert all(r.request == f"sample:{path}" for r in sample)


def test_sample_reader_fails_clearly_on_a_bad_row(dataset, tmp_path):
    bad = next(r for r in dataset if r["type"] == "Passengers" and r["fg_apt"] == "PEK")
    bad["scheduled"] = "12.5"
    path = tmp_path / "xgub-n9bw.json"
    path.write_text(json.dumps(dataset), encoding="utf-8")
    with pytest.raises(SourceError, match="scheduled is not a whole number") as err:
        SampleSoda(path).passenger_rows(["PEK"], (2018, 2021))
    assert f"sample:{path}" in str(err.value)
    with pytest.raises(SourceError, match="sample file missing"):
        SampleSoda(tmp_path / "absent.json").passenger_rows(["PEK"], (2018, 2021))


def test_bundled_sample_matches_a_fake_serving_it(httpserver):
    path: Path = SAMPLE_DIR / f"{soda.DATASET}.json"
    if not path.exists():
        pytest.skip("the bundled SODA sample has not been generated yet")
    rows = json.loads(path.read_text(encoding="utf-8"))
    FakeSoda(rows).install(httpserver)
    airports = sorted({r["fg_apt"] for r in rows if r.get("type") == "Passengers"})[:60]
    years = [int(r["year"]) for r in rows]
    span = (min(years), max(years))
    sample = SampleSoda().passenger_rows(airports, span)
    live = make_client(httpserver, app_token=None, page_size=5_000).passenger_rows(airports, span)
    assert content(sample) == content(live)
    assert all(r.request == f"sample:pipeline/sample_data/soda/{soda.DATASET}.json" for r in sample)
