"""Generate the deterministic, SYNTHETIC flight-proxy sample: T-100 segment zips, SODA rows, OpenSky arrivals.

SYNTHETIC: not BTS/DOT/OpenSky figures. Every count is drawn from the stylised story below; only the
*shapes* are real (the T-100 header and value formats of the real downloads in tests/data/t100, the
OpenSky flight object of the real recording in tests/data/opensky, the SODA column names from
docs/methods.md#dot-open-data-mirror-socrata).

Output, under ``pipeline/sample_data/`` by default (each folder has a ``MANIFEST.json``):

* ``t100/T_T100I_SEGMENT_ALL_CARRIER_<YEAR>.zip`` (2015-2024): one member ``T_T100I_SEGMENT_ALL_CARRIER.csv``
  with the real international header (43 columns, CRLF, minimal quoting). Counts are integers before 2023
  and ``8352.00``-style from 2023, as in the 2024 vs 2026 real excerpts, so both parser paths run.
  Rows: monthly nonstop segments CN mainland (PEK PVG CAN CTU SZX XMN) <-> US gateways, and HK, JP, KR,
  GB <-> US as comparison origins; a few all-cargo (G, P) rows, charter (L) rows and one zero-departure
  row per year, as real files have.
* ``t100/T_T100D_SEGMENT_ALL_CARRIER_<YEAR>.zip``: domestic segments, the 45-column domestic header (state
  columns instead of country columns; from a public TranStats downloader's field list, no real domestic
  download seen). Legs from each gateway to the university-town airports of
  ``pipeline/reference/university_towns.csv``, to the control airports, to IND (gateway for LAF and BMG)
  and to big hubs, so that a gateway's onward shares are realistic.
* ``soda/xgub-n9bw.json``: rows shaped like the DOT Socrata dataset xgub-n9bw (all values strings),
  derived from the international passenger rows: per US gateway x foreign airport x carrier x month,
  both directions summed, ``scheduled`` = class F, ``charter`` = class L.
* ``opensky/arrivals_<ICAO>.json``: /flights/arrival answers (12-field flight objects, compact JSON as
  the real body) for August 1-7 of 2017, 2019 and 2023 at five university-town airports and two
  controls: the domestic feeder legs of the same sample, one object per flight.

Determinism: every random draw comes from ``random.Random(f"{SEED}:<part>")``; zip members carry a fixed
timestamp and attributes; JSON is written with a fixed key order. Two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import random
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import airportsdata

from assets.opensky.client import FLIGHT_FIELDS
from assets.t100.reader import DOMESTIC_HEADER, INTERNATIONAL_HEADER

SEED = 20260905
YEARS = range(2015, 2025)
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO_ROOT / "pipeline" / "sample_data"
DEFAULT_TOWNS_CSV = REPO_ROOT / "pipeline" / "reference" / "university_towns.csv"
NOTICE = "SYNTHETIC: not BTS/DOT/OpenSky figures"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
FLOAT_FORMAT_FROM = 2023  # the 2026 real excerpt writes "8352.00"; the 2024 one writes 9440
MEMBER = {"international": "T_T100I_SEGMENT_ALL_CARRIER.csv", "domestic": "T_T100D_SEGMENT_ALL_CARRIER.csv"}
ZIP_NAME = {
    "international": "T_T100I_SEGMENT_ALL_CARRIER_{year}.zip",
    "domestic": "T_T100D_SEGMENT_ALL_CARRIER_{year}.zip",
}

# The real headers (international) and the field list used for domestic files: one definition, the reader's.

# ---------------------------------------------------------------------------------------------- places

# Airport ids, sequence ids and city-market ids seen in the real excerpts; every other airport gets a
# placeholder in 90000+ (id) / 98000+ (market), outside the BTS ranges seen (10000-16999, 30000-35999).
REAL_AIRPORT_IDS = {
    "PVG": (14309, 1430902, 34309),
    "SFO": (14771, 1477104, 32457),
    "LAX": (12892, 1289209, 32575),
    "SEA": (14747, 1474703, 30559),
}
SHARED_MARKETS = {"EWR": "JFK"}  # Newark in the New York City market, like HPN in the excerpt (from memory)
FOREIGN = {  # country code -> (country name as BTS writes it, WAC)
    "CN": ("China", 713),  # seen in the excerpts
    "HK": ("Hong Kong", 990),  # placeholder WACs from here on: not checked
    "JP": ("Japan", 991),
    "KR": ("South Korea", 992),
    "GB": ("United Kingdom", 993),
}
STATES = {  # abbreviation -> (FIPS, name, WAC). CA 91, NY 22, WA 93 seen in the excerpts; others UNCONFIRMED.
    "CA": ("06", "California", 91),
    "NY": ("36", "New York", 22),
    "WA": ("53", "Washington", 93),
    "IL": ("17", "Illinois", 41),
    "IN": ("18", "Indiana", 42),
    "MI": ("26", "Michigan", 43),
    "WI": ("55", "Wisconsin", 45),
    "IA": ("19", "Iowa", 61),
    "KS": ("20", "Kansas", 62),
    "MO": ("29", "Missouri", 64),
    "NE": ("31", "Nebraska", 65),
    "TX": ("48", "Texas", 74),
    "FL": ("12", "Florida", 33),
    "GA": ("13", "Georgia", 34),
    "VA": ("51", "Virginia", 38),
    "NC": ("37", "North Carolina", 36),
    "PA": ("42", "Pennsylvania", 23),
    "NJ": ("34", "New Jersey", 21),
    "MA": ("25", "Massachusetts", 13),
    "VT": ("50", "Vermont", 16),
    "OR": ("41", "Oregon", 92),
    "NV": ("32", "Nevada", 85),
    "HI": ("15", "Hawaii", 2),
    "CO": ("08", "Colorado", 82),
    "AZ": ("04", "Arizona", 81),
    "MN": ("27", "Minnesota", 63),
}
US_CITY = {  # IATA -> (BTS-style city name, state)
    "LAX": ("Los Angeles, CA", "CA"),
    "SFO": ("San Francisco, CA", "CA"),
    "JFK": ("New York, NY", "NY"),
    "ORD": ("Chicago, IL", "IL"),
    "SEA": ("Seattle, WA", "WA"),
    "DTW": ("Detroit, MI", "MI"),
    "BOS": ("Boston, MA", "MA"),
    "IAD": ("Washington, DC", "VA"),
    "EWR": ("Newark, NJ", "NJ"),
    "DFW": ("Dallas/Fort Worth, TX", "TX"),
    "IAH": ("Houston, TX", "TX"),
    "ATL": ("Atlanta, GA", "GA"),
    "DEN": ("Denver, CO", "CO"),
    "PHX": ("Phoenix, AZ", "AZ"),
    "MSP": ("Minneapolis, MN", "MN"),
    "IND": ("Indianapolis, IN", "IN"),
    "LAS": ("Las Vegas, NV", "NV"),
    "MCO": ("Orlando, FL", "FL"),
    "HNL": ("Honolulu, HI", "HI"),
    "CLT": ("Charlotte, NC", "NC"),
    "FLL": ("Fort Lauderdale, FL", "FL"),
    "CMI": ("Champaign/Urbana, IL", "IL"),
    "ITH": ("Ithaca/Cortland, NY", "NY"),
    "SCE": ("State College, PA", "PA"),
    "AZO": ("Kalamazoo, MI", "MI"),
    "BMI": ("Bloomington/Normal, IL", "IL"),
    "LAN": ("Lansing, MI", "MI"),
    "MSN": ("Madison, WI", "WI"),
    "CID": ("Cedar Rapids/Iowa City, IA", "IA"),
    "CLL": ("College Station/Bryan, TX", "TX"),
    "GNV": ("Gainesville, FL", "FL"),
    "CHO": ("Charlottesville, VA", "VA"),
    "SYR": ("Syracuse, NY", "NY"),
    "PUW": ("Pullman, WA", "WA"),
    "EUG": ("Eugene, OR", "OR"),
    "MHK": ("Manhattan/Ft. Riley, KS", "KS"),
    "COU": ("Columbia, MO", "MO"),
    "SBN": ("South Bend, IN", "IN"),
    "BTV": ("Burlington, VT", "VT"),
    "LNK": ("Lincoln, NE", "NE"),
    "DSM": ("Des Moines, IA", "IA"),
}
FOREIGN_CITY = {
    "PEK": "Beijing, China",
    "PVG": "Shanghai, China",
    "CAN": "Guangzhou, China",
    "CTU": "Chengdu, China",
    "SZX": "Shenzhen, China",
    "XMN": "Xiamen, China",
    "HKG": "Hong Kong, Hong Kong",
    "NRT": "Tokyo, Japan",
    "HND": "Tokyo, Japan",
    "ICN": "Seoul, South Korea",
    "LHR": "London, United Kingdom",
}
GATEWAYS = ("LAX", "SFO", "JFK", "ORD", "SEA", "DTW", "BOS", "IAD", "EWR", "DFW", "IAH", "ATL")


@dataclasses.dataclass(frozen=True)
class Airport:
    iata: str
    icao: str
    country: str
    lat: float
    lon: float
    tz: str
    airport_id: int
    seq_id: int
    market_id: int
    city: str
    state: str  # '' outside the US


def build_airports(codes: Iterable[str]) -> dict[str, Airport]:
    """Airport records for every code the sample uses, coordinates and ICAO codes from airportsdata."""
    by_iata = airportsdata.load("IATA")
    out: dict[str, Airport] = {}
    for k, code in enumerate(sorted(set(codes))):
        a = by_iata[code]
        airport_id, seq_id, market_id = REAL_AIRPORT_IDS.get(code, (90000 + k, (90000 + k) * 100 + 1, 98000 + k))
        city, state = US_CITY.get(code, (FOREIGN_CITY.get(code, ""), ""))
        out[code] = Airport(
            code, a["icao"], a["country"], a["lat"], a["lon"], a["tz"], airport_id, seq_id, market_id, city, state
        )
    for code, same_as in SHARED_MARKETS.items():
        if code in out and same_as in out:
            out[code] = dataclasses.replace(out[code], market_id=out[same_as].market_id)
    return out


def miles(a: Airport, b: Airport) -> int:
    """Great-circle distance in statute miles (BTS DISTANCE is within ~0.3 % of this for the excerpt rows)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dl = math.radians(b.lon - a.lon)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 3958.7613 * math.asin(math.sqrt(h)))


