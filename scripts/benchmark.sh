#!/usr/bin/env bash
# Set up the environment, then run the snapshot-mode benchmark (prints figures; see benchmarks/snapshot_benchmark.py).
#   bash scripts/benchmark.sh                         # 250k, 500k and 1M works (generation ~2 min per 1M)
#   bash scripts/benchmark.sh --sizes 50000           # smaller
source "$(dirname "$0")/env.sh"
python -m benchmarks.snapshot_benchmark "$@"
