"""Render warehouse/dictionary.yaml into the data-dictionary part of warehouse/README.md."""

from pathlib import Path

from pipeline.dictionary import render_markdown

TARGET = Path(__file__).resolve().parent.parent / "warehouse" / "DICTIONARY.md"

if __name__ == "__main__":
    TARGET.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")
