"""Trends and structural breaks of short yearly series (docs/methods.md#trends-and-structural-breaks), as pure
functions.

No Dagster, no DuckDB: each function takes ``{year: value}`` and returns plain numbers. Missing values (None,
NaN, ±inf) are dropped before fitting, and any quantity that cannot be estimated from what is left is ``None``
with a ``reason`` rather than a made-up number.

The regressions fit the values as given. For the log-linear form the marts use
(docs/methods.md#segmented-regression-at-a-known-break; slopes read as growth e^b − 1), pass log values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from statsmodels.regression.linear_model import OLS

try:  # optional: exact single-break search; the least-squares fallback below gives the same split
    import ruptures as _ruptures
except ImportError:  # pragma: no cover - exercised only where ruptures is not installed
    _ruptures = None

# The residual sum of squares of a fit counts as exactly zero below this fraction of the total sum of squares;
# F statistics and p-values are then undefined (0/0 or x/0) and are not reported.
_EXACT_FIT_RTOL = 1e-20
_EXACT_FIT_REASON = "the two segments fit exactly (zero residuals); p-values and the Chow F are undefined"


@dataclass(frozen=True)
class BreakResult:
    """Segmented regression at a known break year, with the Chow test at the same year.

    ``n_before`` counts years t < break_year, ``n_after`` years t ≥ break_year. Numeric fields are None when they
    cannot be estimated, and ``reason`` says why; ``reason`` is None when every field is filled.
    """

    break_year: int
    n_points: int
    n_before: int
    n_after: int
    slope_before: float | None
    slope_after: float | None
    slope_change: float | None
    slope_change_p_value: float | None
    level_change: float | None
    chow_f: float | None
    chow_p_value: float | None
    reason: str | None


def _clean(values_by_year: Mapping[int, float | None]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (years, values) with None and non-finite values dropped."""
    pairs = sorted(
        (int(year), float(value))
        for year, value in values_by_year.items()
        if value is not None and math.isfinite(float(value))
    )
    years = np.array([p[0] for p in pairs], dtype=float)
    values = np.array([p[1] for p in pairs], dtype=float)
    return years, values


def _value(values_by_year: Mapping[int, float | None], year: int) -> float | None:
    value = values_by_year.get(year)
    if value is None or not math.isfinite(float(value)):
        return None
    return float(value)


def cagr(values_by_year: Mapping[int, float | None], first: int, last: int) -> float | None:
    """Compound annual growth rate (x_last / x_first)^(1 / (last − first)) − 1.

    Uses the two endpoints only. None (never 0) when either endpoint is missing, NaN or ≤ 0.
    Raises ValueError when ``last <= first``.
    """
    if last <= first:
        raise ValueError(f"cagr needs last > first, got first={first}, last={last}")
    x0 = _value(values_by_year, first)
    x1 = _value(values_by_year, last)
    if x0 is None or x1 is None or x0 <= 0 or x1 <= 0:
        return None
    return (x1 / x0) ** (1.0 / (last - first)) - 1.0


def _empty_break(break_year: int, n_points: int, n_before: int, n_after: int, reason: str) -> BreakResult:
    return BreakResult(
        break_year=break_year,
        n_points=n_points,
        n_before=n_before,
        n_after=n_after,
        slope_before=None,
        slope_after=None,
        slope_change=None,
        slope_change_p_value=None,
        level_change=None,
        chow_f=None,
        chow_p_value=None,
        reason=reason,
    )


