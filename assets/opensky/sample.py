"""The bundled OpenSky sample (pipeline/sample_data/opensky/arrivals_<ICAO>.json: flight objects in the API's
shape), checked by the live connector's flight validation. The files stay where the rows' `request`
provenance has always named them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from assets.opensky.client import SOURCE, Arrivals, _flight_order, check_icao, validate_flight
from pipeline.samples import read_json_array, sample_request
from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "opensky"
# The bundled sample covers the first week of August in these years.
SAMPLE_DAYS = [date(y, 8, 1) + timedelta(days=d) for y in (2017, 2019, 2023) for d in range(7)]


class SampleOpenSky:
    """Bundled arrival lists (`arrivals_<ICAO>.json`, flight objects in the API's shape), answered
    like the API: flights whose `lastSeen` is in [begin, end); a missing file means no flights."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.retrieved_at = datetime.now(UTC)

    def path(self, icao: str) -> Path:
        return (self.directory or SAMPLE_DIR) / f"arrivals_{check_icao(icao)}.json"  # SAMPLE_DIR read at call time

    def arrivals(self, icao: str, begin: int, end: int) -> Arrivals:
        if begin > end:
            raise ValueError(f"begin {begin} is after end {end}")
        path = self.path(icao)
        request = sample_request(path)
        if not path.exists():
            return Arrivals(requests=[request], retrieved_at=self.retrieved_at)
        flights = read_json_array(path, SOURCE, "flights")
        checked = [validate_flight(f, i, request=request) for i, f in enumerate(flights)]
        unique: dict[tuple[str, int, int], dict[str, Any]] = {}
        for f in checked:
            if begin <= f["lastSeen"] < end:
                unique.setdefault((f["icao24"], f["firstSeen"], f["lastSeen"]), f)
        return Arrivals(sorted(unique.values(), key=_flight_order), requests=[request], retrieved_at=self.retrieved_at)

    def days(self, count: int, last_day: date | None = None) -> list[date]:
        """The days the sample covers, whatever the run's window (that is for live runs)."""
        return list(SAMPLE_DAYS)
