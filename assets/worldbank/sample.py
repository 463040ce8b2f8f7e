"""The bundled World Bank sample (pipeline/sample_data/worldbank/<ID>.json: one `[meta, rows]` answer per
indicator), read through the live connector's parse and check functions. The files stay where the rows'
`request` provenance has always named them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from assets.worldbank.client import ALL, SOURCE, _query, _sorted, check_observations, parse_answer, parse_rows
from assets.worldbank.table import WbObservation
from pipeline.http import SourceError
from pipeline.samples import sample_request
from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "worldbank"


class SampleWorldBank:
    """The bundled sample, filtered like the API and read at call time."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory

    def observations(self, indicator: str, countries_iso3: Sequence[str], start: int, end: int) -> list[WbObservation]:
        countries = _query(indicator, countries_iso3, start, end)
        path = (self.directory or SAMPLE_DIR) / f"{indicator}.json"
        request = sample_request(path)
        if not path.is_file():
            raise SourceError(
                SOURCE, "indicator not in the bundled sample", request=request, record=f"indicator {indicator}"
            )
        meta, rows = parse_answer(json.loads(path.read_text(encoding="utf-8")), request, indicator)
        if meta.pages > 1 or meta.total != len(rows):
            raise SourceError(
                SOURCE,
                "sample file is not one whole answer",
                request=request,
                detail=f"pages {meta.pages}, total {meta.total}, rows {len(rows)}",
            )
        wanted = None if countries == [ALL] else set(countries)
        out = [
            o
            for o in parse_rows(rows, request, datetime.now(UTC), meta.last_updated)
            if (wanted is None or o.country_iso3 in wanted) and start <= o.year <= end
        ]
        check_observations(out, indicator, countries, start, end, request)  # a file for another indicator fails
        return _sorted(out)
