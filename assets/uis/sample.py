"""The bundled UIS sample (pipeline/sample_data/uis: the versions, definitions and data answers), read
through the live connector's parse and check functions. The files stay where the rows' `request`
provenance has always named them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pycountry

from assets.uis.client import (
    HINT_UNKNOWN_GEOUNIT,
    HINT_UNKNOWN_INDICATOR,
    SOURCE,
    Chunk,
    UisFetch,
    UisIndicator,
    UisVersion,
    _Discovery,
    _sorted_unique,
    check_answer,
    parse_indicators,
    parse_records,
    parse_version,
)
from pipeline.http import SourceError
from pipeline.samples import sample_request
from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "uis"


class SampleUis(_Discovery):
    """The bundled sample (pipeline/sample_data/uis), answered like the API would, read at call time."""

    def __init__(self, directory: Path | None = None, pinned_version: str = "") -> None:
        self.directory = directory or SAMPLE_DIR
        self.pinned_version = pinned_version

    def default_version(self) -> UisVersion:
        payload, request = self._read("versions_default.json")
        return parse_version(payload, request)

    def indicators(self, version: str | None = None) -> list[UisIndicator]:
        self._check_version(version)
        payload, request = self._read("definitions_indicators.json")
        return parse_indicators(payload, request)

    def _answer(self, whole: Chunk, version: str | None) -> UisFetch:
        self._check_version(version)
        payload, request = self._read("data_indicators.json")
        everything, _ = parse_records(payload, request, datetime.now(UTC))
        known_ids = {i.indicator_id for i in self.indicators()} | {r.indicator_id for r in everything}
        known_geo = {r.geo_unit for r in everything}
        # Filter like the API does, and give the hints it would give for ids it does not know.
        records = [
            r
            for r in everything
            if r.indicator_id in whole.indicators
            and r.geo_unit in whole.geo_units
            and whole.start <= r.year <= whole.end
        ]
        hints = [
            {"code": HINT_UNKNOWN_INDICATOR, "message": f"The indicator could not be found, {i}", "request": request}
            for i in whole.indicators
            if i not in known_ids
        ] + [
            {"code": HINT_UNKNOWN_GEOUNIT, "message": f"The geoUnit could not be found, {g}", "request": request}
            for g in whole.geo_units
            if g not in known_geo and pycountry.countries.get(alpha_3=g) is None
        ]
        check_answer(records, hints, whole.indicators, whole.geo_units, whole.start, whole.end, request)
        return UisFetch(_sorted_unique(records), hints, 0)

    def _read(self, name: str) -> tuple[Any, str]:
        path = self.directory / name
        request = sample_request(path)
        try:
            return json.loads(path.read_text(encoding="utf-8")), request
        except (OSError, json.JSONDecodeError) as exc:
            raise SourceError(SOURCE, "sample file unreadable", request=request, detail=str(exc)) from None

    def _check_version(self, version: str | None) -> None:
        if version is None:
            return
        sample_version = self.default_version().version
        if version != sample_version:
            raise SourceError(
                SOURCE,
                "unknown version",
                request=sample_request(self.directory),
                detail=f"the sample holds version {sample_version} only, asked for {version}",
            )
