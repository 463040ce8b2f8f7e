"""The bundled OECD SDMX sample (pipeline/sample_data/oecd/: one file per answer of the live API, README.md
there says which), read through the live connector's parse functions. The files stay where the rows'
`request` provenance has always named them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from assets.oecd.client import AGENCY, SOURCE, Answer, Dataflow, _OecdReader
from pipeline.http import SourceError
from pipeline.samples import sample_request
from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "oecd"


# ------------------------------------------------------------------------------------ file names
def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_@.\-]", "_", name)


def structure_file(dataflow_id: str) -> str:
    """Sample file standing for ``dataflow/{agency}/{id}/{version}?references=datastructure``."""
    return f"datastructure_{_safe(dataflow_id)}.xml"


def constraint_file(dataflow_id: str) -> str:
    """Sample file standing for ``contentconstraint/{agency}/CR_A_{id}/``."""
    return f"contentconstraint_CR_A_{_safe(dataflow_id)}.xml"


def data_file(dataflow_id: str) -> str:
    """Sample file standing for the data query of `OecdClient.observations`."""
    return f"data_{_safe(dataflow_id)}.csv"


class SampleOecd(_OecdReader):
    """The bundled sample (sample_data/oecd/), read at call time through the same parse functions.

    Each file stands for one answer of the live API (README.md there says which); the data file is
    the answer to the sample query, and like any answer it is cut to what `observations` asks for.
    """

    def __init__(self, directory: Path | None = None, agency: str = AGENCY, dataflow_override: str = "") -> None:
        super().__init__(agency, dataflow_override)
        self.directory = directory or SAMPLE_DIR
        self.retrieved_at = datetime.now(UTC)

    def _read(self, name: str, *, required: bool = True) -> Answer:
        path = self.directory / name
        request = sample_request(path)
        if not path.exists():
            if required:
                raise SourceError(SOURCE, "the sample has no such answer", request=request)
            return Answer(404, b"NoRecordsFound", request, self.retrieved_at)  # as the service answers
        return Answer(200, path.read_bytes(), request, self.retrieved_at)

    def _fetch_dataflows(self, agency: str) -> Answer:
        if agency != AGENCY:
            raise SourceError(SOURCE, "the sample covers one agency only", record=agency, request=f"sample:{AGENCY}")
        return self._read("dataflow.xml")

    def _fetch_constraint(self, dataflow: Dataflow) -> Answer:
        return self._read(constraint_file(dataflow.id), required=False)

    def _fetch_structure(self, dataflow: Dataflow) -> Answer:
        return self._read(structure_file(dataflow.id))

    def _fetch_data(self, dataflow: Dataflow, key: str, start: int, end: int) -> Answer:
        return self._read(data_file(dataflow.id))
