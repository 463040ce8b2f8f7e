"""The World Bank connector against a local server that answers as the Indicators API v2 does, faults included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from assets.worldbank.client import (
    INDICATORS,
    WorldBankClient,
    WorldBankHttp,
    check_observations,
    parse_answer,
    parse_rows,
)
from assets.worldbank.sample import SampleWorldBank
from assets.worldbank.table import WbObservation
from pipeline.http import SourceError
from tests.fakes import local_http
from tests.fakes.worldbank import FakeWorldBank, Series, load_sample

RECORDED = Path(__file__).parent / "data" / "worldbank"
COUNTRIES = ["CHN", "USA", "GBR", "DEU", "JPN", "KOR", "IND", "FRA", "CAN", "AUS"]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def fake_wb(httpserver) -> FakeWorldBank:
    return FakeWorldBank().install(httpserver)


def make_client(httpserver, per_page: int = 1000, **http) -> WorldBankClient:
    return WorldBankClient(WorldBankHttp(**local_http(httpserver, **http)), per_page=per_page)


def data(observations: list[WbObservation]) -> list[tuple]:
    """The content of observations, without where and when they were fetched."""
    return [
        (o.indicator, o.country_iso2, o.country_iso3, o.year, o.value, o.obs_status, o.last_updated)
        for o in observations
    ]


# ------------------------------------------------------------------------- happy path and paging
def test_one_page_with_provenance(fake_wb, httpserver):
    got = make_client(httpserver).observations("SP.POP.TOTL", ["CHN", "USA"], 2015, 2020)
    assert [(o.country_iso3, o.year) for o in got] == [(c, y) for c in ("CHN", "USA") for y in range(2015, 2021)]
    assert all(
        o.country_iso2 == {"CHN": "CN", "USA": "US"}[o.country_iso3] and o.last_updated == "2025-07-01" for o in got
    )
    assert all(isinstance(o.value, float) and o.value > 1e8 for o in got)
    [(path, params)] = fake_wb.requests
    assert path == "/v2/country/CHN;USA/indicator/SP.POP.TOTL"
    assert params == {"format": ["json"], "date": ["2015:2020"], "per_page": ["1000"], "page": ["1"]}
    assert got[0].request.startswith(httpserver.url_for("/v2/country/CHN;USA/indicator/SP.POP.TOTL?"))
    assert parse_qs(urlsplit(got[0].request).query)["date"] == ["2015:2020"]
    assert got[0].retrieved_at.tzinfo is not None


def test_several_pages_equal_one_page(fake_wb, httpserver):
    whole = make_client(httpserver).observations("NY.GDP.MKTP.CD", COUNTRIES, 2013, 2024)
    fake_wb.requests.clear()
    paged = make_client(httpserver, per_page=7).observations("NY.GDP.MKTP.CD", COUNTRIES, 2013, 2024)
    assert data(paged) == data(whole) and len(whole) == 120
    assert [p["page"] for _, p in fake_wb.requests] == [[str(n)] for n in range(1, 19)]  # ceil(120 / 7)
    assert len({o.request for o in paged}) == 18, "each observation names the page it came from"


def test_aggregates_dropped_nulls_kept(fake_wb, httpserver):
    client = make_client(httpserver, per_page=50)
    got = client.observations("SP.POP.SCIE.RD.P6", ["all"], 2013, 2024)
    assert fake_wb.requests[0][0] == "/v2/country/all/indicator/SP.POP.SCIE.RD.P6"
    assert len(fake_wb.requests) == 3  # 144 rows incl. 24 aggregate rows, counted against total
    assert {o.country_iso3 for o in got} == set(COUNTRIES)
    assert len(got) == 120
    assert {o.year for o in got if o.value is None} >= {2023, 2024}
    assert all(o.value is None for o in got if o.year >= 2023)
    # Asking for an aggregate by name is allowed; its rows are still not countries.
    asked = client.observations("SP.POP.TOTL", ["WLD", "EUU", "KOR"], 2020, 2020)
    assert [(o.country_iso3, o.year) for o in asked] == [("KOR", 2020)]


def test_no_rows_is_empty(fake_wb, httpserver):
    assert make_client(httpserver).observations("SP.POP.TOTL", ["CHN"], 1990, 1995) == []


# ------------------------------------------------------------------------- error answers
def test_error_array_names_the_indicator(fake_wb, httpserver):
    with pytest.raises(SourceError) as info:
        make_client(httpserver).observations("NOT.AN.INDICATOR", ["CHN"], 2013, 2024)
    message = str(info.value)
    assert info.value.rule == "World Bank error answer"
    assert "NOT.AN.INDICATOR" in message and "120 Invalid value: The provided parameter value is not valid" in message
    assert len(fake_wb.requests) == 1, "an error answer is final, not retried"


def test_html_400_is_a_clear_error(fake_wb, httpserver):
    http = WorldBankHttp(base_url=httpserver.url_for("").rstrip("/"), requests_per_second=0, sleep=lambda s: None)
    with pytest.raises(SourceError) as info:
        http.get_json("/v2/country/CHN/indicator/SP.POP.TOTL", {"format": "json", "source": "invalid_source_id"})
    assert "HTTP 400 with an HTML error page" in str(info.value)
    assert info.value.detail.startswith("Request Error Request Error The server encountered an error")
    assert len(fake_wb.requests) == 1


def test_503_retried_then_success(fake_wb, httpserver):
    fake_wb.fail_next(503, times=2)
    client = make_client(httpserver)
    got = client.observations("GB.XPD.RSDV.GD.ZS", ["CHN", "USA"], 2013, 2024)
    assert len(got) == 24 and client.http.retries == 2 and len(fake_wb.requests) == 3
    cn = {o.year: o.value for o in got if o.country_iso3 == "CHN"}
    assert cn[2024] is None and 2.0 <= cn[2013] < cn[2023] <= 2.7


def test_cut_off_body_is_retried(fake_wb, httpserver):
    fake_wb.malformed_next()
    got = make_client(httpserver).observations("SP.POP.TOTL", ["JPN"], 2013, 2014)
    assert len(got) == 2 and len(fake_wb.requests) == 2


def test_total_mismatch_is_an_error(httpserver):
    series = load_sample()["SP.POP.TOTL"]
    fake = FakeWorldBank({"SP.POP.TOTL": series})
    original = fake.handle

    def drop_a_row(request):  # a page shorter than the meta says: the pages do not add up
        response = original(request)
        meta, rows = json.loads(response.get_data())
        response.set_data(json.dumps([meta, rows[1:]]))
        return response

    fake.handle = drop_a_row
    fake.install(httpserver)
    with pytest.raises(SourceError, match=r"rows received differ from meta\.total"):
        make_client(httpserver).observations("SP.POP.TOTL", ["CHN"], 2013, 2024)


def test_non_year_date_names_the_record(httpserver):
    row = dict(load_sample()["SP.POP.TOTL"].rows[-1], date="2021Q1")  # a USA row
    FakeWorldBank({"SP.POP.TOTL": Series([row])}).install(httpserver)
    with pytest.raises(SourceError, match="row date is not a year") as info:
        make_client(httpserver).observations("SP.POP.TOTL", ["USA"], 2013, 2024)
    assert info.value.record == "indicator SP.POP.TOTL country USA date '2021Q1'"


def test_rows_not_asked_for_are_rejected():
    meta, rows = json.loads((RECORDED / "indicator_JPN_USA_NY.GDP.MKTP.CD_2018-2019_page1.json").read_text())
    got = parse_rows(rows, "req", NOW, meta["lastupdated"])
    check_observations(got, "NY.GDP.MKTP.CD", ["JPN", "USA"], 2018, 2019, "req")
    with pytest.raises(SourceError, match="country not asked for"):
        check_observations(got, "NY.GDP.MKTP.CD", ["USA"], 2018, 2019, "req")
    with pytest.raises(SourceError, match="indicator or country not asked for"):
        check_observations(got, "SP.POP.TOTL", ["JPN", "USA"], 2018, 2019, "req")
    with pytest.raises(SourceError, match="year not asked for"):
        check_observations(got, "NY.GDP.MKTP.CD", ["JPN"], 2019, 2019, "req")
    with pytest.raises(SourceError, match="duplicate row"):
        check_observations(got + got[:1], "NY.GDP.MKTP.CD", ["JPN"], 2018, 2019, "req")


def test_bad_arguments():
    client = WorldBankClient(WorldBankHttp(base_url="http://127.0.0.1:9", requests_per_second=0))
    for args in [("../x", ["CHN"], 2013, 2014), ("SP.POP.TOTL", "CHN", 2013, 2014), ("SP.POP.TOTL", ["CN"], 2013, 2014),
                 ("SP.POP.TOTL", ["CHN"], 2015, 2014), ("SP.POP.TOTL", [], 2013, 2014)]:  # fmt: skip
        with pytest.raises((ValueError, TypeError)):
            client.observations(*args)


# ------------------------------------------------------------------------- the real recordings
def test_recorded_page_parses():
    payload = json.loads((RECORDED / "indicator_JPN_USA_NY.GDP.MKTP.CD_2018-2019_page1.json").read_text())
    meta, rows = parse_answer(payload, "req", "NY.GDP.MKTP.CD")
    assert (meta.page, meta.pages, meta.per_page, meta.total, meta.last_updated) == (1, 2, 2, 4, "2021-05-25")
    got = parse_rows(rows, "req", NOW, meta.last_updated)
    assert data(got) == [
        ("NY.GDP.MKTP.CD", "JP", "JPN", 2019, 5081769542379.77, None, "2021-05-25"),
        ("NY.GDP.MKTP.CD", "JP", "JPN", 2018, 4954806619995.19, None, "2021-05-25"),
    ]


def test_recorded_trimmed_page_keeps_null():
    payload = json.loads((RECORDED / "indicator_JPN_USA_NY.GDP.MKTP.CD_page1_trimmed_5_of_50.json").read_text())
    meta, rows = parse_answer(payload, "req", "NY.GDP.MKTP.CD")
    assert (meta.pages, meta.per_page, meta.total) == (3, 50, 122)
    got = parse_rows(rows, "req", NOW, meta.last_updated)
    assert [(o.year, o.value) for o in got[:2]] == [(2020, None), (2019, 5081769542379.77)]


@pytest.mark.parametrize("name", ["error_invalid_indicator.json", "error_invalid_indicator_three_messages.json"])
def test_recorded_error_arrays(name):
    payload = json.loads((RECORDED / name).read_text())
    with pytest.raises(SourceError, match="World Bank error answer") as info:
        parse_answer(payload, "req", "INVALID.INDICATOR.ID")
    assert info.value.record == "indicator INVALID.INDICATOR.ID"
    assert info.value.detail.count("120 Invalid value") == len(payload[0]["message"])


def test_fake_serves_the_recorded_page_byte_for_byte(httpserver):
    """The fake, given the recorded rows, answers the recorded request with the recorded bytes."""
    recorded = (RECORDED / "indicator_JPN_USA_NY.GDP.MKTP.CD_2018-2019_page1.json").read_bytes()
    meta, rows = json.loads(recorded)
    usa = [dict(r, country={"id": "US", "value": "United States"}, countryiso3code="USA") for r in rows]
    FakeWorldBank({"NY.GDP.MKTP.CD": Series(rows + usa, lastupdated=meta["lastupdated"])}).install(httpserver)
    http = WorldBankHttp(base_url=httpserver.url_for("").rstrip("/"), requests_per_second=0)
    resp = http.session.get(
        httpserver.url_for("/v2/countries/JPN;USA/indicators/NY.GDP.MKTP.CD"),
        params={"date": "2018:2019", "format": "json", "page": "1", "per_page": "2"},
    )
    assert resp.content == recorded.rstrip(b"\n")


# ------------------------------------------------------------------------- the bundled sample
def test_sample_equals_live_against_the_fake(fake_wb, httpserver):
    live, sample = make_client(httpserver, per_page=25), SampleWorldBank()
    for indicator in INDICATORS:
        for countries, start, end in [
            (COUNTRIES, 2013, 2024),
            (["USA", "KOR", "WLD"], 2016, 2021),
            (["all"], 2024, 2024),
        ]:
            assert data(sample.observations(indicator, countries, start, end)) == data(
                live.observations(indicator, countries, start, end)
            )
    got = sample.observations("SP.POP.TOTL", ["CHN"], 2013, 2013)
    assert got[0].request == "sample:pipeline/sample_data/worldbank/SP.POP.TOTL.json"


def test_sample_values_are_plausible():
    sample = SampleWorldBank()
    rd = {(o.country_iso3, o.year): o.value for o in sample.observations("GB.XPD.RSDV.GD.ZS", COUNTRIES, 2013, 2024)}
    res = {(o.country_iso3, o.year): o.value for o in sample.observations("SP.POP.SCIE.RD.P6", COUNTRIES, 2013, 2024)}
    assert all(2.0 <= v <= 2.7 for (c, y), v in rd.items() if c == "CHN" and v is not None)
    assert all(2.7 <= v <= 3.5 for (c, y), v in rd.items() if c == "USA" and v is not None)
    assert all(1000 <= v <= 1750 for (c, y), v in res.items() if c == "CHN" and v is not None)
    assert all(4300 <= v <= 4900 for (c, y), v in res.items() if c == "USA" and v is not None)
    assert all(v is None for (c, y), v in rd.items() if y == 2024)


def test_sample_unknown_indicator(tmp_path):
    with pytest.raises(SourceError, match="indicator not in the bundled sample"):
        SampleWorldBank().observations("NOT.AN.INDICATOR", ["CHN"], 2013, 2024)
