"""Flight-arrival connectors: US DOT Socrata, BTS T-100 files, OpenSky."""
