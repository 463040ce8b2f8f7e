"""Benchmark helpers (synthetic inputs; the benchmark runner lives elsewhere)."""
