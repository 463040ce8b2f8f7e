"""Run-failure alerts: what a failed run says, written where the operator configured it.

Destinations (either or both): `COLLAB_ALERT_FILE`, a JSON Lines file appended to, and
`COLLAB_ALERT_WEBHOOK_URL`, which gets each alert as a JSON POST (Slack-style incoming webhooks and most
chat tools accept that). The webhook URL often carries a token, so it is never logged or written anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential


@dataclass(frozen=True)
class Alert:
    run_id: str
    job_name: str
    status: str
    failed_steps: tuple[str, ...]
    message: str
    at: str  # ISO 8601, UTC

    def text(self) -> str:
        steps = ", ".join(self.failed_steps) or "(no step)"
        return f"collab-observatory run {self.run_id[:8]} of {self.job_name} {self.status}: {steps}: {self.message}"


class AlertDeliveryError(RuntimeError):
    """An alert could not be delivered; says where (never the webhook URL itself) and why."""


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, requests.HTTPError):
        return exc.response is not None and exc.response.status_code in (429, 500, 502, 503, 504)
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


@retry(
    retry=retry_if_exception(_retryable),
    stop=stop_after_attempt(3),
    wait=wait_exponential(multiplier=0.2, max=2),
    reraise=True,
)
def _post(url: str, body: dict, timeout: float) -> None:
    response = requests.post(url, json=body, timeout=timeout)
    response.raise_for_status()


def deliver(alert: Alert, file: Path | None, webhook_url: str | None, timeout: float = 10.0) -> list[str]:
    """Send `alert` to every configured destination; returns where it went ('file', 'webhook')."""
    delivered: list[str] = []
    body = {**asdict(alert), "failed_steps": list(alert.failed_steps), "text": alert.text()}
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(body, ensure_ascii=False) + "\n")
        delivered.append("file")
    if webhook_url:
        try:
            _post(webhook_url, body, timeout)
        except requests.RequestException as exc:
            # the exception text may contain the URL: report its kind and status only
            status = getattr(getattr(exc, "response", None), "status_code", None)
            raise AlertDeliveryError(
                f"alert webhook (COLLAB_ALERT_WEBHOOK_URL) did not accept run {alert.run_id}: "
                f"{type(exc).__name__}{f' HTTP {status}' if status else ''} after 3 attempts"
            ) from None
        delivered.append("webhook")
    return delivered


def failed_steps(step_keys: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(sorted({k for k in step_keys if k}))