def segmented_regression(values_by_year: Mapping[int, float | None], break_year: int, min_side: int = 3) -> BreakResult:
    """OLS fit of y_t = a + b·t + c·D_t + d·(t − τ)·D_t with D_t = 1[t ≥ τ], τ = ``break_year``.

    slope_before = b, slope_after = b + d, slope_change = d (with its two-sided t-test p-value, df = n − 4),
    level_change = c (the jump at τ). The Chow test at τ is the joint F-test of c = d = 0, which equals
    F = [(RSS_pooled − RSS_1 − RSS_2)/2] / [(RSS_1 + RSS_2)/(n − 4)] with df (2, n − 4).

    Each side needs at least ``min_side`` points (and at least 2, to have a slope), and n − 4 ≥ 1 for the tests;
    otherwise the numeric fields are None and ``reason`` says why. If the model fits exactly (zero residuals),
    the slopes and level change are reported but the p-values and F are None, with a reason.
    """
    if min_side < 2:
        raise ValueError(f"min_side must be at least 2 (a slope needs two points), got {min_side}")
    years, y = _clean(values_by_year)
    n = len(years)
    after = years >= break_year
    n_after = int(after.sum())
    n_before = n - n_after
    too_few = _too_few_points(n, n_before, n_after, break_year, min_side)
    if too_few:
        return _empty_break(break_year, n, n_before, n_after, too_few)

    x = years - break_year  # centred on τ: same b, c, d as with raw years, better conditioned
    d = after.astype(float)
    full = OLS(y, np.column_stack([np.ones(n), x, d, x * d])).fit()
    pooled = OLS(y, np.column_stack([np.ones(n), x])).fit()
    _, b, c, dd = (float(v) for v in full.params)
    # An exact fit has no residual variance: its tests are undefined (and are not run).
    exact = float(full.ssr) <= _EXACT_FIT_RTOL * float(((y - y.mean()) ** 2).sum())
    chow_f, chow_p, _ = (None, None, None) if exact else full.compare_f_test(pooled)
    return BreakResult(
        break_year=break_year,
        n_points=n,
        n_before=n_before,
        n_after=n_after,
        slope_before=b,
        slope_after=b + dd,
        slope_change=dd,
        slope_change_p_value=None if exact else float(full.pvalues[3]),
        level_change=c,
        chow_f=None if exact else float(chow_f),
        chow_p_value=None if exact else float(chow_p),
        reason=_EXACT_FIT_REASON if exact else None,
    )


def _too_few_points(n: int, n_before: int, n_after: int, break_year: int, min_side: int) -> str | None:
    """Why the series cannot be fitted around ``break_year`` (None: it can)."""
    if n_before < min_side:
        return f"{n_before} points before {break_year}; need {min_side}"
    if n_after < min_side:
        return f"{n_after} points in {break_year} or later; need {min_side}"
    if n - 4 < 1:
        return f"{n} points leave no residual degrees of freedom for 4 parameters"
    return None


def _rss_line(x: np.ndarray, y: np.ndarray) -> float:
    """Residual sum of squares of the least-squares line y = a + b·x."""
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(resid @ resid)


def _find_break_lstsq(x: np.ndarray, y: np.ndarray, min_size: int) -> int:
    """Index k (first point of the second segment) minimising RSS(line on [0, k)) + RSS(line on [k, n))."""
    n = len(x)
    costs = {k: _rss_line(x[:k], y[:k]) + _rss_line(x[k:], y[k:]) for k in range(min_size, n - min_size + 1)}
    return min(costs, key=lambda k: (costs[k], k))


def _find_break_ruptures(x: np.ndarray, y: np.ndarray, min_size: int) -> int:
    """Same split by ruptures: Binseg with one break on the "linear" cost (signal [y, 1, t]), every year allowed."""
    signal = np.column_stack([y, np.ones(len(x)), x])
    algo = _ruptures.Binseg(model="linear", min_size=min_size, jump=1).fit(signal)
    ends = algo.predict(n_bkps=1)  # segment end indices; the last one is n
    return int(ends[0])


def find_break(values_by_year: Mapping[int, float | None], min_size: int = 3) -> tuple[int | None, str | None]:
    """Single unknown break in a linear trend: the year τ minimising RSS_1 + RSS_2 of separate lines on t < τ and
    t ≥ τ, each segment holding at least ``min_size`` points.

    Uses ``ruptures`` (Binseg, one break, "linear" cost, jump=1, which for one break is an exhaustive search)
    when installed, else the same search in numpy. Returns (τ, None), or (None, reason) when there are fewer than
    2·min_size points or no split fits better than one line. There is no p-value here: follow with
    ``segmented_regression(values, τ)`` for the Chow test, and treat it as exploratory (τ was chosen by the data).
    """
    if min_size < 2:
        raise ValueError(f"min_size must be at least 2 (a line needs two points), got {min_size}")
    years, y = _clean(values_by_year)
    n = len(years)
    if n < 2 * min_size:
        return None, f"{n} points; need {2 * min_size} (two segments of at least {min_size})"
    x = years - years.mean()
    k = _find_break_ruptures(x, y, min_size) if _ruptures is not None else _find_break_lstsq(x, y, min_size)
    pooled = _rss_line(x, y)
    split = _rss_line(x[:k], y[:k]) + _rss_line(x[k:], y[k:])
    scale = float(((y - y.mean()) ** 2).sum())
    if pooled - split <= 1e-12 * max(scale, 1e-300):
        return None, "no split fits better than a single line"
    return int(years[k]), None
