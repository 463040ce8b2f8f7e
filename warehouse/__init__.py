"""The warehouse's shipped definitions, as package data: core, mart and reference SQL, macros, migrations,
the schema DDL and the data dictionary (read through importlib.resources, so a wheel install finds them).
The published database, reports and extracts are written here too by default, but never shipped."""
