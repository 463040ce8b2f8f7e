"""The OpenAlex snapshot (COLLAB_MODE=snapshot): works read from a local copy of s3://openalex, extracted
per updated_date partition into Parquet files and merged into raw.openalex_snapshot_works."""
