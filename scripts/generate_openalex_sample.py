"""Generate a deterministic, SYNTHETIC sample of OpenAlex work records (2015-2024).

Nothing in the output describes real publications. Work, author, institution and source ids, names and DOIs
are all invented. Every id sits in a reserved range that real OpenAlex ids never reach (a 10-digit number
starting with 9: ``W9000000001``..., ``A9…``, ``I9…``, ``S9…``). DOIs use the example prefix ``10.5555``.
Only the Nature Index journals are real: their names and ISSNs are read from
``pipeline/reference/nature_index_journals.csv`` at generation time. The synthetic non-Nature-Index journals
get ``9999-NNNC`` ISSNs with a deliberately *wrong* check digit, so they can never equal a real ISSN.

Output, in ``pipeline/sample_data/openalex/`` by default:

* ``works_<YEAR>.jsonl.gz``: one work per line, shaped like an OpenAlex list response restricted with
  ``select=id,doi,display_name,publication_year,publication_date,type,is_paratext,is_retracted,
  is_authors_truncated,primary_location,primary_topic,authorships,countries_distinct_count,
  institutions_distinct_count``.
  As in real list responses, a work with more than 100 authors lists only its first 100 authorships and has
  ``is_authors_truncated: true``.
* ``singletons.jsonl.gz``: the full record (every authorship, ``is_authors_truncated: false``) of each
  truncated work, as ``/works/{id}`` returns it.
* ``MANIFEST.json``: seed, counts, sha256 of every file, ``"synthetic": true`` and the calibration notes.

gzip is written with ``mtime=0`` and the RNG is ``random.Random(20260101)``, so two runs give identical bytes.
The "what drives the change" step (``scripts/openalex_sample_drivers.py``, its own ``random.Random(20260120)``)
runs on the full records after they are drawn: it adds ``primary_topic`` to every work and re-maps the author
ids of CN-US works (team ties, moves, returnees) without changing any work, authorship, institution, country or
count. Institutions carry a synthetic ROR id derived from their id (``synthetic_ror``: ROR's shape with a
deliberately wrong check number, so it is never a real ROR).

Calibration. The numbers are chosen to look like published trends in rough shape; they are not fitted to data.

* Size: about 1,100 works in 2015, rising to about 1,500 in 2024. About 85 % are ``article`` (0.5 % of all
  works are retracted articles), 1.5 % ``paratext`` (``is_paratext: true``, no authors), and the rest are
  review, preprint, letter, editorial and erratum.
* Countries (ISO-2 as OpenAlex codes them; HK, MO and TW are separate from CN): domestic article quotas for
  2015 with yearly growth rates (``COUNTRIES``). The US is largest and roughly flat (-0.5 %/yr domestic, about
  +1 %/yr overall). CN is second and grows 11 %/yr domestic, about 9 %/yr overall, so it passes the US in
  2019.
* International articles (2 or more countries over ``authorships[].countries``): about 22 % of articles.
  Other pairs (US-GB, US-DE, CN-HK, CN-GB, CN-AU, US-CA, ...) get fixed yearly quotas that grow 3-9 %/yr
  (``PAIRS``). Every fourth one gains one or two extra countries, chosen deterministically so that the
  pair series rise smoothly. CN-US articles have an explicit quota
  (``CN_US_ARTICLES``): up about 9 %/yr from 2015 to 2018, flat from 2018 to 2020, then down so that 2024 is
  18 % below 2020. This is the "collaboration down about 15 % since 2020" story (Nature Index, NISTEP,
  Scopus reports; see docs/methods.md#published-figures). Outside that quota only a few CN-US reviews, one
  preprint and one retracted article per year contain both CN and US.
* Nature Index: about 20 % of articles appear in a journal from the CSV. For CN-US articles exactly
  ``round(0.22 * quota)`` do, all in a journal of the 2018 82-journal list, so the NI CN-US series has the
  same shape as the full series.
* Authors per work: mostly 1-12 (skewed), with a long tail up to 40 for 4 % of articles. Three
  consortium articles (2016: no CN; 2019 and 2022: CN-US; none with GB, DE, CA, AU or HK, so the headline pair
  series carry no one-year bumps) have 135-260 authors. In these, every country and
  institution already appears among the first 100 authors, so the work-level distinct counts match the
  truncated list as well as the full one.
* Edge cases, several of each per year: an author with institutions in two countries (including CN+US
  dual affiliations, and CN-US works linked *only* by one dual-affiliated author, whose yearly quota falls
  after 2019); an author with two institutions in one country; an author with no matched institution but a
  country parsed from the raw affiliation string; an institution with ``country_code: null`` (left out of
  the author's ``countries``); an unlocated author (no institutions, no countries); works where no author is
  located; CN-HK and TW co-authorship; single-author works; no, one or two corresponding authors.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the drivers step lives next to this script
from openalex_sample_drivers import add_drivers, synthetic_ror

SEED = 20260101
YEARS = range(2015, 2025)
MAX_LISTED_AUTHORS = 100
OPENALEX_FIELDS = "https://openalex.org/fields/"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO_ROOT / "pipeline" / "sample_data" / "openalex"
DEFAULT_JOURNALS_CSV = REPO_ROOT / "pipeline" / "reference" / "nature_index_journals.csv"

# code -> (name used in raw affiliation strings, domestic articles in 2015, yearly growth of that quota).
# The insertion order fixes the two-digit country index used inside author and institution ids.
COUNTRIES: dict[str, tuple[str, float, float]] = {
    "CN": ("China", 150, 1.110),
    "US": ("USA", 180, 0.995),
    "GB": ("UK", 43, 1.010),
    "DE": ("Germany", 43, 1.005),
    "JP": ("Japan", 45, 0.985),
    "FR": ("France", 30, 0.995),
    "IN": ("India", 30, 1.060),
    "KR": ("South Korea", 25, 1.020),
    "CA": ("Canada", 20, 1.015),
    "AU": ("Australia", 18, 1.020),
    "IT": ("Italy", 25, 1.010),
    "ES": ("Spain", 21, 1.010),
    "NL": ("Netherlands", 10, 1.010),
    "CH": ("Switzerland", 8, 1.010),
    "SG": ("Singapore", 5, 1.030),
    "HK": ("Hong Kong", 5, 1.020),
    "TW": ("Taiwan", 12, 1.000),
    "BR": ("Brazil", 21, 1.010),
    "RU": ("Russia", 21, 1.000),
    "SE": ("Sweden", 8, 1.010),
    "MO": ("Macao", 1, 1.030),
}
COUNTRY_INDEX = {code: i + 1 for i, code in enumerate(COUNTRIES)}
COUNTRIES_BY_SIZE = sorted(COUNTRIES, key=lambda code: -COUNTRIES[code][1])
INSTITUTIONS_PER_COUNTRY = {"MO": 6, "HK": 15, "SG": 15}  # everyone else: 30
DEFAULT_INSTITUTIONS_PER_COUNTRY = 30
NULL_COUNTRY_INSTITUTIONS = 8

# International pairs other than CN-US: (pair, articles in 2015, yearly growth).
PAIRS: list[tuple[tuple[str, str], float, float]] = [
    (("US", "GB"), 10.5, 1.06),
    (("US", "DE"), 7.7, 1.06),
    (("US", "CA"), 7.0, 1.05),
    (("CN", "HK"), 6.3, 1.09),
    (("CN", "GB"), 4.2, 1.09),
    (("CN", "AU"), 3.5, 1.09),
    (("CN", "DE"), 2.8, 1.07),
    (("CN", "JP"), 2.8, 1.05),
    (("CN", "CA"), 2.1, 1.07),
    (("CN", "SG"), 2.1, 1.09),
    (("CN", "KR"), 1.4, 1.06),
    (("CN", "TW"), 1.4, 1.04),
    (("CN", "MO"), 0.7, 1.07),
    (("US", "FR"), 4.2, 1.05),
    (("US", "JP"), 3.5, 1.04),
    (("US", "IT"), 2.8, 1.05),
    (("US", "KR"), 2.8, 1.05),
    (("US", "AU"), 2.8, 1.06),
    (("US", "CH"), 2.8, 1.05),
    (("US", "IN"), 2.1, 1.08),
    (("US", "NL"), 2.1, 1.05),
    (("US", "ES"), 2.1, 1.05),
    (("US", "BR"), 2.1, 1.05),
    (("US", "SE"), 1.4, 1.05),
    (("US", "TW"), 2.1, 1.03),
    (("US", "HK"), 1.4, 1.04),
    (("US", "SG"), 1.4, 1.05),
    (("GB", "DE"), 4.2, 1.06),
    (("GB", "FR"), 2.8, 1.06),
    (("GB", "AU"), 2.8, 1.06),
    (("GB", "NL"), 2.1, 1.06),
    (("GB", "IT"), 2.1, 1.06),
    (("GB", "ES"), 2.1, 1.06),
    (("GB", "IN"), 1.4, 1.07),
    (("GB", "HK"), 1.4, 1.05),
    (("GB", "CA"), 2.1, 1.06),
    (("GB", "SE"), 1.4, 1.06),
    (("DE", "FR"), 3.5, 1.05),
    (("DE", "CH"), 2.8, 1.05),
    (("DE", "NL"), 2.1, 1.05),
    (("DE", "IT"), 2.1, 1.05),
    (("DE", "RU"), 1.4, 1.03),
    (("DE", "SE"), 1.4, 1.05),
    (("DE", "JP"), 1.4, 1.04),
    (("FR", "IT"), 2.1, 1.05),
    (("FR", "ES"), 1.4, 1.05),
    (("FR", "CH"), 1.4, 1.05),
    (("FR", "CA"), 1.4, 1.05),
    (("IT", "ES"), 2.1, 1.05),
    (("JP", "KR"), 1.4, 1.04),
    (("TW", "JP"), 1.4, 1.04),
    (("IN", "KR"), 1.4, 1.07),
    (("SG", "AU"), 1.4, 1.06),
    (("BR", "ES"), 1.4, 1.05),
    (("HK", "AU"), 0.7, 1.05),
]
# Every EXTRA_EVERY-th international article of a core pair gets one (every third time: two) more countries,
# picked deterministically among the EXTRA_CANDIDATES largest eligible countries, so pair series stay smooth.
EXTRA_EVERY = 4
EXTRA_CANDIDATES = 8

# CN-US articles (type=article, not retracted), the explicit quota behind the collaboration story.
CN_US_ARTICLES = {
    2015: 60,
    2016: 65,
    2017: 71,
    2018: 78,
    2019: 79,
    2020: 78,
    2021: 74,
    2022: 70,
    2023: 67,
    2024: 64,
}
# Of those, CN-US articles whose only US link is one CN author with a second, US institution.
CN_US_DUAL_ONLY = {2015: 5, 2016: 5, 2017: 5, 2018: 5, 2019: 5, 2020: 4, 2021: 4, 2022: 3, 2023: 3, 2024: 3}
CN_US_NI_SHARE = 0.22
CN_US_REVIEW_SHARE = 0.05
UNLOCATED_ARTICLES_PER_YEAR = 3


@dataclasses.dataclass(frozen=True)
class BigWork:
    """A consortium article with more than 100 authors."""

    year: int
    n_authors: int
    countries: tuple[str, ...]


BIG_WORKS = (
    BigWork(2016, 180, ("US", "FR", "CH", "IT", "JP", "ES", "NL", "SE", "BR")),
    BigWork(2019, 260, ("CN", "US", "JP", "KR", "FR", "IT", "TW", "CH", "RU")),
    BigWork(2022, 135, ("CN", "US", "JP", "IT", "RU", "KR")),
)

# Share of all works by type; the rest are non-retracted articles.
TYPE_SHARES = {
    "review": 0.06,
    "preprint": 0.03,
    "letter": 0.02,
    "editorial": 0.015,
    "erratum": 0.01,
    "paratext": 0.015,
}
RETRACTED_SHARE = 0.005
NI_SHARE_BY_TYPE = {
    "article": 0.20,
    "review": 0.10,
    "letter": 0.15,
    "editorial": 0.15,
    "erratum": 0.15,
    "paratext": 0.30,
}
NULL_SOURCE_SHARE = 0.02
DOI_SHARE = {"paratext": 0.6, "preprint": 0.5}  # every other type: 0.92
PARATEXT_TITLES = (
    "Cover",
    "Table of Contents",
    "Masthead",
    "Editorial Board",
    "Issue Information",
    "Front Matter",
)
NON_NI_JOURNALS = 150

# Per-author edge-case rates. "Free" authors are the ones a work does not need for its designed country set.
P_UNLOCATED = 0.03  # free authors only: no institutions, no countries
P_NULL_ONLY = 0.015  # free authors only: a single institution with country_code null
P_PARSED = 0.04  # no matched institution, country parsed from the raw affiliation string
P_SECOND_COUNTRY = 0.05  # second institution in another country of the work (international works)
P_SECOND_SAME = 0.05  # second institution in the same country
P_NULL_EXTRA = 0.02  # extra institution with country_code null
ARTICLE_AUTHOR_WEIGHTS = (5, 9, 11, 12, 11, 10, 9, 8, 7, 6, 5, 4)  # 1..12 authors
LONG_BYLINE_SHARE = 0.04  # articles with 13..40 authors
INSTITUTION_KINDS = (  # by institution number mod 10: (OpenAlex type, name prefix)
    ("education", "University"),
    ("education", "University"),
    ("education", "University"),
    ("education", "University"),
    ("education", "University"),
    ("facility", "Institute"),
    ("facility", "Institute"),
    ("healthcare", "Hospital"),
    ("government", "Agency"),
    ("company", "Company"),
)


@dataclasses.dataclass(frozen=True)
class Institution:
    """A synthetic OpenAlex institution (``country_code`` None for the unlocated pool)."""

    id: str
    display_name: str
    country_code: str | None
    type: str
    lineage: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The dehydrated institution as it appears in ``authorships[].institutions``."""
        return {
            "id": self.id,
            "display_name": self.display_name,
            "ror": synthetic_ror(self.id),
            "country_code": self.country_code,
            "type": self.type,
            "lineage": list(self.lineage),
        }


