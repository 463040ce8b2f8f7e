-- mart.bilateral_breaks: one row per ordered pair, signal of mart.bilateral_dashboard (and, for the focus
-- pairs, the tie signals new_tie_pairs and share_papers_with_repeat_pair of mart.collaboration_ties, its
-- history-censored years left out) and break year
-- (COLLAB_BREAK_YEARS): segmented regression of log values at the break (slopes, their change and its
-- p-value, the level jump), the Chow test, an unknown-break search, CAGR before and after, and how many
-- yearly points each estimate rests on. Estimated in Python (pipeline/breaks.py, statsmodels and
-- ruptures) on a series of one source and mode: the signal's levels when they have one provenance
-- ('level'), else its chain-linked index ('chain_linked_index'), named in series_basis with the
-- provenance of the values used. This file adds the scale and the table's own provenance.
-- Input: temp table incoming_breaks (pipeline.breaks.BREAKS_SCHEMA).
SELECT
    b.* EXCLUDE (provenance),
    'log' AS scale,
    b.provenance,
    'openalex+mobility+flights' AS source,
    getvariable('source_mode') AS source_mode,
    (SELECT max(retrieved_at) FROM mart.bilateral_dashboard) AS retrieved_at
FROM incoming_breaks AS b
