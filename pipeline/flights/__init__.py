"""Flight-arrival proxies: the suites of the flight core and mart tables (the sources are slices: assets/t100,
assets/soda, assets/opensky)."""
