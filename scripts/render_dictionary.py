"""Render the data dictionary (warehouse/dictionary.yaml and the raw tables the source slices declare) into
warehouse/DICTIONARY.md."""

from pathlib import Path

from pipeline.dictionary import render_markdown
from pipeline.slices import discover

TARGET = Path(__file__).resolve().parent.parent / "warehouse" / "DICTIONARY.md"

if __name__ == "__main__":
    discover("assets")  # imports every slice, so every raw table is declared
    TARGET.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")
