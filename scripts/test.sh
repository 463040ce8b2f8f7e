#!/usr/bin/env bash
# Set up the environment and run lint + the whole test suite.
source "$(dirname "$0")/env.sh"
ruff check .
python -m pytest "$@"
