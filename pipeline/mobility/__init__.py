"""Student mobility: the suites of the core and mart tables (the sources are slices: assets/uis, assets/oecd,
assets/open_doors)."""
