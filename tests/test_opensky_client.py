"""The OpenSky arrivals connector against a local token endpoint and API that answer as OpenSky does."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from assets.opensky import client as opensky
from assets.opensky.client import DAY, build_opensky, daily_windows
from assets.opensky.sample import SAMPLE_DIR, SampleOpenSky
from pipeline.http import SourceError
from tests.fakes import no_wait
from tests.fakes.opensky import ARRIVALS_PATH, RECORDED_EBNM_FLIGHT, TOKEN_PATH, FakeOpenSky, compact

RECORDING = Path(__file__).parent / "data" / "opensky"  # the real recordings, verbatim (data/opensky/README.md)
MAY_1 = int(datetime(2023, 5, 1, tzinfo=UTC).timestamp())
NOON = MAY_1 + DAY // 2


class Clock:
    """A settable clock shared by the fake (token expiry, 429 waits) and the client (token renewal)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def flight(icao24: str, first_seen: int, last_seen: int, dep: str | None = "ZSPD", callsign: str | None = "CES829  "):
    """A flight object with the 12 documented fields, in the recorded key order."""
    return {
        "icao24": icao24,
        "firstSeen": first_seen,
        "estDepartureAirport": dep,
        "lastSeen": last_seen,
        "estArrivalAirport": "KCMI",
        "callsign": callsign,
        "estDepartureAirportHorizDistance": 1931 if dep else None,
        "estDepartureAirportVertDistance": 76 if dep else None,
        "estArrivalAirportHorizDistance": 1185,
        "estArrivalAirportVertDistance": 45,
        "departureAirportCandidatesCount": 0,
        "arrivalAirportCandidatesCount": 3,
    }


def kcmi_flights() -> list[dict]:
    """Three days of arrivals, one exactly at a UTC midnight (must be counted once), one with null
    departure airport and callsign (oceanic legs often lack coverage: docs/methods.md#opensky-network)."""
    flights = [
        flight(f"a{d}{h:02d}00", MAY_1 + d * DAY + h * 3600 - 5000, MAY_1 + d * DAY + h * 3600)
        for d in range(3)
        for h in (1, 9, 17)
    ]
    flights.append(flight("b00001", MAY_1 + DAY - 7200, MAY_1 + DAY))  # lands at midnight, day 2 starts
    flights.append(flight("c0ffee", MAY_1 + 2 * DAY + 100, MAY_1 + 2 * DAY + 4000, dep=None, callsign=None))
    return flights


@pytest.fixture
def clock() -> Clock:
    return Clock(float(NOON + 3 * DAY))  # "now" is after the asked days (arrivals are batch-loaded nightly)


@pytest.fixture
def fake_opensky(httpserver, clock) -> FakeOpenSky:
    return FakeOpenSky({"KCMI": kcmi_flights(), "EBNM": [RECORDED_EBNM_FLIGHT]}, clock=clock).install(httpserver)


def make_client(fake: FakeOpenSky, httpserver, clock: Clock, *, secret: str | None = None, **http):
    settings = no_wait(**http)
    client = build_opensky(
        fake.client_id,
        fake.client_secret if secret is None else secret,
        api_url=httpserver.url_for("/api"),
        token_url=httpserver.url_for(TOKEN_PATH),
        **settings,
    )
    client.token.clock = clock
    return client


def expected(flights: list[dict], begin: int, end: int) -> list[dict]:
    return sorted(
        (f for f in flights if begin <= f["lastSeen"] < end), key=lambda f: (f["lastSeen"], f["firstSeen"], f["icao24"])
    )


# --------------------------------------------------------------------------- the fake itself
def test_fake_replays_the_recorded_answers_byte_for_byte(fake_opensky, httpserver):
    token = requests.post(
        httpserver.url_for(TOKEN_PATH),
        data={
            "grant_type": "client_credentials",
            "client_id": fake_opensky.client_id,
            "client_secret": fake_opensky.client_secret,
        },
        timeout=10,
    ).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1800
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    url = httpserver.url_for(ARRIVALS_PATH)
    found = requests.get(
        url, params={"airport": "EBNM", "begin": 1685264400, "end": 1685268000}, headers=headers, timeout=10
    )
    assert found.status_code == 200 and found.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert found.content == compact([RECORDED_EBNM_FLIGHT]) and len(found.content) == 366
    assert found.content == (RECORDING / "flights_arrival_EBNM_one_flight.json").read_bytes()
    empty = requests.get(
        url, params={"airport": "EBNM", "begin": 1685000000, "end": 1685003600}, headers=headers, timeout=10
    )
    assert (empty.status_code, empty.content, empty.headers["Content-Length"]) == (404, b"", "0")
    assert "Content-Type" not in empty.headers, "the recorded 404 has no Content-Type"
    too_long = requests.get(
        url, params={"airport": "EBNM", "begin": 0, "end": 2 * DAY + 1}, headers=headers, timeout=10
    )
    assert too_long.status_code == 400
    anonymous = requests.get(url, params={"airport": "EBNM", "begin": 0, "end": 10}, timeout=10)
    assert anonymous.status_code == 401 and 'error="invalid_token"' in anonymous.headers["WWW-Authenticate"]


