"""The bundled DOT Socrata sample (pipeline/sample_data/soda/xgub-n9bw.json: full dataset rows in the SODA
shape), read through the live connector's row parser. The file stays where the rows' `request` provenance
has always named it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assets.soda.client import DATASET, SOURCE, SodaRow, _check_query, _record_label, _sort_key, parse_count, parse_row
from pipeline.http import SourceError
from pipeline.samples import read_json_array, sample_request
from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "soda"


class SampleSoda:
    """The dataset rows bundled with the repository, filtered as the live query filters them.

    The file is a JSON array of full dataset rows in the SODA shape (string values); rows pass
    through `parse_row`, like live rows.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.retrieved_at = datetime.now(UTC)

    def _path(self) -> Path:
        return self.path or SAMPLE_DIR / f"{DATASET}.json"  # SAMPLE_DIR read at call time

    def passenger_rows(self, foreign_airports: Sequence[str], years: tuple[int, int]) -> list[SodaRow]:
        codes, years = _check_query(foreign_airports, years)
        if not codes:
            return []
        path = self._path()
        request = sample_request(path)
        if not path.exists():
            raise SourceError(SOURCE, "sample file missing", request=request)
        raw_rows = read_json_array(path, SOURCE, "rows")
        selected: list[tuple[tuple[Any, ...], int, SodaRow]] = []
        for position, raw in enumerate(raw_rows):
            if not isinstance(raw, dict) or raw.get("type") != "Passengers" or raw.get("fg_apt") not in codes:
                continue
            year = parse_count(raw.get("year"), "year", record=_record_label(raw, position), request=request)
            if not years[0] <= year <= years[1]:
                continue
            row = parse_row(raw, position, request=request, retrieved_at=self.retrieved_at)
            selected.append((_sort_key(row), position, row))
        # Same order as the live `$order`: natural key, then file position (the fake's `:id`).
        return [row for _, _, row in sorted(selected, key=lambda item: (item[0], item[1]))]
