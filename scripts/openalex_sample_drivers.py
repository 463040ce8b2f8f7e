"""What the "what drives the change" marts need from the SYNTHETIC OpenAlex sample, added to the generated works.

``scripts/generate_openalex_sample.py`` calls :func:`add_drivers` on the full work records of every year before
it lists (truncates) them, with an RNG of its own (``DRIVERS_SEED``), so the base sample is drawn exactly as
before and two runs still give identical bytes. The step never adds, removes or moves a work, an authorship,
an institution or a country: every count the warehouse makes from the sample stays what it was. It only

* gives every work a ``primary_topic`` in OpenAlex's shape (id, display_name, score, subfield, field,
  domain). Field, domain and subfield ids and names are OpenAlex's real ones (fields and domains:
  developers.openalex.org/api-reference/fields; subfields are ASJC codes, ``https://openalex.org/subfields/2102``
  "Energy Engineering and Power Technology"); the topics are synthetic (``T9`` + 9 digits, a range real
  topic ids never reach, "Synthetic topic ..."). Paratext and about 1 % of the other non-CN-US works have no
  primary topic (``null``), as in OpenAlex. On CN-US works the fields are ASSIGNED by yearly shares
  (``CN_US_FIELD_SHARES``): energy and earth-science joint works fall after 2018 much more than physics and
  astronomy or medicine (clinical subfields), which hold;
* re-maps the author ids (and ``display_name`` / ``raw_author_name``) of the CN- and US-located authorships
  of CN-US works (an author with a CN and a US institution is a CN author; authors located in neither, and
  every author of consortium works with more than 50 authors, keep their ids) to collaborator ids
  ``A98`` + 8 digits. Collaborations are teams: a CN-US work either starts a new team (all its CN-US author
  pairs are new) or continues a team from an earlier year (``P_CONTINUE``, rising after 2018), reusing its
  members, so repeat ties hold while new ties fall. On continuing works a CN member who published in CN the
  year before may appear at a US institution (``P_MOVE_CN_US``), stay one to three years and, most often,
  return to CN (a returnee); a few US members move to CN (``P_MOVE_US_CN``).

Institutions get synthetic ROR ids in the generator (``synthetic_ror``). Run this file to print the
calibration the sample files hold (duckdb over ``works_<year>.jsonl.gz`` with the singletons' full records):

    python scripts/openalex_sample_drivers.py [--sample-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import random
from pathlib import Path

DRIVERS_SEED = 20260120
OPENALEX = "https://openalex.org/"
CONSORTIUM_AUTHORS = 50  # CN-US works with more authors keep their author ids (they would swamp the ties)
FOCUS = ("CN", "US")
DOMAINS = {1: "Life Sciences", 2: "Social Sciences", 3: "Physical Sciences", 4: "Health Sciences"}
# field id -> (display_name, domain id, [(subfield id, subfield display_name)]); OpenAlex's field and domain
# ids and names, ASJC subfields.
FIELDS: dict[int, tuple[str, int, tuple[tuple[int, str], ...]]] = {
    11: (
        "Agricultural and Biological Sciences",
        1,
        ((1102, "Agronomy and Crop Science"), (1105, "Ecology, Evolution, Behavior and Systematics")),
    ),
    13: ("Biochemistry, Genetics and Molecular Biology", 1, ((1312, "Molecular Biology"), (1311, "Genetics"))),
    16: ("Chemistry", 3, ((1605, "Organic Chemistry"), (1606, "Physical and Theoretical Chemistry"))),
    17: (
        "Computer Science",
        3,
        ((1702, "Artificial Intelligence"), (1707, "Computer Vision and Pattern Recognition")),
    ),
    19: ("Earth and Planetary Sciences", 3, ((1902, "Atmospheric Science"), (1910, "Oceanography"))),
    20: ("Economics, Econometrics and Finance", 2, ((2002, "Economics and Econometrics"),)),
    21: (
        "Energy",
        3,
        (
            (2102, "Energy Engineering and Power Technology"),
            (2105, "Renewable Energy, Sustainability and the Environment"),
        ),
    ),
    22: ("Engineering", 3, ((2208, "Electrical and Electronic Engineering"), (2210, "Mechanical Engineering"))),
    23: ("Environmental Science", 3, ((2306, "Global and Planetary Change"), (2310, "Pollution"))),
    24: ("Immunology and Microbiology", 1, ((2403, "Immunology"),)),
    25: ("Materials Science", 3, ((2505, "Materials Chemistry"), (2508, "Surfaces, Coatings and Films"))),
    26: ("Mathematics", 3, ((2604, "Applied Mathematics"),)),
    27: (
        "Medicine",
        4,
        ((2730, "Oncology"), (2725, "Infectious Diseases"), (2705, "Cardiology and Cardiovascular Medicine")),
    ),
    28: ("Neuroscience", 1, ((2805, "Cognitive Neuroscience"),)),
    31: (
        "Physics and Astronomy",
        3,
        (
            (3103, "Astronomy and Astrophysics"),
            (3104, "Condensed Matter Physics"),
            (3107, "Atomic and Molecular Physics, and Optics"),
        ),
    ),
    33: ("Social Sciences", 2, ((3312, "Sociology and Political Science"),)),
}
# Share of works by field outside CN-US (rough shape of OpenAlex's counts, not fitted).
WORLD_FIELD_WEIGHTS = {
    27: 18, 22: 10, 17: 9, 13: 8, 25: 7, 16: 6, 31: 6, 23: 5, 11: 5, 33: 5,
    21: 4, 19: 3, 28: 3, 24: 3, 20: 3, 26: 3,
}  # fmt: skip
P_NO_TOPIC = 0.01  # non-paratext works outside CN-US without a primary topic
YEARS = tuple(range(2015, 2025))
# CN-US works: share of each driver field per year (2015..2024); the rest get OTHER_CN_US_WEIGHTS.
CN_US_FIELD_SHARES = {
    21: (0.100, 0.105, 0.110, 0.115, 0.100, 0.085, 0.070, 0.055, 0.045, 0.040),  # Energy
    19: (0.085, 0.085, 0.090, 0.090, 0.075, 0.065, 0.055, 0.045, 0.040, 0.035),  # Earth and Planetary
    31: (0.115, 0.110, 0.110, 0.105, 0.115, 0.120, 0.125, 0.130, 0.135, 0.140),  # Physics and Astronomy
    27: (0.110, 0.115, 0.115, 0.115, 0.120, 0.130, 0.135, 0.145, 0.150, 0.155),  # Medicine
}
OTHER_CN_US_WEIGHTS = {17: 14, 22: 13, 25: 13, 16: 10, 13: 10, 23: 8, 11: 5, 26: 4, 28: 4, 24: 4, 20: 3}
# Ties: probability that a CN-US work continues a team of an earlier year (0 in 2015: no history).
P_CONTINUE = dict(zip(YEARS, (0.0, 0.25, 0.30, 0.35, 0.45, 0.55, 0.62, 0.70, 0.76, 0.80), strict=True))
TEAM_CANDIDATES = 8  # a continuing work takes, of this many random active teams, the one its byline fits best
LONG_BYLINE = 12  # works with more authors continue a team more often (big groups publish together again)
P_CONTINUE_LONG_EXTRA = 0.2
TEAM_ACTIVE_YEARS = 3  # a team continues only if it published within this many years
P_SAME_FIELD_TEAM = 0.85
P_NEWCOMER = 0.08  # a continuing work's slot taken by a new member even when a member is free
# Moves: per continuing work, the chance that a CN member takes a US slot (the year after publishing in CN).
P_MOVE_CN_US = dict(zip(YEARS, (0.0, 0.55, 0.55, 0.55, 0.40, 0.15, 0.15, 0.18, 0.18, 0.18), strict=True))
P_MOVE_US_CN = 0.06
P_RETURN = 0.65
STAY_YEARS = (1, 2, 2, 3)


@dataclasses.dataclass
class Team:
    """A CN-US collaboration: its members per side (in joining order) and the year it last published."""

    no: int
    field: int | None
    founded: int
    last_year: int
    members: dict[str, list[str]] = dataclasses.field(default_factory=lambda: {"CN": [], "US": []})


@dataclasses.dataclass
class Registry:
    """Collaborator authors: home country, planned stays abroad and the countries they published from."""

    home: dict[str, str] = dataclasses.field(default_factory=dict)
    stay: dict[str, tuple[str, int, int | None]] = dataclasses.field(default_factory=dict)  # dest, from, until
    seen: dict[str, dict[int, set[str]]] = dataclasses.field(default_factory=dict)

    def new(self, home: str) -> str:
        author_id = f"{OPENALEX}A98{len(self.home) + 1:08d}"
        self.home[author_id] = home
        self.seen[author_id] = {}
        return author_id

    def location(self, author_id: str, year: int) -> str:
        dest, start, until = self.stay.get(author_id, ("", 9999, None))
        return dest if start <= year and (until is None or year < until) else self.home[author_id]


def synthetic_ror(institution_id: str) -> str:
    """A ROR-shaped id (``0`` + 6 Crockford base-32 characters + 2 check digits) derived from the institution
    id, with a deliberately WRONG check number (ROR's ISO 7064 mod 97-10), so it can never be a real ROR."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    n = int.from_bytes(hashlib.sha256(institution_id.encode()).digest()[:8], "big") % 32**6
    body = "0" + "".join(alphabet[(n >> (5 * k)) & 31] for k in range(5, -1, -1))
    value = 0
    for ch in body:
        value = value * 32 + alphabet.index(ch)
    valid = 98 - (value * 100) % 97
    wrong = valid + 1 if valid < 98 else valid - 1
    return f"https://ror.org/{body}{wrong:02d}"


def work_countries(work: dict) -> set[str]:
    return {c for a in work["authorships"] for c in a["countries"]}


def is_cn_us(work: dict) -> bool:
    return set(FOCUS) <= work_countries(work)


# ---------------------------------------------------------------------------------------------- topics


def topic(rng: random.Random, field_id: int) -> dict:
    """A primary_topic object of field ``field_id``: real field, domain and subfield, synthetic topic."""
    name, domain_id, subfields = FIELDS[field_id]
    subfield_id, subfield_name = rng.choice(subfields)
    k = rng.randint(1, 12)
    return {
        "id": f"{OPENALEX}T9{subfield_id:04d}{k:05d}",
        "display_name": f"Synthetic topic {k} in {subfield_name}",
        "score": round(rng.uniform(0.55, 0.9999), 4),
        "subfield": {"id": f"{OPENALEX}subfields/{subfield_id}", "display_name": subfield_name},
        "field": {"id": f"{OPENALEX}fields/{field_id}", "display_name": name},
        "domain": {"id": f"{OPENALEX}domains/{domain_id}", "display_name": DOMAINS[domain_id]},
    }


def apportion(total: int, weights: dict[int, float]) -> list[int]:
    """``total`` labels split by ``weights`` with the largest-remainder rule (in key order on ties)."""
    norm = sum(weights.values())
    exact = {k: total * w / norm for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: -(exact[k] - counts[k]))[: total - sum(counts.values())]:
        counts[k] += 1
    return [k for k, n in counts.items() for _ in range(n)]


def cn_us_fields(rng: random.Random, year: int, n: int) -> list[int]:
    """Fields for the year's ``n`` CN-US works, in random order: driver fields by share, the rest by weight."""
    t = year - YEARS[0]
    shares = {f: s[t] for f, s in CN_US_FIELD_SHARES.items()}
    rest = 1 - sum(shares.values())
    other_norm = sum(OTHER_CN_US_WEIGHTS.values())
    weights = {**shares, **{f: rest * w / other_norm for f, w in OTHER_CN_US_WEIGHTS.items()}}
    labels = apportion(n, weights)
    rng.shuffle(labels)
    return labels


def with_topic(work: dict, primary_topic: dict | None) -> dict:
    """The work with ``primary_topic`` placed after ``primary_location`` (OpenAlex's field order)."""
    out: dict = {}
    for key, value in work.items():
        out[key] = value
        if key == "primary_location":
            out["primary_topic"] = primary_topic
    return out


def assign_topics(rng: random.Random, by_year: dict[int, list[dict]]) -> dict[str, int | None]:
    """Put a primary_topic on every work (in place); return each work's field id (None: no topic)."""
    fields: dict[str, int | None] = {}
    world = list(WORLD_FIELD_WEIGHTS)
    for year, works in by_year.items():
        joint = [i for i, w in enumerate(works) if is_cn_us(w)]
        for i, field_id in zip(joint, cn_us_fields(rng, year, len(joint)), strict=True):
            fields[works[i]["id"]] = field_id
        for i, work in enumerate(works):
            if work["id"] not in fields:
                no_topic = work["type"] == "paratext" or rng.random() < P_NO_TOPIC
                fields[work["id"]] = (
                    None if no_topic else rng.choices(world, [WORLD_FIELD_WEIGHTS[f] for f in world])[0]
                )
            field_id = fields[work["id"]]
            works[i] = with_topic(work, None if field_id is None else topic(rng, field_id))
    return fields


# ---------------------------------------------------------------------------------------------- authors


def side_slots(work: dict) -> dict[str, list[int]]:
    """Authorship positions per side: located in CN (a CN author with a second, US institution included) or
    in US only."""
    slots: dict[str, list[int]] = {"CN": [], "US": []}
    for i, a in enumerate(work["authorships"]):
        sides = set(a["countries"]) & set(FOCUS)
        if sides:
            slots["CN" if "CN" in sides else "US"].append(i)
    return slots


def has_ties(work: dict, slots: dict[str, list[int]]) -> bool:
    """A CN-US work whose CN-US author pairs the ties count: not a consortium, located authors on both sides."""
    dual = any({"CN", "US"} <= set(work["authorships"][i]["countries"]) for i in slots["CN"])
    return (
        is_cn_us(work)
        and len(work["authorships"]) <= CONSORTIUM_AUTHORS
        and bool(slots["CN"])
        and bool(slots["US"] or dual)
    )


def pick_team(
    rng: random.Random, teams: list[Team], year: int, field_id: int | None, slots: dict[str, list[int]]
) -> Team | None:
    """An earlier team that still publishes, preferably of the work's field and big enough for the byline;
    None: the work starts a team."""
    long = sum(map(len, slots.values())) > LONG_BYLINE
    if rng.random() >= P_CONTINUE[year] + (P_CONTINUE_LONG_EXTRA if long and year > YEARS[0] else 0.0):
        return None
    active = [t for t in teams if t.founded < year and t.last_year >= year - TEAM_ACTIVE_YEARS]
    same = [t for t in active if t.field == field_id]
    pool = same if same and rng.random() < P_SAME_FIELD_TEAM else active
    if long:  # a big group: the active team that fits its byline best, whatever its field
        rng.shuffle(active)
        pool = active
    if not pool:
        return None

    def misfit(team: Team) -> tuple[int, int]:
        short = sum(max(0, len(slots[side]) - len(team.members[side])) for side in FOCUS)
        return short, year - team.last_year

    return min(pool if long else rng.sample(pool, min(TEAM_CANDIDATES, len(pool))), key=misfit)


def free_for(reg: Registry, author_id: str, year: int, side: str, used: set[str]) -> bool:
    """``author_id`` may fill a ``side`` slot in ``year``: located there, not on the byline, no clash."""
    return (
        author_id not in used
        and reg.location(author_id, year) == side
        and reg.seen[author_id].get(year, {side}) == {side}
    )


def plan_move(
    rng: random.Random, reg: Registry, team: Team, year: int, slots: dict[str, list[int]]
) -> tuple[str, str] | None:
    """A member who published from one side last year and now takes a slot on the other: (author, new side)."""
    for origin, dest, p in (("CN", "US", P_MOVE_CN_US[year]), ("US", "CN", P_MOVE_US_CN)):
        movers = [
            m
            for m in team.members[origin]
            if m not in reg.stay and reg.seen[m].get(year - 1) == {origin} and year not in reg.seen[m]
        ]
        if movers and slots[dest] and rng.random() < p:
            mover = rng.choice(movers)
            until = year + rng.choice(STAY_YEARS) if rng.random() < P_RETURN else None
            reg.stay[mover] = (dest, year, until)
            return mover, dest
    return None


def cast(
    rng: random.Random, reg: Registry, team: Team, year: int, slots: dict[str, list[int]], fresh: bool
) -> dict[int, tuple[str, str]]:
    """(author id, side) per slot position: a planned mover first, then free members in joining order (the
    team's core first, so its pairs recur), else a newcomer."""
    used: set[str] = set()
    chosen: dict[int, tuple[str, str]] = {}
    move = None if fresh else plan_move(rng, reg, team, year, slots)
    if move:
        mover, dest = move
        chosen[slots[dest][0]] = (mover, dest)
        used.add(mover)
    for side in FOCUS:
        members = team.members["CN"] + team.members["US"]  # a member abroad fills the other side's slots
        for pos in slots[side]:
            if pos in chosen:
                continue
            free = [m for m in members if free_for(reg, m, year, side, used)]
            if free and (fresh or rng.random() >= P_NEWCOMER):
                author_id = free[0]
            else:
                author_id = reg.new(side)
                team.members[side].append(author_id)
            chosen[pos] = (author_id, side)
            used.add(author_id)
    return chosen


def remap_authors(rng: random.Random, by_year: dict[int, list[dict]], fields: dict[str, int | None]) -> None:
    """Give the CN and US authorships of CN-US works team author ids (in place), year by year."""
    reg = Registry()
    teams: list[Team] = []
    for year in sorted(by_year):
        for work in by_year[year]:
            slots = side_slots(work)
            if not has_ties(work, slots):
                continue
            team = pick_team(rng, teams, year, fields[work["id"]], slots)
            fresh = team is None
            if team is None:
                team = Team(len(teams) + 1, fields[work["id"]], year, year)
                teams.append(team)
            for pos, (author_id, side) in cast(rng, reg, team, year, slots, fresh).items():
                authorship = work["authorships"][pos]
                name = f"Author {reg.home[author_id]}-{int(author_id[-8:])}"
                authorship["author"] = {**authorship["author"], "id": author_id, "display_name": name}
                authorship["raw_author_name"] = name
                reg.seen[author_id].setdefault(year, set()).add(side)
            team.last_year = year


def add_drivers(by_year: dict[int, list[dict]]) -> None:
    """Add primary topics and re-map CN-US author ids on the full work records of every year (in place)."""
    rng = random.Random(DRIVERS_SEED)
    fields = assign_topics(rng, by_year)
    remap_authors(rng, by_year, fields)


# ---------------------------------------------------------------------------------------------- report

REPORT_SQL = """
CREATE TEMP TABLE listed AS
    SELECT * FROM read_json_auto(?, format = 'newline_delimited', maximum_object_size = 100000000);
CREATE TEMP TABLE full_records AS
    SELECT * FROM read_json_auto(?, format = 'newline_delimited', maximum_object_size = 100000000);
CREATE TEMP TABLE works AS
    SELECT coalesce(f.id, l.id) AS id, l.publication_year AS year, l.type, l.is_retracted, l.is_paratext,
           l.primary_topic.field.id AS field_id,
           coalesce(f.authorships, l.authorships) AS authorships
    FROM listed AS l LEFT JOIN full_records AS f ON f.id = l.id;
CREATE TEMP TABLE auth AS
    SELECT w.id, w.year, w.type, w.is_retracted, w.field_id, len(w.authorships) AS n_authors,
           a.author.id AS author_id, a.countries
    FROM works AS w, unnest(w.authorships) AS u(a);
CREATE TEMP TABLE joint AS
    SELECT id, any_value(year) AS year, any_value(field_id) AS field_id, any_value(n_authors) AS n_authors
    FROM auth GROUP BY id
    HAVING bool_or(list_contains(countries, 'CN')) AND bool_or(list_contains(countries, 'US'))
       AND any_value(type) = 'article' AND NOT any_value(is_retracted);
"""
FIELD_GROUPS_SQL = """
SELECT year, count(*) AS joint,
       count(*) FILTER (WHERE field_id IN ('https://openalex.org/fields/21', 'https://openalex.org/fields/19'))
           AS energy_earth,
       count(*) FILTER (WHERE field_id = 'https://openalex.org/fields/31') AS physics_astronomy,
       count(*) FILTER (WHERE field_id = 'https://openalex.org/fields/27') AS medicine,
       count(*) FILTER (WHERE field_id IS NULL) AS no_field
FROM joint GROUP BY year ORDER BY year
"""
TIES_SQL = """
WITH sides AS (
    SELECT a.id, a.year, a.author_id, list_contains(a.countries, 'CN') AS cn, list_contains(a.countries, 'US') AS us
    FROM auth AS a JOIN joint AS j USING (id) WHERE j.n_authors <= 50
), pairs AS (
    SELECT DISTINCT c.year, c.id, c.author_id AS cn_author, u.author_id AS us_author
    FROM sides AS c JOIN sides AS u ON c.id = u.id AND c.cn AND u.us AND c.author_id <> u.author_id
), first_seen AS (
    SELECT cn_author, us_author, min(year) AS first_year FROM pairs GROUP BY ALL
), per_work AS (
    SELECT p.year, p.id, bool_or(f.first_year < p.year) AS has_repeat
    FROM pairs AS p JOIN first_seen AS f USING (cn_author, us_author) GROUP BY ALL
), per_year AS (
    SELECT DISTINCT p.year, p.cn_author, p.us_author, f.first_year = p.year AS is_new
    FROM pairs AS p JOIN first_seen AS f USING (cn_author, us_author)
)
SELECT y.year, count(*) AS pairs, count(*) FILTER (WHERE is_new) AS new_pairs,
       count(*) FILTER (WHERE NOT is_new) AS repeat_pairs,
       round(avg(is_new::INT), 3) AS new_share,
       (SELECT count(*) FROM per_work AS w WHERE w.year = y.year) AS works,
       (SELECT count(*) FILTER (WHERE has_repeat) FROM per_work AS w WHERE w.year = y.year) AS works_with_repeat
FROM per_year AS y GROUP BY y.year ORDER BY y.year
"""
MOVES_SQL = """
WITH author_year AS (
    SELECT author_id, year, list_distinct(flatten(list(countries))) AS cs
    FROM auth WHERE author_id IS NOT NULL GROUP BY ALL
), single AS (
    SELECT author_id, year, cs[1] AS country FROM author_year WHERE len(cs) = 1
), steps AS (
    SELECT author_id, year, country,
           lag(country) OVER (PARTITION BY author_id ORDER BY year) AS prev_country,
           list(country) OVER (PARTITION BY author_id ORDER BY year
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
    FROM single
)
SELECT year,
       count(*) FILTER (WHERE prev_country = 'CN' AND country = 'US') AS cn_to_us,
       count(*) FILTER (WHERE prev_country = 'US' AND country = 'CN') AS us_to_cn,
       count(*) FILTER (WHERE prev_country = 'US' AND country = 'CN' AND list_contains(earlier, 'CN'))
           AS returnees_to_cn,
       count(*) FILTER (WHERE prev_country <> country
                          AND NOT (prev_country IN ('CN', 'US') AND country IN ('CN', 'US'))) AS other_moves
FROM steps WHERE prev_country IS NOT NULL GROUP BY year ORDER BY year
"""


def report(sample_dir: Path) -> str:
    """The CN-US calibration the sample files hold: fields, new versus repeat ties, moves (per year)."""
    import duckdb

    conn = duckdb.connect()
    listed = sorted(str(p) for p in sample_dir.glob("works_*.jsonl.gz"))
    for statement in REPORT_SQL.split(";"):
        if statement.strip():
            params = [listed] if "listed AS" in statement else [str(sample_dir / "singletons.jsonl.gz")]
            conn.execute(statement, params if "read_json_auto" in statement else [])
    out = []
    for title, sql in (
        ("CN-US articles by field group (fields 21+19 / 31 / 27)", FIELD_GROUPS_SQL),
        (
            "CN-US author pairs (one CN- and one US-located author; works <= 50 authors; new = first year seen)",
            TIES_SQL,
        ),
        ("Author moves between consecutive publication years (single-country years)", MOVES_SQL),
    ):
        rel = conn.sql(sql)
        out += [title, str(rel.fetchdf().to_string(index=False)), ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the CN-US driver calibration of the OpenAlex sample.")
    parser.add_argument(
        "--sample-dir", type=Path, default=Path(__file__).resolve().parents[1] / "pipeline/sample_data/openalex"
    )
    print(report(parser.parse_args().sample_dir))


if __name__ == "__main__":
    main()
