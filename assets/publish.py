"""The last step of a run: publish the build warehouse for SQL consumers (pipeline.publish, pipeline.lake)."""

from collections.abc import Sequence

import dagster as dg

from assets.common import OWNERS, key
from pipeline.dictionary import comments
from pipeline.publish import META_TABLES
from pipeline.settings import RunSettings, repo_relative
from pipeline.warehouse import Warehouse

PUBLISHED = key("publish.warehouse")


def warehouse_tables(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetKey]:
    """Every unpartitioned asset that writes the warehouse. Publication depends on all of them, not just
    the leaves, so that it runs last in any selection (a run of one group publishes after that group).
    Files written outside the warehouse (report/…) do not hold a publication back."""
    return sorted(k for a in assets if a.partitions_def is None for k in a.keys if k.path[0] != "report")


def published_warehouse(upstream: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publication asset, downstream of `upstream` (the warehouse's tables): it runs after every
    selected one materialised and passed its blocking checks in this run, and is skipped otherwise."""

    @dg.asset(
        key=PUBLISHED,
        group_name="publish",
        deps=list(upstream),
        kinds={"duckdb"},
        owners=OWNERS,
        pool="duckdb",
    )
    def publish_warehouse(
        context: dg.AssetExecutionContext, warehouse: Warehouse, run_settings: RunSettings
    ) -> dg.MaterializeResult:
        """The published warehouse (COLLAB_WAREHOUSE) that analysts open read-only: a new small file written
        from the run's build copy (the large per-work tables as views over immutable Parquet beside it, written
        only when they changed), with its table checksums in meta.table_checksums, renamed over the old file in
        one atomic step. Readers never wait for a run and never see half of one."""
        settings = run_settings.get()
        publication = warehouse.publish(context.run.run_id, settings, {t: comments(t) for t in META_TABLES})
        context.log.info(f"published {publication.tables} tables to {publication.path}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(repo_relative(publication.path)),
                "build_path": dg.MetadataValue.path(repo_relative(warehouse.build_path(settings))),
                "tables": dg.MetadataValue.int(publication.tables),
                "rows": dg.MetadataValue.int(publication.rows),
                "bytes": dg.MetadataValue.int(publication.bytes),
                "lake_bytes": dg.MetadataValue.int(publication.lake_bytes),
                "exported_tables": dg.MetadataValue.text(", ".join(publication.exported) or "none (all unchanged)"),
                "source_mode": dg.MetadataValue.text(settings.mode),
            }
        )

    return publish_warehouse