# --------------------------------------------------------------------------- token
def test_token_is_fetched_once_and_reused_across_windows(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    got = client.arrivals("kcmi", MAY_1, MAY_1 + 3 * DAY)
    assert got == expected(kcmi_flights(), MAY_1, MAY_1 + 3 * DAY)
    assert len(fake_opensky.token_calls()) == 1 and client.token.fetches == 1
    calls = fake_opensky.api_calls()
    assert len(calls) == 3 and len({c.bearer for c in calls}) == 1
    # Provenance rides along with the list: one URL per window call, no bearer token in it.
    assert got.flights == list(got) and got.request.count(httpserver.url_for(ARRIVALS_PATH)) == 3
    assert calls[0].bearer not in got.request and got.retrieved_at.tzinfo is not None


def test_token_expiring_mid_run_is_refreshed_and_the_run_continues(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    fake_opensky.expire_tokens_after(1)  # the token dies after the first window's call
    got = client.arrivals("KCMI", MAY_1, MAY_1 + 3 * DAY)
    assert got == expected(kcmi_flights(), MAY_1, MAY_1 + 3 * DAY)
    assert len(fake_opensky.token_calls()) == 2, "one refresh after the 401"
    assert len(fake_opensky.api_calls()) == 4, "3 windows + the one refused call"

    fake_opensky.expire_token_now()  # between runs too
    assert client.arrivals("KCMI", MAY_1, MAY_1 + DAY) == expected(kcmi_flights(), MAY_1, MAY_1 + DAY)
    assert len(fake_opensky.token_calls()) == 3


def test_token_is_renewed_shortly_before_it_expires(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    client.arrivals("KCMI", MAY_1, MAY_1 + DAY)
    clock.now += 1800 - 20  # inside the 30 s renewal margin: still valid at the server, renewed anyway
    client.arrivals("KCMI", MAY_1 + DAY, MAY_1 + 2 * DAY)
    assert len(fake_opensky.token_calls()) == 2
    assert len(fake_opensky.api_calls()) == 2, "renewed without a 401"


@pytest.mark.parametrize(
    ("client_id", "secret", "error"),
    [(None, "wrong-secret-0000", "unauthorized_client"), ("someone-else", None, "invalid_client")],
    ids=["wrong-secret", "unknown-client"],
)
def test_wrong_credentials_give_a_clear_error_without_the_secret(
    fake_opensky, httpserver, clock, client_id, secret, error
):
    client = make_client(fake_opensky, httpserver, clock, secret=secret)
    if client_id:
        client.token.client_id = client_id
    with pytest.raises(SourceError, match=r"token request refused \(HTTP 401\)") as err:
        client.arrivals("KCMI", MAY_1, MAY_1 + DAY)
    message = str(err.value)
    assert f"{error}: Invalid client or Invalid client credentials" in message
    used_secret = secret or fake_opensky.client_secret
    assert used_secret not in message and used_secret not in repr(client.token)
    assert fake_opensky.api_calls() == [], "no API call without a token"
    assert len(fake_opensky.token_calls()) == 1, "refused credentials are not retried"


# --------------------------------------------------------------------------- windows and answers
def test_windows_stay_under_a_day_inside_one_utc_day_and_never_overlap(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    begin, end = MAY_1 + 5 * 3600, MAY_1 + 2 * DAY + 7 * 3600
    got = client.arrivals("KCMI", begin, end)
    assert got == expected(kcmi_flights(), begin, end)
    assert sum(f["icao24"] == "b00001" for f in got) == 1, "a midnight arrival is counted once"
    asked = [(int(c.params["begin"]), int(c.params["end"])) for c in fake_opensky.api_calls()]
    assert asked[0][0] == begin and asked[-1][1] == end - 1
    for (_, e), (next_b, _) in itertools.pairwise(asked):
        assert next_b == e + 1, "closed intervals that touch but never overlap"
    for b, e in asked:
        assert e - b < DAY and b // DAY == e // DAY, "< 24 h in one UTC day: 4 credits each"
    assert fake_opensky.credits == 4000 - 4 * len(asked) == client.credits_remaining


def test_no_flights_is_an_empty_list_not_an_error(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    assert client.arrivals("KXYZ", MAY_1, MAY_1 + DAY) == []
    assert client.arrivals("EBNM", 1685264400, 1685268000) == [RECORDED_EBNM_FLIGHT]
    assert client.credits_remaining == 4000 - 8


def test_429_waits_as_long_as_x_rate_limit_retry_after_seconds_says(fake_opensky, httpserver, clock):
    waits: list[float] = []
    client = make_client(fake_opensky, httpserver, clock, sleep=waits.append)
    fake_opensky.fail_next(429, retry_after=12)
    assert client.arrivals("KCMI", MAY_1, MAY_1 + DAY) == expected(kcmi_flights(), MAY_1, MAY_1 + DAY)
    assert waits == [12]


def test_spent_credits_fail_at_once_instead_of_sleeping_until_midnight(fake_opensky, httpserver, clock):
    waits: list[float] = []
    client = make_client(fake_opensky, httpserver, clock, sleep=waits.append)
    fake_opensky.credits = 4  # one more call today
    with pytest.raises(SourceError, match="longer than allowed") as err:
        client.arrivals("KCMI", MAY_1, MAY_1 + 2 * DAY)
    assert "X-Rate-Limit-Retry-After-Seconds: 43200s" in str(err.value), "noon: 12 h until the daily refill"
    assert waits == [] and client.credits_remaining == 0


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"firstSeen": "1682902000"}, "firstSeen is not an integer"),
        ({"icao24": None}, "icao24 is missing"),
        ({"lastSeen": MAY_1 + 100, "firstSeen": MAY_1 + 200}, "lastSeen is before firstSeen"),
        ({"estArrivalAirportVertDistance": "45"}, "estArrivalAirportVertDistance is neither an integer nor null"),
    ],
    ids=["string-time", "no-icao24", "backwards", "string-distance"],
)
def test_a_malformed_flight_fails_naming_the_record(httpserver, clock, change, rule):
    bad = {**flight("dead01", MAY_1 + 50, MAY_1 + 150), **change}
    fake = FakeOpenSky({"KCMI": [bad]}, clock=clock)
    fake.install(httpserver)
    with pytest.raises(SourceError, match=rule) as err:
        make_client(fake, httpserver, clock).arrivals("KCMI", MAY_1, MAY_1 + DAY)
    assert "record: flight 0 (icao24=" in str(err.value) and ARRIVALS_PATH in str(err.value)


def test_bad_arguments_are_refused_before_any_call(fake_opensky, httpserver, clock):
    client = make_client(fake_opensky, httpserver, clock)
    with pytest.raises(ValueError, match="ICAO"):
        client.arrivals("CMI", MAY_1, MAY_1 + DAY)
    with pytest.raises(ValueError, match="max_window_seconds"):
        opensky.OpenSkyClient(client.http, client.token, max_window_seconds=2 * DAY + 1)
    assert fake_opensky.requests == []


@given(
    begin=st.integers(min_value=0, max_value=4_000_000_000),
    length=st.integers(min_value=0, max_value=20 * DAY),
    max_seconds=st.sampled_from([3600, 6 * 3600, DAY, 2 * DAY, 5000]),
)
def test_daily_windows_cover_the_range_exactly(begin, length, max_seconds):
    windows = daily_windows(begin, begin + length, max_seconds)
    assert [w for w in windows if w[0] >= w[1]] == []
    if length == 0:
        assert windows == []
    else:
        assert (windows[0][0], windows[-1][1]) == (begin, begin + length)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(b - a <= max_seconds for a, b in windows)
    if DAY % max_seconds == 0:
        assert all(a // DAY == (b - 1) // DAY for a, b in windows), "no window crosses UTC midnight"


# --------------------------------------------------------------------------- sample
def test_sample_reader_equals_the_live_client(fake_opensky, httpserver, clock, tmp_path):
    (tmp_path / "arrivals_KCMI.json").write_text(json.dumps(kcmi_flights()), encoding="utf-8")
    sample = SampleOpenSky(tmp_path)
    live = make_client(fake_opensky, httpserver, clock)
    for begin, end in [(MAY_1, MAY_1 + 3 * DAY), (MAY_1 + 3600, MAY_1 + DAY), (MAY_1 + DAY, MAY_1 + DAY + 1)]:
        assert sample.arrivals("KCMI", begin, end) == live.arrivals("KCMI", begin, end)
    assert sample.arrivals("KXYZ", MAY_1, MAY_1 + DAY) == [] == live.arrivals("KXYZ", MAY_1, MAY_1 + DAY)
    assert sample.arrivals("KCMI", MAY_1, MAY_1 + DAY).request == f"sample:{tmp_path / 'arrivals_KCMI.json'}"


def test_bundled_samples_match_a_fake_serving_them(httpserver, clock):
    files = sorted(SAMPLE_DIR.glob("arrivals_*.json"))
    if not files:
        pytest.skip("the bundled OpenSky sample has not been generated yet")
    per_airport = {f.stem.removeprefix("arrivals_"): json.loads(f.read_text(encoding="utf-8")) for f in files}
    fake = FakeOpenSky(per_airport, clock=clock, credits=10**9)
    fake.install(httpserver)
    client = make_client(fake, httpserver, clock)
    for icao, flights in per_airport.items():
        if not flights:
            continue
        first = min(f["lastSeen"] for f in flights) // DAY * DAY
        begin, end = first, first + min(10 * DAY, max(f["lastSeen"] for f in flights) + 1 - first)
        assert SampleOpenSky().arrivals(icao, begin, end) == client.arrivals(icao, begin, end)
