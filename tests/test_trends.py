"""Trend and break maths (pipeline/trends.py) on hand-built yearly series with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import trends
from pipeline.trends import BreakResult, cagr, find_break, segmented_regression

YEARS = range(2010, 2026)  # 16 years: 8 before 2018, 8 from 2018 on

# Orthogonal to [1, t] on any 8 consecutive years (sums: 1−1−1+1+1−1−1+1 = 0 and 0−1−2+3+4−5−6+7 = 0), so adding it
# to each segment leaves every OLS coefficient unchanged while giving the tests non-zero residuals.
WIGGLE = (1, -1, -1, 1, 1, -1, -1, 1)


def kinked(noise: float) -> dict[int, float]:
    """Slope 2 before 2018 (10, 12, …, 24), slope −1 from 2018 (20, 19, …, 13): level jump 20 − 26 = −6 at 2018."""
    out = {}
    for i, year in enumerate(YEARS):
        base = 10 + 2 * (year - 2010) if year < 2018 else 20 - (year - 2018)
        out[year] = base + noise * WIGGLE[i % 8]
    return out


def straight() -> dict[int, float]:
    """y = 5 + 0.5·(t − 2010) plus small fixed noise with no structure around 2018."""
    noise = (0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.3, -0.3, 0.1, 0.2, -0.2, 0.0, 0.4, -0.1, -0.3)
    return {year: 5 + 0.5 * (year - 2010) + e for year, e in zip(YEARS, noise, strict=True)}


def manual_chow(values: dict[int, float], tau: int) -> float:
    """F = [(RSS_pooled − RSS_1 − RSS_2)/k] / [(RSS_1 + RSS_2)/(n − 2k)], k = 2, from numpy line fits."""

    def rss(ts: list[int]) -> float:
        t = np.array(ts, dtype=float)
        y = np.array([values[i] for i in ts])
        coef = np.polyfit(t - tau, y, 1)
        return float(((y - np.polyval(coef, t - tau)) ** 2).sum())

    ts = sorted(values)
    before, after = [t for t in ts if t < tau], [t for t in ts if t >= tau]
    rss1, rss2 = rss(before), rss(after)
    return ((rss(ts) - rss1 - rss2) / 2) / ((rss1 + rss2) / (len(ts) - 4))


# ---- segmented regression at a known break -----------------------------------------------------------------------


def test_kinked_series_recovers_slopes_jump_and_chow():
    r = segmented_regression(kinked(noise=0.01), 2018)
    assert (r.n_points, r.n_before, r.n_after) == (16, 8, 8)
    assert r.slope_before == pytest.approx(2, abs=1e-9)
    assert r.slope_after == pytest.approx(-1, abs=1e-9)
    assert r.slope_change == pytest.approx(-3, abs=1e-9)
    assert r.level_change == pytest.approx(-6, abs=1e-9)
    assert r.slope_change_p_value < 1e-12
    assert r.chow_p_value < 1e-12
    assert r.chow_f == pytest.approx(manual_chow(kinked(noise=0.01), 2018), rel=1e-9)
    assert r.reason is None


def test_noiseless_kinked_series_reports_slopes_but_no_p_values():
    r = segmented_regression(kinked(noise=0.0), 2018)
    assert r.slope_before == pytest.approx(2, abs=1e-9)
    assert r.slope_after == pytest.approx(-1, abs=1e-9)
    assert r.slope_change == pytest.approx(-3, abs=1e-9)
    assert r.level_change == pytest.approx(-6, abs=1e-9)
    # Zero residuals: F = x/0 and t = x/0 are undefined, so they are not invented.
    assert r.slope_change_p_value is None and r.chow_f is None and r.chow_p_value is None
    assert "exactly" in r.reason


def test_straight_line_has_no_break():
    values = straight()
    r = segmented_regression(values, 2018)
    assert r.slope_before == pytest.approx(0.5, abs=0.1)
    assert r.slope_after == pytest.approx(0.5, abs=0.1)
    assert abs(r.slope_change) < 0.1
    assert r.slope_change_p_value > 0.2
    assert r.chow_p_value > 0.2
    assert r.chow_f == pytest.approx(manual_chow(values, 2018), rel=1e-9)
    assert r.reason is None


def test_too_few_points_after_the_break_gives_none_and_the_count():
    values = {year: float(year - 2000) for year in range(2010, 2022)}  # 2020, 2021: two points from 2020 on
    r = segmented_regression(values, 2020)
    assert (r.n_points, r.n_before, r.n_after) == (12, 10, 2)
    numeric = (
        r.slope_before,
        r.slope_after,
        r.slope_change,
        r.slope_change_p_value,
        r.level_change,
        r.chow_f,
        r.chow_p_value,
    )
    assert all(v is None for v in numeric)
    assert "2 points" in r.reason and "2020" in r.reason and "need 3" in r.reason


def test_too_few_points_before_the_break():
    r = segmented_regression({2016: 1.0, 2017: 2.0, 2018: 3.0, 2019: 5.0, 2020: 4.0, 2021: 6.0}, 2018)
    assert r.slope_before is None and r.chow_f is None
    assert "2 points before 2018" in r.reason


def test_no_residual_degrees_of_freedom():
    r = segmented_regression({2016: 1.0, 2017: 2.0, 2018: 3.0, 2019: 5.0}, 2018, min_side=2)
    assert r.slope_before is None and r.chow_p_value is None
    assert "degrees of freedom" in r.reason


def test_min_side_below_two_is_rejected():
    with pytest.raises(ValueError):
        segmented_regression(kinked(0.01), 2018, min_side=1)


def test_missing_values_are_dropped_and_counted():
    values: dict[int, float | None] = dict(kinked(noise=0.01))
    clean = dict(values)
    values[2008] = None
    values[2009] = float("nan")
    values[2026] = float("inf")
    r = segmented_regression(values, 2018)
    assert (r.n_points, r.n_before, r.n_after) == (16, 8, 8)
    assert r == segmented_regression(clean, 2018)
    # Dropping real points inside the series: n_points counts what was used.
    del clean[2012]
    values[2012] = None
    r2 = segmented_regression(values, 2018)
    assert (r2.n_points, r2.n_before, r2.n_after) == (15, 7, 8)
    assert r2.slope_before == pytest.approx(2, abs=1e-3)  # the wiggle is no longer orthogonal: only close to 2
    assert r2 == segmented_regression(clean, 2018)


def test_break_result_is_frozen():
    r = segmented_regression(kinked(0.01), 2018)
    assert isinstance(r, BreakResult)
    with pytest.raises(AttributeError):
        r.break_year = 2019  # type: ignore[misc]


# ---- unknown break ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_find_break_finds_2018(noise):
    assert find_break(kinked(noise)) == (2018, None)


def test_find_break_without_ruptures_uses_least_squares(monkeypatch):
    monkeypatch.setattr(trends, "_ruptures", None)
    assert find_break(kinked(0.01)) == (2018, None)


@pytest.mark.parametrize("seed", range(5))
def test_ruptures_and_least_squares_agree(seed):
    if trends._ruptures is None:
        pytest.skip("ruptures not installed")
    rng = np.random.default_rng(seed)
    x = np.arange(15, dtype=float) - 7.0
    y = 0.3 * x + np.where(x >= rng.integers(-3, 4), 2.0, 0.0) + rng.normal(0, 1, size=15)
    assert trends._find_break_ruptures(x, y, 3) == trends._find_break_lstsq(x, y, 3)


def test_find_break_too_few_points():
    year, reason = find_break({2015: 1.0, 2016: 2.0, 2017: 3.0, 2018: 1.0, 2019: None, 2020: 0.5})
    assert year is None
    assert "5 points" in reason and "need 6" in reason


def test_find_break_exact_line_has_no_break():
    assert find_break({year: 3.0 * year - 6000.0 for year in YEARS}) == (
        None,
        "no split fits better than a single line",
    )


# ---- CAGR ---------------------------------------------------------------------------------------------------------


def test_cagr_known_value():
    assert cagr({2018: 100.0, 2019: 110.0, 2020: 121.0}, 2018, 2020) == pytest.approx(0.1, abs=1e-12)
    assert cagr({2018: 121.0, 2020: 100.0}, 2018, 2020) == pytest.approx(10 / 11 - 1, abs=1e-12)  # decline
    assert cagr({2010: 50.0, 2020: 50.0}, 2010, 2020) == 0.0  # a real zero: flat, both endpoints present


@pytest.mark.parametrize(
    "values",
    [
        {2020: 121.0},  # start missing
        {2018: 100.0},  # end missing
        {2018: None, 2020: 121.0},
        {2018: float("nan"), 2020: 121.0},
        {2018: 0.0, 2020: 121.0},  # zero start: growth from nothing is undefined, not 0
        {2018: 100.0, 2020: 0.0},
        {2018: -5.0, 2020: 121.0},
    ],
)
def test_cagr_none_when_an_endpoint_is_missing_or_not_positive(values):
    assert cagr(values, 2018, 2020) is None


def test_cagr_rejects_reversed_years():
    with pytest.raises(ValueError):
        cagr({2018: 100.0, 2020: 121.0}, 2020, 2018)
