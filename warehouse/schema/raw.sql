-- Raw layer: what each source returned, one row per record, with provenance.
-- Idempotent DDL: run before every load. It creates what is missing in the CURRENT shape; a change to a
-- table that already exists is a migration (warehouse/migrations/, pipeline/migrations.py) as well.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;
