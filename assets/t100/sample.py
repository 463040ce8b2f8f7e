"""The bundled T-100 sample: synthetic TranStats-shaped downloads (scripts/generate_flight_sample.py), read by
the same reader as real downloads. The files stay where the rows' `file_name` provenance has always named them."""

from pipeline.settings import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "pipeline" / "sample_data" / "t100"
