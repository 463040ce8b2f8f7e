"""OECD SDMX: international tertiary students by country of origin and destination (Education at a Glance)."""