@dataclasses.dataclass(frozen=True)
class Author:
    """A synthetic author with a fixed home institution (None for the unaffiliated pool)."""

    id: str
    display_name: str
    home: Institution | None


@dataclasses.dataclass(frozen=True)
class Source:
    """A journal or repository that can be a work's ``primary_location.source``."""

    id: str
    display_name: str
    issn: tuple[str, ...]
    type: str

    def to_json(self) -> dict[str, object]:
        """The dehydrated source object (``issn_l``/``issn`` null when the source has no ISSN)."""
        return {
            "id": self.id,
            "display_name": self.display_name,
            "issn_l": self.issn[0] if self.issn else None,
            "issn": list(self.issn) or None,
            "is_oa": False,
            "is_in_doaj": False,
            "is_core": self.type == "journal",
            "type": self.type,
        }


@dataclasses.dataclass(frozen=True)
class WorkSpec:
    """What one work must look like before its random details are drawn."""

    work_type: str
    countries: tuple[str, ...]  # designed country set over authorships[].countries
    layout: str = "normal"  # normal | dual_only | big | unlocated | no_authors
    nature_index: bool | None = None  # None: drawn with NI_SHARE_BY_TYPE
    is_retracted: bool = False
    n_authors: int | None = None


@dataclasses.dataclass(frozen=True)
class World:
    """The fixed pools every work draws from."""

    institutions: dict[str, list[Institution]]
    null_institutions: list[Institution]
    authors: dict[str, list[Author]]
    unaffiliated_authors: list[Author]
    ni_journals: list[Source]
    ni_journals_2018: list[Source]
    other_journals: list[Source]
    repository: Source


