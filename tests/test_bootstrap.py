"""Bootstrap intervals of the collaboration score and observed/expected (macros/bootstrap.sql and
core/pair_year_bootstrap.sql) against distributions known in closed form."""

from __future__ import annotations

import duckdb
import pytest
from scipy.stats import poisson

from pipeline.warehouse import init_schema
from tests.sqlharness import build_marts, fetch_dicts, work


@pytest.fixture(scope="module")
def macros() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    init_schema(conn)
    return conn


@pytest.mark.parametrize("u", [0.0, 0.1, 0.3678, 0.3679, 0.5, 0.7358, 0.9, 0.95, 0.99, 0.999, 0.99999, 0.9999999])
def test_poisson1_quantile_is_the_poisson_1_quantile_function(macros: duckdb.DuckDBPyConnection, u: float) -> None:
    got = macros.execute("SELECT poisson1_quantile(?::DOUBLE)", [u]).fetchall()[0][0]
    # the tail beyond 8 (probability 1.1e-6) is folded into 9
    assert got == (min(int(poisson(1).ppf(u)), 9) if u > 0 else 0)


def test_bootstrap_weights_have_poisson_1_moments_and_are_reproducible(macros: duckdb.DuckDBPyConnection) -> None:
    draw = (
        "SELECT avg(w), var_samp(w), sum(w) FROM "
        "(SELECT bootstrap_weight('W' || k, r, ?) AS w FROM range(2000) AS a(k), range(50) AS b(r))"
    )
    mean, var, total = macros.execute(draw, [7]).fetchall()[0]
    assert mean == pytest.approx(1.0, abs=0.01)  # 100,000 draws: standard error 0.003
    assert var == pytest.approx(1.0, abs=0.03)
    assert macros.execute(draw, [7]).fetchall()[0][2] == total
    assert macros.execute(draw, [8]).fetchall()[0][2] != total


def _joint_world(n_joint: int, year: int = 2020) -> list[dict]:
    # n_joint CN–US papers with one author in each (s_CN = s_US = 1/2, so x_p = 1), plus unrelated papers
    works = [work(f"W{k}", year, [["CN"], ["US"]]) for k in range(n_joint)]
    works += [work(f"W{1000 + k}", year, [["DE"], ["FR"]]) for k in range(30)]
    works += [work(f"W{2000 + k}", year, [["GB"]]) for k in range(10)]
    works.append(work("W3000", year - 1, [["CN"], ["US"]]))  # the pair also has a year with one paper
    return works


def test_score_interval_matches_the_poisson_sum_quantiles() -> None:
    # Each joint paper has x_p = 1, so a replicate's score is a sum of 40 Poisson(1) weights: Poisson(40),
    # whose 2.5 % and 97.5 % quantiles are 28 and 53.
    conn = build_marts(_joint_world(40), env={"COLLAB_BOOTSTRAP_REPLICATES": "4000", "COLLAB_FOCUS": "CN,US"})
    [row] = fetch_dicts(
        conn,
        "SELECT * FROM mart.bilateral_papers WHERE country_a = 'CN' AND country_b = 'US' AND year = 2020 "
        "AND paper_set = 'all'",
    )
    assert row["collaboration_score"] == pytest.approx(40)
    assert row["bootstrap_replicates"] == 4000
    assert row["collaboration_score_ci_low"] == pytest.approx(poisson(40).ppf(0.025), abs=1)
    assert row["collaboration_score_ci_high"] == pytest.approx(poisson(40).ppf(0.975), abs=1)
    assert row["observed_expected_ci_low"] < row["observed_expected"] < row["observed_expected_ci_high"]
    assert row["ci_basis"].startswith("Poisson bootstrap of every paper")


def test_intervals_follow_the_pair_and_exist_only_for_focus_pairs() -> None:
    conn = build_marts(_joint_world(12), env={"COLLAB_FOCUS": "CN,US"})
    rows = fetch_dicts(
        conn,
        "SELECT country_a, country_b, year, collaboration_score, collaboration_score_ci_low AS lo, "
        "collaboration_score_ci_high AS hi FROM mart.bilateral_papers WHERE paper_set = 'all' ORDER BY ALL",
    )
    by_key = {(r["country_a"], r["country_b"], r["year"]): r for r in rows}
    # both orders get the same interval: the same papers and weights
    assert (by_key["CN", "US", 2020]["lo"], by_key["CN", "US", 2020]["hi"]) == (
        by_key["US", "CN", 2020]["lo"],
        by_key["US", "CN", 2020]["hi"],
    )
    # DE–FR has no focus country: no interval, not a made-up one
    assert by_key["DE", "FR", 2020]["lo"] is None and by_key["DE", "FR", 2020]["hi"] is None
    # a year without joint papers is a known zero, and so is its interval
    zero = by_key.get(("CN", "US", 2019))
    assert zero is not None and zero["collaboration_score"] == pytest.approx(1)
    assert zero["lo"] == pytest.approx(0) and zero["hi"] >= 1


def test_fractional_scores_scale_the_interval() -> None:
    # Same 40 papers but a third country on each: s_CN = s_US = 1/3, x_p = 2/3, interval scales by 2/3.
    works = [work(f"W{k}", 2020, [["CN"], ["US"], ["DE"]]) for k in range(40)]
    works += [work(f"W{1000 + k}", 2020, [["GB"], ["FR"]]) for k in range(30)]
    conn = build_marts(works, env={"COLLAB_BOOTSTRAP_REPLICATES": "4000", "COLLAB_FOCUS": "CN,US"})
    [row] = fetch_dicts(
        conn, "SELECT * FROM mart.bilateral_papers WHERE country_a = 'CN' AND country_b = 'US' AND paper_set = 'all'"
    )
    assert row["collaboration_score"] == pytest.approx(80 / 3)
    assert row["collaboration_score_ci_low"] == pytest.approx(2 / 3 * poisson(40).ppf(0.025), abs=1)
    assert row["collaboration_score_ci_high"] == pytest.approx(2 / 3 * poisson(40).ppf(0.975), abs=1)
