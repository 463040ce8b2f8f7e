"""US DOT open data (Socrata dataset xgub-n9bw): monthly passengers between US gateways and foreign airports."""