# ---------------------------------------------------------------------------------------------- carriers


@dataclasses.dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    airline_id: int
    us: bool
    icao: str  # callsign prefix for OpenSky
    entities: dict[str, str]  # region -> UNIQUE_CARRIER_ENTITY


def _carriers() -> dict[str, Carrier]:
    # AIRLINE_ID and entities for UA, DL and MU are the real ones from the excerpts; all others are
    # placeholders (99xxx ids, 9nnnX entities). Names are plain-English, not checked against BTS spelling.
    spec = [
        ("UA", "United Air Lines Inc.", 19977, True, "UAL", {"P": "10877"}),
        ("DL", "Delta Air Lines Inc.", 19790, True, "DAL", {"P": "10262", "D": "01260"}),
        ("MU", "China Eastern Airlines", 19958, False, "CES", {"I": "9713B"}),
        ("AA", "American Airlines Inc.", 0, True, "AAL", {}),
        ("AS", "Alaska Airlines Inc.", 0, True, "ASA", {}),
        ("B6", "JetBlue Airways", 0, True, "JBU", {}),
        ("OO", "SkyWest Airlines Inc.", 0, True, "SKW", {}),
        ("MQ", "Envoy Air", 0, True, "ENY", {}),
        ("9E", "Endeavor Air Inc.", 0, True, "EDV", {}),
        ("YX", "Republic Airline", 0, True, "RPA", {}),
        ("QX", "Horizon Air", 0, True, "QXE", {}),
        ("SY", "Sun Country Airlines", 0, True, "SCX", {}),
        ("FX", "Federal Express Corporation", 0, True, "FDX", {}),
        ("5Y", "Atlas Air Inc.", 0, True, "GTI", {}),
        ("CA", "Air China", 0, False, "CCA", {}),
        ("CZ", "China Southern Airlines", 0, False, "CSN", {}),
        ("HU", "Hainan Airlines", 0, False, "CHH", {}),
        ("3U", "Sichuan Airlines", 0, False, "CSC", {}),
        ("MF", "Xiamen Airlines", 0, False, "CXA", {}),
        ("CK", "China Cargo Airlines", 0, False, "CKK", {}),
        ("CX", "Cathay Pacific Airways", 0, False, "CPA", {}),
        ("NH", "All Nippon Airways", 0, False, "ANA", {}),
        ("KE", "Korean Air Lines Co. Ltd.", 0, False, "KAL", {}),
        ("BA", "British Airways Plc", 0, False, "BAW", {}),
    ]
    out = {}
    for k, (code, name, airline_id, us, icao, entities) in enumerate(spec):
        ents = dict(entities)
        for region in ("P", "A", "D") if us else ("I",):
            ents.setdefault(region, f"9{k:03d}{region}")
        out[code] = Carrier(code, name, airline_id or 99000 + k, us, icao, ents)
    return out


CARRIERS = _carriers()

# ---------------------------------------------------------------------------------------------- story

MONTHS = range(1, 13)


def _ramp(first: float, last: float) -> list[float]:
    return [first + (last - first) * i / 11 for i in range(12)]


def _normalised(profile: Sequence[float], august: float) -> list[float]:
    """Monthly multipliers with mean 1 whose August value is `august` (other months rescaled)."""
    rest = [v for m, v in zip(MONTHS, profile, strict=True) if m != 8]
    scale = (12 - august) / sum(rest)
    return [august if m == 8 else v * scale for m, v in zip(MONTHS, profile, strict=True)]


