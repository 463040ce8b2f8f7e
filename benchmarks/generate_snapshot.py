"""Write a SYNTHETIC OpenAlex works snapshot (the layout of `s3://openalex`) for benchmarks.

    python -m benchmarks.generate_snapshot OUT_DIR --works 1000000 [--layout jsonl|legacy] [--seed 0]
                                           [--parts-per-partition 2] [--processes N]

Writes gzip JSON Lines parts (at most 400,000 works each) in several `updated_date=` partitions, the
manifest (Redshift shape, with each part's exact `content_length` and `record_count`), one small
`merged_ids/works` file, and a README that says the data are SYNTHETIC.

Work objects have the API's shape (docs/methods.md#openalex-snapshot; field shapes copied from the recorded responses
in tests/data/openalex), about 10 kB of JSON each (1.4 kB gzipped; real records are
10-25 kB), with the bulky fields real records carry (abstract index, concepts, topics, referenced
works) drawn from small pools. 1M works: ~10 GB of JSON, 1.4 GB on disk. Distributions:
- authors per work heavy-tailed: most 1-10, about 0.1 % with 100-900, about 20 per million with
  900-3,000; about 2 % of works have no authorships at all (real snapshots have many such works);
- per author 1-3 institutions (77 %), no institution but a `countries` entry (20 %), neither (3 %);
  about 1 % of institutions have a null `country_code` (their authors keep the parsed country);
- ~150 countries, skewed (US and CN large, then GB, DE, JP, IN, FR, ...); about 25 % of works
  international; publication years 2010-2024 (growing); type mostly 'article';
- about 5 % of works have a journal with ISSNs from a small set (the Nature Index journal list in
  pipeline/reference when present); the others have a repository source without ISSN or none.

Deterministic for a seed: every part draws from its own generator seeded by (seed, part index), so
the output does not depend on the number of processes. Vectorised with numpy; the JSON text is
assembled from string templates and precomputed snippets, parts are written in parallel.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import json
import math
import multiprocessing
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_RECORDS_PER_PART = 400_000
CHUNK = 10_000  # works formatted and compressed per step (bounds a worker's memory)
WORK_ID_BASE = 4_000_000_000
UNKNOWN_ID_BASE = 9_000_000_000  # merged_ids rows naming works that are not in the snapshot
# updated_date partitions and the share of works each holds (the first is the bulk of the records).
PARTITIONS: tuple[tuple[str, float], ...] = (
    ("2025-03-16", 0.50),
    ("2025-07-20", 0.22),
    ("2025-10-05", 0.15),
    ("2026-01-11", 0.08),
    ("2026-02-22", 0.05),
)
# Top countries with their share of author affiliations; the remaining ~140 follow a power law.
TOP_COUNTRIES = (
    ("US", 0.200), ("CN", 0.190), ("GB", 0.045), ("DE", 0.042), ("JP", 0.035), ("IN", 0.035),
    ("FR", 0.030), ("IT", 0.028), ("CA", 0.025), ("KR", 0.024), ("AU", 0.022), ("ES", 0.021),
    ("BR", 0.020), ("NL", 0.014), ("RU", 0.013), ("IR", 0.012), ("CH", 0.011), ("TR", 0.011),
    ("SE", 0.009), ("PL", 0.009), ("TW", 0.008), ("BE", 0.007), ("DK", 0.006), ("HK", 0.005),
)  # fmt: skip
OTHER_COUNTRIES = (  # noqa: SIM905
    "AT SG IL NO FI PT MX SA ZA EG MY PK CZ NZ IE GR AR TH CL ID NG CO HU RO VN UA BD TN DZ MA SK SI "
    "HR RS ET KE GH BG LT EE LV IQ JO LB AE QA KW OM LK NP PE VE EC UY CU PH MO KZ UZ AZ GE AM BY IS "
    "LU CY MT CM UG TZ SN CI BJ BF ML NE ZW ZM MW MZ BW NA RW SD LY YE SY AF MN KH LA MM BN FJ PG BO "
    "PY CR PA GT HN SV NI DO JM TT BB BS PR GL FO MC LI AD SM BA MK AL ME XK MD TJ KG TM BT MV GA CG "
    "CD AO MG MU SC ET"
).split()
N_INSTITUTIONS = 30_000
TYPES = (("article", 0.85), ("review", 0.05), ("preprint", 0.04), ("book-chapter", 0.03),
         ("letter", 0.01), ("editorial", 0.01), ("dataset", 0.01))  # fmt: skip
YEARS = np.arange(2010, 2025)
FALLBACK_JOURNALS = (
    ("Nature", "0028-0836", "1476-4687"),
    ("Science", "0036-8075", "1095-9203"),
    ("Cell", "0092-8674", "1097-4172"),
    ("Physical Review Letters", "0031-9007", "1079-7114"),
)
WORDS = (  # noqa: SIM905
    "analysis model data network learning protein cell climate quantum energy material system "
    "structure dynamic response growth signal control optical thermal genetic neural carbon water "
    "soil urban policy health risk patient clinical trial effect impact evidence method novel "
    "efficient robust large scale deep graph stochastic spectral catalytic membrane polymer alloy"
).split()
FIRST_NAMES = (  # noqa: SIM905
    "Wei Li Jing Min Yan James Maria David Anna Hiroshi Yuki Priya Rahul Sofia Lukas Emma Omar Fatima"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Wang Zhang Liu Chen Smith Johnson Garcia Müller Suzuki Tanaka Kumar Singh Rossi Dubois Kim Park"
).split()
REPO_JOURNALS = Path(__file__).resolve().parent.parent / "pipeline" / "reference" / "nature_index_journals.csv"


@dataclass(frozen=True)
class PartSpec:
    index: int
    partition: str
    first_work: int  # global index of the part's first work
    n_works: int
    relative_path: str  # below OUT_DIR
    url: str  # as the manifest names it


def country_table() -> tuple[list[str], np.ndarray]:
    codes = [c for c, _ in TOP_COUNTRIES]
    weights = [w for _, w in TOP_COUNTRIES]
    others = [c for c in dict.fromkeys(OTHER_COUNTRIES) if c not in codes]
    tail = np.arange(1, len(others) + 1, dtype=float) ** -1.1
    tail *= (1.0 - sum(weights)) / tail.sum()
    probs = np.array(weights + tail.tolist())
    return codes + others, probs / probs.sum()


def _jstr(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _journals() -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    if REPO_JOURNALS.exists():
        with REPO_JOURNALS.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                issns = [i for i in (row.get("issn_print"), row.get("issn_electronic")) if i]
                if issns:
                    rows.append((row["journal"], issns))
    return rows or [(name, [p, e]) for name, p, e in FALLBACK_JOURNALS]


@dataclass
class World:
    """Everything that does not vary per work: countries, institutions and text snippets."""

    countries: list[str]
    country_p: np.ndarray
    inst_start: np.ndarray  # institutions are grouped by country: [start, start+size)
    inst_size: np.ndarray
    inst_country: np.ndarray
    inst_json: list[str]
    inst_raw: list[str]  # raw affiliation string, JSON-quoted
    inst_aff: list[str]  # affiliations[] item
    country_raw: list[str]  # raw affiliation string of an author with a country but no institution
    names: list[str]
    titles: list[str]
    abstracts: list[str]
    concepts: list[str]
    topics: list[str]
    keywords: list[str]
    refs: list[str]
    related: list[str]
    times: list[str]
    journal_locations: list[str]
    repository_location: str


@functools.cache
def build_world(seed: int) -> World:
    rng = np.random.default_rng([seed, 1_000_003])
    countries, country_p = country_table()
    sizes = np.maximum(3, np.round(country_p * N_INSTITUTIONS)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    inst_country = np.repeat(np.arange(len(countries)), sizes)
    null_code = rng.random(len(inst_country)) < 0.01
    inst_json, inst_raw, inst_aff = [], [], []
    for k, (c, is_null) in enumerate(zip(inst_country.tolist(), null_code.tolist(), strict=True)):
        iid = f"https://openalex.org/I{100_000 + k}"
        name = f"Synthetic University {countries[c]}-{k}"
        code = "null" if is_null else f'"{countries[c]}"'
        inst_json.append(
            f'{{"id":"{iid}","display_name":"{name}","ror":"https://ror.org/0syn{k:05d}",'
            f'"country_code":{code},"type":"education","lineage":["{iid}"]}}'
        )
        raw = _jstr(f"Department of {WORDS[k % len(WORDS)].title()}, {name}, City {k % 97}, {countries[c]}")
        inst_raw.append(raw)
        inst_aff.append(f'{{"raw_affiliation_string":{raw},"institution_ids":["{iid}"]}}')
    country_raw = [_jstr(f"Independent research institute, {c}") for c in countries]
    names = [f"{f} {m}. {last}" for f in FIRST_NAMES for m in "ABCDEFGHJK" for last in LAST_NAMES]

    def phrase(n: int) -> str:
        return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n))

    titles = [_jstr(phrase(int(rng.integers(6, 16))).capitalize()) for _ in range(4096)]
    abstracts = []
    for _ in range(512):
        words = [WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(80, 220)))]
        index: dict[str, list[int]] = {}
        for pos, word in enumerate(words):
            index.setdefault(word, []).append(pos)
        abstracts.append(json.dumps(index, separators=(",", ":")))

    def concept(i: int) -> str:
        cid = int(rng.integers(1_000_000, 3_000_000_000))
        return (
            f'{{"id":"https://openalex.org/C{cid}","wikidata":"https://www.wikidata.org/wiki/Q{cid % 999_983}",'
            f'"display_name":"{phrase(2).title()}","level":{i % 4},"score":{rng.random():.6f}}}'
        )

    concepts = ["[" + ",".join(concept(i) for i in range(int(rng.integers(4, 14)))) + "]" for _ in range(512)]

    def topic() -> str:
        t, s, f = (int(x) for x in rng.integers(10_000, 14_000, 3))
        return (
            f'{{"id":"https://openalex.org/T{t}","display_name":"{phrase(3).title()}","score":{rng.random():.4f},'
            f'"subfield":{{"id":"https://openalex.org/subfields/{s}","display_name":"{phrase(2).title()}"}},'
            f'"field":{{"id":"https://openalex.org/fields/{f % 40}","display_name":"{phrase(1).title()}"}},'
            f'"domain":{{"id":"https://openalex.org/domains/{f % 4 + 1}","display_name":"{phrase(2).title()}"}}}}'
        )

    topics = []
    for _ in range(512):
        items = [topic() for _ in range(int(rng.integers(1, 4)))]
        topics.append(f'"primary_topic":{items[0]},"topics":[{",".join(items)}]')
    keywords = [
        "["
        + ",".join(
            f'{{"id":"https://openalex.org/keywords/{phrase(1)}-{j}","display_name":"{phrase(2)}",'
            f'"score":{rng.random():.4f}}}'
            for j in range(int(rng.integers(0, 7)))
        )
        + "]"
        for _ in range(512)
    ]

    def id_list(n: int) -> str:
        return "[" + ",".join(f'"https://openalex.org/W{x}"' for x in rng.integers(1_000_000, 4_400_000_000, n)) + "]"

    refs = [id_list(int(rng.integers(0, 80))) for _ in range(1024)]
    related = [id_list(10) for _ in range(1024)]
    times = [
        f"T{h:02d}:{m:02d}:{s:02d}.{us:06d}"
        for h, m, s, us in zip(
            rng.integers(0, 24, 997).tolist(),
            rng.integers(0, 60, 997).tolist(),
            rng.integers(0, 60, 997).tolist(),
            rng.integers(0, 1_000_000, 997).tolist(),
            strict=True,
        )
    ]
    journal_locations = []
    for k, (name, issns) in enumerate(_journals()):
        issn_list = ",".join(f'"{i}"' for i in issns)
        journal_locations.append(
            f'"source":{{"id":"https://openalex.org/S{137_773_608 + k}","display_name":{_jstr(name)},'
            f'"issn_l":"{issns[0]}","issn":[{issn_list}],"is_oa":false,"is_in_doaj":false,"is_core":true,'
            f'"host_organization":"https://openalex.org/P4310319908","host_organization_name":"Synthetic Publisher",'
            f'"host_organization_lineage":["https://openalex.org/P4310319908"],'
            f'"host_organization_lineage_names":["Synthetic Publisher"],"type":"journal"}}'
        )
    repository_location = (
        '"source":{"id":"https://openalex.org/S4306400194","display_name":"arXiv (Cornell University)",'
        '"issn_l":null,"issn":null,"is_oa":true,"is_in_doaj":false,"is_core":false,'
        '"host_organization":"https://openalex.org/I205783295","host_organization_name":"Cornell University",'
        '"host_organization_lineage":["https://openalex.org/I205783295"],"host_organization_lineage_names":[],'
        '"type":"repository","raw_type":null}'
    )
    return World(
        countries=countries,
        country_p=country_p,
        inst_start=starts,
        inst_size=sizes,
        inst_country=inst_country,
        inst_json=inst_json,
        inst_raw=inst_raw,
        inst_aff=inst_aff,
        country_raw=country_raw,
        names=[_jstr(n) for n in names],
        titles=titles,
        abstracts=abstracts,
        concepts=concepts,
        topics=topics,
        keywords=keywords,
        refs=refs,
        related=related,
        times=times,
        journal_locations=journal_locations,
        repository_location=repository_location,
    )


def authors_per_work(rng: np.random.Generator, n: int) -> np.ndarray:
    """Heavy-tailed: lognormal body (median 3), 0.1 % big collaborations, a few ~1,000-author works."""
    count = np.clip(np.ceil(rng.lognormal(1.0, 0.75, n)), 1, 99).astype(np.int64)
    u = rng.random(n)
    big = u < 0.001
    count[big] = np.minimum(900, 100 + (rng.pareto(1.5, int(big.sum())) * 100).astype(np.int64))
    huge = u > 1 - 2e-5
    count[huge] = rng.integers(900, 3000, int(huge.sum()))
    count[(u > 0.5) & (u < 0.52)] = 0  # ~2 %: no authorships
    return count


def _position(k: int, n: int) -> str:
    return "first" if k == 0 else ("last" if k == n - 1 else "middle")


def generate_lines(world: World, rng: np.random.Generator, first_work: int, n: int, partition: str) -> list[str]:
    """n work objects as JSON lines (no newline)."""
    n_countries = len(world.countries)
    n_auth = authors_per_work(rng, n)
    multi = n_auth >= 2
    p_int = min(1.0, 0.25 / max(multi.mean(), 1e-9))
    intl = multi & (rng.random(n) < p_int)
    home = rng.choice(n_countries, size=n, p=world.country_p)
    k_foreign = np.where(n_auth >= 100, rng.integers(5, 30, n), np.minimum(5, rng.geometric(0.6, n)))
    foreign = rng.choice(n_countries, size=(n, 30), p=world.country_p)
    foreign = np.where(foreign == home[:, None], (foreign + 1) % n_countries, foreign)

    # one row per author
    total = int(n_auth.sum())
    work_of = np.repeat(np.arange(n), n_auth)
    starts = np.concatenate([[0], np.cumsum(n_auth)[:-1]])
    pos = np.arange(total) - starts[work_of]
    last = pos == n_auth[work_of] - 1
    is_foreign = intl[work_of] & (pos > 0) & (last | (rng.random(total) < 0.5))
    slot = (rng.random(total) * k_foreign[work_of]).astype(np.int64)
    country = np.where(is_foreign, foreign[work_of, slot], home[work_of])
    kind = np.searchsorted(np.array([0.77, 0.97]), rng.random(total), side="right")  # 0 inst, 1 country, 2 none
    n_inst = np.where(kind == 0, np.searchsorted(np.array([0.80, 0.95]), rng.random(total), side="right") + 1, 0)
    extra_country = np.where(rng.random((total, 2)) < 0.8, country[:, None], home[work_of][:, None])
    pick_country = np.concatenate([country[:, None], extra_country], axis=1)
    picks = world.inst_start[pick_country] + (rng.random((total, 3)) * world.inst_size[pick_country]).astype(np.int64)
    author_id = rng.integers(5_000_000_000, 5_400_000_000, total)
    name = rng.integers(0, len(world.names), total)
    orcid = rng.random(total) < 0.4

    year = rng.choice(YEARS, size=n, p=(w := 1.05 ** (YEARS - YEARS[0])) / w.sum())
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    type_names = [t for t, _ in TYPES]
    type_idx = rng.choice(len(TYPES), size=n, p=[p for _, p in TYPES])
    paratext = rng.random(n) < 0.005
    retracted = rng.random(n) < 0.001
    source_u = rng.random(n)
    journal = rng.integers(0, len(world.journal_locations), n)
    pools = rng.integers(0, 1 << 30, size=(n, 9))
    has_abstract = rng.random(n) < 0.6
    cited = rng.zipf(2.0, n) - 1

    countries, names, inst_json, inst_raw, inst_aff = (
        world.countries, world.names, world.inst_json, world.inst_raw, world.inst_aff,
    )  # fmt: skip
    n_auth_l = n_auth.tolist()
    country_l, kind_l, n_inst_l = country.tolist(), kind.tolist(), n_inst.tolist()
    picks_l, pick_country_l = picks.tolist(), pick_country.tolist()
    author_l, name_l, orcid_l = author_id.tolist(), name.tolist(), orcid.tolist()
    lines: list[str] = []
    a = 0
    for i in range(n):
        wid = WORK_ID_BASE + first_work + i
        auths: list[str] = []
        work_countries: set[str] = set()
        work_insts: set[int] = set()
        for k in range(n_auth_l[i]):
            kd = kind_l[a]
            if kd == 0:
                ids = list(dict.fromkeys(picks_l[a][: n_inst_l[a]]))
                codes = list(dict.fromkeys(countries[c] for c in pick_country_l[a][: n_inst_l[a]]))
                insts = ",".join(inst_json[j] for j in ids)
                raws = ",".join(inst_raw[j] for j in ids)
                affs = ",".join(inst_aff[j] for j in ids)
                work_insts.update(ids)
            elif kd == 1:
                codes = [countries[country_l[a]]]
                insts, raws, affs = "", world.country_raw[country_l[a]], ""
            else:
                codes, insts, raws, affs = [], "", "", ""
            work_countries.update(codes)
            nm = names[name_l[a]]
            aid = author_l[a]
            orc = (
                f'"https://orcid.org/0000-000{aid % 10}-{aid % 10_000:04d}-{aid % 9_973:04d}"' if orcid_l[a] else "null"
            )
            cc = ",".join(f'"{c}"' for c in codes)
            auths.append(
                f'{{"author_position":"{_position(k, n_auth_l[i])}","author":{{"id":"https://openalex.org/A{aid}",'
                f'"display_name":{nm},"orcid":{orc}}},"institutions":[{insts}],"countries":[{cc}],'
                f'"is_corresponding":{"true" if k == 0 else "false"},"raw_author_name":{nm},'
                f'"raw_affiliation_strings":[{raws}],"affiliations":[{affs}]}}'
            )
            a += 1
        p = pools[i]
        yr = int(year[i])
        su = source_u[i]
        if su < 0.05:
            loc_source = world.journal_locations[journal[i]]
        elif su < 0.35:
            loc_source = world.repository_location
        else:
            loc_source = '"source":null'
        doi = f"https://doi.org/10.{5000 + wid % 4000}/synthetic.{wid}"
        location = (
            f'{{"id":"doi:{doi[16:]}","is_oa":false,"landing_page_url":"{doi}","pdf_url":null,{loc_source},'
            f'"license":null,"license_id":null,"version":"publishedVersion","is_accepted":true,"is_published":true}}'
        )
        title = world.titles[p[0] % len(world.titles)]
        abstract = world.abstracts[p[1] % len(world.abstracts)] if has_abstract[i] else "null"
        corresponding = "[]" if not auths else f'["https://openalex.org/A{author_l[a - n_auth_l[i]]}"]'
        updated = f"{partition}{world.times[p[8] % len(world.times)]}"
        lines.append(
            f'{{"id":"https://openalex.org/W{wid}","doi":"{doi}","title":{title},"display_name":{title},'
            f'"publication_year":{yr},"publication_date":"{yr}-{month[i]:02d}-{day[i]:02d}",'
            f'"ids":{{"openalex":"https://openalex.org/W{wid}","doi":"{doi}"}},"language":"en",'
            f'"primary_location":{location},"type":"{type_names[type_idx[i]]}","indexed_in":["crossref"],'
            f'"open_access":{{"is_oa":false,"oa_status":"closed","oa_url":null,"any_repository_has_fulltext":false}},'
            f'"authorships":[{",".join(auths)}],"institutions":[],'
            f'"countries_distinct_count":{len(work_countries)},"institutions_distinct_count":{len(work_insts)},'
            f'"corresponding_author_ids":{corresponding},"corresponding_institution_ids":[],'
            f'"apc_list":null,"apc_paid":null,"fwci":{cited[i] * 0.37:.3f},"has_fulltext":false,'
            f'"cited_by_count":{cited[i]},"biblio":{{"volume":"{yr - 1990}","issue":"{month[i]}",'
            f'"first_page":"{p[2] % 900 + 1}","last_page":"{p[2] % 900 + 12}"}},'
            f'"is_retracted":{"true" if retracted[i] else "false"},"is_paratext":{"true" if paratext[i] else "false"},'
            f"{world.topics[p[3] % len(world.topics)]},"
            f'"keywords":{world.keywords[p[4] % len(world.keywords)]},'
            f'"concepts":{world.concepts[p[5] % len(world.concepts)]},"mesh":[],"locations_count":1,'
            f'"locations":[{location}],"best_oa_location":null,"sustainable_development_goals":[],"grants":[],'
            f'"awards":[],"funders":[],"referenced_works_count":{world.refs[p[6] % len(world.refs)].count(",") + 1},'
            f'"referenced_works":{world.refs[p[6] % len(world.refs)]},'
            f'"related_works":{world.related[p[7] % len(world.related)]},"abstract_inverted_index":{abstract},'
            f'"counts_by_year":[],"updated_date":"{updated}","created_date":"{yr}-{month[i]:02d}-01T00:00:00"}}'
        )
    return lines


def write_part(args: tuple[Path, int, PartSpec]) -> tuple[PartSpec, int, int]:
    out_dir, seed, spec = args
    world = build_world(seed)
    rng = np.random.default_rng([seed, spec.index])
    path = out_dir / spec.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as fh:
        done = 0
        while done < spec.n_works:
            n = min(CHUNK, spec.n_works - done)
            lines = generate_lines(world, rng, spec.first_work + done, n, spec.partition)
            fh.write(("\n".join(lines) + "\n").encode("utf-8"))
            done += n
    return spec, path.stat().st_size, spec.n_works


def plan_parts(n_works: int, layout: str, parts_per_partition: int) -> list[PartSpec]:
    shares = np.array([s for _, s in PARTITIONS])
    counts = np.floor(shares * n_works).astype(np.int64)
    counts[0] += n_works - counts.sum()
    works_dir = "data/works" if layout == "legacy" else "data/jsonl/works"
    specs: list[PartSpec] = []
    first = 0
    for (partition, _), n_p in zip(PARTITIONS, counts.tolist(), strict=True):
        if n_p == 0:
            continue
        k = min(n_p, max(parts_per_partition, math.ceil(n_p / MAX_RECORDS_PER_PART)))
        sizes = [n_p // k + (1 if j < n_p % k else 0) for j in range(k)]
        for j, size in enumerate(sizes):
            name = f"{j:04d}_part_00.gz" if layout == "legacy" else f"part_{j:04d}.gz"
            rel = f"{works_dir}/updated_date={partition}/{name}"
            specs.append(PartSpec(len(specs), partition, first, size, rel, f"s3://openalex/{rel}"))
            first += size
    return specs


def write_manifest(out_dir: Path, layout: str, results: Sequence[tuple[PartSpec, int, int]]) -> Path:
    entries = [
        {"url": spec.url, "meta": {"content_length": size, "record_count": count}} for spec, size, count in results
    ]
    manifest = {
        "entries": entries,
        "meta": {
            "content_length": sum(e["meta"]["content_length"] for e in entries),
            "record_count": sum(e["meta"]["record_count"] for e in entries),
        },
    }
    path = out_dir / ("data/works/manifest" if layout == "legacy" else "data/jsonl/manifest.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def write_merged_ids(out_dir: Path, seed: int, n_works: int, specs: Sequence[PartSpec]) -> Path:
    """One merged_ids file dated at the newest partition: works of older partitions merged into others."""
    rng = np.random.default_rng([seed, 2_000_003])
    newest = specs[-1].partition
    older = [s for s in specs if s.partition != newest] or list(specs)
    pool_end = older[-1].first_work + older[-1].n_works
    n = max(5, n_works // 5000)
    gone = rng.choice(pool_end, size=min(n, pool_end), replace=False)
    into = rng.integers(0, n_works, len(gone))
    rows = [
        f"{newest},W{WORK_ID_BASE + g},W{WORK_ID_BASE + t}" for g, t in zip(gone.tolist(), into.tolist(), strict=True)
    ]
    rows += [f"{newest},W{UNKNOWN_ID_BASE + j},W{WORK_ID_BASE}" for j in range(2)]  # ids not in the snapshot
    path = out_dir / f"data/merged_ids/works/{newest}.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "merge_date,id,merge_into_id\n" + "\n".join(rows) + "\n"
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    return path


def write_readme(out_dir: Path, args: argparse.Namespace, n_parts: int) -> None:
    (out_dir / "README.md").write_text(
        "# SYNTHETIC OpenAlex works snapshot\n\n"
        "SYNTHETIC DATA. Generated by `python -m benchmarks.generate_snapshot` for benchmarks and tests; it is not\n"
        "OpenAlex data. The layout, manifest and work-object shape follow the real snapshot; every value\n"
        "(ids, authors, institutions, countries, titles) is made up.\n\n"
        f"- works: {args.works}\n- layout: {args.layout}\n- seed: {args.seed}\n- parts: {n_parts}\n",
        encoding="utf-8",
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate_snapshot", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path, help="folder to write (replaced if it holds a snapshot)")
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--layout", choices=("jsonl", "legacy"), default="jsonl")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--parts-per-partition", type=int, default=2, help="at least this many parts per partition")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if args.works < 1 or args.parts_per_partition < 1 or args.processes < 1:
        parser.error("--works, --parts-per-partition and --processes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out_dir: Path = args.out_dir
    if (out_dir / "data").exists():
        readme = out_dir / "README.md"
        if not (readme.is_file() and "SYNTHETIC" in readme.read_text(encoding="utf-8")):
            raise SystemExit(f"{out_dir} holds data that this generator did not write; choose another folder")
        shutil.rmtree(out_dir / "data")  # a previous synthetic snapshot: stale parts would break the manifest
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = plan_parts(args.works, args.layout, args.parts_per_partition)
    jobs = [(out_dir, args.seed, spec) for spec in specs]
    if args.processes == 1 or len(jobs) == 1:
        results = [write_part(job) for job in jobs]
    else:
        # largest parts first keeps both processes busy to the end
        order = sorted(range(len(jobs)), key=lambda j: -specs[j].n_works)
        with multiprocessing.get_context("fork").Pool(min(args.processes, len(jobs))) as pool:
            done = pool.map(write_part, [jobs[j] for j in order], chunksize=1)
        results = sorted(done, key=lambda r: r[0].index)
    manifest = write_manifest(out_dir, args.layout, results)
    merged = write_merged_ids(out_dir, args.seed, args.works, specs)
    write_readme(out_dir, args, len(specs))
    print(f"wrote {args.works} works in {len(specs)} parts; manifest {manifest}; merged ids {merged}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
