"""The reference slice as the definitions bind it: no resource of its own and no live source (its data
ships with the code or with installed packages)."""

from assets.reference.airports import reference_airports
from assets.reference.countries import reference_countries
from assets.reference.journals import reference_nature_index
from pipeline.slices import SourceSlice

SLICE = SourceSlice("reference", assets=[reference_countries, reference_nature_index, reference_airports])
