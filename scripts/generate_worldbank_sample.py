"""Generate the deterministic, SYNTHETIC World Bank sample (pipeline/sample_data/worldbank/).

Each file ``<INDICATOR>.json`` is ONE answer of the World Bank Indicators API v2 in its real shape
(``[meta, rows]``, meta and row fields as in shared/fixtures/real/worldbank, PROVENANCE §2) holding
every sample country and year. The VALUES are invented: interpolated between hand-set anchors for
2013 and 2024 that have the rough size and trend of public figures, with a 2020 dip in GDP. They
are not World Bank figures and must not be cited as such.

Two aggregate rows per year (WLD World, EUU European Union) are included on purpose: the connector
must drop them. Nulls: researchers per million for the latest 2 years, R&D for 2024, and both R&D
series in odd years for Australia (which reports every other year).

No randomness, so two runs write identical bytes.

    python scripts/generate_worldbank_sample.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "sample_data" / "worldbank"
YEARS = list(range(2013, 2025))  # 2013..2024
LAST_UPDATED = "2025-07-01"  # synthetic; the recordings have "2021-05-25" (format YYYY-MM-DD)

# The World Bank's own names and codes (country.id is ISO-2, or a code like "1W" for aggregates).
# Row order as the API gives it (ASSUMED: aggregates first, then economies by name; years descending).
ECONOMIES = [
    ("EUU", "EU", "European Union"),
    ("WLD", "1W", "World"),
    ("AUS", "AU", "Australia"),
    ("CAN", "CA", "Canada"),
    ("CHN", "CN", "China"),
    ("FRA", "FR", "France"),
    ("DEU", "DE", "Germany"),
    ("IND", "IN", "India"),
    ("JPN", "JP", "Japan"),
    ("KOR", "KR", "Korea, Rep."),
    ("GBR", "GB", "United Kingdom"),
    ("USA", "US", "United States"),
]

INDICATOR_NAMES = {
    "SP.POP.TOTL": "Population, total",
    "NY.GDP.MKTP.CD": "GDP (current US$)",
    "GB.XPD.RSDV.GD.ZS": "Research and development expenditure (% of GDP)",
    "SP.POP.SCIE.RD.P6": "Researchers in R&D (per million people)",
}

# (2013 anchor, 2024 anchor) per indicator and economy.
ANCHORS: dict[str, dict[str, tuple[float, float]]] = {
    "SP.POP.TOTL": {
        "EUU": (443.0e6, 449.5e6),
        "WLD": (7.21e9, 8.14e9),
        "AUS": (23.1e6, 27.2e6),
        "CAN": (35.1e6, 41.3e6),
        "CHN": (1.363e9, 1.408e9),
        "FRA": (65.9e6, 68.5e6),
        "DEU": (80.6e6, 83.5e6),
        "IND": (1.28e9, 1.45e9),
        "JPN": (127.4e6, 124.0e6),
        "KOR": (50.4e6, 51.7e6),
        "GBR": (64.1e6, 69.0e6),
        "USA": (316.1e6, 340.1e6),
    },
    "NY.GDP.MKTP.CD": {
        "EUU": (13.6e12, 19.4e12),
        "WLD": (77.4e12, 110.5e12),
        "AUS": (1.58e12, 1.75e12),
        "CAN": (1.85e12, 2.24e12),
        "CHN": (9.57e12, 18.7e12),
        "FRA": (2.81e12, 3.16e12),
        "DEU": (3.81e12, 4.66e12),
        "IND": (1.86e12, 3.91e12),
        "JPN": (5.21e12, 4.03e12),
        "KOR": (1.37e12, 1.87e12),
        "GBR": (2.79e12, 3.64e12),
        "USA": (16.8e12, 29.2e12),
    },
    "GB.XPD.RSDV.GD.ZS": {
        "EUU": (2.07, 2.24),
        "WLD": (2.02, 2.62),
        "AUS": (2.11, 1.68),
        "CAN": (1.71, 1.70),
        "CHN": (2.00, 2.62),
        "FRA": (2.24, 2.22),
        "DEU": (2.84, 3.13),
        "IND": (0.70, 0.64),
        "JPN": (3.28, 3.42),
        "KOR": (3.95, 5.05),
        "GBR": (1.62, 2.90),
        "USA": (2.70, 3.50),
    },
    "SP.POP.SCIE.RD.P6": {
        "EUU": (3520.0, 4560.0),
        "WLD": (1290.0, 1610.0),
        "AUS": (4520.0, 4610.0),
        "CAN": (4510.0, 4900.0),
        "CHN": (1080.0, 1720.0),
        "FRA": (4150.0, 4950.0),
        "DEU": (4420.0, 5550.0),
        "IND": (215.0, 262.0),
        "JPN": (5200.0, 5600.0),
        "KOR": (6450.0, 9100.0),
        "GBR": (4100.0, 4720.0),
        "USA": (4300.0, 4900.0),
    },
}
RATIOS = {"GB.XPD.RSDV.GD.ZS", "SP.POP.SCIE.RD.P6"}  # interpolated linearly; levels geometrically


def is_null(indicator: str, iso3: str, year: int) -> bool:
    if indicator == "SP.POP.SCIE.RD.P6" and year >= 2023:
        return True
    if indicator == "GB.XPD.RSDV.GD.ZS" and year == 2024:
        return True
    return indicator in RATIOS and iso3 == "AUS" and year % 2 == 1


def value(indicator: str, iso3: str, year: int) -> float | int | None:
    if is_null(indicator, iso3, year):
        return None
    first, last = ANCHORS[indicator][iso3]
    t = (year - YEARS[0]) / (YEARS[-1] - YEARS[0])
    if indicator in RATIOS:
        v = first + (last - first) * t
        return round(v, 5) if indicator == "GB.XPD.RSDV.GD.ZS" else round(v, 2)
    v = first * (last / first) ** t
    if indicator == "SP.POP.TOTL":
        return round(v)  # people: a JSON integer, as the API writes it
    return round(v * (0.97 if year == 2020 else 1.0), 2)


def answer(indicator: str) -> list[Any]:
    rows = [
        {
            "indicator": {"id": indicator, "value": INDICATOR_NAMES[indicator]},
            "country": {"id": iso2, "value": name},
            "countryiso3code": iso3,
            "date": str(year),
            "value": value(indicator, iso3, year),
            "unit": "",
            "obs_status": "",
            "decimal": 0,  # ASSUMED 0 for all four (the only value recorded)
        }
        for iso3, iso2, name in ECONOMIES
        for year in reversed(YEARS)
    ]
    meta = {
        "page": 1,
        "pages": 1,
        "per_page": 1000,
        "total": len(rows),
        "sourceid": "2",
        "sourcename": "World Development Indicators",
        "lastupdated": LAST_UPDATED,
    }
    return [meta, rows]


def dump(payload: list[Any]) -> str:
    """Compact like the API, but one row per line so diffs stay readable (still the same JSON)."""
    meta, rows = payload
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    lines = ",\n".join(json.dumps(r, **compact) for r in rows)
    return f"[{json.dumps(meta, **compact)},[\n{lines}\n]]\n"


README = """# World Bank sample (SYNTHETIC values, real shape)

