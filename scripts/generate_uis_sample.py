"""Generate the deterministic, SYNTHETIC UNESCO UIS sample (pipeline/sample_data/uis/).

The files have the shapes of real UIS Data API answers (see the README written next to them); the
VALUES are invented, calibrated by hand to the rough size and trend of public figures. They are not
UIS figures and must not be cited as such.

Output:
* ``versions_default.json``: a ``/api/public/versions/default`` answer (placeholder version id).
* ``definitions_indicators.json``: a ``/api/public/definitions/indicators`` answer for the sample's
  indicators (two real ids, bilateral series under INVENTED placeholder ids).
* ``data_indicators.json``: ONE ``/api/public/data/indicators`` answer holding every sample record.

Each value is an anchor from the tables below times a deterministic wiggle of at most ±0.4 %
(``random.Random`` seeded per series), so two runs write identical bytes. ``None`` in a table means
"no record" (UIS lags a year or two); ``NULL`` means a record whose value is null.

    python scripts/generate_uis_sample.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "sample_data" / "uis"
YEARS = list(range(2013, 2024))  # 2013..2023
NULL = "null"  # a record is present, its value is null

VERSION = {
    "version": "20250917-00000000",  # real format (YYYYMMDD-8 hex), placeholder hash: not a UIS release
    "publicationDate": "2025-09-18T00:00:00.000Z",
    "description": "SAMPLE: synthetic values in the shape of the September 2025 Data Release",
    "themeDataStatus": [
        {"theme": theme, "lastUpdate": update, "description": description}
        for theme, update, description in (
            ("EDUCATION", "9/17/2025", "September 2025 Data Release"),
            ("SCIENCE_TECHNOLOGY_INNOVATION", "2/23/2025", "February 2025 Data Release"),
            ("CULTURE", "2/23/2025", "February 2025 Data Release"),
            ("DEMOGRAPHIC_SOCIOECONOMIC", "9/9/2025", "September 2025 Data Release"),
        )
    ],
}
LAST_UPDATE = ("9/17/2025", "September 2025 Data Release")

INBOUND = "26637"
OUTBOUND = "OE.5T8.40510"
# Bilateral ids are INVENTED placeholders (the real new-API ids are unconfirmed: docs/methods.md#unesco-uis-api).
FROM_CHINA, FROM_INDIA, FROM_KOREA, FROM_ASIA = (
    "SAMPLE.IMS.FROM.CHN",
    "SAMPLE.IMS.FROM.IND",
    "SAMPLE.IMS.FROM.KOR",
    "SAMPLE.IMS.FROM.ASIA",
)
NAMES = {
    INBOUND: "Total inbound internationally mobile students, both sexes (number)",
    OUTBOUND: "Total outbound internationally mobile tertiary students studying abroad, all countries, "
    "both sexes (number)",
    FROM_CHINA: "Inbound internationally mobile students from Asia: Students from China, both sexes (number)",
    FROM_INDIA: "Inbound internationally mobile students from Asia: Students from India, both sexes (number)",
    FROM_KOREA: "Inbound internationally mobile students from Asia: Students from Republic of Korea, "
    "both sexes (number)",
    # A regional aggregate with the same prefix: discovery must not take it for a country.
    FROM_ASIA: "Inbound internationally mobile students from Asia, both sexes (number)",
}

# geoUnit -> values 2013..2023. Inbound: students hosted by the country; outbound: its students abroad.
INBOUND_TABLE = {
    "USA": [784e3, 842e3, 907e3, 971e3, 984e3, 987e3, 976e3, 957e3, 833e3, 899e3, 957e3],
    "GBR": [416e3, 428e3, 430e3, 432e3, 436e3, 452e3, 489e3, 551e3, 601e3, 675e3, None],
    "AUS": [249e3, 266e3, 294e3, 336e3, 381e3, 444e3, 509e3, 458e3, 378e3, 369e3, 420e3],
    "CAN": [151e3, 161e3, 172e3, 189e3, 210e3, 224e3, 279e3, 323e3, 318e3, 336e3, None],
    "JPN": [135e3, 132e3, 131e3, 143e3, 164e3, 182e3, 202e3, 222e3, 201e3, 175e3, None],
    "KOR": [52e3, 54e3, 55e3, 63e3, 72e3, 84e3, 101e3, 118e3, 112e3, 124e3, 137e3],
    "DEU": [196e3, 211e3, 229e3, 245e3, 259e3, 312e3, 333e3, 369e3, 376e3, 381e3, None],
    "FRA": [229e3, 235e3, 239e3, 245e3, 258e3, 229e3, 246e3, 252e3, 260e3, 264e3, None],
    "CHN": [108e3, 123e3, 137e3, 157e3, 178e3, 201e3, 225e3, 222e3, 216e3, 211e3, 201e3],
    "IND": [39e3, 42e3, 45e3, 44e3, 46e3, 47e3, 49e3, NULL, 46e3, None, None],
}
OUTBOUND_TABLE = {
    "CHN": [712e3, 762e3, 800e3, 847e3, 869e3, 993e3, 1061e3, 1088e3, 1057e3, 1021e3, None],
    "IND": [182e3, 206e3, 255e3, 301e3, 332e3, 375e3, 461e3, 482e3, 508e3, 560e3, None],
    "KOR": [116e3, 111e3, 108e3, 106e3, 105e3, 103e3, 101e3, 97e3, 94e3, 92e3, None],
    "USA": [60e3, 67e3, 71e3, 73e3, 76e3, 84e3, 86e3, 81e3, 89e3, 93e3, None],
    "GBR": [31e3, 33e3, 34e3, 37e3, 38e3, 42e3, 45e3, 44e3, 46e3, 48e3, None],
    "AUS": [11e3, 12e3, 12.5e3, 13e3, 13.5e3, 14e3, 14.5e3, 12e3, 13e3, 14e3, None],
    "CAN": [45e3, 46e3, 47e3, 48e3, 49e3, 51e3, 52e3, 50e3, 52e3, 54e3, None],
    "JPN": [32e3, 31e3, 31.5e3, NULL, 31e3, 30e3, 30e3, 27e3, 26e3, 27e3, None],
    "DEU": [119e3, 117e3, 116e3, 118e3, 120e3, 122e3, 123e3, 124e3, 126e3, 128e3, None],
    "FRA": [80e3, 84e3, 89e3, 90e3, 96e3, 100e3, 103e3, 104e3, 106e3, 109e3, None],
}
# Origin -> destination -> values. China -> USA follows the brief's calibration (UIS counts
# degree-seeking mobile students, so a little below IIE Open Doors).
BILATERAL_TABLE = {
    FROM_CHINA: {
        "USA": [235e3, 260e3, 291e3, 311e3, 324e3, 339e3, 343e3, 317e3, 290e3, 277e3, 270e3],
        "GBR": [87e3, 89e3, 90e3, 95e3, 102e3, 107e3, 121e3, 139e3, 143e3, 151e3, None],
        "AUS": [90e3, 96e3, 106e3, 120e3, 138e3, 153e3, 154e3, 142e3, 128e3, 121e3, None],
        "CAN": [42e3, 47e3, 54e3, 60e3, 68e3, 76e3, 72e3, 64e3, 58e3, 55e3, None],
        "JPN": [85e3, 81e3, 83e3, 90e3, 99e3, 108e3, 114e3, 121e3, 114e3, 103e3, None],
        "KOR": [34e3, 33e3, 36e3, 40e3, 44e3, 49e3, 55e3, 59e3, 64e3, 61e3, None],
        "DEU": [24e3, 25e3, 27e3, 28e3, 29e3, 30e3, 31e3, 33e3, 36e3, 38e3, None],
    },
    FROM_INDIA: {
        "USA": [96e3, 103e3, 132e3, 166e3, 186e3, 196e3, 193e3, 168e3, 200e3, 243e3, 265e3],
        "GBR": [19e3, 18e3, 17e3, 17e3, 18e3, 21e3, 27e3, 53e3, 84e3, 110e3, None],
        "CAN": [14e3, 18e3, 25e3, 37e3, 56e3, 73e3, 92e3, 96e3, 113e3, 120e3, None],
        "AUS": [11e3, 14e3, 20e3, 26e3, 32e3, 40e3, 48e3, 43e3, 40e3, 48e3, None],
    },
    FROM_KOREA: {
        "USA": [68e3, 63e3, 60e3, 58e3, 55e3, 53e3, 50e3, 45e3, 40e3, 39e3, 38e3],
        "JPN": [16e3, 15e3, 14.5e3, 14e3, 14e3, 15e3, 15.5e3, 15e3, 14e3, 13.5e3, None],
    },
}
ASIA_SHARE = 1.4  # the Asia aggregate: China + India + Korea, plus everyone else from Asia
ESTIMATED_LAST_YEAR = {OUTBOUND}  # outbound totals are assembled from host reports: latest year estimated


def wiggle(series: str, year: int, value: float) -> int:
    """value × (1 ± ≤0.4 %), deterministic per series and year."""
    rng = random.Random(f"{series}|{year}")
    return round(value * (1 + rng.uniform(-0.004, 0.004)))


def series_records(indicator: str, geo: str, values: list) -> list[dict]:
    out = []
    last = max((y for y, v in zip(YEARS, values, strict=True) if v is not None), default=None)
    for year, value in zip(YEARS, values, strict=True):
        if value is None:
            continue
        qualifier = "UIS_EST" if indicator in ESTIMATED_LAST_YEAR and year == last else None
        out.append(
            {
                "indicatorId": indicator,
                "geoUnit": geo,
                "year": year,
                "value": None if value == NULL else wiggle(f"{indicator}|{geo}", year, value),
                "magnitude": None,
                "qualifier": qualifier,
            }
        )
    return out


def asia_values(destination: str) -> list:
    parts = [BILATERAL_TABLE[o].get(destination) for o in (FROM_CHINA, FROM_INDIA, FROM_KOREA)]
    out = []
    for i in range(len(YEARS)):
        values = [p[i] for p in parts if p is not None]
        out.append(None if any(v is None for v in values) else ASIA_SHARE * sum(values))
    return out


def build_records() -> list[dict]:
    records: list[dict] = []
    for geo, values in INBOUND_TABLE.items():
        records += series_records(INBOUND, geo, values)
    for geo, values in OUTBOUND_TABLE.items():
        records += series_records(OUTBOUND, geo, values)
    for indicator, destinations in BILATERAL_TABLE.items():
        for geo, values in destinations.items():
            records += series_records(indicator, geo, values)
    for geo in ("USA", "GBR"):
        records += series_records(FROM_ASIA, geo, asia_values(geo))
    return sorted(records, key=lambda r: (r["indicatorId"], r["geoUnit"], r["year"]))


def build_definitions(records: list[dict]) -> list[dict]:
    """Definitions shaped like the recorded /definitions/indicators answer (2026-08: key indicatorCode)."""
    out = []
    for indicator, name in NAMES.items():
        own = [r for r in records if r["indicatorId"] == indicator]
        years = [r["year"] for r in own]
        out.append(
            {
                "indicatorCode": indicator,
                "name": name,
                "theme": "EDUCATION",
                "lastDataUpdate": LAST_UPDATE[0],
                "lastDataUpdateDescription": LAST_UPDATE[1],
                "dataAvailability": {
                    "totalRecordCount": len(own),
                    "timeLine": {"min": min(years), "max": max(years)},
                    "geoUnits": {"types": ["NATIONAL"]},
                },
            }
        )
    return out


def write_json(path: Path, payload: object) -> None:
    # indent=2 plus a newline, as the real recordings were stored (PROVENANCE §4a).
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    records = build_records()
    write_json(out / "versions_default.json", VERSION)
    write_json(out / "definitions_indicators.json", build_definitions(records))
    write_json(out / "data_indicators.json", {"hints": [], "records": records, "indicatorMetadata": []})
    print(f"wrote {len(records)} records to {out}")


if __name__ == "__main__":
    main()
