"""raw.uis_records: UNESCO UIS inbound/outbound mobile-student totals and the bilateral origin→destination
series it publishes, pinned to one data version."""

import dagster as dg
import polars as pl

from assets.common import ExtractContext, Extracted, slice_raw_asset, year_scoped
from assets.uis import suites
from assets.uis.client import HINT_UNKNOWN_INDICATOR, INBOUND_TOTAL, OUTBOUND_TOTAL, SOURCE, BilateralIndicator
from assets.uis.table import ADDED_BY_ASSET, UIS_RECORDS, UisRecord
from pipeline.countries import mobility_countries
from pipeline.http import SourceError

GROUP = "mobility"


def uis_frame(records: list[UisRecord], kinds: dict[str, tuple[str, str | None]], version: str) -> pl.DataFrame:
    """UIS records with the kind and origin of their indicator and the pinned data version."""
    indicator = pl.col("indicator_id")
    return UIS_RECORDS.frame(records, exclude=ADDED_BY_ASSET).with_columns(
        indicator.replace_strict({k: v[0] for k, v in kinds.items()}, return_dtype=pl.String).alias("indicator_kind"),
        indicator.replace_strict({k: v[1] for k, v in kinds.items()}, return_dtype=pl.String).alias("origin_iso3"),
        pl.lit(version, dtype=pl.String).alias("source_version"),
    )


def indicator_kinds(bilateral: list[BilateralIndicator]) -> dict[str, tuple[str, str | None]]:
    """Indicator id → (kind, origin ISO-3 of a bilateral series)."""
    return {
        INBOUND_TOTAL: ("inbound_total", None),
        OUTBOUND_TOTAL: ("outbound_total", None),
        **{b.indicator_id: ("bilateral", b.origin_iso3) for b in bilateral},
    }


def extract(run: ExtractContext) -> Extracted:
    client, log = run.source, run.context.log
    version_info = client.default_version()
    version = client.pinned_version or version_info.version
    origins, destinations = mobility_countries(run.settings)
    first, last = run.settings.years
    bilateral = client.bilateral_indicators(client.indicators(), origins)
    if not bilateral:
        log.warning(f"UIS publishes no bilateral indicator for origins {origins} in version {version}")
    totals = client.fetch([INBOUND_TOTAL, OUTBOUND_TOTAL], destinations, first, last, version)
    pairs = client.fetch([b.indicator_id for b in bilateral], destinations, first, last, version) if bilateral else None
    records = totals.records + (pairs.records if pairs else [])
    hints = totals.hints + (pairs.hints if pairs else [])
    unknown = [h for h in hints if h.get("code") == HINT_UNKNOWN_INDICATOR]
    if unknown:
        # We ask only for known or just-discovered ids: an unknown one means UIS renamed or withdrew
        # it, and loading on would silently drop that series.
        raise SourceError(
            SOURCE, "unknown indicator", record=unknown[0].get("message"), request=unknown[0].get("request")
        )
    for hint in hints:
        log.warning(f"UIS hint: {hint}")
    return Extracted(
        frames={"incoming_uis_records": uis_frame(records, indicator_kinds(bilateral), version)},
        metadata={
            "uis_version": dg.MetadataValue.text(version),
            "uis_publication_date": dg.MetadataValue.text(str(version_info.publication_date)),
            "bilateral_indicators": dg.MetadataValue.json(
                [{"id": b.indicator_id, "origin": b.origin_iso3, "name": b.name} for b in bilateral]
            ),
            "hints": dg.MetadataValue.json(hints),
            "http_requests": dg.MetadataValue.int(totals.requests + (pairs.requests if pairs else 0)),
        },
    )


uis_raw = slice_raw_asset(
    __package__,
    UIS_RECORDS,
    year_scoped(suites.raw_uis_records),
    extract,
    group=GROUP,
    deps=("ref.countries",),
    doc="UNESCO UIS: inbound/outbound mobile-student totals and the bilateral origin→destination series it "
    "publishes, pinned to one data version (UIS_VERSION, else the current default, recorded).",
)
