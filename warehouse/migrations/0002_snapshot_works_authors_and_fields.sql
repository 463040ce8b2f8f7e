-- 0002: raw.openalex_snapshot_works carries the author ids and the institutions' names and ROR ids (column
-- authors, beside authorships) and the primary topic's field and domain (issue 20), which core.work_records
-- reads in snapshot mode. Rows loaded before keep NULL in them until the next snapshot load replaces the table.
ALTER TABLE IF EXISTS raw.openalex_snapshot_works ADD COLUMN IF NOT EXISTS authors STRUCT(id VARCHAR, institutions STRUCT(display_name VARCHAR, ror VARCHAR)[])[];
ALTER TABLE IF EXISTS raw.openalex_snapshot_works ADD COLUMN IF NOT EXISTS field_id VARCHAR;
ALTER TABLE IF EXISTS raw.openalex_snapshot_works ADD COLUMN IF NOT EXISTS field VARCHAR;
ALTER TABLE IF EXISTS raw.openalex_snapshot_works ADD COLUMN IF NOT EXISTS domain_id VARCHAR;
ALTER TABLE IF EXISTS raw.openalex_snapshot_works ADD COLUMN IF NOT EXISTS domain VARCHAR;