# ---------------------------------------------------------------------------------------------- world


def issn_check_char(first7: str) -> str:
    """Return the ISSN check character for the first seven digits."""
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def invalid_issn(serial: int) -> str:
    """Return ``9999-NNNC`` with a wrong check character, so it can never match a real ISSN."""
    first7 = f"9999{serial:03d}"
    valid = issn_check_char(first7)
    wrong = (10 if valid == "X" else int(valid)) + 1
    return f"{first7[:4]}-{first7[4:]}{'X' if wrong == 10 else wrong % 11}"


def read_nature_index_journals(path: Path) -> list[dict[str, str]]:
    """Read the curated Nature Index journal CSV."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build_world(rng: random.Random, journal_rows: Sequence[dict[str, str]]) -> World:
    """Create the fixed institution, author and source pools."""
    institutions: dict[str, list[Institution]] = {}
    for code, ci in COUNTRY_INDEX.items():
        pool: list[Institution] = []
        for n in range(1, INSTITUTIONS_PER_COUNTRY.get(code, DEFAULT_INSTITUTIONS_PER_COUNTRY) + 1):
            kind, prefix = INSTITUTION_KINDS[n % 10]
            inst_id = f"https://openalex.org/I9{ci:02d}{n:07d}"
            # Research institutes hang under the country's first university, like a real lineage.
            lineage = (inst_id, pool[0].id) if kind == "facility" and pool else (inst_id,)
            pool.append(Institution(inst_id, f"{prefix} {n} ({code})", code, kind, lineage))
        institutions[code] = pool
    null_institutions = [
        Institution(
            f"https://openalex.org/I999{n:07d}",
            f"Field Station {n}",
            None,
            ("nonprofit", "other")[n % 2],
            (f"https://openalex.org/I999{n:07d}",),
        )
        for n in range(1, NULL_COUNTRY_INSTITUTIONS + 1)
    ]
    authors: dict[str, list[Author]] = {}
    for code, ci in COUNTRY_INDEX.items():
        insts = institutions[code]
        size = 30 + 4 * int(COUNTRIES[code][1])
        # Skewed home institutions: low-numbered institutions are larger.
        authors[code] = [
            Author(
                f"https://openalex.org/A9{ci:02d}{n:07d}",
                f"Author {code}{n}",
                insts[int(len(insts) * rng.random() ** 1.6)],
            )
            for n in range(1, size + 1)
        ]
    unaffiliated = [Author(f"https://openalex.org/A999{n:07d}", f"Author X{n}", None) for n in range(1, 201)]

    ni_journals: list[Source] = []
    ni_journals_2018: list[Source] = []
    for i, row in enumerate(journal_rows, start=1):
        issn = tuple(v for v in (row["issn_print"], row["issn_electronic"]) if v)
        source = Source(f"https://openalex.org/S91{i:08d}", row["journal"], issn, "journal")
        ni_journals.append(source)
        if row["included_from"] == "2018":
            ni_journals_2018.append(source)
    other_journals = []
    for k in range(NON_NI_JOURNALS):
        issn = (invalid_issn(2 * k), invalid_issn(2 * k + 1)) if k % 5 else (invalid_issn(2 * k + 1),)
        other_journals.append(
            Source(f"https://openalex.org/S92{k + 1:08d}", f"Synthetic Journal {k + 1:03d}", issn, "journal")
        )
    repository = Source("https://openalex.org/S9300000001", "Synthetic Preprint Server", (), "repository")
    return World(
        institutions,
        null_institutions,
        authors,
        unaffiliated,
        ni_journals,
        ni_journals_2018,
        other_journals,
        repository,
    )


# ---------------------------------------------------------------------------------------------- quotas


def domestic_quotas(year: int) -> dict[str, float]:
    """Domestic article quota per country for ``year`` (unrounded), also used as sampling weights."""
    t = year - YEARS[0]
    return {code: base * growth**t for code, (_, base, growth) in COUNTRIES.items()}


def pair_quotas(year: int) -> list[tuple[tuple[str, str], int]]:
    """Number of non-CN-US international articles per core pair in ``year``."""
    t = year - YEARS[0]
    return [(pair, round(base * growth**t)) for pair, base, growth in PAIRS]


def extra_countries(core: tuple[str, ...], j: int, offset: int) -> tuple[str, ...]:
    """Country set of the ``j``-th work of a core pair: the core, plus extras for every EXTRA_EVERY-th work.

    CN and US are never put together unless the core already has both.
    """
    if j % EXTRA_EVERY != EXTRA_EVERY - 1:
        return core
    k = j // EXTRA_EVERY
    countries = list(core)
    for step in range(2 if k % 3 == 2 else 1):
        blocked = set(countries)
        if "CN" in blocked and "US" not in blocked:
            blocked.add("US")
        elif "US" in blocked and "CN" not in blocked:
            blocked.add("CN")
        candidates = [c for c in COUNTRIES_BY_SIZE if c not in blocked][:EXTRA_CANDIDATES]
        countries.append(candidates[(offset + k + step) % len(candidates)])
    return tuple(countries)


def random_countries(rng: random.Random, year: int, p_international: float) -> tuple[str, ...]:
    """Country set for a non-article work: domestic, or an international pair that is not CN-US."""
    weights = domestic_quotas(year)
    if rng.random() < p_international:
        pairs = pair_quotas(year)
        core = rng.choices([p for p, _ in pairs], weights=[max(q, 1) for _, q in pairs])[0]
        return extra_countries(core, rng.randrange(6 * EXTRA_EVERY), rng.randrange(EXTRA_CANDIDATES))
    codes = list(weights)
    return (rng.choices(codes, weights=[weights[c] for c in codes])[0],)


def year_specs(rng: random.Random, year: int) -> list[WorkSpec]:
    """All work specifications for one publication year, in random order."""
    weights = domestic_quotas(year)
    articles: list[WorkSpec] = []
    # CN-US: consortium works first (they use up quota), then dual-only, then ordinary CN-US articles.
    cn_us: list[WorkSpec] = [
        WorkSpec("article", big.countries, layout="big", n_authors=big.n_authors)
        for big in BIG_WORKS
        if big.year == year and {"CN", "US"} <= set(big.countries)
    ]
    cn_us += [WorkSpec("article", ("CN", "US"), layout="dual_only") for _ in range(CN_US_DUAL_ONLY[year])]
    cn_us += [
        WorkSpec("article", extra_countries(("CN", "US"), j, len(PAIRS)))
        for j in range(CN_US_ARTICLES[year] - len(cn_us))
    ]
    rng.shuffle(cn_us)
    n_ni = round(CN_US_NI_SHARE * len(cn_us))
    articles += [dataclasses.replace(s, nature_index=i < n_ni) for i, s in enumerate(cn_us)]

    articles += [
        WorkSpec("article", big.countries, layout="big", n_authors=big.n_authors)
        for big in BIG_WORKS
        if big.year == year and not {"CN", "US"} <= set(big.countries)
    ]
    for pair_no, (pair, quota) in enumerate(pair_quotas(year)):
        articles += [WorkSpec("article", extra_countries(pair, j, pair_no)) for j in range(quota)]
    for code, quota in weights.items():
        articles += [WorkSpec("article", (code,)) for _ in range(round(quota))]
    articles += [WorkSpec("article", (), layout="unlocated") for _ in range(UNLOCATED_ARTICLES_PER_YEAR)]

    n_works = round(len(articles) / (1 - sum(TYPE_SHARES.values()) - RETRACTED_SHARE))
    p_international = sum(len(s.countries) >= 2 for s in articles) / len(articles)
    others: list[WorkSpec] = [WorkSpec("review", ("CN", "US")) for _ in range(round(CN_US_REVIEW_SHARE * len(cn_us)))]
    others += [WorkSpec("preprint", ("CN", "US")), WorkSpec("article", ("CN", "US"), is_retracted=True)]
    others += [WorkSpec("letter", (), layout="unlocated")]
    quotas = {kind: round(share * n_works) for kind, share in TYPE_SHARES.items()}
    quotas["retracted"] = max(1, round(RETRACTED_SHARE * n_works))
    already = Counter("retracted" if s.is_retracted else s.work_type for s in others)
    for kind, quota in quotas.items():
        for _ in range(quota - already[kind]):
            if kind == "paratext":
                others.append(WorkSpec("paratext", (), layout="no_authors"))
            elif kind == "retracted":
                others.append(WorkSpec("article", random_countries(rng, year, p_international), is_retracted=True))
            else:
                others.append(WorkSpec(kind, random_countries(rng, year, p_international)))
    specs = articles + others
    rng.shuffle(specs)
    return specs


# ---------------------------------------------------------------------------------------------- works


def sample_n_authors(rng: random.Random, work_type: str) -> int:
    """Byline length for an ordinary work of ``work_type``."""
    if work_type == "review":
        return rng.randint(1, 8)
    if work_type == "editorial":
        return rng.choice((1, 1, 1, 2, 2, 3))
    if work_type == "letter":
        return rng.randint(1, 4)
    if work_type == "erratum":
        return rng.randint(1, 6)
    if rng.random() < LONG_BYLINE_SHARE:
        return rng.randint(13, 40)
    return rng.choices(range(1, 13), weights=ARTICLE_AUTHOR_WEIGHTS)[0]


def draw_author(rng: random.Random, pool: Sequence[Author], used: set[str]) -> Author:
    """Draw an author from ``pool`` who is not yet on this byline."""
    while True:
        author = rng.choice(pool)
        if author.id not in used:
            used.add(author.id)
            return author


def other_institution(rng: random.Random, world: World, code: str, exclude: Institution | None) -> Institution:
    """A random institution of country ``code`` other than ``exclude``."""
    while True:
        inst = rng.choice(world.institutions[code])
        if inst != exclude:
            return inst


def located_authorship(
    rng: random.Random,
    world: World,
    author: Author,
    home: str,
    work_countries: tuple[str, ...],
    free: bool,
    allow_second_country: bool,
) -> tuple[list[Institution], list[str]]:
    """Institutions and countries of one author whose home country is ``home``.

    A ``free`` author is not needed to cover the work's country set, so it may lose its location.
    """
    assert author.home is not None
    if free:
        r = rng.random()
        if r < P_UNLOCATED:
            return [], []
        if r < P_UNLOCATED + P_NULL_ONLY:
            return [rng.choice(world.null_institutions)], []
    if rng.random() < P_PARSED:
        return [], [home]
    insts = [author.home]
    others = [c for c in work_countries if c != home]
    if allow_second_country and others and rng.random() < P_SECOND_COUNTRY:
        insts.append(rng.choice(world.institutions[rng.choice(others)]))
    if rng.random() < P_SECOND_SAME:
        insts.append(other_institution(rng, world, home, author.home))
    if rng.random() < P_NULL_EXTRA:
        insts.append(rng.choice(world.null_institutions))
    return insts, sorted({i.country_code for i in insts if i.country_code})


def raw_affiliation(insts: Sequence[Institution], countries: Sequence[str], rng: random.Random) -> list[str]:
    """At most one short raw affiliation string, consistent with the matched institutions."""
    if insts:
        parts = [
            f"{i.display_name.split(' (')[0]}, {COUNTRIES[i.country_code][0]}" if i.country_code else i.display_name
            for i in insts
        ]
        return ["; ".join(parts)]
    if countries:
        return [f"Unmatched Lab {rng.randint(1, 99)}, {COUNTRIES[countries[0]][0]}"]
    return [] if rng.random() < 0.5 else ["Independent researcher"]


def byline(rng: random.Random, world: World, spec: WorkSpec) -> list[tuple[Author, list[Institution], list[str]]]:
    """Authors with their institutions and countries, in byline order."""
    used: set[str] = set()
    if spec.layout == "no_authors":
        return []
    if spec.layout == "unlocated":
        people = []
        for _ in range(sample_n_authors(rng, spec.work_type)):
            people.append((draw_author(rng, world.unaffiliated_authors, used), [], []))
        return people
    if spec.layout == "big":
        return consortium_byline(rng, world, spec)
    if spec.layout == "dual_only":
        n = sample_n_authors(rng, spec.work_type)
        dual_at = rng.randrange(n)
        people = []
        for i in range(n):
            author = draw_author(rng, world.authors["CN"], used)
            if i == dual_at:
                assert author.home is not None
                insts = [author.home, rng.choice(world.institutions["US"])]
                people.append((author, insts, ["CN", "US"]))
            else:
                people.append((author, *located_authorship(rng, world, author, "CN", ("CN",), True, False)))
        return people
    countries = spec.countries
    weights = domestic_quotas(YEARS[0])  # relative country sizes pick the extra authors' home countries
    n = sample_n_authors(rng, spec.work_type)
    if len(countries) >= 2:
        n += rng.randint(0, 3)
    n = max(n, len(countries))
    homes = list(countries) + rng.choices(countries, weights=[weights[c] for c in countries], k=n - len(countries))
    rng.shuffle(homes)
    people = []
    covered: set[str] = set()
    for home in homes:
        author = draw_author(rng, world.authors[home], used)
        free = home in covered
        covered.add(home)
        people.append((author, *located_authorship(rng, world, author, home, countries, free, True)))
    return people


def consortium_byline(
    rng: random.Random,
    world: World,
    spec: WorkSpec,
) -> list[tuple[Author, list[Institution], list[str]]]:
    """A >100-author byline whose countries and institutions all occur among the first 100 authors."""
    assert spec.n_authors is not None
    used: set[str] = set()
    homes = list(spec.countries) + rng.choices(spec.countries, k=MAX_LISTED_AUTHORS - len(spec.countries))
    rng.shuffle(homes)
    first = [draw_author(rng, world.authors[home], used) for home in homes]
    listed_insts = {a.home.id for a in first if a.home}
    candidates = [
        a
        for code in spec.countries
        for a in world.authors[code]
        if a.home and a.home.id in listed_insts and a.id not in used
    ]
    rest = rng.sample(candidates, spec.n_authors - MAX_LISTED_AUTHORS)
    people = []
    for author in first + rest:
        assert author.home is not None and author.home.country_code is not None
        people.append((author, [author.home], [author.home.country_code]))
    return people


def corresponding_flags(rng: random.Random, n: int, layout: str) -> list[bool]:
    """OpenAlex is_corresponding: none, one (first or last) or two corresponding authors."""
    if n == 0:
        return []
    if layout == "big" or n == 1:
        return [layout == "big" or rng.random() < 0.85] + [False] * (n - 1)
    flags = [False] * n
    r = rng.random()
    if r >= 0.15:
        flags[-1 if r < 0.65 else 0] = True
    if 0.15 <= r < 0.30:
        flags[0] = flags[-1] = True
    return flags


def authorship_json(
    position: str,
    author: Author,
    insts: Sequence[Institution],
    countries: Sequence[str],
    corresponding: bool,
    raw: list[str],
) -> dict[str, object]:
    """One OpenAlex authorship object."""
    return {
        "author_position": position,
        "author": {"id": author.id, "display_name": author.display_name, "orcid": None},
        "institutions": [i.to_json() for i in insts],
        "countries": list(countries),
        "is_corresponding": corresponding,
        "raw_author_name": author.display_name,
        "raw_affiliation_strings": raw,
        "affiliations": [{"raw_affiliation_string": s, "institution_ids": [i.id for i in insts]} for s in raw],
    }


def pick_source(rng: random.Random, world: World, spec: WorkSpec) -> Source | None:
    """The primary location's source: a Nature Index journal, another journal, a repository or none."""
    if spec.work_type == "preprint":
        return world.repository if rng.random() < 0.85 else None
    if spec.nature_index is True:
        return rng.choice(world.ni_journals_2018)
    if spec.work_type != "paratext" and rng.random() < NULL_SOURCE_SHARE:
        return None
    if spec.nature_index is None and rng.random() < NI_SHARE_BY_TYPE[spec.work_type]:
        return rng.choice(world.ni_journals)
    return rng.choice(world.other_journals)