# International level per month, as a multiple of the route's 2019 monthly mean.
CN_ANNUAL = {2015: 0.85, 2016: 0.93, 2017: 1.00, 2018: 1.01, 2019: 1.00}  # up to 2017, then flat
OTHER_ANNUAL = {2015: 0.90, 2016: 0.92, 2017: 0.94, 2018: 0.97, 2019: 1.00}  # steady growth: CN -6 % relative
CN_COVID = {
    2020: [1.0, 0.30, 0.05, 0.02, 0.02, 0.02, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03],
    2021: [0.03] * 12,
    2022: [0.03] * 6 + [0.035] * 6,
    2023: _ramp(0.05, 0.28),
    2024: _ramp(0.28, 0.40),
}
OTHER_COVID = {
    2020: [1.02, 0.95, 0.55, 0.03, 0.04, 0.05, 0.07, 0.08, 0.08, 0.08, 0.08, 0.09],
    2021: _ramp(0.10, 0.40),
    2022: _ramp(0.40, 0.85),
    2023: _ramp(0.88, 0.98),
    2024: _ramp(1.00, 1.04),
}
# August peak of China->US arrivals (students): strong up to 2018, weaker after.
CN_AUGUST = {2015: 1.45, 2016: 1.45, 2017: 1.45, 2018: 1.42, 2019: 1.25, 2020: 1.0, 2021: 1.05, 2022: 1.05}
CN_AUGUST |= {2023: 1.02, 2024: 1.08}  # the 2023-24 restart ramp lifts late months, so a lower August factor
CN_TO_US_SEASON = [0.95, 1.00, 0.85, 0.90, 0.90, 0.98, 1.10, 0.0, 1.02, 0.97, 0.85, 0.95]
US_TO_CN_SEASON = [1.05, 0.95, 0.85, 0.85, 0.95, 1.15, 1.10, 1.00, 0.85, 0.95, 0.90, 1.10]
OTHER_SEASON = [0.85, 0.80, 0.95, 0.95, 1.00, 1.10, 1.15, 1.12, 1.00, 1.00, 0.92, 1.05]


def intl_level(group: str, year: int, month: int) -> float:
    if group == "CN":
        return CN_COVID[year][month - 1] if year in CN_COVID else CN_ANNUAL[year]
    return OTHER_COVID[year][month - 1] if year in OTHER_COVID else OTHER_ANNUAL[year]


def intl_season(group: str, inbound: bool, year: int, month: int) -> float:
    if group == "CN" and inbound:
        return _normalised(CN_TO_US_SEASON, CN_AUGUST[year])[month - 1]
    if group == "CN":
        return _normalised(US_TO_CN_SEASON, US_TO_CN_SEASON[7])[month - 1]
    return _normalised(OTHER_SEASON, OTHER_SEASON[7])[month - 1]


@dataclasses.dataclass(frozen=True)
class Route:
    foreign: str
    us: str
    carrier: str
    seats: int  # per departure
    base: int  # mean monthly passengers per direction in 2019
    aircraft_type: str
    active: str = "all"  # all | covid (flew through 2020-22) | 2023 | 2024 (restart year) | never (not after Feb 2020)


# Aircraft type codes 637 and 339 appear on the real UA/MU and DL trans-Pacific rows; they are reused here
# without checking what every other carrier flies.
ROUTES = (
    Route("PEK", "LAX", "CA", 311, 8500, "637", "covid"),
    Route("PEK", "SFO", "UA", 350, 7800, "637", "2023"),
    Route("PEK", "JFK", "CA", 311, 7600, "637", "2023"),
    Route("PEK", "ORD", "UA", 350, 6000, "637", "never"),
    Route("PVG", "LAX", "MU", 314, 10000, "637", "covid"),
    Route("PVG", "SFO", "UA", 350, 9300, "637", "covid"),
    Route("PVG", "JFK", "MU", 314, 7800, "637", "2023"),
    Route("PVG", "SEA", "DL", 281, 6900, "339", "covid"),
    Route("PVG", "DTW", "DL", 281, 6000, "339", "2023"),
    Route("PVG", "EWR", "UA", 350, 6000, "637", "never"),
    Route("PVG", "DFW", "AA", 285, 5200, "339", "never"),
    Route("CAN", "LAX", "CZ", 300, 7600, "637", "covid"),
    Route("CTU", "LAX", "3U", 300, 2600, "339", "never"),
    Route("SZX", "LAX", "HU", 290, 2600, "339", "2024"),
    Route("XMN", "SEA", "MF", 290, 2500, "339", "covid"),
    Route("HKG", "LAX", "CX", 300, 17000, "637"),
    Route("HKG", "BOS", "CX", 300, 3500, "339", "2023"),
    Route("HND", "ORD", "NH", 280, 7000, "637"),
    Route("NRT", "IAH", "UA", 280, 5500, "637"),
    Route("NRT", "DFW", "AA", 285, 5500, "339"),
    Route("ICN", "ATL", "KE", 300, 6500, "637"),
    Route("ICN", "LAX", "KE", 350, 17000, "637"),
    Route("LHR", "JFK", "BA", 280, 50000, "637"),
    Route("LHR", "IAD", "BA", 280, 16000, "637"),
)


def route_active(route: Route, year: int, month: int) -> bool:
    """Whether the route flew that month: every route until Feb 2020, then only the ones still flying."""
    if year < 2020 or (year == 2020 and month <= 2) or route.active in ("all", "covid"):
        return True
    return route.active in ("2023", "2024") and year >= int(route.active)


def _legs(table: str) -> list[tuple[str, str, str, int, int]]:
    """Parse "ORIGIN DEST CARRIER SEATS DAILY | ..." lines into leg tuples."""
    legs = []
    for item in table.replace("\n", "|").split("|"):
        if item.strip():
            origin, dest, carrier, seats, daily = item.split()
            legs.append((origin, dest, carrier, int(seats), int(daily)))
    return legs


