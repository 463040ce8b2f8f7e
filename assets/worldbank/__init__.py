"""World Bank Indicators: population, GDP, R&D spending and researchers (the indices' denominators)."""
