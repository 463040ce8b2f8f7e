"""The IIE Open Doors slice as the definitions bind it: a seed file, no live source to probe."""

from assets.open_doors.raw import open_doors_raw
from pipeline.slices import SourceSlice

SLICE = SourceSlice("open_doors", assets=[open_doors_raw])
