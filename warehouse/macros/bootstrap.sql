-- Deterministic Poisson bootstrap weights (Hanley & MacGibbon 2006): instead of drawing n papers with
-- replacement, every paper gets an independent weight w ~ Poisson(1) in each replicate. Same mean and,
-- for sums, the same variance as the multinomial bootstrap, but each weight depends only on its own
-- (paper, replicate), so the resampling is a set-based join rather than a loop, and a hash instead of
-- random() makes reruns (and parallel threads) give the same interval.

-- Quantile function of Poisson(1): the smallest k with P(X <= k) >= u. Thresholds are
-- e^-1 * sum_{j<=k} 1/j!; P(X > 8) < 1.2e-6 is folded into 9.
CREATE OR REPLACE MACRO poisson1_quantile(u) AS
    CASE
        WHEN u <= 0.36787944117144245 THEN 0
        WHEN u <= 0.7357588823428847 THEN 1
        WHEN u <= 0.9196986029286058 THEN 2
        WHEN u <= 0.9810118431238462 THEN 3
        WHEN u <= 0.9963401531726563 THEN 4
        WHEN u <= 0.9994058151824183 THEN 5
        WHEN u <= 0.999916758850712 THEN 6
        WHEN u <= 0.9999897508033253 THEN 7
        WHEN u <= 0.999998874797402 THEN 8
        ELSE 9
    END;

-- A uniform number in [0, 1) from the 53 high bits of DuckDB's hash of (key, replicate, seed).
CREATE OR REPLACE MACRO hash_uniform(key, replicate, seed) AS
    (hash(key, replicate, seed) >> 11)::DOUBLE / 9007199254740992.0;

CREATE OR REPLACE MACRO bootstrap_weight(key, replicate, seed) AS
    poisson1_quantile(hash_uniform(key, replicate, seed));
