"""A snapshot of the code location's surface: every asset key with its group, every asset check (asset key,
check name, blocking or not). Renaming, regrouping or dropping one is a change users see (schedules,
selections, alert rules, the UI) and must be deliberate: this test fails until the snapshot is refreshed.

The snapshot is tests/data/asset_snapshot.json. After an intended change, refresh it and commit it:

    python -m tests.test_asset_snapshot --update

(or run the test with COLLAB_UPDATE_ASSET_SNAPSHOT=1), then review `git diff tests/data/asset_snapshot.json`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "data" / "asset_snapshot.json"
UPDATE_VAR = "COLLAB_UPDATE_ASSET_SNAPSHOT"
REFRESH = f"python -m tests.test_asset_snapshot --update (or {UPDATE_VAR}=1 pytest tests/test_asset_snapshot.py)"


def current() -> dict[str, Any]:
    """The surface of `assets.definitions.defs`: assets as {key: group}, checks as sorted records."""
    from assets.definitions import defs  # imported here: `--update` runs without pytest

    graph = defs.resolve_asset_graph()
    assets = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    checks = [
        {"asset": key.asset_key.to_user_string(), "check": key.name, "blocking": graph.get_check_spec(key).blocking}
        for key in graph.asset_check_keys
    ]
    return {
        "assets": dict(sorted(assets.items())),
        "checks": sorted(checks, key=lambda c: (c["asset"], c["check"])),
    }


def write(snapshot: dict[str, Any]) -> None:
    SNAPSHOT.write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What changed, one line each: assets and checks added or removed, groups and blocking changed."""
    lines = []
    old, new = expected["assets"], actual["assets"]
    lines += [f"asset removed: {k} (group {old[k]})" for k in sorted(old.keys() - new.keys())]
    lines += [f"asset added: {k} (group {new[k]})" for k in sorted(new.keys() - old.keys())]
    lines += [
        f"asset regrouped: {k}: {old[k]} -> {new[k]}" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]
    ]

    def by_key(checks: list[dict]) -> dict[tuple[str, str], bool]:
        return {(c["asset"], c["check"]): c["blocking"] for c in checks}

    old_checks, new_checks = by_key(expected["checks"]), by_key(actual["checks"])

    def name(key: tuple[str, str], checks: dict) -> str:
        return f"{key[0]}:{key[1]} ({'blocking' if checks[key] else 'non-blocking'})"

    lines += [f"check removed: {name(k, old_checks)}" for k in sorted(old_checks.keys() - new_checks.keys())]
    lines += [f"check added: {name(k, new_checks)}" for k in sorted(new_checks.keys() - old_checks.keys())]
    lines += [
        f"check blocking changed: {k[0]}:{k[1]}: {old_checks[k]} -> {new_checks[k]}"
        for k in sorted(old_checks.keys() & new_checks.keys())
        if old_checks[k] != new_checks[k]
    ]
    return lines


def test_asset_keys_groups_and_checks_match_the_snapshot():
    actual = current()
    if os.environ.get(UPDATE_VAR):
        write(actual)
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changes = differences(expected, actual)
    assert not changes and expected == actual, (
        "the assets or checks differ from tests/data/asset_snapshot.json:\n  "
        + "\n  ".join(changes or ["(ordering or format only)"])
        + f"\nIf the change is intended, refresh the snapshot with `{REFRESH}` and commit it."
    )


def test_the_differences_name_what_changed():
    before = {
        "assets": {"raw/a": "g", "raw/b": "g"},
        "checks": [{"asset": "raw/a", "check": "c", "blocking": True}],
    }
    after = {
        "assets": {"raw/a": "h", "raw/c": "g"},
        "checks": [
            {"asset": "raw/a", "check": "c", "blocking": False},
            {"asset": "raw/c", "check": "c", "blocking": True},
        ],
    }
    assert differences(before, after) == [
        "asset removed: raw/b (group g)",
        "asset added: raw/c (group g)",
        "asset regrouped: raw/a: g -> h",
        "check added: raw/c:c (blocking)",
        "check blocking changed: raw/a:c: True -> False",
    ]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: python -m tests.test_asset_snapshot --update  (rewrites {SNAPSHOT})")
    write(current())
    print(f"wrote {SNAPSHOT}")
