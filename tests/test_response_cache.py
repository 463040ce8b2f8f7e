"""The raw response cache (pipeline.http.ResponseCache, requests-cache on SQLite): answers kept with their
request and retrieval time, secrets never stored, replayed offline, and a run resumed without calling again."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.http import JsonHttpClient, ResponseCache, SourceError
from tests.test_e2e import materialize, query

RETRIEVALS = "SELECT min(retrieved_at), max(retrieved_at), count(*) FROM raw.worldbank_indicators"
API_KEY, TOKEN, MAILTO = "key-sentinel-81f2", "token-sentinel-77c4", "mailto-sentinel@example.org"


def client(server: HTTPServer, cache: ResponseCache, **settings) -> JsonHttpClient:
    return JsonHttpClient(
        "test-source",
        server.url_for("").rstrip("/"),
        requests_per_second=0,
        backoff_initial=0,
        sleep=lambda seconds: None,
        cache=cache,
        **settings,
    )


def answer(data) -> Response:
    return Response(json.dumps(data), content_type="application/json")


def test_an_answer_is_kept_with_its_retrieval_time_and_not_fetched_again(httpserver, tmp_path):
    httpserver.expect_request("/items", query_string="page=1").respond_with_json({"items": [1, 2]})
    cache = ResponseCache(tmp_path / "cache.sqlite")
    first = client(httpserver, cache).get_json("/items", {"page": 1})
    again = client(httpserver, cache)
    second = again.get_json("/items", {"page": 1})
    assert second.data == first.data == {"items": [1, 2]}
    assert len(httpserver.log) == 1, "the second client answered from the cache"
    assert again.calls == 0, "a cached answer spends no call budget"
    assert second.retrieved_at == first.retrieved_at, "the retrieval time is the original one"


def test_secrets_reach_neither_the_cache_key_nor_the_file(httpserver, tmp_path):
    httpserver.expect_request("/items").respond_with_json({"items": [1]})
    cache = ResponseCache(tmp_path / "cache.sqlite")
    secret = client(
        httpserver,
        cache,
        default_params={"api_key": API_KEY, "mailto": MAILTO},
        headers={"X-App-Token": TOKEN, "User-Agent": f"collab mailto:{MAILTO}"},
        secret_params=("api_key", "mailto"),
    )
    secret.get_json("/items", headers={"Authorization": f"Bearer {TOKEN}"})
    assert API_KEY in httpserver.log[0][0].url, "the secret was really sent"
    # Without any credential the same request is found (so an offline replay needs none) ...
    bare = client(httpserver, ResponseCache(cache.path, "replay"), secret_params=("api_key", "mailto"))
    assert bare.get_json("/items").data == {"items": [1]}
    # ... and no file of the cache holds a secret.
    files = list(tmp_path.glob("cache.sqlite*"))
    assert files
    for path in files:
        data = path.read_bytes()
        for value in (API_KEY, TOKEN, MAILTO):
            assert value.encode() not in data, (value, path.name)


def test_replay_answers_offline_and_names_what_is_missing(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/a").respond_with_json({"a": 1})
    cache = ResponseCache(tmp_path / "cache.sqlite")
    client(server, cache).get_json("/a")
    server.clear()
    server.stop()  # offline from here on
    replay = client(server, ResponseCache(cache.path, "replay"))
    assert replay.get_json("/a").data == {"a": 1}
    with pytest.raises(SourceError) as error:
        replay.get_json("/b")
    message = str(error.value)
    assert "[test-source]" in message and "not in the response cache" in message and "/b" in message


def test_a_body_cut_off_in_transit_is_not_kept(httpserver, tmp_path):
    bodies = iter(['{"items": [1, 2', '{"items": [1, 2]}'])
    httpserver.expect_request("/items").respond_with_handler(
        lambda request: Response(next(bodies), content_type="application/json")
    )
    cache = ResponseCache(tmp_path / "cache.sqlite")
    assert client(httpserver, cache).get_json("/items").data == {"items": [1, 2]}
    assert len(httpserver.log) == 2, "the cut-off body was retried, not served again from the cache"
    assert client(httpserver, ResponseCache(cache.path, "replay")).get_json("/items").data == {"items": [1, 2]}


def test_an_answer_the_connector_rejects_is_not_replayed(httpserver, tmp_path):
    answers = iter([{"wrong": "shape"}, {"items": [1]}])
    httpserver.expect_request("/items").respond_with_handler(lambda request: answer(next(answers)))
    cache = ResponseCache(tmp_path / "cache.sqlite")

    def items(http: JsonHttpClient) -> list:
        response = http.get_json("/items")
        if "items" not in response.data:
            raise SourceError("test-source", "answer without items", request=response.url)
        return response.data["items"]

    with pytest.raises(SourceError, match="answer without items"):
        items(client(httpserver, cache))
    assert items(client(httpserver, cache)) == [1], "the resumed run asked the source again"
    assert items(client(httpserver, cache)) == [1] and len(httpserver.log) == 2, "the good answer is kept"


def test_only_successful_gets_are_kept(httpserver, tmp_path):
    httpserver.expect_request("/token", method="POST").respond_with_json({"access_token": TOKEN})
    httpserver.expect_request("/missing").respond_with_json({"error": "no"}, status=404)
    cache = ResponseCache(tmp_path / "cache.sqlite")
    for _ in range(2):
        assert client(httpserver, cache).request("POST", "/token", data={"client_secret": "s"}).data
        with pytest.raises(SourceError, match="HTTP 404"):
            client(httpserver, cache).get_json("/missing")
    assert len(httpserver.log) == 4, "neither the token exchange nor an error answer came from the cache"
    assert TOKEN.encode() not in (tmp_path / "cache.sqlite").read_bytes()


def test_expired_answers_are_fetched_again(httpserver, tmp_path):
    httpserver.expect_request("/items").respond_with_json({"items": []})
    cache = ResponseCache(tmp_path / "cache.sqlite", ttl=timedelta(0))
    client(httpserver, cache).get_json("/items")
    client(httpserver, cache).get_json("/items")
    assert len(httpserver.log) == 2


@pytest.mark.e2e
def test_a_failed_run_resumes_from_the_cache_and_replays_offline(
    isolated_env, tmp_path, live_sources, servers, monkeypatch
):
    worldbank, fake = servers["worldbank"], live_sources["worldbank"]
    # The World Bank's third call fails for good: the run fails after two answers were kept.
    calls: list[str] = []

    def failing_third(request: Request) -> Response:
        calls.append(request.full_path)
        if len(calls) == 3:
            return Response("upstream down", status=404)
        return fake.handle(request)

    worldbank.clear()
    worldbank.expect_request(re.compile(r"^/.*")).respond_with_handler(failing_third)
    groups = ("reference", "context")
    assert not materialize(groups=groups).success
    answered = calls[:2]

    calls.clear()
    assert materialize(groups=groups).success
    assert not set(answered) & set(calls), "answers kept by the failed run are not fetched again"
    first = query(isolated_env, RETRIEVALS)

    worldbank.clear()
    worldbank.stop()  # offline: every answer must come from the cache
    monkeypatch.setenv("COLLAB_HTTP_CACHE", "replay")
    try:
        assert materialize(groups=groups).success
    finally:
        worldbank.start()  # for the fixture's teardown
    replayed = query(isolated_env, RETRIEVALS)
    assert replayed == first, "a replay keeps the original retrieval times"
    assert Path(tmp_path / "http_cache.sqlite").exists()
