"""Break rows of dashboard series (pipeline/breaks.py) on constructed series with known answers."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline.breaks import BREAKS_SCHEMA, breaks_frame, series_breaks

YEARS = range(2010, 2025)


def kinked_growth() -> dict[int, float]:
    """+10 %/year to 2019, a 20 % drop in 2020, then −5 %/year: log-linear with slope log 1.1 before 2020, log 0.95
    from 2020, and a level jump of log 0.8 at 2020 (the trend line before would have reached 100·1.1^10)."""
    trend_2020 = 100 * 1.1**10
    return {y: 100 * 1.1 ** (y - 2010) if y < 2020 else 0.8 * trend_2020 * 0.95 ** (y - 2020) for y in YEARS}


def test_growth_rates_before_and_after_a_known_break_are_exact() -> None:
    [row] = series_breaks(kinked_growth(), [2020])
    assert row["growth_before"] == pytest.approx(0.10)
    assert row["growth_after"] == pytest.approx(-0.05)
    assert row["slope_change"] == pytest.approx(math.log(0.95) - math.log(1.1))
    assert row["level_change"] == pytest.approx(math.log(0.8))
    assert (row["n_points"], row["n_before"], row["n_after"]) == (15, 10, 5)
    # CAGR uses the endpoints only: 2010 → 2020 spans the ten +10 % years and the 2020 drop
    assert row["cagr_before"] == pytest.approx((0.8 * 1.1**10) ** 0.1 - 1)
    assert row["cagr_after"] == pytest.approx(-0.05)
    assert row["change_since_break"] == pytest.approx(0.95**4 - 1)
    assert row["found_break_year"] == 2020
    # an exact fit has no residuals: slopes reported, p-values not, and the reason says so
    assert row["slope_change_p_value"] is None and "exactly" in row["reason"]


def test_noisy_kink_gives_p_values_and_the_wrong_break_year_fits_worse() -> None:
    noise = [0.01 * ((-1) ** i) * (1 + i % 3) for i in range(len(YEARS))]
    values = {y: v * math.exp(e) for (y, v), e in zip(kinked_growth().items(), noise, strict=True)}
    at_2020, at_2018 = (series_breaks(values, [tau])[0] for tau in (2020, 2018))
    assert at_2020["chow_p_value"] < 0.001 and at_2020["slope_change_p_value"] < 0.001
    assert at_2020["growth_before"] == pytest.approx(0.10, abs=0.01)
    assert at_2020["growth_after"] == pytest.approx(-0.05, abs=0.02)
    assert at_2020["chow_f"] > at_2018["chow_f"]
    assert at_2020["found_break_year"] == at_2018["found_break_year"] == 2020


def test_too_short_and_zero_values_give_a_reason_not_a_number() -> None:
    values = {2016: 5.0, 2017: 0.0, 2018: 6.0, 2019: None, 2020: 7.0, 2021: 8.0, 2022: 9.0}
    [row] = series_breaks(values, [2018])
    # 0 and None have no log: 2016 is the only point before 2018
    assert (row["n_points"], row["n_before"], row["n_after"]) == (5, 1, 4)
    assert row["slope_before"] is None and row["chow_f"] is None
    assert "1 points before 2018" in row["reason"]
    assert row["found_break_year"] is None and "need 6" in row["found_break_reason"]
    # descriptive figures that need only their endpoints are still there
    assert row["change_since_break"] == pytest.approx(9 / 6 - 1)
    assert row["cagr_after"] == pytest.approx((9 / 6) ** 0.25 - 1)
    assert row["cagr_before"] == pytest.approx((6 / 5) ** 0.5 - 1)


def test_missing_break_year_value_leaves_the_change_empty() -> None:
    values = {y: float(y - 2000) for y in YEARS if y != 2020}
    [row] = series_breaks(values, [2020])
    assert row["value_at_break"] is None and row["change_since_break"] is None and row["cagr_after"] is None


def test_breaks_frame_has_a_row_per_pair_signal_and_break_year() -> None:
    growth = kinked_growth()
    dashboard = pl.DataFrame(
        {
            "country_a": ["CN"] * len(YEARS) + ["US"] * len(YEARS),
            "country_b": ["US"] * len(YEARS) + ["CN"] * len(YEARS),
            "year": [*YEARS, *YEARS],
            "coauthored": [int(growth[y]) for y in YEARS] * 2,
            "students_a_to_b": [None] * len(YEARS) + [float(y) for y in YEARS],
        }
    )
    frame = breaks_frame(dashboard, [2018, 2020], signals=["coauthored", "students_a_to_b"])
    assert frame.schema == pl.Schema(BREAKS_SCHEMA)
    assert frame.height == 2 * 2 * 2
    assert frame.select("country_a", "country_b", "signal", "break_year").is_duplicated().sum() == 0
    empty = frame.filter((pl.col("country_a") == "CN") & (pl.col("signal") == "students_a_to_b"))
    assert empty["n_points"].to_list() == [0, 0] and empty["slope_before"].null_count() == 2
    assert empty["reason"].null_count() == 0
    cn_us = frame.filter(
        (pl.col("country_a") == "CN") & (pl.col("signal") == "coauthored") & (pl.col("break_year") == 2020)
    )
    assert cn_us["growth_before"][0] == pytest.approx(0.10, abs=0.01)


def test_a_series_that_switches_sources_is_fitted_on_its_chain_linked_index() -> None:
    # Students CN→US: UIS to 2023, then another source; the levels are not one series, the index is.
    levels = [300.0 + 10 * i for i in range(len(YEARS) - 1)] + [900.0]
    index = [100.0 * v / levels[YEARS.index(2018)] for v in levels[:-1]]
    index.append(index[-1] * 0.97)  # chain-linked: the new source fell 3 % over the overlap year
    provenance = ["uis (live)"] * (len(YEARS) - 1) + ["iie_open_doors (reference)"]
    dashboard = pl.DataFrame(
        {
            "country_a": ["CN"] * len(YEARS),
            "country_b": ["US"] * len(YEARS),
            "year": YEARS,
            "coauthored": [float(y - 2000) for y in YEARS],
            "papers_provenance": ["openalex (records, live)"] * len(YEARS),
            "students_a_to_b": levels,
            "students_a_to_b_index": index,
            "students_a_to_b_provenance": provenance,
        }
    )
    frame = breaks_frame(dashboard, [2018], signals=["coauthored", "students_a_to_b"])
    papers, students = frame.sort("signal").iter_rows(named=True)
    assert (papers["series_basis"], papers["provenance"]) == ("level", "openalex (records, live)")
    assert students["series_basis"] == "chain_linked_index"
    assert students["provenance"] == "iie_open_doors (reference); uis (live)"
    assert students["value_at_break"] == pytest.approx(100.0)
    assert students["change_since_break"] == pytest.approx(index[-1] / 100 - 1)  # not 900 / UIS 2018
    # Without a chain-linked index a spliced series gets no estimates, and says why.
    [spliced] = breaks_frame(dashboard.drop("students_a_to_b_index"), [2018], signals=["students_a_to_b"]).to_dicts()
    assert spliced["series_basis"] == "mixed_sources" and spliced["slope_change"] is None
    assert "switches sources" in spliced["reason"] and spliced["change_since_break"] is None


def test_the_tie_series_leave_censored_years_out_and_fit_the_rest() -> None:
    """mart.collaboration_ties rows → ties_series → breaks_frame: the censored years are NULL (not fitted), the
    remaining new pairs grow +10 %/year to 2019 and shrink −5 %/year from 2020, and the repeat share is fitted on
    its own; the provenance names the mart and the mode."""
    from pipeline.breaks import TIE_SIGNALS, ties_series

    growth = kinked_growth()
    ties = pl.DataFrame(
        {
            "country_a": "CN",
            "country_b": "US",
            "year": list(YEARS),
            # the censored years hold a made-up jump a fit would have to bend through
            "new_pairs": [10_000 if y < 2012 else round(growth[y] * 1000) for y in YEARS],
            "share_papers_with_repeat_pair": [0.0 if y < 2012 else 0.2 * 1.02 ** (y - 2012) for y in YEARS],
            "history_censored": [y < 2012 for y in YEARS],
            "source": "openalex",
            "source_mode": "sample",
        }
    )
    series = ties_series(ties)
    assert series.filter(pl.col("year") < 2012)["new_tie_pairs"].is_null().all()
    assert series.filter(pl.col("year") == 2012)["new_tie_pairs"].item() == round(growth[2012] * 1000)
    rows = breaks_frame(series, [2020], TIE_SIGNALS)
    assert rows["signal"].to_list() == ["new_tie_pairs", "share_papers_with_repeat_pair"]
    new = rows.row(0, named=True)
    assert (new["n_points"], new["n_before"], new["n_after"]) == (13, 8, 5)
    assert new["growth_before"] == pytest.approx(0.10, abs=1e-4)
    assert new["growth_after"] == pytest.approx(-0.05, abs=1e-4)
    assert new["series_basis"] == "level"
    assert new["provenance"] == "openalex (mart.collaboration_ties, sample; history-censored years left out)"
    share = rows.row(1, named=True)
    assert share["growth_before"] == pytest.approx(0.02) and share["growth_after"] == pytest.approx(0.02)
    assert share["value_at_break"] == pytest.approx(0.2 * 1.02**8)
