"""Shared JSON-over-HTTP client for every live connector.

One place for what all sources need: a client-side rate limit (requests-ratelimiter), retries with
exponential backoff that honour `Retry-After` (tenacity), a per-run call budget, timeouts, secret
redaction in everything that is logged or stored, errors that name the source, the request and
the rule that was broken, and the raw response cache (requests-cache).
"""

from __future__ import annotations

import email.utils
import functools
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests_cache import CachedSession, CacheMixin, create_key
from requests_cache.policy.settings import DEFAULT_IGNORED_PARAMS
from requests_ratelimiter import LimiterMixin, LimiterSession
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

REDACTED = "<redacted>"
# Values never written to the response cache (its key, stored request or headers): requests-cache's
# defaults (Authorization, api_key, access_token, …), the Socrata app token, and the User-Agent, which
# carries the OpenAlex mailto. Each client adds its own secret query parameters.
CACHE_REDACTED = (*DEFAULT_IGNORED_PARAMS, "X-App-Token", "User-Agent", "client_id", "client_secret")


@dataclass(frozen=True)
class ResponseCache:
    """Where and how live answers are kept (requests-cache, one SQLite file for every source).

    `on`: answers younger than `ttl` are served from the file instead of the network, so a failed run
    resumes without spending API budget again; `replay`: only from the file, whatever its age (an
    offline re-run), and a request that is not there is an error. Only successful GETs are kept (never
    the OAuth token exchange); an answer whose body cannot be parsed is dropped again.
    """

    path: Path
    mode: str = "on"
    ttl: timedelta = timedelta(hours=20)

    def session_settings(self, secret_params: Iterable[str]) -> dict[str, Any]:
        return {
            "cache_name": str(self.path),
            "backend": "sqlite",
            "allowable_methods": ("GET",),
            "allowable_codes": (200,),
            "ignored_parameters": (*CACHE_REDACTED, *secret_params),
            "key_fn": functools.partial(_key_without, tuple(secret_params)),
            "expire_after": -1 if self.mode == "replay" else self.ttl,
            "only_if_cached": self.mode == "replay",
        }


