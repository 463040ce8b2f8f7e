"""What drives the change, by field and by institution pair: the marts of docs/methods.md#collaboration-by-field,
docs/methods.md#field-change-since-the-break and docs/methods.md#institution-pairs, each one
warehouse/mart/*.sql file through the gate (suites in pipeline/fields_suites.py).

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

import functools

from assets.common import mart_asset
from pipeline import fields_suites

# in the indices group: what drives the change (docs/methods.md) beside the headline indices
_fields_mart = functools.partial(mart_asset, group="indices", source="openalex")

# The records every paper mart reads, plus the field columns and journal subject groups these read.
_RECORDS = ("core.work_facts", "core.paper_set_works", "core.work_countries", "core.work_country_shares")

bilateral_papers_by_field = _fields_mart(
    "mart.bilateral_papers_by_field",
    (
        *_RECORDS,
        "core.works",
        "ref.nature_index_journals",
        "ref.nature_index_issns",
        "mart.bilateral_papers",
        "raw.openalex_group_counts",
    ),  # live mode: the group_by counts by field and domain
    fields_suites.mart_bilateral_papers_by_field,
    "mart.bilateral_papers within each OpenAlex field, domain and Nature Index subject group.",
)
field_change = _fields_mart(
    "mart.field_change",
    ("mart.bilateral_papers_by_field",),
    fields_suites.mart_field_change,
    "Change of each field's joint papers and collaboration score since the first break year, most fallen first.",
)
institution_pairs = _fields_mart(
    "mart.institution_pairs",
    (*_RECORDS, "core.authorship_affiliations", "core.works", "mart.bilateral_papers"),
    fields_suites.mart_institution_pairs,
    "Institution pairs of each focus country pair and year, ranked by their part of the collaboration score.",
)