# Domestic legs: (origin gateway, dest, operating carrier, seats per departure, daily departures).
TOWN_LEGS = _legs("""
ORD CMI MQ 65 3 | ORD LAN OO 50 2 | ORD MSN OO 70 6 | ORD CID OO 70 4 | ORD SYR YX 76 3 | ORD SBN OO 70 4
ORD BTV OO 50 2 | ORD LNK OO 70 3 | ORD DSM OO 76 5 | ORD COU MQ 65 2 | ORD CHO OO 50 2 | ORD SCE OO 50 2
ORD AZO MQ 65 2 | ORD BMI MQ 65 3
DFW CMI MQ 65 2 | DFW CLL MQ 65 4 | DFW MHK MQ 65 3 | DFW COU MQ 65 2 | DFW GNV MQ 65 2 | DFW CID MQ 65 2
DFW DSM MQ 65 4 | DFW MSN MQ 76 3 | DFW EUG OO 76 1
DTW LAN 9E 50 4 | DTW AZO 9E 50 3 | DTW SBN 9E 50 3 | DTW ITH 9E 50 2 | DTW SCE 9E 50 3 | DTW SYR 9E 76 4
DTW BTV 9E 76 2 | DTW CID 9E 76 2 | DTW DSM 9E 76 3 | DTW MSN 9E 76 4 | DTW BMI 9E 50 1
ATL GNV 9E 76 5 | ATL CHO 9E 76 3 | ATL BMI 9E 76 2 | ATL SBN 9E 76 2 | ATL CID 9E 76 2 | ATL SYR DL 160 4
ATL DSM 9E 76 4 | ATL MSN DL 160 3
IAH CLL OO 50 4
EWR ITH YX 76 2 | EWR SYR YX 76 4 | EWR BTV YX 76 3 | EWR CHO YX 76 1 | EWR MSN YX 76 2
IAD ITH OO 50 2 | IAD SCE OO 50 3 | IAD CHO OO 50 4 | IAD BTV OO 50 2 | IAD SYR OO 50 3
SEA PUW QX 76 3 | SEA EUG QX 76 5
SFO EUG OO 70 4
LAX EUG OO 70 2
JFK BTV 9E 76 2 | JFK SYR B6 100 3
""")
CONTROL_LEGS = _legs("""
ORD LAS UA 170 8 | DFW LAS AA 170 10 | ATL LAS DL 180 7 | SEA LAS AS 170 9 | LAX LAS DL 160 8 | SFO LAS UA 170 9
ORD MCO UA 170 6 | DFW MCO AA 170 7 | ATL MCO DL 180 12 | DTW MCO DL 170 7 | EWR MCO UA 170 8 | BOS MCO B6 150 8
JFK MCO B6 150 9 | IAD MCO UA 170 4
LAX HNL AA 190 4 | SFO HNL UA 250 5 | SEA HNL AS 170 4 | ORD HNL UA 250 1 | DFW HNL AA 250 1 | IAH HNL UA 250 1
ATL HNL DL 250 1
ORD CLT AA 170 8 | DFW CLT AA 170 12 | BOS CLT AA 170 8 | EWR CLT AA 170 7 | JFK CLT AA 170 5
ATL FLL DL 170 8 | DTW FLL DL 170 4 | EWR FLL UA 170 5 | JFK FLL B6 150 8 | BOS FLL B6 150 9
""")
# IND is the commercial gateway for LAF (Purdue) and BMG (Indiana University).
IND_LEGS = _legs("""
ORD IND UA 170 5 | DFW IND AA 170 5 | ATL IND DL 170 7 | DTW IND DL 140 5 | EWR IND UA 170 3 | IAH IND UA 140 2
SFO IND UA 170 1 | LAX IND DL 160 1 | BOS IND DL 140 2 | JFK IND DL 140 2
""")
# Big-hub legs, so that a gateway's onward share to a town is a realistically small fraction.
HUB_LEGS = _legs("""
ORD DEN UA 170 14 | ORD LAX UA 170 12 | ORD SFO UA 170 12 | ORD EWR UA 170 12 | ORD ATL DL 180 10
DFW ORD AA 170 14 | DFW LAX AA 170 12 | DFW ATL DL 180 10 | DFW PHX AA 170 10 | DFW DEN AA 170 8
DTW ATL DL 180 12 | DTW MSP DL 170 14 | DTW ORD UA 170 8 | DTW JFK DL 170 7 | DTW LAX DL 200 5
ATL DFW DL 180 10 | ATL LAX DL 200 10 | ATL JFK DL 200 10 | ATL MSP DL 180 8 | ATL DTW DL 180 12
IAH DEN UA 170 10 | IAH ORD UA 170 10 | IAH EWR UA 170 10 | IAH SFO UA 170 6 | IAH LAX UA 170 7
EWR ORD UA 170 12 | EWR SFO UA 200 10 | EWR LAX UA 200 9 | EWR DEN UA 170 7 | EWR IAH UA 170 10
IAD ORD UA 170 8 | IAD SFO UA 200 6 | IAD LAX UA 200 5 | IAD DEN UA 170 7 | IAD BOS UA 140 6
SEA LAX AS 170 12 | SEA SFO AS 170 10 | SEA DEN AS 170 5 | SEA ORD AS 170 4 | SEA PHX AS 170 5
SFO LAX UA 170 15 | SFO ORD UA 170 12 | SFO EWR UA 200 10 | SFO SEA AS 170 8 | SFO DEN UA 170 9
LAX SFO UA 170 15 | LAX JFK DL 200 10 | LAX ORD UA 170 12 | LAX SEA AS 170 10 | LAX ATL DL 200 10
JFK LAX DL 200 10 | JFK SFO B6 150 8 | JFK ATL DL 180 9 | JFK BOS B6 100 8 | JFK ORD AA 170 5
BOS ATL DL 180 8 | BOS ORD UA 170 7 | BOS DFW AA 170 6 | BOS LAX B6 150 5 | BOS SFO UA 170 5
""")
LEG_TYPE = {50: "629", 65: "631", 70: "631", 76: "673", 100: "673"}  # placeholder type codes, not checked
NARROWBODY_TYPE, WIDEBODY_TYPE, FREIGHTER_TYPE = "694", "637", "627"  # placeholders too

# Domestic seasonality: August of gateway->town legs (arriving students) loses part of its peak after 2018.
TOWN_AUGUST = dict(zip(YEARS, (1.30, 1.30, 1.30, 1.30, 1.22, 1.00, 1.12, 1.14, 1.15, 1.15), strict=True))
TOWN_SEASON = [0.95, 0.85, 0.95, 0.95, 1.05, 0.90, 0.90, 0.0, 1.00, 1.00, 0.95, 1.00]
CONTROL_SEASON = [0.95, 0.95, 1.12, 1.05, 1.00, 1.05, 1.08, 1.02, 0.88, 0.95, 0.95, 1.02]
IND_AUGUST = {y: (1.08 if y <= 2018 else 1.05) for y in YEARS}
HUB_SEASON = [0.88, 0.88, 1.00, 1.00, 1.02, 1.08, 1.08, 1.05, 0.96, 1.00, 0.98, 1.02]
DOMESTIC_TREND = {  # annual level vs 2019, by leg category: towns nearly flat, the rest growing
    "town": dict(zip(YEARS, (0.97, 0.98, 0.99, 0.995, 1.0, 1.0, 1.0, 0.98, 0.98, 0.98), strict=True)),
    "control": dict(zip(YEARS, (0.90, 0.925, 0.95, 0.975, 1.0, 1.0, 1.0, 1.0, 1.01, 1.03), strict=True)),
}
DOMESTIC_TREND["ind"] = DOMESTIC_TREND["hub"] = DOMESTIC_TREND["control"]
DOMESTIC_COVID = {
    2020: [1.0, 1.0, 0.55, 0.05, 0.12, 0.25, 0.35, 0.35, 0.35, 0.40, 0.38, 0.38],
    2021: _ramp(0.42, 0.85),
    2022: _ramp(0.80, 0.95),
    2023: _ramp(0.97, 1.0),
}
LF_BASE = 0.78


