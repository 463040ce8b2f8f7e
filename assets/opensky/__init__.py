"""OpenSky Network arrivals (flights, not passengers) at the university-town and control airports."""
