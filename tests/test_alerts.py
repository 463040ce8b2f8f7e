"""Run-failure alerts (assets/operations.py, pipeline/alerts.py): a real failed run goes to the file and the
webhook configured, the webhook is retried on 5xx and its URL (a secret) never appears in an error."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from assets.operations import alert_on_run_failure
from pipeline.alerts import AlertDeliveryError
from pipeline.settings import RunSettings


@dg.op
def extract_that_breaks() -> None:
    raise RuntimeError("[uis] HTTP 503 after 5 attempts: request https://api.uis.unesco.org/…")


@dg.job
def failing_job() -> None:
    extract_that_breaks()


def evaluate_on_failed_run():
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"run_settings": RunSettings()},
    ).for_run_failure()
    return result, alert_on_run_failure(context)


def test_failed_run_is_written_to_the_file_and_posted_to_the_webhook(monkeypatch, tmp_path, httpserver: HTTPServer):
    alerts = tmp_path / "alerts" / "runs.jsonl"
    posted: list[dict] = []

    def webhook(request):
        posted.append(request.get_json())
        return Response("ok")

    secret_path = "/hooks/T000/B000/s3cr3t-token"
    httpserver.expect_request(secret_path, method="POST").respond_with_handler(webhook)
    monkeypatch.setenv("COLLAB_ALERT_FILE", str(alerts))
    monkeypatch.setenv("COLLAB_ALERT_WEBHOOK_URL", httpserver.url_for(secret_path))

    result, _ = evaluate_on_failed_run()
    [line] = alerts.read_text(encoding="utf-8").splitlines()
    written = json.loads(line)
    assert written["run_id"] == result.run_id and written["job_name"] == "failing_job"
    assert written["status"] == "FAILURE" and written["failed_steps"] == ["extract_that_breaks"]
    assert "HTTP 503 after 5 attempts" in written["message"] and written["text"].startswith("collab-observatory run")
    assert posted == [written]


def test_webhook_5xx_is_retried_then_reported_without_the_url(monkeypatch, tmp_path, httpserver: HTTPServer):
    calls: list[int] = []

    def flaky(request):
        calls.append(1)
        return Response("busy", status=503) if len(calls) == 1 else Response("ok")

    httpserver.expect_request("/hook/token-a", method="POST").respond_with_handler(flaky)
    monkeypatch.setenv("COLLAB_ALERT_WEBHOOK_URL", httpserver.url_for("/hook/token-a"))
    evaluate_on_failed_run()
    assert len(calls) == 2  # one 503, then accepted

    httpserver.expect_request("/hook/token-b", method="POST").respond_with_data("down", status=500)
    monkeypatch.setenv("COLLAB_ALERT_WEBHOOK_URL", httpserver.url_for("/hook/token-b"))
    with pytest.raises(AlertDeliveryError) as raised:
        evaluate_on_failed_run()
    assert "HTTP 500 after 3 attempts" in str(raised.value)
    assert "token-b" not in str(raised.value) and raised.value.__cause__ is None


def test_no_destination_skips_and_writes_nothing(tmp_path):
    _, outcome = evaluate_on_failed_run()
    assert isinstance(outcome, dg.SkipReason) and "COLLAB_ALERT_FILE" in outcome.skip_message
    assert not list(tmp_path.glob("**/*.jsonl"))