def domestic_season(category: str, year: int, month: int) -> float:
    if category == "town":
        return _normalised(TOWN_SEASON, TOWN_AUGUST[year])[month - 1]
    if category == "control":
        return CONTROL_SEASON[month - 1]
    if category == "ind":
        return _normalised(HUB_SEASON, IND_AUGUST[year])[month - 1]
    return HUB_SEASON[month - 1]


# ---------------------------------------------------------------------------------------------- rows


@dataclasses.dataclass
class Segment:
    """One T-100 segment row before formatting."""

    year: int
    month: int
    origin: str
    dest: str
    carrier: str
    klass: str
    departures: int
    seats: int
    passengers: int
    aircraft_type: str
    config: int = 1  # 1 passenger, 2 freighter (UNCONFIRMED meaning; only 1 is seen in the excerpts)
    scheduled: int | None = None  # None: = performed for US carriers, 0 for foreign ones (as the excerpt)
    payload_per_dep: int = 136000
    freight: int = 0
    mail: int = 0


def cargo(year: int, month: int, leg: str, klass: str, deps: int, payload: int, freight: int) -> Segment:
    """An all-cargo row ("PVG-ORD CK"): no seats, no passengers, freighter configuration."""
    route, carrier = leg.split()
    origin, dest = route.split("-")
    extra = {"config": 2, "payload_per_dep": payload, "freight": deps * freight}
    return Segment(year, month, origin, dest, carrier, klass, deps, 0, 0, FREIGHTER_TYPE, **extra)


def days_in(year: int, month: int) -> int:
    return ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.date(year, month, 1)).days


def international_segments(year: int, airports: dict[str, Airport]) -> list[Segment]:
    rng = random.Random(f"{SEED}:t100i:{year}")
    rows: list[Segment] = []
    for month in MONTHS:
        for inbound in (True, False):
            for route in ROUTES:
                if not route_active(route, year, month):
                    continue
                group = airports[route.foreign].country
                group = "CN" if group == "CN" else "other"
                pax = route.base * intl_level(group, year, month) * intl_season(group, inbound, year, month)
                if group == "CN" and year >= 2020 and not (year == 2020 and month <= 2):
                    # the national level is spread over the routes still flying, not cut per route
                    flying = [r for r in ROUTES if airports[r.foreign].country == "CN" and route_active(r, year, month)]
                    pax *= sum(r.base for r in ROUTES if airports[r.foreign].country == "CN") / sum(
                        r.base for r in flying
                    )
                pax = round(pax * (0.97 + 0.06 * rng.random()) * (1.0 if inbound else 0.97))
                covid = intl_level(group, year, month) < 0.5
                lf = rng.uniform(0.45, 0.75) if covid else rng.uniform(0.80, 0.92)
                deps = max(1, math.ceil(pax / (route.seats * lf)))
                origin, dest = (route.foreign, route.us) if inbound else (route.us, route.foreign)
                per_dep_freight = rng.randint(30000, 50000) if inbound else rng.randint(15000, 25000)
                mail = deps * rng.randint(0, 1500) if CARRIERS[route.carrier].us else 0
                rows.append(
                    Segment(
                        year,
                        month,
                        origin,
                        dest,
                        route.carrier,
                        "F",
                        deps,
                        deps * route.seats,
                        pax,
                        route.aircraft_type,
                        freight=deps * per_dep_freight,
                        mail=mail,
                    )
                )
        # All-cargo: China Cargo scheduled PVG->ORD every month (G); Atlas charters PVG->LAX in Nov-Dec (P).
        deps = rng.randint(7, 9)
        rows.append(cargo(year, month, "PVG-ORD CK", "G", deps, 240000, rng.randint(180000, 220000)))
        if month >= 11:
            deps = rng.randint(6, 10)
            rows.append(cargo(year, month, "PVG-LAX 5Y", "P", deps, 240000, rng.randint(180000, 220000)))
        # Charter passengers (L): a Hainan student charter PEK->LAX every August but 2020.
        if month == 8 and year != 2020:
            deps = rng.randint(1, 2)
            seats = deps * 290
            rows.append(Segment(year, month, "PEK", "LAX", "HU", "L", deps, seats, round(seats * 0.95), "339"))
    # One zero-departure charter row per year, like the first lines of both real excerpts.
    rows.append(Segment(year, rng.randint(1, 12), "SEA", "ICN", "DL", "L", 0, 0, 0, "339", payload_per_dep=0))
    return rows


def domestic_legs() -> list[tuple[str, str, str, int, int, str]]:
    legs = [(*leg, "town") for leg in TOWN_LEGS] + [(*leg, "control") for leg in CONTROL_LEGS]
    legs += [(*leg, "ind") for leg in IND_LEGS] + [(*leg, "hub") for leg in HUB_LEGS]
    return legs


def domestic_segments(year: int) -> list[Segment]:
    rng = random.Random(f"{SEED}:t100d:{year}")
    rows: list[Segment] = []
    for month in MONTHS:
        days = days_in(year, month)
        covid = DOMESTIC_COVID.get(year, [1.0] * 12)[month - 1]
        for origin, dest, carrier, seats, daily, category in domestic_legs():
            season = domestic_season(category, year, month)
            trend = DOMESTIC_TREND[category][year]
            deps = max(1, round(daily * days * covid**0.6 * season**0.4 * trend * (0.98 + 0.04 * rng.random())))
            demand = daily * days * seats * LF_BASE * season * trend * covid * (0.97 + 0.06 * rng.random())
            pax = min(round(demand), math.floor(deps * seats * 0.97))
            aircraft = LEG_TYPE.get(seats, NARROWBODY_TYPE if seats < 220 else WIDEBODY_TYPE)
            rows.append(
                Segment(
                    year,
                    month,
                    origin,
                    dest,
                    carrier,
                    "F",
                    deps,
                    deps * seats,
                    pax,
                    aircraft,
                    payload_per_dep=seats * 230,
                    freight=deps * rng.randint(0, 800),
                    mail=deps * rng.randint(0, 200),
                )
            )
        # FedEx scheduled all-cargo EWR->IND (G); Atlas cargo charters LAX->ORD in December (P).
        deps = rng.randint(24, 27)
        rows.append(cargo(year, month, "EWR-IND FX", "G", deps, 200000, rng.randint(120000, 160000)))
        if month == 12:
            deps = rng.randint(2, 4)
            rows.append(cargo(year, month, "LAX-ORD 5Y", "P", deps, 240000, rng.randint(150000, 200000)))
        # Football-season team charters DFW->CLL (L), September to November.
        if 9 <= month <= 11 and not (year == 2020 and month == 9):
            deps = rng.randint(1, 2)
            pax = deps * rng.randint(150, 180)
            rows.append(Segment(year, month, "DFW", "CLL", "SY", "L", deps, deps * 186, pax, NARROWBODY_TYPE))
    rows.append(Segment(year, rng.randint(1, 12), "ORD", "CMI", "SY", "L", 0, 0, 0, NARROWBODY_TYPE, payload_per_dep=0))
    return rows


