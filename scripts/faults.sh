#!/usr/bin/env bash
# The connector fault suite: every live connector x every HTTP fault, then the fault x connector table
# (recovered / reported / n/a, with counts). Arguments go to pytest (e.g. -k opensky).
source "$(dirname "$0")/env.sh"
python -m pytest tests/test_fault_suite.py -m faults -q -p no:randomly -p tests.fault_report "$@"