def title(spec: WorkSpec, work_no: int, rng: random.Random) -> str:
    """A short synthetic display_name."""
    if spec.work_type == "paratext":
        return rng.choice(PARATEXT_TITLES)
    if spec.layout == "big":
        return f"Synthetic consortium study {work_no}"
    return {
        "article": "Synthetic study",
        "review": "Synthetic review",
        "preprint": "Synthetic preprint",
        "letter": "Synthetic letter",
        "editorial": "Editorial",
        "erratum": "Correction: synthetic study",
    }[spec.work_type] + f" {work_no}"


def make_work(rng: random.Random, world: World, spec: WorkSpec, year: int, work_no: int) -> dict[str, object]:
    """The full (untruncated) OpenAlex work record for ``spec``."""
    doi_suffix = f"10.5555/sample.{work_no}"
    has_doi = rng.random() < DOI_SHARE.get(spec.work_type, 0.92)
    source = pick_source(rng, world, spec)
    is_oa = rng.random() < (0.9 if spec.work_type == "preprint" else 0.4)
    landing = f"https://doi.org/{doi_suffix}" if has_doi else f"https://sample.invalid/works/{work_no}"
    primary_location = {
        "id": f"doi:{doi_suffix}" if has_doi else f"pmh:oai:sample.invalid:{work_no}",
        "is_oa": is_oa,
        "landing_page_url": landing,
        "pdf_url": None,
        "source": source.to_json() if source else None,
        "license": "cc-by" if is_oa else None,
        "version": "submittedVersion" if spec.work_type == "preprint" else "publishedVersion",
    }
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    people = byline(rng, world, spec)
    flags = corresponding_flags(rng, len(people), spec.layout)
    authorships = []
    for i, ((author, insts, countries), corresponding) in enumerate(zip(people, flags, strict=True)):
        position = "first" if i == 0 else "last" if i == len(people) - 1 else "middle"
        raw = raw_affiliation(insts, countries, rng)
        authorships.append(authorship_json(position, author, insts, countries, corresponding, raw))
    return {
        "id": f"https://openalex.org/W{9_000_000_000 + work_no}",
        "doi": f"https://doi.org/{doi_suffix}" if has_doi else None,
        "display_name": title(spec, work_no, rng),
        "publication_year": year,
        "publication_date": date.isoformat(),
        "primary_location": primary_location,
        "type": spec.work_type,
        "authorships": authorships,
        "countries_distinct_count": len({c for a in people for c in a[2]}),
        "institutions_distinct_count": len({i.id for a in people for i in a[1]}),
        "is_retracted": spec.is_retracted,
        "is_paratext": spec.work_type == "paratext",
        "is_authors_truncated": False,
    }


