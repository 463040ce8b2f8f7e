"""The OECD SDMX connector against a local server that answers as the SDMX REST spec and OECD do."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
import requests

from assets.oecd.client import (
    AGENCY,
    BASE_URL,
    DEFAULT_DATAFLOW,
    EXPECTED_DIMENSIONS,
    REQUESTS_PER_SECOND,
    Answer,
    Dataflow,
    OecdClient,
    OecdHttp,
    parse_data_csv,
)
from assets.oecd.sample import SampleOecd
from pipeline.http import SourceError
from tests.fakes import no_wait
from tests.fakes.oecd import UNKNOWN_FLOW_TEXT, FakeFlow, FakeOecd

DESTINATIONS = ["USA", "GBR", "AUS", "CAN", "JPN", "DEU", "FRA", "KOR"]
ORIGINS = ["CHN", "IND", "KOR", "USA"]
CHN_USA = [235_112, 261_086, 291_047, 312_133, 327_208, 342_061, 345_190, 318_054, 290_117, 278_036]


@pytest.fixture
def fake(httpserver) -> FakeOecd:
    return FakeOecd.from_sample().install(httpserver)


def make_client(httpserver, max_downloads: int = 20, **http_settings) -> OecdClient:
    http = OecdHttp(base_url=httpserver.url_for("/public/rest/"), **no_wait(**http_settings))
    return OecdClient(http, max_downloads=max_downloads)


def mobility(fake: FakeOecd) -> FakeFlow:
    return next(f for f in fake.flows if f.id == DEFAULT_DATAFLOW)


def fetch(client: OecdClient, destinations=DESTINATIONS, origins=ORIGINS, start=2013, end=2022):
    return client.observations(client.mobility_dataflow(), destinations, origins, start, end)


def test_defaults_respect_the_documented_limits():
    http = OecdHttp()
    assert http.source == "oecd" and http.base_url == BASE_URL
    assert http.requests_per_second == REQUESTS_PER_SECOND == pytest.approx(20 / 60)


def test_discovery_picks_the_dataflow_with_countries_of_origin(fake, httpserver):
    client = make_client(httpserver)
    flow = client.mobility_dataflow()
    assert (flow.agency, flow.id, flow.version) == (AGENCY, DEFAULT_DATAFLOW, "1.0")
    paths = [p for p, _ in fake.requests]
    assert paths[0] == f"/dataflow/{AGENCY}"
    # Only the candidates are probed, through their actual constraints; the decoy lacks origins.
    assert paths[1:] == [
        f"/contentconstraint/{AGENCY}/CR_A_DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_SHARE_MOBILE/",
        f"/contentconstraint/{AGENCY}/CR_A_{DEFAULT_DATAFLOW}/",
    ]
    assert not fake.data_requests


def test_override_names_the_dataflow_and_unknown_or_ambiguous_ones_are_errors(fake, httpserver):
    client = make_client(httpserver)
    assert client.mobility_dataflow(override=DEFAULT_DATAFLOW).id == DEFAULT_DATAFLOW
    assert all(not p.startswith("/contentconstraint") for p, _ in fake.requests)
    with pytest.raises(SourceError, match="override dataflow not listed"):
        client.mobility_dataflow(override="DSD_X@DF_NOPE")
    twin = copy.deepcopy(mobility(fake))
    twin.id = "DSD_EAG_UOE_NON_FIN_STUD@DF_UOE_NF_MOBILE_ORIGIN"
    fake.flows.append(twin)
    with pytest.raises(SourceError, match="several dataflows with countries of origin") as err:
        make_client(httpserver).mobility_dataflow()
    assert "override" in str(err.value)


def test_observations_with_provenance_and_valid_from(fake, httpserver):
    client = make_client(httpserver)
    result = fetch(client)
    assert result.valid_from == "2025-09-09T08:12:41.503Z" == client.valid_from(result.dataflow)
    assert len(result.observations) == 297  # 30 pairs x 10 years, less 3 cells absent from the answer
    chn_usa = [o for o in result.observations if (o.origin_iso3, o.destination_iso3) == ("CHN", "USA")]
    assert [o.year for o in chn_usa] == list(range(2013, 2023))
    assert [o.value for o in chn_usa] == CHN_USA
    assert all(o.obs_status == "A" and o.unit_mult == 0 for o in chn_usa)
    missing = {
        (o.origin_iso3, o.destination_iso3, o.year): o.obs_status for o in result.observations if o.value is None
    }
    assert missing == {("USA", "JPN", 2016): "M", ("KOR", "AUS", 2021): "M"}
    assert not any(o.origin_iso3 == o.destination_iso3 for o in result.observations)
    # Provenance: the one data request, as sent.
    ((path, params),) = fake.data_requests
    flow_ref, key = path.split("/")[2:]
    assert flow_ref == f"{AGENCY},{DEFAULT_DATAFLOW},1.0"
    parts = key.split(".")
    assert len(parts) == len(EXPECTED_DIMENSIONS)
    assert parts[0] == "+".join(DESTINATIONS) and parts[8] == "+".join(ORIGINS)
    assert params == {
        "startPeriod": "2013",
        "endPeriod": "2022",
        "dimensionAtObservation": "AllDimensions",
        "format": "csvfile",
    }
    assert result.request.startswith(httpserver.url_for(f"/public/rest/data/{flow_ref}/"))
    assert all(o.request == result.request and isinstance(o.retrieved_at, datetime) for o in result.observations)
    assert result.observations[0].dimensions["ORIGIN"] == result.observations[0].origin_iso3


def test_the_key_and_period_select_on_the_server(fake, httpserver):
    result = fetch(make_client(httpserver), ["USA"], ["CHN", "IND"], 2018, 2020)
    assert [(o.origin_iso3, o.year) for o in result.observations] == [
        ("CHN", 2018),
        ("CHN", 2019),
        ("CHN", 2020),
        ("IND", 2018),
        ("IND", 2019),
        ("IND", 2020),
    ]


def test_413_is_a_clear_final_error(fake, httpserver):
    client = make_client(httpserver)
    fake.max_observations = 50
    with pytest.raises(SourceError, match=r"query too large for the OECD API \(413\)") as err:
        fetch(client)
    message = str(err.value)
    assert "narrow the key" in message and f"request: GET {httpserver.url_for('/public/rest/data/')}" in message
    assert len(fake.data_requests) == 1, "413 is not retried"


def test_429_is_retried_after_the_seconds_retry_after_asks(fake, httpserver):
    waits: list[float] = []
    client = make_client(httpserver)
    client.http.sleep = waits.append
    fake.fail_next(429, headers={"Retry-After": "7"}, when=lambda r: "/data/" in r.path)
    assert len(fetch(client).observations) == 297
    assert waits == [7]
    assert len(fake.data_requests) == 2


def test_503_is_retried_then_succeeds(fake, httpserver):
    client = make_client(httpserver)
    fake.fail_next(503, times=2)
    assert fetch(client).observations
    assert client.http.retries == 2


def test_an_hourly_block_fails_fast_instead_of_sleeping(fake, httpserver):
    client = make_client(httpserver)
    fake.download_limit = 0  # blocked: 429 with Retry-After 3600 > max_retry_after (120 s)
    with pytest.raises(SourceError, match="longer than allowed"):
        fetch(client)
    assert len(fake.data_requests) == 1


def test_changed_dimensions_in_the_data_answer_are_an_error(fake, httpserver):
    fake.changed_data_dimensions = {"ORIGIN": "COUNTRY_ORIGIN"}
    with pytest.raises(SourceError, match="SDMX dimensions changed") as err:
        fetch(make_client(httpserver))
    message = str(err.value)
    assert "missing: ['ORIGIN']" in message and "unexpected: ['COUNTRY_ORIGIN']" in message
    assert "/public/rest/data/" in err.value.request


def test_changed_dimensions_in_the_structure_stop_before_any_download(fake, httpserver):
    mobility(fake).dsd.dimensions = tuple(d for d in EXPECTED_DIMENSIONS if d != "AGE")
    with pytest.raises(SourceError, match="SDMX dimensions changed") as err:
        fetch(make_client(httpserver))
    assert "missing: ['AGE']" in str(err.value) and "references=datastructure" in err.value.request
    assert not fake.data_requests


def test_assumed_codes_absent_from_the_dataflow_are_an_error_not_an_empty_answer(fake, httpserver):
    flow = mobility(fake)
    flow.cube = {**flow.cube, "MOBILITY": ("FOREIGN",)}
    client = make_client(httpserver)
    with pytest.raises(SourceError, match="assumed dimension codes have no data") as err:
        client.observations(client.mobility_dataflow(override=DEFAULT_DATAFLOW), ["USA"], ["CHN"], 2019, 2019)
    assert "MOBILITY=INTL (available: FOREIGN)" in str(err.value)
    assert not fake.data_requests


def test_non_numeric_value_names_the_record(fake, httpserver):
    row = next(
        r for r in mobility(fake).rows if (r["REF_AREA"], r["ORIGIN"], r["TIME_PERIOD"]) == ("USA", "CHN", "2019")
    )
    row["OBS_VALUE"] = "n/a"
    with pytest.raises(SourceError, match="non-numeric OBS_VALUE") as err:
        fetch(make_client(httpserver))
    assert err.value.record.startswith("USA.ISCED11_5T8.ENRL.") and err.value.record.endswith("TIME_PERIOD=2019")
    assert ".CHN." in err.value.record and "'n/a'" in str(err.value)


def test_duplicate_observation_is_an_error(fake, httpserver):
    rows = mobility(fake).rows
    rows.append({**rows[0], "EDUCATION_FIELD": "F00"})  # same destination, origin and year
    with pytest.raises(SourceError, match=r"duplicate observation for \(destination, origin, year\)"):
        fetch(make_client(httpserver))


@pytest.mark.parametrize("style", ["text", "sdmx-ml"])
def test_no_results_is_an_empty_result(fake, httpserver, style):
    fake.no_results_style = style
    result = fetch(make_client(httpserver), ["USA"], ["BRA"])
    assert result.observations == ()
    assert result.valid_from == "2025-09-09T08:12:41.503Z"


def test_a_404_that_is_not_no_results_stays_an_error(fake, httpserver):
    client = make_client(httpserver)
    fake.fail_next(404, body=UNKNOWN_FLOW_TEXT, when=lambda r: "/data/" in r.path)
    with pytest.raises(SourceError, match=r"\[oecd\] HTTP 404") as err:
        fetch(client)
    assert UNKNOWN_FLOW_TEXT in str(err.value)
    gone = Dataflow(AGENCY, "DSD_X@DF_GONE", "1.0", "")
    with pytest.raises(SourceError, match="dataflow not found"):
        client.observations(gone, ["USA"], ["CHN"], 2019, 2019)


def test_unit_mult_is_applied(fake, httpserver):
    for row in mobility(fake).rows:
        if (row["REF_AREA"], row["ORIGIN"]) == ("USA", "CHN"):
            row["OBS_VALUE"] = str(int(row["OBS_VALUE"]) / 1000)
            row["UNIT_MULT"] = "3"
    result = fetch(make_client(httpserver), ["USA"], ["CHN"])
    assert [o.value for o in result.observations] == pytest.approx(CHN_USA)
    assert {o.unit_mult for o in result.observations} == {3}


def test_data_download_cap_is_enforced_per_run(fake, httpserver):
    client = make_client(httpserver, max_downloads=2)
    flow = client.mobility_dataflow()
    client.observations(flow, ["USA"], ["CHN"], 2019, 2019)
    client.observations(flow, ["GBR"], ["CHN"], 2019, 2019)
    with pytest.raises(SourceError, match="data-download cap reached"):
        client.observations(flow, ["AUS"], ["CHN"], 2019, 2019)
    assert len(fake.data_requests) == 2


def test_labelled_sdmx_csv_reads_the_same(fake, httpserver):
    url = httpserver.url_for(f"/public/rest/data/{AGENCY},{DEFAULT_DATAFLOW},1.0/all")
    answers = {
        fmt: requests.get(url, params={"format": fmt, "startPeriod": "2020"}, timeout=10)
        for fmt in ("csvfile", "csvfilewithlabels")
    }
    assert answers["csvfilewithlabels"].text.startswith("STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,ACTION,REF_AREA,")
    parsed = [parse_data_csv(Answer(r.status_code, r.content, url, datetime.now())) for r in answers.values()]
    assert parsed[0] == parsed[1] and parsed[0][0] == EXPECTED_DIMENSIONS


def test_a_cut_off_csv_answer_is_an_error():
    body = b"DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS\r\nX:Y(1.0),USA,2019,1,A\r\nX:Y(1.0),USA,20"
    with pytest.raises(SourceError, match="wrong number of fields"):
        parse_data_csv(Answer(200, body, "http://x/data", datetime.now()))


def test_sample_reads_as_the_live_client_against_a_fake_serving_it(fake, httpserver):
    live_client, sample = make_client(httpserver), SampleOecd()
    live, bundled = fetch(live_client), fetch(sample)
    assert bundled.dataflow == live.dataflow and bundled.valid_from == live.valid_from
    assert sample.dataflows() == live_client.dataflows()

    def content(result):
        return [
            (o.destination_iso3, o.origin_iso3, o.year, o.value, o.obs_status, o.unit_mult, o.dimensions)
            for o in result.observations
        ]

    assert content(bundled) == content(live)
    assert bundled.request.startswith("sample:pipeline/sample_data/oecd/data_")
    assert all(o.request == bundled.request for o in bundled.observations)
    subset = sample.observations(bundled.dataflow, ["USA"], ["CHN"], 2019, 2020)
    assert [o.value for o in subset.observations] == CHN_USA[6:8]
