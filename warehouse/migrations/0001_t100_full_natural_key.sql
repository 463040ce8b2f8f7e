-- 0001: raw.t100_segments gets the rest of its natural key (issue 17): a real T-100 month repeats
-- (carrier, route, aircraft type, class) across aircraft configurations and carrier entities/regions.
-- Rows loaded before keep NULL in the new columns.
ALTER TABLE IF EXISTS raw.t100_segments ADD COLUMN IF NOT EXISTS aircraft_config VARCHAR;
ALTER TABLE IF EXISTS raw.t100_segments ADD COLUMN IF NOT EXISTS unique_carrier_entity VARCHAR;
ALTER TABLE IF EXISTS raw.t100_segments ADD COLUMN IF NOT EXISTS region VARCHAR;
