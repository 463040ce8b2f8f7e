"""The UIS connector against a local server that answers as the UIS Data API does, faults included."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from assets.uis.client import (
    INBOUND_TOTAL,
    OUTBOUND_TOTAL,
    TooMuchData,
    UisClient,
    UisHttp,
    UisIndicator,
    find_bilateral,
    origin_iso3,
)
from assets.uis.sample import SampleUis
from assets.uis.table import UisRecord
from pipeline.http import SourceError
from tests.fakes import local_http
from tests.fakes.uis import FakeUis, load_sample

COUNTRIES = ["CHN", "USA", "GBR", "AUS", "CAN", "JPN", "KOR", "DEU", "FRA", "IND"]
SAMPLE_VERSION = "20250917-00000000"
TOTALS = [INBOUND_TOTAL, OUTBOUND_TOTAL]


@pytest.fixture
def fake_uis(httpserver) -> FakeUis:
    return FakeUis().install(httpserver)


def make_client(httpserver, max_records: int = 100_000, **http) -> UisClient:
    return UisClient(UisHttp(**local_http(httpserver, **http)), max_records=max_records)


def data(records: list[UisRecord]) -> list[tuple]:
    """The content of records, without where and when they were fetched."""
    return [(r.indicator_id, r.geo_unit, r.year, r.value, r.magnitude, r.qualifier) for r in records]


def expected(indicators: list[str], geo: list[str], start: int, end: int) -> list[tuple]:
    """What the sample holds for the query, straight from the file."""
    _, _, records = load_sample()
    return sorted(
        (r["indicatorId"], r["geoUnit"], r["year"], r["value"], r["magnitude"], r["qualifier"])
        for r in records
        if r["indicatorId"] in indicators and r["geoUnit"] in geo and start <= r["year"] <= end
    )


# ------------------------------------------------------------------------- happy path
def test_version_and_definitions(fake_uis, httpserver):
    client = make_client(httpserver)
    version = client.default_version()
    assert version.version == SAMPLE_VERSION
    assert version.theme_last_update["EDUCATION"] == "9/17/2025"
    indicators = client.indicators(version.version)
    by_id = {i.indicator_id: i for i in indicators}
    assert by_id[INBOUND_TOTAL].name == "Total inbound internationally mobile students, both sexes (number)"
    assert (by_id[INBOUND_TOTAL].first_year, by_id[INBOUND_TOTAL].last_year) == (2013, 2023)
    assert fake_uis.requests[-1] == ("/api/public/definitions/indicators", {"version": [SAMPLE_VERSION]})


def test_fetch_totals_with_provenance(fake_uis, httpserver):
    client = make_client(httpserver)
    result = client.fetch(TOTALS, COUNTRIES, 2013, 2023, SAMPLE_VERSION)
    assert data(result.records) == expected(TOTALS, COUNTRIES, 2013, 2023)
    assert result.requests == 1 and result.hints == []
    [params] = fake_uis.data_requests()
    assert params["indicator"] == TOTALS and params["geoUnit"] == COUNTRIES
    assert params["start"] == ["2013"] and params["end"] == ["2023"] and params["version"] == [SAMPLE_VERSION]
    assert params["indicatorMetadata"] == ["false"] and params["footnotes"] == ["false"]
    record = result.records[0]
    assert record.request.startswith(httpserver.url_for("/api/public/data/indicators?"))
    assert parse_qs(urlsplit(record.request).query)["geoUnit"] == COUNTRIES
    assert isinstance(record.retrieved_at, datetime) and record.retrieved_at.tzinfo is not None
    assert any(r.value is None for r in result.records), "the sample has null values"
    assert any(r.qualifier == "UIS_EST" for r in result.records)


def test_start_end_are_inclusive(fake_uis, httpserver):
    result = make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2015, 2018)
    assert [r.year for r in result.records] == [2015, 2016, 2017, 2018]


# ------------------------------------------------------------------------- the record limit
def test_too_much_data_is_split_and_gives_the_same_records(fake_uis, httpserver):
    client = make_client(httpserver)
    whole = client.fetch(TOTALS, COUNTRIES, 2013, 2023)
    fake_uis.requests.clear()
    fake_uis.max_records = 30  # the client does not know: it learns from the 400s
    split = client.fetch(TOTALS, COUNTRIES, 2013, 2023)
    assert data(split.records) == data(whole.records)
    asked = fake_uis.data_requests()
    # About 21 records per country: halving 10 countries ends at one per request (9 refused, 10 answered).
    assert split.requests == len(asked) == 19
    assert len({r.request for r in split.records}) == 10
    assert all(q["start"] == ["2013"] and q["end"] == ["2023"] for q in asked), "geo units split before years"


def test_planned_chunks_stay_under_the_limit(fake_uis, httpserver):
    fake_uis.max_records = 30
    result = make_client(httpserver, max_records=30).fetch(TOTALS, COUNTRIES, 2013, 2023)
    assert data(result.records) == expected(TOTALS, COUNTRIES, 2013, 2023)
    asked = fake_uis.data_requests()
    assert result.requests == len(asked) > 1
    for q in asked:  # every estimate below the limit: no 400 was needed
        years = int(q["end"][0]) - int(q["start"][0]) + 1
        assert len(q["indicator"]) * len(q["geoUnit"]) * years < 30


def test_url_too_long_is_split(fake_uis, httpserver):
    fake_uis.max_url_length = 150
    result = make_client(httpserver).fetch(TOTALS, COUNTRIES, 2013, 2023)
    assert data(result.records) == expected(TOTALS, COUNTRIES, 2013, 2023)
    assert result.requests > len({r.request for r in result.records}), "some requests got 414"


def test_one_cell_still_too_much_is_an_error(fake_uis, httpserver):
    fake_uis.max_records = 1
    with pytest.raises(TooMuchData, match="one indicator × geoUnit × year") as err:
        make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2019, 2020)
    assert err.value.records == 1 and "Too much data requested (1 records)" in str(err.value)


# ------------------------------------------------------------------------- hints
def test_unknown_indicator_alone_is_a_clear_error(fake_uis, httpserver):
    with pytest.raises(SourceError, match="unknown indicator") as err:
        make_client(httpserver).fetch(["NOPE.1"], ["USA"], 2013, 2023)
    assert err.value.record == "NOPE.1"
    assert "The indicator could not be found, NOPE.1" in str(err.value)
    assert err.value.request and "indicator=NOPE.1" in err.value.request


def test_unknown_indicator_next_to_a_good_one_is_a_warning(fake_uis, httpserver):
    result = make_client(httpserver).fetch([INBOUND_TOTAL, "NOPE.1"], ["USA"], 2013, 2023)
    assert {r.indicator_id for r in result.records} == {INBOUND_TOTAL}
    [hint] = result.hints
    assert hint["code"] == "UIS::HINT::001" and hint["message"].endswith("NOPE.1")


def test_unknown_geo_unit_is_kept_as_a_warning(fake_uis, httpserver):
    result = make_client(httpserver).fetch([INBOUND_TOTAL], ["USA", "XXX"], 2013, 2023)
    assert {r.geo_unit for r in result.records} == {"USA"}
    [hint] = result.hints
    assert hint == {
        "code": "UIS::HINT::003",
        "message": "The geoUnit could not be found, XXX",
        "request": result.records[0].request,
    }


def test_unknown_geo_unit_alone_gives_no_records_and_the_hint(fake_uis, httpserver):
    result = make_client(httpserver).fetch([INBOUND_TOTAL], ["XXX"], 2013, 2023)
    assert result.records == [] and [h["code"] for h in result.hints] == ["UIS::HINT::003"]


# ------------------------------------------------------------------------- transport faults
def test_503_and_429_are_retried_then_succeed(fake_uis, httpserver):
    waits: list[float] = []
    client = make_client(httpserver, sleep=waits.append)
    fake_uis.fail_next(503, times=2)
    fake_uis.fail_next(429, headers={"Retry-After": "3"})
    result = client.fetch([INBOUND_TOTAL], ["USA"], 2013, 2023)
    assert len(result.records) == 11 and result.requests == 1
    assert client.http.retries == 3 and len(fake_uis.data_requests()) == 4
    assert waits[-1] == 3.0, "Retry-After honoured"


def test_gives_up_after_bounded_retries(fake_uis, httpserver):
    client = make_client(httpserver, max_attempts=3)
    fake_uis.fail_next(503, times=10)
    with pytest.raises(SourceError, match="gave up after bounded retries") as err:
        client.fetch([INBOUND_TOTAL], ["USA"], 2013, 2023)
    assert "HTTP 503" in str(err.value) and len(fake_uis.data_requests()) == 3


def test_cut_off_body_is_retried(fake_uis, httpserver):
    client = make_client(httpserver)
    fake_uis.malformed_next()
    assert len(client.fetch([INBOUND_TOTAL], ["USA"], 2013, 2023).records) == 11
    assert client.http.retries == 1


def test_unknown_version_is_an_error(fake_uis, httpserver):
    with pytest.raises(SourceError, match="HTTP 404"):
        make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2013, 2023, version="20990101-deadbeef")


# ------------------------------------------------------------------------- record validation
@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"year": "2013"}, "record year is not an integer"),
        ({"value": "235000"}, "record value is not a number or null"),
        ({"geoUnit": None}, "record without indicatorId or geoUnit"),
        ({"qualifier": 5}, "record qualifier is not a string"),
    ],
)
def test_malformed_record_is_named(fake_uis, httpserver, change, rule):
    fake_uis.corrupt_record_next(**change)
    with pytest.raises(SourceError, match=rule) as err:
        make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2013, 2023)
    assert "26637" in (err.value.record or "") and "2013" in (err.value.record or "") and err.value.request


@pytest.mark.parametrize(
    "extra",
    [
        {"indicatorId": INBOUND_TOTAL, "geoUnit": "FRA", "year": 2015},
        {"indicatorId": "OTHER", "geoUnit": "USA", "year": 2015},
        {"indicatorId": INBOUND_TOTAL, "geoUnit": "USA", "year": 2030},
    ],
)
def test_record_not_asked_for_is_an_error(fake_uis, httpserver, extra):
    record = {**extra, "value": 1.0, "magnitude": None, "qualifier": None}
    fake_uis.tamper_next(lambda payload: payload["records"].append(record))
    with pytest.raises(SourceError, match="record not asked for") as err:
        make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2013, 2023)
    assert f"geoUnit {extra['geoUnit']}" in (err.value.record or "")


def test_duplicate_record_is_an_error(fake_uis, httpserver):
    fake_uis.tamper_next(lambda payload: payload["records"].append(dict(payload["records"][0])))
    with pytest.raises(SourceError, match="duplicate record"):
        make_client(httpserver).fetch([INBOUND_TOTAL], ["USA"], 2013, 2023)


# ------------------------------------------------------------------------- the fake itself
def test_fake_rejects_a_query_without_indicator_and_geo_unit(fake_uis, httpserver):
    answer = requests.get(httpserver.url_for("/api/public/data/indicators"), params={"start": 2020}, timeout=5)
    assert answer.status_code == 400 and answer.json()["statusCode"] == 400


def test_fake_ignores_unknown_parameters_and_sends_the_real_limit_body(fake_uis, httpserver):
    url = httpserver.url_for("/api/public/data/indicators")
    ignored = requests.get(url, params={"indicator": INBOUND_TOTAL, "geoUnit": "USA", "startYear": 2020}, timeout=5)
    assert ignored.status_code == 200 and len(ignored.json()["records"]) == 11
    fake_uis.max_records = 5
    refused = requests.get(url, params={"indicator": INBOUND_TOTAL, "geoUnit": "USA"}, timeout=5)
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Too much data requested (11 records), please reduce the amount of data requested "
        "to less than 5 records",
        "error": "Bad Request",
        "statusCode": 400,
    }


# ------------------------------------------------------------------------- bilateral discovery
def test_bilateral_discovery_from_the_sample_definitions():
    sample = SampleUis()
    found = sample.bilateral_indicators(sample.indicators(), ["CHN", "IND", "KOR"])
    assert {b.origin_iso3: b.indicator_id for b in found} == {
        "CHN": "SAMPLE.IMS.FROM.CHN",
        "IND": "SAMPLE.IMS.FROM.IND",
        "KOR": "SAMPLE.IMS.FROM.KOR",
    }
    assert sample.bilateral_indicators(sample.indicators(), ["usa"]) == []


IMS = "Inbound internationally mobile students from"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        (f"{IMS} Asia: Students from China, both sexes (number)", "CHN"),
        (f"{IMS} China, both sexes (number)", "CHN"),
        (f"{IMS} Asia: Students from Republic of Korea, both sexes (number)", "KOR"),
        (f"{IMS} Asia: Students from the Islamic Republic of Iran, both sexes (number)", "IRN"),
        (f"{IMS} Africa, both sexes (number)", None),
        (f"{IMS} Asia: Students from unknown countries, both sexes (number)", None),
        (f"{IMS} Asia: Students from China, female (number)", None),
        ("Total inbound internationally mobile students, both sexes (number)", None),
    ],
)
def test_origin_is_read_from_the_name(name, iso3):
    assert origin_iso3(name) == iso3


def test_bilateral_discovery_is_pure_and_the_same_on_the_client(fake_uis, httpserver):
    client = make_client(httpserver)
    indicators = [UisIndicator("X1", f"{IMS} China, both sexes (number)", None, None, None, None, None)]
    assert client.bilateral_indicators(indicators, ["CHN"]) == find_bilateral(indicators, ["CHN"])
    assert fake_uis.requests == []


# ------------------------------------------------------------------------- the bundled sample
def test_sample_gives_the_records_the_live_client_gets(fake_uis, httpserver):
    client, sample = make_client(httpserver), SampleUis()
    ids = [i.indicator_id for i in sample.indicators()]
    version = sample.default_version()
    assert version == client.default_version()
    assert sample.indicators() == client.indicators()
    live = client.fetch(ids, COUNTRIES, 2013, 2023, version.version)
    offline = sample.fetch(ids, COUNTRIES, 2013, 2023, version.version)
    assert data(offline.records) == data(live.records) and len(offline.records) == 357
    assert {r.request for r in offline.records} == {"sample:pipeline/sample_data/uis/data_indicators.json"}


def test_sample_answers_hints_like_the_api(fake_uis, httpserver):
    client, sample = make_client(httpserver), SampleUis()
    for source in (client, sample):
        with pytest.raises(SourceError, match="unknown indicator") as err:
            source.fetch(["NOPE.1"], ["USA"], 2013, 2023)
        assert err.value.record == "NOPE.1"
        result = source.fetch([INBOUND_TOTAL], ["USA", "XXX"], 2013, 2023)
        assert [h["code"] for h in result.hints] == ["UIS::HINT::003"]
    with pytest.raises(SourceError, match="unknown version"):
        sample.fetch([INBOUND_TOTAL], ["USA"], 2013, 2023, "20990101-deadbeef")


def test_sample_china_to_usa_is_calibrated():
    calibration = {2013: 235e3, 2016: 311e3, 2019: 343e3, 2020: 317e3, 2023: 270e3}
    records = SampleUis().fetch(["SAMPLE.IMS.FROM.CHN"], ["USA"], 2013, 2023).records
    values = {r.year: r.value for r in records}
    assert sorted(values) == list(range(2013, 2024))
    assert all(abs(values[y] - v) / v < 0.01 for y, v in calibration.items())
    assert max(values, key=lambda y: values[y]) == 2019