Written by `scripts/generate_worldbank_sample.py`; do not edit by hand.

One file per indicator, `<INDICATOR>.json`, each ONE answer of
`GET /v2/country/.../indicator/<INDICATOR>?format=json&date=2013:2024&per_page=1000` in the shape of
the recorded World Bank answers (shared/fixtures/real/worldbank, PROVENANCE §2): `[meta, rows]`, meta
`page, pages, per_page, total, sourceid, sourcename, lastupdated`, rows `indicator{id,value},
country{id,value}, countryiso3code, date (a string), value, unit, obs_status, decimal`.

The VALUES ARE INVENTED (interpolated between hand-set 2013 and 2024 anchors of roughly the right
size); they are not World Bank figures and must not be cited. `lastupdated` is invented too.

| indicator | column | unit |
|---|---|---|
| SP.POP.TOTL | population | people |
| NY.GDP.MKTP.CD | gdp_usd | current US$ |
| GB.XPD.RSDV.GD.ZS | rd_pct_gdp | % of GDP |
| SP.POP.SCIE.RD.P6 | researchers_per_million | researchers per million people |

Countries: AUS, CAN, CHN, DEU, FRA, GBR, IND, JPN, KOR, USA; years 2013-2024.
Aggregates WLD (World) and EUU (European Union) are included on purpose: the connector drops them.
Null values: researchers per million 2023-2024, R&D 2024, and both R&D series for AUS in odd years.
Assumed, not recorded: the row order (aggregates first, economies by name, years descending) and
`decimal` 0 for every indicator.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for indicator in INDICATOR_NAMES:
        (out / f"{indicator}.json").write_text(dump(answer(indicator)), encoding="utf-8")
    (out / "README.md").write_text(README, encoding="utf-8")
    print(f"wrote {len(INDICATOR_NAMES)} answers of {len(ECONOMIES) * len(YEARS)} rows to {out}")


if __name__ == "__main__":
    main()