def _num(value: int, year: int) -> str:
    # The ten measure columns: "8352.00" from 2023 (like the 2026 excerpt), plain integers before.
    return f"{value:.2f}" if year >= FLOAT_FORMAT_FROM else str(value)


def _region(seg: Segment, airports: dict[str, Airport], kind: str) -> str:
    carrier = CARRIERS[seg.carrier]
    if not carrier.us:
        return "I"
    if kind == "domestic":
        return "D"
    foreign = seg.dest if airports[seg.dest].country != "US" else seg.origin
    return "A" if airports[foreign].lon > -60 and airports[foreign].lon < 60 else "P"


def format_row(seg: Segment, airports: dict[str, Airport], kind: str) -> list[str]:
    """The segment as the CSV fields of `kind`'s header."""
    o, d = airports[seg.origin], airports[seg.dest]
    carrier = CARRIERS[seg.carrier]
    distance = miles(o, d)
    # Foreign carriers report no scheduled departures and no times (MU row of the 2026 excerpt).
    scheduled = seg.scheduled if seg.scheduled is not None else (seg.departures if carrier.us else 0)
    eastbound = (d.lon - o.lon) % 360 < 180
    air_per_dep = round(distance / (9.6 if eastbound else 8.2)) + 5 if seg.departures else 0
    air = seg.departures * air_per_dep if carrier.us else 0
    ramp = seg.departures * (air_per_dep + 38) if carrier.us else 0
    payload = seg.departures * seg.payload_per_dep
    measures = [scheduled, seg.departures, payload, seg.seats, seg.passengers, seg.freight, seg.mail]
    measures += [distance, ramp, air]
    region = _region(seg, airports, kind)
    group = "3" if carrier.us else "0"  # CARRIER_GROUP(_NEW): 3 on the UA/DL rows, 0 on MU
    names = [carrier.code, str(carrier.airline_id), carrier.name, carrier.entities[region], region]
    head = [_num(v, seg.year) for v in measures] + names + [carrier.code, carrier.name, group, group]

    def place(a: Airport) -> list[str]:
        ids = [str(a.airport_id), str(a.seq_id), str(a.market_id), a.iata, a.city]
        if kind == "domestic":
            fips, name, wac = STATES[a.state]
            return [*ids, a.state, fips, name, str(wac)]
        if a.country == "US":
            return [*ids, "US", "United States", str(STATES[a.state][2])]
        name, wac = FOREIGN[a.country]
        return [*ids, a.country, name, str(wac)]

    quarter, distance_group = (seg.month - 1) // 3 + 1, distance // 500 + 1
    tail = ["6", seg.aircraft_type, str(seg.config), str(seg.year), str(quarter), str(seg.month)]
    tail += [str(distance_group), seg.klass]
    return head + place(o) + place(d) + tail


def t100_csv(rows: list[Segment], airports: dict[str, Airport], kind: str, rng: random.Random) -> bytes:
    """CSV bytes as TranStats writes them: CRLF, minimal quoting, rows in no particular order."""
    header = INTERNATIONAL_HEADER if kind == "international" else DOMESTIC_HEADER
    lines = [format_row(r, airports, kind) for r in rows]
    rng.shuffle(lines)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buf.getvalue().encode("utf-8")


def zip_bytes(member: str, data: bytes) -> bytes:
    """A one-member zip with fixed timestamp and attributes, so its bytes depend only on `data`."""
    info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, data, compresslevel=9)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- SODA


