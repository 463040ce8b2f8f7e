"""A source slice: everything one source brings to the code location, collected by the definitions.

A slice lives in its own folder (assets/<source>/: client, sample reader, resource, table declaration,
raw SQL, suites, raw asset) and exposes one `SLICE` in its `slice.py`; the definitions module finds every
slice by that convention (`discover`) and binds their assets, resources, sensors and preflight probes.
Adding a source is one new folder: nothing in the definitions names it.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.settings import Settings

if TYPE_CHECKING:  # the resources import Dagster; the slices need them only as a type
    from pipeline.resources import HttpResource

# A local precondition of a source (a folder that must exist, say): (faults, notes) for the run's settings.
LocalCheck = Callable[[Settings], tuple[list[str], list[str]]]


@dataclass(frozen=True)
class LiveSource:
    """What the preflight checks before a run whose steps call this source live."""

    name: str
    steps: frozenset[str]  # the step keys (op names) that call it
    url_settings: tuple[tuple[str, str], ...] = ()  # (environment variable, default URL) of each host it calls
    required: tuple[str, ...] = ()  # credentials that must be set
    enabled_by: str = ""  # optional source: skipped while this variable is empty
    modes: tuple[str, ...] = ("live", "snapshot")  # the modes in which it is called
    local_check: LocalCheck | None = None


def http_live_source(name: str, resource: type[HttpResource], *steps: str, **options: Any) -> LiveSource:
    """The preflight entry of a source called over HTTP: `steps` call it; the hosts it calls (URL
    variables and their defaults) come from its resource class; `options` as for LiveSource."""
    return LiveSource(name, frozenset(steps), resource.url_settings(), **options)


@dataclass(frozen=True)
class SourceSlice:
    name: str
    assets: Sequence[Any]  # dg.AssetsDefinition
    resources: Mapping[str, Any] = field(default_factory=dict)  # key -> dg.ConfigurableResource
    live: Sequence[LiveSource] = ()
    sensors: Sequence[Any] = ()


def discover(package: str) -> list[SourceSlice]:
    """The `SLICE` of every sub-package of `package` that has a `slice` module, in name order."""
    root = importlib.import_module(package)
    found = []
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if info.ispkg and importlib.util.find_spec(f"{package}.{info.name}.slice") is not None:
            found.append(importlib.import_module(f"{package}.{info.name}.slice").SLICE)
    return found
