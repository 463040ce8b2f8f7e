"""Local stand-in for the OpenAlex REST API (``/works`` only), so tests never touch the network.

Shapes, texts and rules are taken from real material, cited where they are used:

* recordings in ``/work/shared/fixtures/real/openalex/`` (PROVENANCE.md §1), called "fixture <name>";
* two more recordings of the same cassette repository (rkrug/openalexPro, ``tests/fixtures/vcr/``):
  ``oa_fetch_group_by.yml`` (group_by *without* cursor) and ``pro_request_list_count.yml``
  (list *without* cursor, with ``select``);
* the server source, ourresearch/openalex-elastic-api @ 5a6505c (2026-08-07), called "api:<file>";
* the edge proxy that adds keys, budgets and rate-limit headers, ourresearch/openalex-api-proxy
  @ b50c368 (2026-08-21), called "proxy:src/index.ts".

Where the fake cannot answer as the real service would (a valid OpenAlex parameter, filter or
group_by the fake does not implement) it answers 501 with ``"error": "FakeOpenAlex: not emulated"``
instead of inventing a real-looking answer.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal

import pycountry
from werkzeug import Request, Response
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

OPENALEX = "https://openalex.org/"
PARAMS_ERROR = "Invalid query parameters error."  # api:core/exceptions.py APIQueryParamsError
PAGINATION_ERROR = "Pagination error."  # api:core/exceptions.py APIPaginationError
NOT_EMULATED = "FakeOpenAlex: not emulated"
MAX_OR_VALUES = 100  # api:settings.py MAX_IDS_IN_FILTER
MAX_GROUPS_PER_PAGE = 200  # api:core/paginate.py max_per_page (group_by defaults to it)
MAX_BASIC_PAGING_RESULTS = 10_000  # api:core/paginate.py max_result_size
CREDIT_USD = 0.0001  # fixtures: x-ratelimit-cost-usd 0.0001 for x-ratelimit-credits-used 1


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Query parameters the real /works accepts, in its order (api:core/validate.py valid_params); others -> 400.
_PARAMS = _words(
    """apc_sum api-key api_key cited_by_count_sum cursor data_version data-version filter format
    include_xpac include-xpac group_by group-by group_bys group-bys mailto page per_page per-page q sample
    seed search select sort warm"""
)
VALID_PARAMS = frozenset(_PARAMS)
# Valid but not emulated here -> 501 (the fake would otherwise silently ignore them).
NOT_EMULATED_PARAMS = VALID_PARAMS - {
    "api-key",
    "api_key",
    "cursor",
    "filter",
    "group_by",
    "group-by",
    "mailto",
    "page",
    "per_page",
    "per-page",
    "select",
}

# Filter fields, in the order of the recorded 400 message (fixture error_400_invalid_filter.json).
_FILTER_FIELDS = _words(
    """
    abstract.search abstract.search.exact apc_list.currency apc_list.provenance apc_list.value
    apc_list.value_usd apc_paid.currency apc_paid.provenance apc_paid.value apc_paid.value_usd author.id
    author.orcid authors_count authorships.affiliations.institution_ids authorships.author.id
    authorships.author.orcid authorships.countries authorships.institutions.continent
    authorships.institutions.country_code authorships.institutions.id
    authorships.institutions.is_global_south authorships.institutions.lineage
    authorships.institutions.ror authorships.institutions.type authorships.is_corresponding awards.doi
    awards.funder_award_id awards.funder_display_name awards.funder_id awards.id
    best_oa_location.is_accepted best_oa_location.is_oa best_oa_location.is_published
    best_oa_location.landing_page_url best_oa_location.license best_oa_location.license_id
    best_oa_location.raw_type best_oa_location.source.host_organization
    best_oa_location.source.host_organization_lineage best_oa_location.source.id
    best_oa_location.source.is_in_doaj best_oa_location.source.is_oa best_oa_location.source.issn
    best_oa_location.source.type best_oa_location.version best_open_version biblio.first_page
    biblio.issue biblio.last_page biblio.volume citation_normalized_percentile.is_in_top_10_percent
    citation_normalized_percentile.is_in_top_1_percent citation_normalized_percentile.value cited_by
    cited_by_count cited_by_percentile_year.max cited_by_percentile_year.min cites concept.id
    concepts.id concepts.wikidata concepts_count corresponding_author_ids corresponding_institution_ids
    countries_distinct_count created_date datasets default.search display_name display_name.search
    display_name.search.exact doi doi_starts_with from_created_date from_publication_date
    fulltext.search fulltext.search.exact fulltext_origin funders.id fwci has_abstract
    has_content.grobid_xml has_content.pdf has_doi has_embeddings has_fulltext
    has_oa_accepted_or_published_version has_oa_submitted_version has_old_authors has_orcid has_pdf_url
    has_pmcid has_pmid has_raw_affiliation_strings has_references ids.mag ids.openalex ids.pmcid
    ids.pmid indexed_in institution.id institution_assertions.country_code institution_assertions.id
    institution_assertions.lineage institution_assertions.ror institution_assertions.type
    institutions.continent institutions.country_code institutions.id institutions.is_global_south
    institutions.ror institutions.type institutions_distinct_count is_corresponding is_oa is_paratext
    is_retracted is_xpac journal keyword.search keywords.id language locations.is_accepted
    locations.is_oa locations.is_published locations.landing_page_url locations.license
    locations.license_id locations.raw_type locations.source.has_issn
    locations.source.host_institution_lineage locations.source.host_organization
    locations.source.host_organization_lineage locations.source.id locations.source.is_core
    locations.source.is_in_doaj locations.source.is_oa locations.source.issn
    locations.source.publisher_lineage locations.source.type locations.version locations_count mag
    mag_only oa_status open_access.any_repository_has_fulltext open_access.is_oa open_access.oa_status
    openalex openalex_id pmcid pmid primary_location.is_accepted primary_location.is_oa
    primary_location.is_published primary_location.landing_page_url primary_location.license
    primary_location.license_id primary_location.raw_type primary_location.source.has_issn
    primary_location.source.host_institution_lineage primary_location.source.host_organization
    primary_location.source.host_organization_lineage primary_location.source.id
    primary_location.source.is_core primary_location.source.is_in_doaj primary_location.source.is_oa
    primary_location.source.issn primary_location.source.publisher_lineage primary_location.source.type
    primary_location.version primary_topic.domain.id primary_topic.field.id primary_topic.id
    primary_topic.subfield.id publication_date publication_year raw_affiliation_strings
    raw_affiliation_strings.search raw_author_name.search referenced_works referenced_works_count
    related_to repository semantic.search sustainable_development_goals.id
    sustainable_development_goals.score title.search title.search.exact title_and_abstract.search
    title_and_abstract.search.exact to_created_date to_publication_date to_updated_date topics.domain.id
    topics.field.id topics.id topics.subfield.id topics_count type type_crossref updated_date version
    """
)
_FILTER_FIELD_SET = frozenset(_FILTER_FIELDS)
# Root fields `select` accepts, in the order of the recorded 400 (fixture error_400_invalid_select.json).
_SELECT_FIELDS = _words(
    """
    id doi title display_name relevance_score publication_year publication_date ids language
    primary_location sources type type_crossref indexed_in open_access authorships
    institution_assertions institutions countries_distinct_count institutions_distinct_count
    corresponding_author_ids corresponding_institution_ids apc_list apc_paid fwci is_authors_truncated
    has_fulltext fulltext_origin cited_by_count citation_normalized_percentile cited_by_percentile_year
    biblio is_retracted is_paratext is_xpac primary_topic topics keywords concepts mesh locations_count
    locations best_oa_location sustainable_development_goals awards funders datasets versions
    has_content content_urls referenced_works_count referenced_works related_works
    abstract_inverted_index cited_by_api_url counts_by_year updated_date created_date
    """
)
_SELECT_FIELD_SET = frozenset(_SELECT_FIELDS)

FilterKind = Literal["term", "number", "boolean"]
# The filters this fake evaluates, with the api:core/fields.py field class they use on the server.
EMULATED_FILTERS: dict[str, FilterKind] = {
    "authorships.countries": "term",
    "type": "term",
    "primary_location.source.issn": "term",
    "publication_year": "number",
    "countries_distinct_count": "number",
    "authors_count": "number",
    "is_paratext": "boolean",
    "is_retracted": "boolean",
    "primary_topic.field.id": "term",
    "primary_topic.domain.id": "term",
}
# primary_topic levels the fake filters and groups on: filter values "fields/21", "21" or the full id; group
# keys are the full ids ("https://openalex.org/fields/21") with the level's display_name.
TOPIC_LEVELS = {"primary_topic.field.id": "field", "primary_topic.domain.id": "domain"}
GROUP_BY_FIELDS = frozenset({"authorships.countries", "publication_year", "type", *TOPIC_LEVELS})
LIST_AUTHORSHIPS_CAP = 100  # list forms carry <= 100 authorships; filters/group_by see only those
AUTHORS_COUNT = "authors_count"  # api:works/fields.py RangeField: the whole byline's length
# Private to the fake's searchable rows: each term field's value set, computed once per work (a live run asks
# hundreds of questions of the same works), never served.
TERMS_MEMO = "__terms__"

# Country names OpenAlex shows where they differ from pycountry's ISO names
# (api:config/countries.yaml, used by api:core/country_names.py; other codes fall back to ISO names).
_COUNTRY_NAME_OVERRIDES = {
    "RU": "Russia",
    "KR": "South Korea",
    "TR": "Turkey",
    "IR": "Iran",
    "TW": "Taiwan",
    "VN": "Vietnam",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "BA": "Bosnia & Herzegovina",
    "BO": "Bolivia",
    "MD": "Moldova",
    "CI": "Ivory Coast",
    "PS": "Palestine",
    "SY": "Syria",
    "CD": "DR Congo",
    "BN": "Brunei",
    "VG": "British Virgin Islands",
    "XK": "Kosovo",
    "TT": "Trinidad & Tobago",
    "DO": "Dominican Rep.",
    "ST": "São Tomé & Príncipe",
    "LA": "Laos",
    "KN": "St. Kitts & Nevis",
    "MF": "Saint Martin",
    "VI": "US Virgin Islands",
    "KP": "North Korea",
    "VA": "Vatican City",
    "BQ": "Caribbean Netherlands",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "GS": "South Georgia & South Sandwich Is.",
    "HM": "Heard & McDonald Islands",
    "MP": "Northern Mariana Is.",
    "PM": "St. Pierre & Miquelon",
    "SH": "Saint Helena",
    "SX": "Sint Maarten",
    "TC": "Turks & Caicos Islands",
    "VC": "St. Vincent & Grenadines",
    "WF": "Wallis & Futuna",
}

UNAUTHORIZED_BODY = {"error": "Invalid or missing API key", "message": "API key not found"}
# The per-second limit message of the current proxy (30 requests/s for a free key).
PER_SECOND_MESSAGE = "Rate limit exceeded: 30 requests per second. Please slow down."
# No recorded 429 exists; a public issue (research-software-directory/RSD-as-a-service#1640) says it is HTML.
HTML_429 = b"<html><body>Too Many Requests</body></html>"
# Per-second limit wording of the docs (docs/methods.md#openalex-api).
FORBIDDEN_403 = {"error": "rate limit exceeded; slow down"}


def proxy_429_body(message: str, credits_remaining: int, retry_after: float) -> dict[str, Any]:
    """The JSON 429 the current proxy sends (proxy:src/index.ts, "Handle rate limit exceeded")."""
    return {
        "error": "Rate limit exceeded",
        "message": message,
        "retryAfter": retry_after,
        "costUsd": CREDIT_USD,
        "dailyRemainingUsd": _usd(credits_remaining),
        "prepaidRemainingUsd": 0,
        "creditsRequired": 1,
        "creditsRemaining": credits_remaining,
        "onetimeCreditsRemaining": 0,
    }


@dataclass
class Fault:
    """One injected misbehaviour, consumed by the first request that ``when`` accepts (None: any).

    ``status`` faults replace the answer; the other kinds damage the answer the fake would give.
    """

    kind: Literal["status", "too_fast", "truncate", "malformed", "repeat_cursor", "lie_count"]
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    retry_after: int | None = None
    delta: int = 0
    when: Callable[[Request], bool] | None = None


class ApiError(Exception):
    """An error answer of the real API: ``{"error": <class description>, "message": <text>}``.

    ``status`` None means "the status the server used for parameter errors" (400 since 2025-11,
    403 before: fixtures error_400_invalid_filter.json vs error_403_invalid_filter_2025-08.json).
    """

    def __init__(self, error: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.error, self.message, self.status = error, message, status


class FakeOpenAlex:
    """In-memory OpenAlex ``/works`` API served through pytest-httpserver.

    ``works`` are list-form work dicts served in the given order (standing in for the real default
    sort); a work with more than 100 authorships is cut to 100 for lists, filters and group_by
    (``authorships.countries`` and ``countries_distinct_count`` see the first 100 only; ``authors_count``
    sees the whole byline), and its full form answers ``/works/W…`` unless ``singletons`` has a
    record for its id.
    Attributes tests may set: ``faults``, ``null_cursor_on_short_page``, ``param_error_status``,
    ``ratelimit_limit``, ``ratelimit_remaining`` (credits of $0.0001: ``daily_limit_usd`` sets both).
    ``requests`` logs (path, query params) per request.
    """

    def __init__(
        self,
        works: list[dict[str, Any]],
        singletons: dict[str, dict[str, Any]] | None = None,
        api_key: str | None = None,
        max_per_page: int = 100,
        daily_limit_usd: float = 1.0,
    ) -> None:
        self.works = works
        self.singletons = dict(singletons or {})
        self.api_key = api_key
        self.max_per_page = max_per_page
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        # False: a cursor stays non-null until an empty page (fixtures works_cursor_page1/2, 2025-11).
        # True: null already on a short page (api commit 07acba6, 2026-04-26, core/cursor.py).
        self.null_cursor_on_short_page = False
        self.param_error_status = 400
        # A free key: $1 a day = 10,000 credits (fixture error_400_invalid_filter.http.json).
        self.ratelimit_limit = round(daily_limit_usd / CREDIT_USD)
        self.ratelimit_remaining = self.ratelimit_limit

    # ----------------------------------------------------------------- wiring and helpers
    def install(self, httpserver: HTTPServer) -> None:
        """Serve every path of ``httpserver`` (a pytest_httpserver.HTTPServer) from this fake."""
        httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)

    def fail_next(
        self,
        status: int,
        *,
        retry_after: int | None = None,
        body: str | bytes | Mapping[str, Any] | None = None,
        content_type: str | None = None,
        times: int = 1,
        when: Callable[[Request], bool] | None = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` instead of the real answer.

        Default bodies: 429 the HTML page of HTML_429 (with ``Retry-After``, 1 s unless given, as the
        proxy always sends one); 403 FORBIDDEN_403; other codes a bare HTML status page. A mapping
        body is sent as JSON.
        """
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        if body is None:
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                body = HTML_429
            elif status == HTTPStatus.FORBIDDEN:
                body = FORBIDDEN_403
            else:
                phrase = HTTPStatus(status).phrase
                body = f"<html><body><h1>{status} {phrase}</h1></body></html>"
        if isinstance(body, Mapping):
            raw, guessed = _compact(body), "application/json"
        else:
            raw = body.encode() if isinstance(body, str) else body
            guessed = "text/html" if raw.lstrip().startswith(b"<") else "application/json"
        fault = Fault("status", status, raw, content_type or guessed, retry_after, when=when)
        self.faults.extend([fault] * times)

    def too_fast_next(self, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Refuse the next ``times`` requests as the proxy does when a key goes past its per-second limit: 429,
        ``Retry-After: 1`` and, as the proxy sends it, a remaining of 0 in body and headers whatever is left of
        the day (proxy:src/rateLimiter.ts returns ``remaining: 0`` for the per-second branch)."""
        self.faults.extend([Fault("too_fast", 429, when=when)] * times)

    def truncate_next_body(self, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Cut the next answer's body to its first half (a JSON body then fails to parse)."""
        self.faults.extend([Fault("truncate", when=when)] * times)

    def malformed_next(self, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Send the next answer (status 200 stays) with a stray ``{`` in front: invalid JSON."""
        self.faults.extend([Fault("malformed", when=when)] * times)

    def repeat_cursor_next(self, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Make the next cursor page return, as ``next_cursor``, the cursor it was asked with."""
        self.faults.extend([Fault("repeat_cursor", when=when or _has_cursor)] * times)

    def lie_about_count(self, delta: int, *, times: int = 1, when: Callable[[Request], bool] | None = None) -> None:
        """Add ``delta`` to ``meta.count`` of the next list page (group_by answers are skipped)."""
        self.faults.extend([Fault("lie_count", delta=delta, when=when or _is_list_request)] * times)

    def calls_by_kind(self) -> Counter[str]:
        """Count received requests as "list", "group_by", "singleton" or "other"."""
        return Counter(_kind(path, params) for path, params in self.requests)

    # ----------------------------------------------------------------- request handling
    def handle(self, request: Request) -> Response:
        """Answer one request: log it, apply a pending fault, else answer like the real API."""
        self.requests.append((request.path, request.args.to_dict()))
        fault = self._take_fault(request)
        if fault is not None and fault.kind == "too_fast":
            return self._refused(PER_SECOND_MESSAGE, 0, 1 / 30, _credits(request))
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return self._response(fault.status, fault.body, 0, fault.content_type, headers)
        response = self._serve(request)
        return response if fault is None else _damage(fault, request, response)

    def _take_fault(self, request: Request) -> Fault | None:
        for i, fault in enumerate(self.faults):
            if fault.when is None or fault.when(request):
                return self.faults.pop(i)
        return None

    def _serve(self, request: Request) -> Response:
        """Proxy first (key, then budget: proxy:src/index.ts), then the API itself."""
        if self.api_key is not None and _api_key(request) != self.api_key:
            # Recorded without rate-limit headers (fixture error_401_invalid_api_key.http.json). The real
            # proxy serves a *missing* key from the anonymous pool; the fake is stricter on purpose.
            response = Response(_compact(UNAUTHORIZED_BODY), 401, content_type="application/json")
            response.headers["cache-control"] = "no-store"
            return response
        credits = _credits(request)
        if credits > self.ratelimit_remaining:
            message = (
                f"Insufficient budget. This request costs ${CREDIT_USD} but you only have "
                f"${_usd(self.ratelimit_remaining)} remaining. Resets at midnight UTC. "
                "Need more? Add funds at https://openalex.org/pricing"
            )
            # The daily branch's retryAfter is the whole wait until midnight UTC (proxy:src/rateLimiter.ts).
            return self._refused(message, self.ratelimit_remaining, _seconds_to_utc_midnight(), credits)
        self.ratelimit_remaining -= credits
        try:
            if request.path == "/works":
                return self._response(200, _pretty(self._list(request.args)), credits)
            if request.path.startswith("/works/"):
                return self._singleton(request, credits)
            raise ApiError(NOT_EMULATED, f"path {request.path} is not emulated", 501)
        except ApiError as err:
            body = _flask_json({"error": err.error, "message": err.message})
            return self._response(err.status or self.param_error_status, body, credits)

    def _response(
        self,
        status: int,
        body: bytes,
        credits: int,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        response = Response(body, status, content_type=content_type, headers=headers)
        return self._with_ratelimit(response, credits)

    def _with_ratelimit(self, response: Response, credits: int) -> Response:
        """The rate-limit headers every served answer carries, names and order as recorded (fixtures
        *.http.json, 2026-03-02); no prepaid balance is modelled."""
        response.headers.update(
            {
                "x-ratelimit-cost-usd": str(_usd(credits)),
                "x-ratelimit-credits-used": str(credits),
                "x-ratelimit-limit": str(self.ratelimit_limit),
                "x-ratelimit-limit-usd": str(_usd(self.ratelimit_limit)),
                "x-ratelimit-onetime-remaining": "0",
                "x-ratelimit-prepaid-remaining-usd": "0",
                "x-ratelimit-remaining": str(self.ratelimit_remaining),
                "x-ratelimit-remaining-usd": str(_usd(self.ratelimit_remaining)),
                "x-ratelimit-reset": str(_seconds_to_utc_midnight()),
            }
        )
        return response

    def _refused(self, message: str, remaining: int, retry_after: float, credits: int) -> Response:
        """A 429 of the proxy's rate-limit branch (proxy:src/index.ts, "Handle rate limit exceeded"): nothing
        is charged, so there is no X-RateLimit-Cost-USD, only what the call would have cost."""
        body = _compact(proxy_429_body(message, remaining, retry_after))
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit-USD": str(_usd(self.ratelimit_limit)),
            "X-RateLimit-Remaining-USD": str(_usd(remaining)),
            "X-RateLimit-Prepaid-Remaining-USD": "0",
            "X-RateLimit-Cost-Required-USD": str(_usd(credits)),
            "X-RateLimit-Limit": str(self.ratelimit_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Onetime-Remaining": "0",
            "X-RateLimit-Credits-Required": str(credits),
            "X-RateLimit-Reset": str(_seconds_to_utc_midnight()),
        }
        return Response(body, 429, content_type="application/json", headers=headers)

    # ----------------------------------------------------------------- /works/W…
    def _singleton(self, request: Request, credits: int) -> Response:
        """api:ids/views.py works_id_get: select checked first, odd id spellings redirected, else 404."""
        select = _parse_select(request.args.get("select"))
        raw_id = request.path.removeprefix("/works/")
        match = re.search(r"W\d{2,}", raw_id.upper())
        if match is None:
            return self._not_found(credits)
        if match.group() != raw_id:
            query = request.query_string.decode()
            moved = redirect(f"/works/{match.group()}" + (f"?{query}" if query else ""), 302)
            return self._with_ratelimit(moved, credits)
        full_id = f"{OPENALEX}W{int(match.group()[1:])}"
        work = self.singletons.get(full_id) or next((w for w in self.works if w.get("id") == full_id), None)
        if work is None:
            return self._not_found(credits)
        return self._response(200, _flask_json(_project(work, select)), credits)

    def _not_found(self, credits: int) -> Response:
        """Flask's abort(404) page: the API registers no JSON handler for it (api:app.py)."""
        page = NotFound().get_response()
        return self._response(404, page.get_data(), credits, page.content_type)

    # ----------------------------------------------------------------- /works
    def _list(self, args: MultiDict[str, str]) -> dict[str, Any]:
        """api:works/views.py works() + core/shared_view.py, checks in the server's order."""
        select = _parse_select(args.get("select"))
        _validate_params(args)
        clauses = _parse_filter(args.get("filter"))
        group_by = args.get("group_by") or args.get("group-by")
        page = _number_param(args, "page", 1)
        per_page = _number_param(args, "per-page", MAX_GROUPS_PER_PAGE if group_by else 25)
        cursor = args.get("cursor")
        after_position = -1 if group_by else _list_cursor_position(cursor, page)
        predicate = _predicate(clauses)
        dimension, include_unknown = _parse_group_by(group_by) if group_by else ("", False)
        group_after = _group_cursor_position(cursor, dimension) if group_by and cursor else None
        _validate_pagination(page, per_page, bool(group_by), self.max_per_page)
        works = [(i, w) for i, w in self._candidates(clauses) if predicate(w)]
        if group_by:
            groups, next_cursor, count = _group(
                [w for _, w in works], dimension, include_unknown, per_page, cursor, group_after
            )
            meta = _meta(count, page, per_page, cursor, next_cursor, len(groups))
            return {"meta": meta, "group_by": groups}
        if cursor:
            items = [(i, w) for i, w in works if i > after_position][:per_page]
            ended = not items or (self.null_cursor_on_short_page and len(items) < per_page)
            next_cursor = None if ended else _encode_cursor([items[-1][0], items[-1][1].get("id")])
        else:
            items, next_cursor = works[(page - 1) * per_page : page * per_page], None
        meta = _meta(len(works), page, per_page, cursor, next_cursor, None)
        return {"meta": meta, "results": [_project(_listed(w), select) for _, w in items], "group_by": []}

    def _candidates(self, clauses: list[tuple[str, str]]) -> list[tuple[int, dict[str, Any]]]:
        """(position, row) of the works a filter can match, in order: one year's works when the filter names a
        single publication_year (every live question does), else all. The predicate still tests every clause."""
        rows = self._index()
        years = [v for k, v in clauses if k == "publication_year" and v.isdigit()]
        if not years:
            return list(enumerate(rows))
        if getattr(self, "_by_year_key", None) != self._index_key:
            by_year: dict[Any, list[tuple[int, dict[str, Any]]]] = {}
            for i, row in enumerate(rows):
                by_year.setdefault(row.get("publication_year"), []).append((i, row))
            self._by_year_key, self._by_year = self._index_key, by_year
        return self._by_year.get(int(years[0]), [])

    def _index(self) -> list[dict[str, Any]]:
        """The searchable form of every work, built once per set of works (a run asks hundreds of group_by
        questions of the same works; rebuilding 13,000 list forms per request made live runs crawl)."""
        key = (id(self.works), len(self.works))
        if getattr(self, "_index_key", None) != key:
            self._index_key, self._index_rows = key, [self._indexed(w) for w in self.works]
        return self._index_rows

    def _indexed(self, work: dict[str, Any]) -> dict[str, Any]:
        """What filters and group_by search: the list form plus ``authors_count``, the length of the whole
        byline (null without authorships), which is a filter but not a field of the work object."""
        full = self.singletons.get(work.get("id", "")) or work
        return {**_list_form(work), AUTHORS_COUNT: len(full.get("authorships") or []) or None, TERMS_MEMO: {}}


def _meta(
    count: int, page: int, per_page: int, cursor: str | None, next_cursor: str | None, groups: int | None
) -> dict[str, Any]:
    """api:core/shared_view.py format_meta in api:core/schemas.py MetaSchema order.

    ``page`` is null and ``next_cursor`` present only under cursor paging (fixtures
    works_cursor_page1_two_works.json vs rkrug/openalexPro pro_request_list_count.yml); cost_usd is
    appended by api:app.py inject_cost_usd (fixture works_group_by_type.json).
    """
    meta: dict[str, Any] = {
        "count": count,
        "db_response_time_ms": 5,
        "page": None if cursor else page,
        "per_page": per_page,
    }
    if cursor:
        meta["next_cursor"] = next_cursor
    meta["groups_count"] = groups
    meta["cost_usd"] = CREDIT_USD
    return meta


# --------------------------------------------------------------------- request-independent helpers
def _kind(path: str, params: Mapping[str, str]) -> str:
    if path == "/works":
        return "group_by" if "group_by" in params or "group-by" in params else "list"
    return "singleton" if path.startswith("/works/") else "other"


def _credits(request: Request) -> int:
    """Lists and group_by cost 1 credit, singletons 0 (fixtures: x-ratelimit-credits-used 1 vs 0)."""
    return 0 if _kind(request.path, request.args) == "singleton" else 1


def _has_cursor(request: Request) -> bool:
    return "cursor" in request.args


def _is_list_request(request: Request) -> bool:
    return _kind(request.path, request.args) == "list"


def _api_key(request: Request) -> str | None:
    """Where the proxy looks for a key (proxy:src/index.ts getApiKeyFromRequest)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token
    for name in ("api_key", "api-key"):
        if value := request.args.get(name) or request.headers.get(name):
            return value
    return None


def _compact(payload: Any) -> bytes:
    """Compact JSON as the proxy's JSON.stringify writes it (fixture error_401_invalid_api_key.json)."""
    return json.dumps(payload, separators=(",", ":")).encode()


def _flask_json(payload: Any) -> bytes:
    """Flask jsonify: compact plus a newline (fixtures error_400_*.json; singletons)."""
    return _compact(payload) + b"\n"


def _pretty(payload: Any) -> bytes:
    """json.dumps defaults, as api:app.py inject_cost_usd writes list and group_by bodies."""
    return json.dumps(payload).encode()


def _usd(credits: int) -> float | int:
    value = round(credits * CREDIT_USD, 4)
    return int(value) if value == int(value) else value


def _seconds_to_utc_midnight() -> int:
    """x-ratelimit-reset: seconds until the daily budget resets at midnight UTC, rounded up
    (proxy:src/index.ts getSecondsUntilMidnightUTC)."""
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return math.ceil((midnight - now).total_seconds())


def _damage(fault: Fault, request: Request, response: Response) -> Response:
    """Apply a non-status fault to the answer the fake produced.

    Content-Length always fits the damaged body, so the client receives it whole and fails on
    parsing, as when a proxy cuts or garbles a body; repeat/lie faults touch only 200 JSON answers.
    """
    data = response.get_data()
    if fault.kind == "truncate":
        data = data[: len(data) // 2]
    elif fault.kind == "malformed":
        data = b"{" + data
    elif response.status_code == HTTPStatus.OK:
        payload = json.loads(data)
        if fault.kind == "repeat_cursor":
            payload["meta"]["next_cursor"] = request.args.get("cursor")
        else:
            payload["meta"]["count"] += fault.delta
        data = _pretty(payload)
    response.set_data(data)
    return response


def _list_form(work: dict[str, Any]) -> dict[str, Any]:
    """List answers carry at most 100 authorships and flag the cut (docs §1.6); filters and group_by
    on authorships.countries see only those (api:works/fields.py has no authorships_full alias for it),
    and so does countries_distinct_count (docs/methods.md#live-mode-an-exact-split-at-100-authors), recounted
    here from the first 100."""
    authorships = work.get("authorships") or []
    if len(authorships) <= LIST_AUTHORSHIPS_CAP:
        return work
    cut = authorships[:LIST_AUTHORSHIPS_CAP]
    countries = {c for a in cut for c in a.get("countries") or []}
    return {**work, "authorships": cut, "is_authors_truncated": True, "countries_distinct_count": len(countries)}


def _listed(indexed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in indexed.items() if k not in (AUTHORS_COUNT, TERMS_MEMO)}


def _project(work: dict[str, Any], select: frozenset[str] | None) -> dict[str, Any]:
    return work if select is None else {k: v for k, v in work.items() if k in select}


def _parse_select(raw: str | None) -> frozenset[str] | None:
    """api:core/utils.py process_only_fields (message: fixture error_400_invalid_select.json)."""
    if not raw:
        return None
    for name in raw.split(","):
        if name.strip() not in _SELECT_FIELD_SET:
            raise ApiError(
                PARAMS_ERROR,
                f"{name} is not a valid select field. Valid fields for select are: {', '.join(_SELECT_FIELDS)}.",
            )
    return frozenset(name.strip() for name in raw.split(","))


def _validate_params(args: MultiDict[str, str]) -> None:
    """api:core/validate.py validate_params, the checks that apply to the emulated parameters."""
    for name in args:
        if name.startswith("search."):
            raise ApiError(NOT_EMULATED, f"parameter {name} is not emulated", 501)
        if name not in VALID_PARAMS:
            raise ApiError(
                PARAMS_ERROR, f"{name} is not a valid parameter. Valid parameters are: {', '.join(_PARAMS)}."
            )
    if len(args.getlist("filter")) > 1:
        raise ApiError(
            PARAMS_ERROR,
            "Only one filter parameter is allowed. Your URL contains filters like: "
            "/works?filter=publication_year:2020&filter=is_open_access:true. Combine and separate filters "
            "with a comma, like: /works?filter=publication_year:2020,is_open_access:true.",
        )
    if ("group_by" in args or "group-by" in args) and "select" in args:
        raise ApiError(PARAMS_ERROR, "select does not work with group_by.")
    if unsupported := sorted(NOT_EMULATED_PARAMS.intersection(args)):
        raise ApiError(NOT_EMULATED, f"parameters {', '.join(unsupported)} are not emulated", 501)


def _number_param(args: Mapping[str, str], name: str, default: int) -> int:
    """api:core/utils.py set_number_param: hyphen spelling first, then underscore."""
    raw = args.get(name) or args.get(name.replace("-", "_"))
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise ApiError(PARAMS_ERROR, f"Param {name} must be a number.") from err


def _validate_pagination(page: int, per_page: int, grouped: bool, max_per_page: int) -> None:
    """api:core/paginate.py Paginate.validate (group_by pages hold up to 200 groups)."""
    if grouped and page != 1:
        raise ApiError(
            PAGINATION_ERROR,
            "Unable to paginate beyond page 1. Group-by is limited to page 1 with up to 200 results at this time.",
        )
    if page < 1:
        raise ApiError(PAGINATION_ERROR, "Page parameter must be greater than 0.")
    limit = MAX_GROUPS_PER_PAGE if grouped else max_per_page
    if not 1 <= per_page <= limit:
        raise ApiError(PAGINATION_ERROR, f"per-page parameter must be between 1 and {limit}.")
    if page * per_page > MAX_BASIC_PAGING_RESULTS:
        raise ApiError(
            PAGINATION_ERROR,
            "Maximum results size of 10,000 records is exceeded. Cursor pagination is required for records "
            "beyond 10,000. See: https://developers.openalex.org/guides/page-through-results",
        )


# --------------------------------------------------------------------- cursors
def _encode_cursor(value: object) -> str:
    """api:core/cursor.py encode_cursor: base64 of the JSON string of str(sort values)."""
    return base64.b64encode(json.dumps(str(value)).encode()).decode()


def _decode_cursor(cursor: str) -> str:
    """api:core/cursor.py decode_cursor, with its two error texts."""
    if cursor == "null" or cursor.lower() == "none":
        raise ApiError(PAGINATION_ERROR, "Cursor is null. Likely reached end of results.")
    try:
        text = base64.b64decode(cursor).decode("utf8")
    except ValueError as err:
        raise ApiError(PAGINATION_ERROR, "Invalid cursor value") from err
    return text.replace('"', "").replace("'", '"').replace("None", "null")


def _list_cursor_position(cursor: str | None, page: int) -> int:
    """Index in ``works`` after which a cursor page starts (-1: from the top)."""
    if cursor and page != 1:
        raise ApiError(PAGINATION_ERROR, "Cannot use page parameter with cursor.")
    if not cursor or cursor == "*":
        return -1
    try:
        position, _work_id = json.loads(_decode_cursor(cursor))
        return int(position)
    except (ValueError, TypeError) as err:
        raise ApiError(PAGINATION_ERROR, "Invalid cursor value") from err


def _sort_position(raw: object) -> tuple[int, Any]:
    """Composite-aggregation order: the missing bucket first, then ascending raw keys."""
    return (0, 0) if raw is None else (1, raw)


def _group_cursor_position(cursor: str, dimension: str) -> tuple[int, Any] | None:
    """Position of a group_by cursor's after-key (None for ``*``)."""
    if cursor == "*":
        return None
    text = _decode_cursor(cursor)
    if text == "null":
        return _sort_position(None)
    if dimension != "publication_year":
        return _sort_position(text)
    try:
        return _sort_position(int(text))
    except ValueError as err:
        raise ApiError(PAGINATION_ERROR, "Invalid cursor value") from err


# --------------------------------------------------------------------- filters
def _invalid_field_message(key: str) -> str:
    """api:core/utils.py get_field (fixture error_400_invalid_filter.json)."""
    return f"{key} is not a valid field. Valid fields are underscore or hyphenated versions of: " + ", ".join(
        _FILTER_FIELDS
    )


def _parse_filter(raw: str | None) -> list[tuple[str, str]]:
    """api:core/utils.py map_filter_params: comma = AND (not inside quotes), keys hyphen -> underscore."""
    clauses = []
    for part in re.findall(r'(?:[^,"]|"[^"]*")+', raw or ""):
        key, sep, value = part.partition(":")
        if not sep:
            raise ApiError(PARAMS_ERROR, f"Invalid query parameter in {part}.")
        key = key.replace("-", "_")
        if not value or value.lower() in ("none", "undefined"):
            raise ApiError(
                PARAMS_ERROR,
                f"Invalid filter value for '{key}': value cannot be empty or '{value}'. "
                f"Use a valid value like filter={key}:your_value",
            )
        clauses.append((key, value))
    return clauses


WorkTest = Callable[[dict[str, Any]], bool]


def _predicate(clauses: Iterable[tuple[str, str]]) -> WorkTest:
    tests = [_clause_test(key, value) for key, value in clauses]
    return lambda work: all(test(work) for test in tests)


def _clause_test(key: str, value: str) -> WorkTest:
    """api:core/filter.py filter_records: quoted = one value, ``|`` = OR, ``+``/space = AND (terms)."""
    if key not in _FILTER_FIELD_SET:
        raise ApiError(PARAMS_ERROR, _invalid_field_message(key))
    kind = EMULATED_FILTERS.get(key)
    if kind is None:
        raise ApiError(NOT_EMULATED, f"filter {key} is valid in OpenAlex but not emulated", 501)
    if len(value) > 1 and value[0] == value[-1] == '"':
        return _value_test(key, kind, value[1:-1])
    if "|" in value:
        return _or_test(key, kind, value)
    if " " in value and kind == "term":
        tests = [_value_test(key, kind, part) for part in _at_most_100(key, value.split(" "))]
        return lambda work: all(test(work) for test in tests)
    return _value_test(key, kind, value)


def _at_most_100(key: str, values: list[str]) -> list[str]:
    if len(values) > MAX_OR_VALUES:
        raise ApiError(
            PARAMS_ERROR,
            f"Maximum number of values exceeded for {key}. Decrease values to {MAX_OR_VALUES} or below, or "
            "consider downloading the full dataset at https://developers.openalex.org/download/snapshot-format",
        )
    return values


def _or_test(key: str, kind: FilterKind, value: str) -> WorkTest:
    """api:core/filter.py handle_or_query: a leading ``!`` negates the whole list, NOT (a OR b)."""
    values = _at_most_100(key, value.split("|"))
    if value.startswith("!"):
        tests = [_value_test(key, kind, v.replace("!", "")) for v in values]
        return lambda work: not any(test(work) for test in tests)
    if misplaced := next((v for v in values if v.startswith("!")), None):
        raise ApiError(
            PARAMS_ERROR,
            "The ! operator can only be used at the beginning of an OR query, like "
            "/works?filter=concepts.id:!C144133560|C15744967, meaning NOT (C144133560 or C15744967). "
            f"Problem value: {misplaced}",
        )
    if kind == "term" and not {"null", "!null"} & set(values):
        # the same test as any(_term_test(v)) for each v, as one set intersection (ISSN lists hold up to 100)
        wanted = {_term_key(v) for v in values}
        return lambda work: not wanted.isdisjoint(_terms(work, key))
    tests = [_value_test(key, kind, v) for v in values]
    return lambda work: any(test(work) for test in tests)


def _value_test(key: str, kind: FilterKind, value: str) -> WorkTest:
    if kind == "term":
        return _term_test(key, value)
    if kind == "number":
        return _number_test(key, value)
    return _boolean_test(key, value)


def _terms(work: dict[str, Any], key: str) -> set[str]:
    """Case-folded values of a term filter field (filter values are case-insensitive, docs §1.3)."""
    memo = work.get(TERMS_MEMO)
    if memo is None:
        return _term_values(work, key)
    if key not in memo:
        memo[key] = _term_values(work, key)
    return memo[key]


def _term_values(work: dict[str, Any], key: str) -> set[str]:
    if key == "authorships.countries":
        return {c.casefold() for a in work.get("authorships") or [] for c in a.get("countries") or []}
    if key in TOPIC_LEVELS:
        level_id = _topic_level(work, key)[0]
        return set() if level_id is None else {level_id.removeprefix(OPENALEX).split("/")[-1].casefold()}
    if key == "type":
        return {work["type"].casefold()} if work.get("type") else set()
    source = (work.get("primary_location") or {}).get("source") or {}
    return {issn.casefold() for issn in source.get("issn") or []}


_TOPIC_NAMES: dict[str, str | None] = {}  # level id -> display_name, as the works served carry them


def _topic_level(work: dict[str, Any], key: str) -> tuple[str | None, str | None]:
    """(id, display_name) of the work's primary_topic field or domain; (None, None) without a primary topic."""
    level = (work.get("primary_topic") or {}).get(TOPIC_LEVELS[key]) or {}
    return level.get("id"), level.get("display_name")


def _term_test(key: str, value: str) -> WorkTest:
    """api:core/fields.py TermField: ``null``/``!null``, ``!`` negation, canonical ids accepted."""
    if value == "null":
        return lambda work: not _terms(work, key)
    if value == "!null":
        return lambda work: bool(_terms(work, key))
    negate = value.startswith("!")
    wanted = _term_key(value.removeprefix("!"))
    return lambda work: (wanted in _terms(work, key)) != negate


def _term_key(value: str) -> str:
    """A term filter value as the fake's term sets hold it: canonical id prefixes dropped, case-folded."""
    return re.sub(r"^(countries|types|work-types|fields|domains)/", "", value.removeprefix(OPENALEX)).casefold()


def _number_test(key: str, value: str) -> WorkTest:
    """api:core/fields.py RangeField.build_query, branch for branch and in its order."""

    def num(text: str) -> float:
        try:
            return float(text)
        except ValueError as err:
            raise ApiError(PARAMS_ERROR, f"Value for param {key} must be a number.") from err

    def known(test: Callable[[float], bool]) -> WorkTest:
        return lambda work: work.get(key) is not None and test(work[key])

    if "<" in value:
        bound = num(value[1:])
        return known(lambda x: x < bound)
    if value.startswith("-"):
        bound = num(value[1:])
        return known(lambda x: x <= bound)
    if ">" in value:
        bound = num(value[1:])
        return known(lambda x: x > bound)
    if value.endswith("-"):
        bound = num(value[:-1])
        return known(lambda x: x >= bound)
    if value.startswith("!"):  # NOT also matches works without the field, as ES must_not does
        inner = _number_test(key, value[1:].strip())
        return lambda work: not inner(work)
    if "-" in value:
        low, high = (num(v) for v in value.strip().split("-")[:2])
        return known(lambda x: low <= x <= high)
    if value == "null":
        return lambda work: work.get(key) is None
    exact = num(value)
    return known(lambda x: x == exact)


def _boolean_test(key: str, value: str) -> WorkTest:
    """api:core/fields.py BooleanField: true/false/null/!null, anything else is a 400."""
    if value == "null":
        return lambda work: work.get(key) is None
    if value == "!null":
        return lambda work: work.get(key) is not None
    query = value.lower().strip()
    if query not in ("null", "!null", "true", "false"):
        raise ApiError(PARAMS_ERROR, f"Value for {key} must be true, false null, or !null: not {query}.")
    wanted = {"true": True, "false": False}.get(query)
    return lambda work: wanted is not None and work.get(key) is wanted


# --------------------------------------------------------------------- group_by
def _parse_group_by(raw: str) -> tuple[str, bool]:
    """api:core/group_by/utils.py parse_group_by (``:include_unknown`` / ``:known`` suffix)."""
    if "," in raw:
        raise ApiError(NOT_EMULATED, "multi-dimensional group_by is not emulated", 501)
    field, include_unknown = raw, False
    parts = raw.split(":")
    if len(parts) == 2:
        if parts[1].lower() not in ("include_unknown", "known"):
            raise ApiError(
                PARAMS_ERROR,
                "The only valid filters for a group_by param is 'include_unknown' or the deprecated value 'known'",
            )
        field, include_unknown = parts[0], parts[1].lower() == "include_unknown"
    if field not in _FILTER_FIELD_SET:
        raise ApiError(PARAMS_ERROR, _invalid_field_message(field))
    if field not in GROUP_BY_FIELDS:
        raise ApiError(NOT_EMULATED, f"group_by {field} is valid in OpenAlex but not emulated", 501)
    return field, include_unknown


def _group_values(work: dict[str, Any], dimension: str) -> set[Any]:
    """Raw bucket keys of one work; it counts once per distinct key."""
    if dimension == "authorships.countries":
        return {c.upper() for a in work.get("authorships") or [] for c in a.get("countries") or []}
    if dimension in TOPIC_LEVELS:
        level_id, name = _topic_level(work, dimension)
        if level_id is None:
            return set()
        _TOPIC_NAMES[level_id] = name
        return {level_id}
    value = work.get(dimension)
    return set() if value is None else {value}


def _group(
    works: list[dict[str, Any]],
    dimension: str,
    include_unknown: bool,
    per_page: int,
    cursor: str | None,
    after: tuple[int, Any] | None,
) -> tuple[list[dict[str, Any]], str | None, int]:
    """Groups of one page, the next cursor and meta.count.

    Without cursor: a terms aggregation, the top ``per_page`` keys by count (rkrug/openalexPro
    oa_fetch_group_by.yml); more keys are silently dropped. With cursor: a composite aggregation in
    key order (fixture works_group_by_type.json), whose after-key stays non-null until an empty page,
    and which counts only works having the field unless ``:include_unknown``
    (api:core/group_by/buckets.py create_pagination_group_by_buckets).
    """
    counts: Counter[Any] = Counter()
    with_value = 0
    for work in works:
        values = _group_values(work, dimension)
        with_value += bool(values)
        counts.update(values or ([None] if include_unknown else []))
    if cursor:
        ordered = sorted(counts.items(), key=lambda kv: _sort_position(kv[0]))
        ordered = [kv for kv in ordered if after is None or _sort_position(kv[0]) > after][:per_page]
        next_cursor = _encode_cursor(ordered[-1][0]) if ordered else None
        count = len(works) if include_unknown else with_value
    else:
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], _sort_position(kv[0])))[:per_page]
        next_cursor, count = None, len(works)
    return [_group_entry(dimension, raw, n, bool(cursor)) for raw, n in ordered], next_cursor, count


def _group_entry(dimension: str, raw: Any, count: int, cursor: bool) -> dict[str, Any]:
    """api:core/group_by/results.py format_key + display_names.get_key_display_name.

    Countries and types get OpenAlex URL keys (".../countries/CN", ".../types/article"), years stay
    "2020". The unknown bucket is "unknown" (-111 for a number field without cursor).
    """
    if raw is None:
        raw = -111 if dimension == "publication_year" and not cursor else "unknown"
    if dimension == "authorships.countries":
        key = f"{OPENALEX}countries/{str(raw).upper()}"
        display = "unknown" if raw == "unknown" else _country_name(raw)
    elif dimension in TOPIC_LEVELS:
        key, display = str(raw), "unknown" if raw == "unknown" else _TOPIC_NAMES.get(str(raw))
    elif dimension == "type":
        key, display = f"{OPENALEX}types/{raw}", str(raw)
    else:
        key = display = str(raw)
    return {"key": key, "key_display_name": display, "count": count}


def _country_name(code: str) -> str | None:
    """api:core/country_names.py get_country_name: OpenAlex's name, else ISO name, else null."""
    country = pycountry.countries.get(alpha_2=code)
    return _COUNTRY_NAME_OVERRIDES.get(code) or (country.name if country else None)