def listed(work: dict[str, object]) -> dict[str, object]:
    """The work as a list response shows it: at most 100 authorships, flagged when cut."""
    authorships = work["authorships"]
    assert isinstance(authorships, list)
    if len(authorships) <= MAX_LISTED_AUTHORS:
        return work
    return {**work, "authorships": authorships[:MAX_LISTED_AUTHORS], "is_authors_truncated": True}


def generate(journal_rows: Sequence[dict[str, str]]) -> tuple[dict[int, list[dict]], list[dict]]:
    """Yearly listed works and the full records of the truncated ones."""
    rng = random.Random(SEED)
    world = build_world(rng, journal_rows)
    full: dict[int, list[dict]] = {}
    work_no = 0
    for year in YEARS:
        full[year] = []
        for spec in year_specs(rng, year):
            work_no += 1
            full[year].append(make_work(rng, world, spec, year, work_no))
    # Fields and author ids for the driver marts: a seeded step of its own that changes no count.
    add_drivers(full)
    by_year: dict[int, list[dict]] = {}
    singletons: list[dict] = []
    for year, works in full.items():
        by_year[year] = [listed(work) for work in works]
        singletons += [work for work, shown in zip(works, by_year[year], strict=True) if shown is not work]
    return by_year, singletons


# ---------------------------------------------------------------------------------------------- files


