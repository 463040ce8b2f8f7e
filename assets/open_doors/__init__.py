"""IIE Open Doors: published counts of students from China in US higher education (a versioned seed CSV)."""
