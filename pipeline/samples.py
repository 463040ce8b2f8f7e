"""What the bundled samples share: they answer like the live APIs, read from files shipped in
pipeline/sample_data/<source>/ (the rows' `request` provenance names those files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.http import SourceError
from pipeline.settings import repo_relative


def sample_request(path: Path) -> str:
    """The `request` provenance of what was read from a bundled sample file (or folder)."""
    return f"sample:{repo_relative(path)}"


def read_json_array(path: Path, source: str, items: str) -> list[Any]:
    """A sample file holding a JSON array of `items` (flights, rows), as the API answers them; a
    SourceError naming the file when it is not valid JSON or not an array."""
    request = sample_request(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(source, "sample is not valid JSON", request=request, detail=str(exc)) from None
    if not isinstance(payload, list):
        raise SourceError(source, f"sample is not a JSON array of {items}", request=request)
    return payload
