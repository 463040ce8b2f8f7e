"""Country context (population, GDP, R&D) from the World Bank: the denominators of the indices."""
