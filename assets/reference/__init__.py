"""Reference data that joins the sources: countries, territory policies, Nature Index journals, airports.

Reference rows are the same in every mode (source_mode 'reference'). Their stamp lives in
pipeline.reference_rows (other slices import it from there: a slice imports no other slice); it is re-exported
here for the modules that still import it from assets.reference.
"""

from pipeline.reference_rows import REFERENCE_STAMP, with_provenance

__all__ = ["REFERENCE_STAMP", "with_provenance"]
