"""The bundled OpenAlex sample: synthetic work objects in the API's exact shape.

Read through the same path as live records (`resolve_truncated`, then openalex_works.sql), so
the offline default exercises the real parsing code. Listed works with more than 100 authors are
truncated exactly as list responses are; their full records sit in singletons.jsonl.gz, standing
in for the /works/{id} re-fetch.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assets.openalex.client import SOURCE, Pulled, WorkRecord, resolve_truncated
from assets.openalex.spend import Spend
from pipeline.http import SourceError
from pipeline.samples import sample_request
from pipeline.settings import REPO_ROOT, Settings

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "openalex"


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(
                    SOURCE,
                    "sample line is not valid JSON",
                    request=f"sample:{path.name}",
                    record=f"line {line_no}",
                    detail=str(exc),
                ) from None


class SampleOpenAlex:
    """Every bundled work of the years asked for (every work, so every pair); no counts, no calls."""

    spend: Spend | None = None  # nothing is called, so nothing is spent

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or SAMPLE_DIR
        self.retrieved_at = datetime.now(UTC)

    def pull(self, settings: Settings, years: list[int], issns: Callable[[], list[list[str]]], log: Any) -> Pulled:
        return Pulled(self.fetch_works(years), [], {"http_calls": 0})

    def _request(self, path: Path) -> str:
        return sample_request(path)

    def fetch_works(self, years: Iterable[int]) -> list[WorkRecord]:
        listed: list[WorkRecord] = []
        for year in years:
            path = self.directory / f"works_{year}.jsonl.gz"
            if not path.exists():
                continue  # the sample covers a fixed range; other years simply have no works
            listed += [WorkRecord(work, self._request(path), self.retrieved_at) for _, work in _read_jsonl(path)]
        return resolve_truncated(listed, self._singleton)

    @functools.cached_property
    def _singletons(self) -> dict[str, dict]:
        """Full records of the truncated works, read once, when the first one is needed."""
        path = self.directory / "singletons.jsonl.gz"
        return {w.get("id"): w for _, w in _read_jsonl(path)} if path.exists() else {}

    def _singleton(self, work_id: str) -> WorkRecord:
        request = self._request(self.directory / "singletons.jsonl.gz")
        work = self._singletons.get(work_id)
        if work is None:
            raise SourceError(
                SOURCE, "truncated work has no full record in the sample", record=work_id, request=request
            )
        return WorkRecord(work, request, self.retrieved_at, authors_refetched=True)