def _key_without(secret_params: tuple[str, ...], request: requests.PreparedRequest, **settings: Any) -> str:
    """requests-cache's key of the request without its secret query parameters, so that an answer
    fetched with a key is found again without it (an offline replay needs no credentials)."""
    secrets = {s.lower() for s in secret_params}
    parts = urlsplit(request.url or "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in secrets]
    keyed = request.copy()
    keyed.url = urlunsplit(parts._replace(query=urlencode(query)))
    return create_key(keyed, **settings)


def from_cache(response: requests.Response) -> bool:
    """True when the answer came from the response cache (not requests-cache's own 504 "Not Cached")."""
    return bool(getattr(response, "from_cache", False)) and response.reason != "Not Cached"


class CachedLimiterSession(CacheMixin, LimiterMixin, requests.Session):
    """Cache before the limiter, so answers from the cache neither wait for nor spend the rate limit."""


def make_session(per_second: float, cache: ResponseCache | None, secret_params: Iterable[str]) -> requests.Session:
    """A session paced at `per_second` (0: unpaced), reading and writing `cache` when given."""
    if cache is None or cache.mode == "off":
        return LimiterSession(per_second=per_second) if per_second > 0 else requests.Session()
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    settings = cache.session_settings(secret_params)
    return CachedLimiterSession(per_second=per_second, **settings) if per_second > 0 else CachedSession(**settings)


# Answers a response cache served or stored in this process, by their redacted URL. A connector that rejects
# an answer raises SourceError naming that URL, and the answer is evicted: a resumed run asks the source
# again instead of replaying what was refused (except in replay mode, where the file is the record).
_CACHED_ANSWERS: dict[str, tuple[Any, str]] = {}


def forget_answer(request: str | None) -> None:
    """Evict the cached answer to `request` (a redacted URL), if a response cache holds one."""
    entry = _CACHED_ANSWERS.pop(request, None) if request else None
    if entry is not None:
        cache, key = entry
        cache.delete(key)


class SourceError(RuntimeError):
    """A source answered something we cannot use. The message names source, rule, request, record.
    Raising it for a request evicts that request's cached answer (see forget_answer)."""

    def __init__(
        self,
        source: str,
        rule: str,
        *,
        request: str | None = None,
        record: str | None = None,
        detail: str = "",
    ) -> None:
        self.source, self.rule, self.request, self.record, self.detail = source, rule, request, record, detail
        forget_answer(request)
        parts = [f"[{source}] {rule}"]
        if detail:
            parts.append(detail)
        if record:
            parts.append(f"record: {record}")
        if request:
            parts.append(f"request: GET {request}")
        super().__init__(" | ".join(parts))


class CallBudgetExceeded(SourceError):
    """The per-run call budget is spent: stop rather than burn the day's API allowance."""


class RetryableAnswer(Exception):
    """An answer worth asking again (429, 5xx, a per-second 403, a cut-off body)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True)
class JsonResponse:
    data: Any
    url: str  # secrets redacted: safe to log and to store as provenance
    status: int
    headers: Mapping[str, str]
    retrieved_at: datetime


def redact_url(url: str, secret_params: Iterable[str]) -> str:
    """The URL with the values of secret query parameters replaced."""
    secrets = {s.lower() for s in secret_params}
    parts = urlsplit(url)
    query = [(k, REDACTED if k.lower() in secrets else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe=":,|*<>")))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


@dataclass
class JsonHttpClient:
    """GET JSON from one source with pacing, bounded retries and a call budget.

    `classify` decides what an answer means; connectors override it for their own quirks (for
    example OpenAlex answers 403 both for "slow down" and, in 2025, for an invalid filter).
    """

    source: str
    base_url: str
    requests_per_second: float = 5.0
    max_attempts: int = 6
    max_total_seconds: float = 600.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 120.0
    timeout: float = 60.0
    call_budget: int | None = None
    default_params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_params: tuple[str, ...] = ()
    retry_after_headers: tuple[str, ...] = ("Retry-After",)
    cache: ResponseCache | None = None
    sleep: Callable[[float], None] = time.sleep
    calls: int = field(default=0, init=False)
    billed_calls: int = field(default=0, init=False)  # what call_budget caps (see `billed`)
    retries: int = field(default=0, init=False)
    last_headers: Mapping[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # The limiter keeps state per session, so one client paces all of a run's calls to a host.
        self.session: requests.Session = make_session(self.requests_per_second, self.cache, self.secret_params)
        self.session.headers.update(self.headers)
        self._backoff = wait_exponential_jitter(multiplier=self.backoff_initial, max=self.backoff_max)

    # -- public -----------------------------------------------------------------------------------
    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> JsonResponse:
        """GET base_url + path with params; retried, paced and budgeted. Raises SourceError."""
        return self.request("GET", path, params=params, headers=headers)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        parse: Callable[[requests.Response], Any] | None = None,
    ) -> JsonResponse:
        """One logical request: retried, paced and budgeted. `parse` turns a usable answer into data
        (default: `self.parse`, JSON); `headers` add to the session's (e.g. a bearer token); `data`
        is a form body. Raises SourceError naming the source, the request and the rule."""
        url = path if path.startswith(("http://", "https://")) else self.base_url.rstrip("/") + "/" + path.lstrip("/")
        query = {**self.default_params, **{k: v for k, v in (params or {}).items() if v is not None}}
        prepared = self.session.prepare_request(
            requests.Request(method, url, params=query, headers=dict(headers or {}), data=dict(data or {}) or None)
        )
        safe_url = redact_url(prepared.url or url, self.secret_params)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts) | stop_after_delay(self.max_total_seconds),
            wait=self._wait,
            retry=retry_if_exception_type(
                (RetryableAnswer, requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
            ),
            sleep=self.sleep,
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(prepared, safe_url, parse or self.parse)
        except RetryableAnswer as exc:
            raise SourceError(
                self.source,
                "gave up after bounded retries",
                request=safe_url,
                detail=f"last answer: {exc.reason} ({self.calls} calls, {self.retries} retries)",
            ) from None
        except requests.RequestException as exc:
            raise SourceError(
                self.source,
                "transport failure after bounded retries",
                request=safe_url,
                detail=redact_url(str(exc), self.secret_params) if "://" in str(exc) else type(exc).__name__,
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def parse(self, response: requests.Response) -> Any:
        """The body of a usable answer as JSON; a body cut off in transit is worth asking again."""
        try:
            return response.json()
        except (json.JSONDecodeError, requests.exceptions.JSONDecodeError):
            raise RetryableAnswer(f"HTTP {response.status_code} with a body that is not valid JSON") from None

    def billed(self, request: requests.PreparedRequest) -> bool:
        """Whether the source charges this request against the daily quota (connectors with free
        request kinds override it); only billed requests count against `call_budget`."""
        return True

    def classify(self, response: requests.Response, safe_url: str) -> None:
        """Raise RetryableAnswer for answers worth retrying, SourceError for final ones; return if usable."""
        status = response.status_code
        if status == 429 or status >= 500:
            raise RetryableAnswer(f"HTTP {status}", self._retry_after(response, safe_url))
        if status >= 400:
            raise SourceError(self.source, f"HTTP {status}", request=safe_url, detail=error_text(response))

    # -- internals --------------------------------------------------------------------------------
    def _attempt(
        self, prepared: requests.PreparedRequest, safe_url: str, parse: Callable[[requests.Response], Any]
    ) -> JsonResponse:
        billed = self.billed(prepared)
        if billed and self.call_budget is not None and self.billed_calls >= self.call_budget:
            raise CallBudgetExceeded(
                self.source,
                "per-run call budget exhausted",
                request=safe_url,
                detail=f"{self.billed_calls} of {self.call_budget} calls used; raise the budget or refresh fewer years",
            )
        try:
            response = self.session.send(prepared, timeout=self.timeout)
        except requests.RequestException:
            self.calls += 1
            self.billed_calls += billed
            raise
        cached = from_cache(response)
        if self.cache is not None and self.cache.mode == "replay" and not cached:
            raise SourceError(
                self.source,
                "not in the response cache (COLLAB_HTTP_CACHE=replay)",
                request=safe_url,
                detail=f"cache: {self.cache.path}",
            )
        self.calls += 0 if cached else 1  # the budget counts what the API sees
        self.billed_calls += billed and not cached
        self.last_headers = dict(response.headers)
        self.classify(response, safe_url)
        try:
            data = parse(response)
        except RetryableAnswer:
            if getattr(response, "cache_key", None):  # a body cut off in transit must not be replayed
                self.session.cache.delete(response.cache_key)
            raise
        if self.cache is not None and self.cache.mode == "on" and getattr(response, "cache_key", None):
            _CACHED_ANSWERS[safe_url] = (self.session.cache, response.cache_key)
        return JsonResponse(data, safe_url, response.status_code, self.last_headers, self._retrieved_at(response))

    def _retrieved_at(self, response: requests.Response) -> datetime:
        """When the answer left the source: as the cache stored it, so a replay records the same time."""
        if from_cache(response):
            return response.created_at
        stored = self.session.cache.get_response(response.cache_key) if getattr(response, "cache_key", None) else None
        return stored.created_at if stored is not None else datetime.now(UTC)

    def _retry_after(self, response: requests.Response, safe_url: str) -> float | None:
        for name in self.retry_after_headers:
            wait = parse_retry_after(response.headers.get(name))
            if wait is not None:
                if wait > self.max_retry_after:
                    raise SourceError(
                        self.source,
                        f"HTTP {response.status_code}: server asks to wait longer than allowed",
                        request=safe_url,
                        detail=f"{name}: {wait:.0f}s > max {self.max_retry_after:.0f}s (daily limit spent?)",
                    )
                return wait
        return None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableAnswer) and exc.retry_after is not None:
            return exc.retry_after
        return self._backoff(state)

    def _count_retry(self, state: RetryCallState) -> None:
        self.retries += 1


def error_text(response: requests.Response) -> str:
    """The API's own error message when it sent JSON, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        return "; ".join(str(body[k])[:300] for k in ("error", "message") if body.get(k)) or str(body)[:300]
    return str(body)[:300]
