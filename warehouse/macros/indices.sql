-- Bilateral collaboration indices as DuckDB macros: the single definition of the maths
-- (docs/methods.md#co-authorship-indices). Marts call them; analysts can call them too.
-- Every macro returns NULL, never 0, when an input it needs is NULL or a denominator is 0.

-- Salton's cosine: C_AB / sqrt(N_A * N_B), full counting.
CREATE OR REPLACE MACRO salton(coauthored, papers_a, papers_b) AS
    CASE WHEN papers_a > 0 AND papers_b > 0
         THEN coauthored::DOUBLE / sqrt(papers_a::DOUBLE * papers_b::DOUBLE) END;

-- Jaccard: C_AB / (N_A + N_B - C_AB); NULL if N_A or N_B = 0, as Salton (docs/methods.md#saltons-cosine-and-jaccard).
CREATE OR REPLACE MACRO jaccard(coauthored, papers_a, papers_b) AS
    CASE WHEN papers_a > 0 AND papers_b > 0 AND papers_a + papers_b - coauthored > 0
         THEN coauthored::DOUBLE / (papers_a + papers_b - coauthored)::DOUBLE END;

-- Affinity a(A->B): share of A's international papers that include B (asymmetric).
CREATE OR REPLACE MACRO affinity(coauthored, intl_papers_a) AS
    CASE WHEN intl_papers_a > 0 THEN coauthored::DOUBLE / intl_papers_a::DOUBLE END;

-- Expected co-authored papers under independence: C_A^int * C_B^int / C_W^int.
CREATE OR REPLACE MACRO expected_coauthored(intl_papers_a, intl_papers_b, world_intl_papers) AS
    CASE WHEN world_intl_papers > 0
         THEN intl_papers_a::DOUBLE * intl_papers_b::DOUBLE / world_intl_papers::DOUBLE END;

-- Observed/expected = NSF international collaboration index = PAI (one formula, not three).
CREATE OR REPLACE MACRO observed_expected(coauthored, intl_papers_a, intl_papers_b, world_intl_papers) AS
    CASE WHEN intl_papers_a > 0 AND intl_papers_b > 0 AND world_intl_papers > 0
         THEN coauthored::DOUBLE * world_intl_papers::DOUBLE
              / (intl_papers_a::DOUBLE * intl_papers_b::DOUBLE) END;

-- Nature Index bilateral collaboration score: the sum of A's and B's Shares on their joint papers.
CREATE OR REPLACE MACRO collaboration_score(share_a_joint, share_b_joint) AS
    share_a_joint + share_b_joint;
