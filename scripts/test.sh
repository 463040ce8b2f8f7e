#!/usr/bin/env bash
# Set up the environment and run lint + the whole test suite.
# The suite runs on every core (pytest-xdist; COLLAB_TEST_WORKERS=0 runs it in one process, e.g. to debug):
# much of a test's time is single-threaded Python (Dagster, great-expectations), so two workers on two cores
# take about 0.6 of the serial time.
source "$(dirname "$0")/env.sh"
ruff check .
python -m pytest -n "${COLLAB_TEST_WORKERS:-auto}" "$@"