def jsonl_gz(records: Iterable[dict]) -> bytes:
    """gzip'd JSON lines with a fixed header (mtime=0), so the bytes are reproducible."""
    text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def read_jsonl_gz(path: Path) -> list[dict]:
    """Read a gzip'd JSON-lines file."""
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


CALIBRATION_NOTES = [
    "SYNTHETIC data: no record describes a real publication; ids use reserved ranges (W9000000001+, "
    "A9/I9/S9 with 10 digits) and DOIs the 10.5555 example prefix.",
    "Size: about 1,100 works (2015) to about 1,500 (2024); ~85% type=article (incl. ~0.5% retracted), "
    "~1.5% paratext without authors, rest review/preprint/letter/editorial/erratum.",
    "Countries: domestic article quotas per country with yearly growth; US largest and roughly flat "
    "(about +1%/yr overall), CN +11%/yr domestic (about +9%/yr overall) so that CN passes US in 2019; "
    "HK, MO, TW coded separately from CN.",
    "International (>=2 countries over authorships[].countries): 21-25% of articles; non-CN-US pairs "
    "have quotas growing 3-9%/yr, every fourth work with one or two (deterministic) extra countries.",
    "CN-US articles (type=article, not retracted): explicit quota 60,65,71,78,79,78,74,70,67,64 for "
    "2015-2024 (+9%/yr to 2018, flat to 2020, 2024 18% below 2020); outside it only a few CN-US reviews, "
    "one preprint and one retracted article per year hold both CN and US.",
    "Nature Index: ~20% of articles in journals from pipeline/reference/nature_index_journals.csv; "
    "exactly round(0.22 x quota) CN-US articles per year, all in the 2018 82-journal list.",
    "Truncation: 3 consortium articles (2016, 2019 CN-US, 2022 CN-US) with 135-260 authors are cut to "
    "100 authorships (is_authors_truncated=true) in works_<YEAR>; singletons.jsonl.gz holds the full "
    "records. All their countries and institutions occur in the first 100 authors, so the distinct "
    "counts match both.",
    "Edge cases each year: dual-country authors (incl. CN+US, and CN-US works linked only by one dual-"
    "affiliated author), two institutions in one country, country parsed without institution, "
    "institution with country_code null, unlocated authors, works without any located author, single-"
    "author works, 0/1/2 corresponding authors.",
    "Consistency: authorships[].countries = sorted distinct non-null institution country codes, or the "
    "parsed country when institutions is empty; countries_distinct_count and "
    "institutions_distinct_count are the distinct counts over authorships.",
    "Drivers (scripts/openalex_sample_drivers.py, seed 20260120, applied after the works are drawn; changes no "
    "work, authorship, institution, country or count): primary_topic on every work (null for paratext and ~1% "
    "of other non-CN-US works) with OpenAlex's real field/domain ids and names and ASJC subfields, synthetic "
    "topics T9+9 digits. CN-US works get fields by yearly shares: Energy (fields/21) + Earth and Planetary "
    "Sciences (fields/19) about 19-20% to 2018, then falling to 7.5% in 2024; Physics and Astronomy "
    "(fields/31) and Medicine (fields/27, clinical subfields) hold at 11-15%.",
    "Drivers, ties: the CN- and US-located authorships (CN authors with a second US institution count as CN) of "
    "CN-US works with <= 50 authors carry collaborator ids A98+8 digits ('Author CN-n' / 'Author US-n'); a work "
    "starts a new team or (probability 0 in 2015, 0.25 in 2016 rising to 0.80 in 2024; +0.2 for bylines over "
    "12) continues an active team of an earlier year, reusing its core members, so new CN-US author pairs fall "
    "after 2018 while repeat pairs rise. Consortium works, other countries' authors and works without CN-US "
    "ties keep their ids.",
    "Drivers, moves: on a continuing work, a CN member who published in CN the year before may take a US slot "
    "(probability 0.55 per work to 2018, 0.40 in 2019, 0.15-0.18 after), stays 1-3 years and returns to CN in "
    "65% of cases (returnees); US members move to CN with probability 0.06. Print the achieved calibration: "
    "python scripts/openalex_sample_drivers.py.",
    "Institutions: ror is a synthetic ROR-shaped id derived from the institution id (https://ror.org/0 + 6 "
    "base-32 characters + 2 digits, with a deliberately wrong ROR check number, so it never names a real "
    "organisation).",
]