def soda_rows(segments: list[Segment], airports: dict[str, Airport]) -> list[dict[str, str]]:
    """xgub-n9bw rows: passengers per US gateway x foreign airport x carrier x month, both directions."""
    sums: dict[tuple[int, int, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for s in segments:
        if s.klass not in ("F", "L") or s.passengers == 0:
            continue
        us, fg = (s.dest, s.origin) if airports[s.dest].country == "US" else (s.origin, s.dest)
        sums[(s.year, s.month, us, fg, s.carrier)][0 if s.klass == "F" else 1] += s.passengers
    out = []
    for (year, month, us, fg, code), (scheduled, charter) in sorted(sums.items()):
        u, f, carrier = airports[us], airports[fg], CARRIERS[code]
        out.append(
            {
                "data_dte": f"{year}-{month:02d}-01T00:00:00.000",
                "year": str(year),
                "month": str(month),
                "usg_apt_id": str(u.airport_id),
                "usg_apt": us,
                "usg_wac": str(STATES[u.state][2]),
                "fg_apt_id": str(f.airport_id),
                "fg_apt": fg,
                "fg_wac": str(FOREIGN[f.country][1]),
                "airlineid": str(carrier.airline_id),
                "carrier": code,
                "carriergroup": "1" if carrier.us else "0",
                "type": "Passengers",
                "scheduled": str(scheduled),
                "charter": str(charter),
                "total": str(scheduled + charter),
            }
        )
    return out


def soda_json(rows: list[dict[str, str]]) -> bytes:
    # One compact object per line, as Socrata pages look; keys in the dataset's column order.
    return ("[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in rows) + "\n]\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------- OpenSky

OPENSKY_AIRPORTS = ("CMI", "LAN", "ITH", "MSN", "CLL", "HNL", "FLL")  # five towns, two controls
OPENSKY_YEARS = (2017, 2019, 2023)
OPENSKY_DAYS = range(1, 8)
OPENSKY_KEYS = FLIGHT_FIELDS  # the real object's key order
CONTROL_OPENSKY_SHARE = 0.6  # controls keep a subset of their feeder flights so files stay small


def opensky_flights(
    airport: str, domestic: dict[int, list[Segment]], airports: dict[str, Airport]
) -> list[dict[str, object]]:
    """Arrivals at `airport` on August 1-7 of each OpenSky year, from the August domestic legs."""
    rng = random.Random(f"{SEED}:opensky:{airport}")
    dest = airports[airport]
    control = airport in {leg[1] for leg in CONTROL_LEGS}
    flights: list[dict[str, object]] = []
    for year in OPENSKY_YEARS:
        window = (
            int(dt.datetime(year, 8, 1, tzinfo=dt.UTC).timestamp()),
            int(dt.datetime(year, 8, 8, tzinfo=dt.UTC).timestamp()),
        )
        legs = [s for s in domestic[year] if s.month == 8 and s.dest == airport and s.klass == "F"]
        for leg in sorted(legs, key=lambda s: (s.origin, s.carrier)):
            origin, carrier = airports[leg.origin], CARRIERS[leg.carrier]
            per_day = leg.departures / 31 * (CONTROL_OPENSKY_SHARE if control else 1.0)
            fleet = [
                f"a{(int(hashlib.sha256(f'{carrier.code}{i}'.encode()).hexdigest()[:5], 16)):05x}" for i in range(40)
            ]
            minutes = miles(origin, dest) / 7.5 + 20
            for day in OPENSKY_DAYS:
                n = int(per_day) + (rng.random() < per_day - int(per_day))
                for k in range(n):
                    hour = 6 + (15 * (k + rng.random())) / max(n, 1)
                    local = dt.datetime(year, 8, day, tzinfo=ZoneInfo(origin.tz)) + dt.timedelta(hours=hour)
                    first = int(local.timestamp()) + rng.randint(60, 420)
                    last = first + int(minutes * 60) + rng.randint(-300, 300)
                    if not window[0] <= last < window[1]:
                        continue
                    known_origin = rng.random() > 0.07  # oceanic/low coverage: departure airport not estimated
                    callsign = None if rng.random() < 0.03 else f"{carrier.icao}{rng.randint(3000, 5999)}".ljust(8)
                    values = (
                        rng.choice(fleet),
                        first,
                        origin.icao if known_origin else None,
                        last,
                        dest.icao,
                        callsign,
                        rng.randint(150, 6000) if known_origin else None,
                        rng.randint(10, 900) if known_origin else None,
                        rng.randint(200, 3000),
                        rng.randint(15, 400),
                        rng.randint(0, 3) if known_origin else 0,
                        rng.randint(1, 4),
                    )
                    flights.append(dict(zip(OPENSKY_KEYS, values, strict=True)))
    flights.sort(key=lambda f: (f["lastSeen"], f["icao24"]))
    return flights


# ---------------------------------------------------------------------------------------------- checks


def validate(segments: Iterable[Segment]) -> None:
    """Raise ValueError when a row breaks what real T-100 rows promise."""
    for s in segments:
        if s.passengers > s.seats or min(s.passengers, s.seats, s.departures) < 0:
            raise ValueError(f"seats < passengers or negative count: {s}")
        if s.klass in ("G", "P") and s.passengers:
            raise ValueError(f"all-cargo row with passengers: {s}")


def read_towns(path: Path) -> dict[str, str]:
    """airport_iata -> role from the curated list; the sample's town and control legs must match it."""
    with path.open(newline="", encoding="utf-8") as fh:
        roles = {r["airport_iata"]: r["role"] for r in csv.DictReader(fh)}
    for _, dest, *_ in TOWN_LEGS:
        if roles.get(dest) != "university_town":
            raise ValueError(f"{dest} has town legs but is not a university_town in {path}")
    for _, dest, *_ in CONTROL_LEGS:
        if roles.get(dest) != "control":
            raise ValueError(f"{dest} has control legs but is not a control in {path}")
    return roles


def calibration(intl: dict[int, list[Segment]], dom: dict[int, list[Segment]], airports: dict[str, Airport]) -> dict:
    """What the sample says: CN->US and other->US passengers, August shares, town vs control August legs."""
    table = {}
    for year in YEARS:
        pax = [s for s in intl[year] if s.klass in ("F", "L") and airports[s.dest].country == "US"]
        cn = [s for s in pax if airports[s.origin].country == "CN"]
        other = [s for s in pax if airports[s.origin].country != "CN"]
        cn_total, other_total = sum(s.passengers for s in cn), sum(s.passengers for s in other)
        aug = sum(s.passengers for s in cn if s.month == 8)
        town_aug = sum(s.passengers for s in dom[year] if s.month == 8 and s.dest in {x[1] for x in TOWN_LEGS})
        ctl_aug = sum(s.passengers for s in dom[year] if s.month == 8 and s.dest in {x[1] for x in CONTROL_LEGS})
        table[str(year)] = {
            "cn_to_us_passengers": cn_total,
            "cn_to_us_august_share": round(aug / cn_total, 4),
            "other_to_us_passengers": other_total,
            "gateway_to_town_august_passengers": town_aug,
            "gateway_to_control_august_passengers": ctl_aug,
        }
    base = table["2017"]
    for row in table.values():
        row["cn_relative_to_other_vs_2017"] = round(
            (row["cn_to_us_passengers"] / base["cn_to_us_passengers"])
            / (row["other_to_us_passengers"] / base["other_to_us_passengers"]),
            4,
        )
        row["town_vs_control_august_vs_2017"] = round(
            (row["gateway_to_town_august_passengers"] / base["gateway_to_town_august_passengers"])
            / (row["gateway_to_control_august_passengers"] / base["gateway_to_control_august_passengers"]),
            4,
        )
    return table


# ---------------------------------------------------------------------------------------------- output

COMMON = {"generator": "scripts/generate_flight_sample.py", "seed": SEED, "synthetic": True, "notice": NOTICE}
T100_NOTES = [
    "Story (Wang, Tang, Cao & Zhou 2023, China Review 23(4), as summarised in "
    "docs/methods.md#flight-arrival-proxies): CN->US "
    "passengers grow 2015-2017, then stay flat while other origins (HK, JP, KR, GB) keep growing, about -6 % "
    "relative by 2019; collapse from February 2020 (only six CN routes keep flying, about 3 % of the 2019 "
    "level); partial recovery in 2023-2024 (about 5 % -> 40 %). The August share of CN->US arrivals "
    "(students) is high up to 2018 and lower after. Route suspensions and restarts are stylised, not the real "
    "schedule.",
    "Domestic: gateway->university-town legs lose part of their August peak after 2018 (fewer arriving "
    "students) while control legs (LAS, MCO, HNL, CLT, FLL) keep theirs; COVID dip in 2020-2022. Modelled "
    "story, labelled synthetic.",
    "Real from the excerpts: header line and column order (international), CRLF, minimal quoting, integer vs "
    "'8352.00' formatting, foreign carriers with DEPARTURES_SCHEDULED/RAMP_TO_RAMP/AIR_TIME 0, airport ids of "
    "PVG SFO LAX SEA, AIRLINE_ID and entity of UA DL MU, WAC of CN CA NY WA, AIRCRAFT_GROUP 6 with types "
    "637/339, DISTANCE_GROUP = DISTANCE // 500 + 1.",
    "Placeholders: every other airport id (90000+), city-market id (98000+), AIRLINE_ID (99000+), entity "
    "(9nnnX), foreign WAC (990-993), domestic aircraft type codes and freighter type 627 / AIRCRAFT_CONFIG 2. "
    "State WACs and FIPS other than CA NY WA are from memory (UNCONFIRMED). Do not join on them.",
    "Domestic header: 45 columns (state columns, no country columns, no DATA_SOURCE) as a public TranStats "
    "downloader selects T_T100D_SEGMENT_*; not checked against a real domestic download. Counts use the same "
    "integer / '.00' switch as the international file (the domestic format itself is unknown).",
    "Extra rows: all-cargo CK PVG->ORD (G) monthly and 5Y PVG->LAX (P) in Nov-Dec; HU PEK->LAX charter (L) "
    "each August but 2020; one zero-departure L row per year; domestic FX EWR->IND (G), 5Y LAX->ORD (P) in "
    "December, SY DFW->CLL charters (L) Sep-Nov. Row order inside each CSV is shuffled (seeded).",
]


def write_outputs(out_dir: Path, towns_csv: Path) -> dict[str, dict]:
    """Generate and write every file; return the three manifests."""
    read_towns(towns_csv)
    codes = {r.foreign for r in ROUTES} | {r.us for r in ROUTES} | {"ORD", "LAX", "PEK", "ICN", "SEA"}
    codes |= {x for leg in domestic_legs() for x in leg[:2]} | {"IND", "EWR", "DFW", "CLL", "CMI"}
    airports = build_airports(codes)
    intl = {y: international_segments(y, airports) for y in YEARS}
    dom = {y: domestic_segments(y) for y in YEARS}
    validate(s for y in YEARS for s in intl[y] + dom[y])
    towns_ref = {
        "path": towns_csv.relative_to(REPO_ROOT).as_posix() if towns_csv.is_relative_to(REPO_ROOT) else str(towns_csv),
        "sha256": hashlib.sha256(towns_csv.read_bytes()).hexdigest(),
    }
    manifests: dict[str, dict] = {}

    t100_dir = out_dir / "t100"
    t100_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    for kind, by_year in (("international", intl), ("domestic", dom)):
        for year in YEARS:
            csv_bytes = t100_csv(by_year[year], airports, kind, random.Random(f"{SEED}:order:{kind}:{year}"))
            data = zip_bytes(MEMBER[kind], csv_bytes)
            name = ZIP_NAME[kind].format(year=year)
            (t100_dir / name).write_bytes(data)
            files[name] = {
                "kind": kind,
                "rows": len(by_year[year]),
                "rows_by_class": dict(sorted(Counter(s.klass for s in by_year[year]).items())),
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "member": MEMBER[kind],
                "member_sha256": hashlib.sha256(csv_bytes).hexdigest(),
            }
    manifests["t100"] = {
        **COMMON,
        "description": "Synthetic BTS T-100 Segment (All Carriers) downloads, one zip per table and year.",
        "university_towns_csv": towns_ref,
        "calibration": T100_NOTES,
        "calibration_summary": calibration(intl, dom, airports),
        "files": files,
    }

    soda_dir = out_dir / "soda"
    soda_dir.mkdir(parents=True, exist_ok=True)
    rows = soda_rows([s for y in YEARS for s in intl[y]], airports)
    data = soda_json(rows)
    (soda_dir / "xgub-n9bw.json").write_bytes(data)
    manifests["soda"] = {
        **COMMON,
        "description": "Rows shaped like DOT Socrata dataset xgub-n9bw (International_Report_Passengers).",
        "calibration": [
            "Derived from the synthetic T-100 international rows of this sample (F and L classes, passengers > 0): "
            "per US gateway x foreign airport x carrier x month, BOTH directions summed (the brief's reading of "
            "the dataset; docs/methods.md#dot-open-data-mirror-socrata marks direction UNCONFIRMED). "
            "scheduled = class F, charter = class L.",
            "Shape from docs/methods.md#dot-open-data-mirror-socrata (column names, values as strings, "
            "carriergroup 1 US / 0 foreign); no real "
            "xgub-n9bw response was found (PROVENANCE.md §3a), so key order and number formatting are assumed.",
            "usg_apt_id / fg_apt_id / airlineid / WAC reuse the T-100 sample's values, placeholders included.",
        ],
        "files": {
            "xgub-n9bw.json": {"rows": len(rows), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        },
    }

    sky_dir = out_dir / "opensky"
    sky_dir.mkdir(parents=True, exist_ok=True)
    sky_files = {}
    for code in OPENSKY_AIRPORTS:
        flights = opensky_flights(code, dom, airports)
        data = json.dumps(flights, separators=(",", ":")).encode("utf-8")  # compact, no newline: as the real body
        name = f"arrivals_{airports[code].icao}.json"
        (sky_dir / name).write_bytes(data)
        per_year = {
            str(y): sum(dt.datetime.fromtimestamp(f["lastSeen"], dt.UTC).year == y for f in flights)
            for y in OPENSKY_YEARS
        }
        sky_files[name] = {
            "airport_iata": code,
            "role": "control" if code in {leg[1] for leg in CONTROL_LEGS} else "university_town",
            "flights": len(flights),
            "flights_per_year": per_year,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    manifests["opensky"] = {
        **COMMON,
        "description": "OpenSky /flights/arrival answers for August 1-7 of 2017, 2019 and 2023.",
        "windows": [
            {
                "begin": int(dt.datetime(y, 8, d, tzinfo=dt.UTC).timestamp()),
                "end": int(dt.datetime(y, 8, d + 1, tzinfo=dt.UTC).timestamp()) - 1,
            }
            for y in OPENSKY_YEARS
            for d in OPENSKY_DAYS
        ],
        "calibration": [
            "Flight objects have the 12 fields, key order and compact encoding of the real EBNM body "
            "(fixtures/real/opensky). One file per airport holds all 21 one-day windows (each under 24 h, the "
            "cheapest credit bucket; docs/methods.md#opensky-network); a flight belongs to the window "
            "containing its lastSeen.",
            "Flights are the August domestic feeder legs of the T-100 sample (departures / 31 per day), so "
            "the files agree with it. Departures barely move between years: the August fall is in passengers, "
            "which OpenSky cannot see (it counts aircraft, docs/methods.md#opensky-network). Controls (HNL, FLL) "
            "keep only "
            f"{CONTROL_OPENSKY_SHARE:.0%} of their gateway flights and no non-gateway traffic: a real answer "
            "would list far more.",
            "About 7 % of flights have estDepartureAirport null (its distances null, 0 candidates) and about "
            "3 % a null callsign; callsigns are ICAO airline prefix + number padded to 8 characters. icao24 "
            "values are hash-derived US-range (a.....) addresses, not real aircraft.",
        ],
        "files": sky_files,
    }
    for folder, manifest in manifests.items():
        (out_dir / folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifests


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--towns-csv", type=Path, default=DEFAULT_TOWNS_CSV)
    args = parser.parse_args(argv)
    manifests = write_outputs(args.out_dir, args.towns_csv.resolve())
    summary = manifests["t100"]["calibration_summary"]
    print(f"wrote t100/, soda/, opensky/ under {args.out_dir}")
    print(f"{'year':>4} {'CN->US':>9} {'Aug%':>6} {'CN/oth':>7} {'other->US':>10} {'townAug/ctl':>11}")
    for year, row in summary.items():
        print(
            f"{year:>4} {row['cn_to_us_passengers']:>9} {row['cn_to_us_august_share']:>6.1%} "
            f"{row['cn_relative_to_other_vs_2017']:>7.3f} {row['other_to_us_passengers']:>10} "
            f"{row['town_vs_control_august_vs_2017']:>11.3f}"
        )


if __name__ == "__main__":
    main()
