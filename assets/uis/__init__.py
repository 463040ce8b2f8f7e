"""UNESCO UIS: mobile tertiary students, inbound/outbound totals and bilateral origin→destination series."""