def write_outputs(out_dir: Path, journals_csv: Path) -> dict[str, object]:
    """Generate, write every file and return the manifest."""
    rows = read_nature_index_journals(journals_csv)
    by_year, singletons = generate(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, object]] = {}
    for name, records in [
        *((f"works_{y}.jsonl.gz", w) for y, w in by_year.items()),
        ("singletons.jsonl.gz", singletons),
    ]:
        data = jsonl_gz(records)
        (out_dir / name).write_bytes(data)
        files[name] = {"records": len(records), "bytes": len(data), "sha256": sha256(data)}
    manifest: dict[str, object] = {
        "generator": "scripts/generate_openalex_sample.py",
        "seed": SEED,
        "synthetic": True,
        "description": ("Synthetic OpenAlex works sample (list-response shape, select= of the root fields below)."),
        "root_fields": [
            "id",
            "doi",
            "display_name",
            "publication_year",
            "publication_date",
            "primary_location",
            "primary_topic",
            "type",
            "authorships",
            "countries_distinct_count",
            "institutions_distinct_count",
            "is_retracted",
            "is_paratext",
            "is_authors_truncated",
        ],
        "nature_index_journals_csv": {
            "path": str(
                journals_csv.relative_to(REPO_ROOT) if journals_csv.is_relative_to(REPO_ROOT) else journals_csv
            ),
            "sha256": sha256(journals_csv.read_bytes()),
        },
        "counts_per_year": {
            str(y): {
                "works": len(w),
                "by_type": dict(sorted(Counter(x["type"] for x in w).items())),
                "truncated": sum(x["is_authors_truncated"] for x in w),
            }
            for y, w in by_year.items()
        },
        "cn_us_article_quota": {str(y): q for y, q in CN_US_ARTICLES.items()},
        "calibration": CALIBRATION_NOTES,
        "files": files,
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------------------------- checks


def work_countries(work: dict) -> set[str]:
    """K(p): the union of authorships[].countries."""
    return {c for a in work["authorships"] for c in a["countries"]}


ROR_PATTERN = re.compile(r"https://ror\.org/0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}")


def check_drivers(rec: dict) -> None:
    """Raise ValueError if the drivers step left a record without its fields or with a doubled author."""
    topic = rec.get("primary_topic", "missing")
    if topic == "missing" or (topic is not None and not str(topic["field"]["id"]).startswith(OPENALEX_FIELDS)):
        raise ValueError(f"primary_topic missing or malformed: {rec['id']}")
    ids = [a["author"]["id"] for a in rec["authorships"]]
    if len(ids) != len(set(ids)):
        raise ValueError(f"an author is listed twice: {rec['id']}")
    for a in rec["authorships"]:
        if a["raw_author_name"] != a["author"]["display_name"]:
            raise ValueError(f"raw_author_name differs from the author's name: {rec['id']}")
        if any(not ROR_PATTERN.fullmatch(i["ror"] or "") for i in a["institutions"]):
            raise ValueError(f"institution without a ROR-shaped id: {rec['id']}")


def validate(by_year: dict[int, list[dict]], singletons: list[dict]) -> None:
    """Raise ValueError if a record breaks the OpenAlex invariants this sample promises."""
    full = {w["id"]: w for w in singletons}
    seen: set[str] = set()
    for year, works in by_year.items():
        for w in works:
            if w["id"] in seen or w["publication_year"] != year:
                raise ValueError(f"duplicate id or wrong year: {w['id']}")
            seen.add(w["id"])
            records = [w, full[w["id"]]] if w["is_authors_truncated"] else [w]
            if w["is_authors_truncated"] and len(w["authorships"]) != MAX_LISTED_AUTHORS:
                raise ValueError(f"truncated work must list {MAX_LISTED_AUTHORS} authorships: {w['id']}")
            for rec in records:
                auths = rec["authorships"]
                check_drivers(rec)
                if rec["countries_distinct_count"] != len(work_countries(rec)):
                    raise ValueError(f"countries_distinct_count mismatch: {rec['id']}")
                if rec["institutions_distinct_count"] != len({i["id"] for a in auths for i in a["institutions"]}):
                    raise ValueError(f"institutions_distinct_count mismatch: {rec['id']}")
                for i, a in enumerate(auths):
                    codes = sorted({x["country_code"] for x in a["institutions"] if x["country_code"]})
                    if a["institutions"] and a["countries"] != codes:
                        raise ValueError(f"authorship countries inconsistent: {rec['id']}")
                    n = len(full[rec["id"]]["authorships"]) if rec["is_authors_truncated"] else len(auths)
                    expected = "first" if i == 0 else "last" if i == n - 1 else "middle"
                    if a["author_position"] != expected:
                        raise ValueError(f"author_position wrong: {rec['id']}")
    if set(full) - seen or any(
        w["is_authors_truncated"] or len(w["authorships"]) <= MAX_LISTED_AUTHORS for w in singletons
    ):
        raise ValueError("singletons must be the full records of truncated listed works")


def in_universe(work: dict) -> bool:
    """The project's default paper universe (docs/methods.md#the-paper-universe-and-the-nature-index-set)."""
    return work["type"] == "article" and not work["is_paratext"] and not work["is_retracted"]


def summary(by_year: dict[int, list[dict]], singletons: list[dict], ni_issns: set[str]) -> str:
    """Per-year tables: volumes, the CN-US series, other pairs and edge-case counts."""
    full = {w["id"]: w for w in singletons}
    pairs = [("US", "GB"), ("US", "DE"), ("US", "CA"), ("CN", "HK"), ("CN", "GB"), ("CN", "AU")]
    head = (
        f"{'year':>4} {'works':>5} {'art':>5} {'intl':>5} {'intl%':>6} {'CN':>4} {'US':>4} {'CN-US':>5} "
        f"{'NI':>4} {'NI CN-US':>8} | " + " ".join(f"{a}-{b}" for a, b in pairs)
    )
    edge_head = (
        f"{'year':>4} {'dual2c':>6} {'cnusDual':>8} {'same2i':>6} {'parsed':>6} {'nullInst':>8} "
        f"{'unloc':>5} {'noLocWork':>9} {'single':>6} {'HK+CN':>5} {'TW':>4} {'noCorr':>6} "
        f"{'2corr':>5} {'trunc':>5}"
    )
    lines, edge_lines = [head], [edge_head]
    for year, works in by_year.items():
        works = [full.get(w["id"], w) for w in works]
        universe = [w for w in works if in_universe(w)]
        ks = [work_countries(w) for w in universe]
        intl = sum(len(k) >= 2 for k in ks)
        ni = [w for w in universe if set((w["primary_location"]["source"] or {}).get("issn") or ()) & ni_issns]
        cn_us_ni = sum({"CN", "US"} <= work_countries(w) for w in ni)
        pair_counts = " ".join(f"{sum({a, b} <= k for k in ks):>5}" for a, b in pairs)
        lines.append(
            f"{year:>4} {len(works):>5} {sum(w['type'] == 'article' for w in works):>5} {intl:>5} "
            f"{intl / len(universe):>6.1%} {sum('CN' in k for k in ks):>4} {sum('US' in k for k in ks):>4} "
            f"{sum({'CN', 'US'} <= k for k in ks):>5} {len(ni):>4} {cn_us_ni:>8} | {pair_counts}"
        )
        auths = [a for w in works for a in w["authorships"]]
        edge: Counter[str] = Counter()
        for a in auths:
            insts = a["institutions"]
            located = {i["country_code"] for i in insts if i["country_code"]}
            edge["dual2c"] += len(located) >= 2
            edge["cnusDual"] += {"CN", "US"} <= located
            edge["same2i"] += len(insts) > len(located) >= 1 and all(i["country_code"] for i in insts)
            edge["parsed"] += not insts and bool(a["countries"])
            edge["nullInst"] += any(i["country_code"] is None for i in insts)
            edge["unloc"] += not insts and not a["countries"]
        for w in works:
            n = len(w["authorships"])
            flags = sum(a["is_corresponding"] for a in w["authorships"])
            edge["noLocWork"] += n > 0 and not work_countries(w)
            edge["single"] += n == 1
            edge["HK+CN"] += {"HK", "CN"} <= work_countries(w)
            edge["TW"] += "TW" in work_countries(w)
            edge["noCorr"] += n > 1 and flags == 0
            edge["2corr"] += flags >= 2
            edge["trunc"] += w["id"] in full
        edge_lines.append(
            f"{year:>4} "
            + " ".join(
                f"{edge[k]:>{max(5, len(k))}}"
                for k in (
                    "dual2c",
                    "cnusDual",
                    "same2i",
                    "parsed",
                    "nullInst",
                    "unloc",
                    "noLocWork",
                    "single",
                    "HK+CN",
                    "TW",
                    "noCorr",
                    "2corr",
                    "trunc",
                )
            )
        )
    return "\n".join(lines) + "\n\nAuthorship edge cases (authorships / works per year):\n" + "\n".join(edge_lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Write the sample, read it back, validate it and print the per-year summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--journals-csv", type=Path, default=DEFAULT_JOURNALS_CSV)
    args = parser.parse_args(argv)
    manifest = write_outputs(args.out_dir, args.journals_csv.resolve())
    by_year = {y: read_jsonl_gz(args.out_dir / f"works_{y}.jsonl.gz") for y in YEARS}
    singletons = read_jsonl_gz(args.out_dir / "singletons.jsonl.gz")
    validate(by_year, singletons)
    rows = read_nature_index_journals(args.journals_csv)
    ni_issns = {v for r in rows for v in (r["issn_print"], r["issn_electronic"]) if v}
    files = manifest["files"]
    assert isinstance(files, dict)
    total = sum(f["bytes"] for f in files.values())
    print(f"wrote {len(files)} files + MANIFEST.json to {args.out_dir} ({total / 1e6:.2f} MB gzip)")
    print(summary(by_year, singletons, ni_issns))


if __name__ == "__main__":
    main()
