"""Operating the platform: freshness checks per source cadence, and an alert for every failed run
(pipeline.alerts) written where the operator configured it.

No `from __future__ import annotations` in asset modules: Dagster inspects the context annotation.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from assets.common import key
from pipeline.alerts import Alert, deliver, failed_steps
from pipeline.settings import RunSettings

# How old each source's raw table may get, by the source's cadence: OpenAlex changes daily (the daily run
# refreshes it); T-100 and the DOT routes are published monthly, each month a few months late; UIS, OECD,
# the World Bank and Open Doors publish yearly. A day or two of grace on each.
SOURCE_FRESHNESS: dict[timedelta, tuple[str, ...]] = {
    timedelta(hours=26): ("raw.openalex_works", "raw.openalex_group_counts"),
    timedelta(days=45): ("raw.t100_segments", "raw.soda_passengers"),
    timedelta(days=400): ("raw.uis_records", "raw.oecd_observations", "raw.worldbank_indicators", "raw.open_doors"),
}
# Freshness checks, not the newer FreshnessPolicy: a policy is evaluated only by a daemon behind a preview
# flag, while these checks run as ordinary asset checks (Checks tab, the sensor below, a test that executes them).
freshness_checks = [
    check
    for lower_bound, tables in SOURCE_FRESHNESS.items()
    for check in dg.build_last_update_freshness_checks(
        assets=[key(t) for t in tables], lower_bound_delta=lower_bound, severity=dg.AssetCheckSeverity.WARN
    )
]
freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=freshness_checks,
    name="freshness_checks_sensor",
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
# Evaluates every freshness check at once (the sensor runs them when they are due).
freshness_job = dg.define_asset_job("freshness_checks", selection=dg.AssetSelection.checks(*freshness_checks))


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    description="Writes every failed run (job, failed steps, the error) to COLLAB_ALERT_FILE and/or POSTs it "
    "to COLLAB_ALERT_WEBHOOK_URL.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, run_settings: RunSettings) -> dg.SkipReason | None:
    settings = run_settings.get()
    if settings.alert_file is None and not settings.alert_webhook_url:
        return dg.SkipReason("no alert destination: set COLLAB_ALERT_FILE or COLLAB_ALERT_WEBHOOK_URL")
    steps = context.get_step_failure_events()
    errors = [_error_chain(e.event_specific_data.error) for e in steps if e.event_specific_data.error]
    alert = Alert(
        run_id=context.dagster_run.run_id,
        job_name=context.dagster_run.job_name,
        status=context.dagster_run.status.value,
        failed_steps=failed_steps([e.step_key for e in steps]),
        message=(errors[0] if errors else context.failure_event.message or "run failed")[:2000],
        at=datetime.now(UTC).isoformat(),
    )
    where = deliver(alert, settings.alert_file, settings.alert_webhook_url)
    context.log.info(f"alert for run {alert.run_id} delivered to {', '.join(where)}")
    return None


def _error_chain(error) -> str:
    """The step's error and its causes: Dagster wraps the source's own message (source, request, rule)."""
    messages = []
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return " | caused by: ".join(messages)
