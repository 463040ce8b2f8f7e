"""The T-100 folder of a run: the bundled sample in sample mode, the folder of TranStats downloads otherwise."""

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import dagster as dg

from assets.t100.reader import SOURCE_INTERNATIONAL, T100File, discover
from assets.t100.sample import SAMPLE_DIR
from pipeline.http import SourceError
from pipeline.settings import REPO_ROOT, Settings

# Where live mode looks when T100_DIR is not set.
DEFAULT_INBOX = REPO_ROOT / "warehouse" / "inbox" / "t100"


class T100Source(Protocol):
    @property
    def directory(self) -> Path: ...

    def files(self) -> list[T100File] | None: ...


@dataclass(frozen=True)
class T100Folder:
    """A folder of T-100 downloads. `named`: the user named it (T100_DIR), so it must exist."""

    directory: Path
    named: bool = False

    def files(self) -> list[T100File] | None:
        """The downloads in the folder; None while an unnamed default folder does not exist yet."""
        if self.directory.is_dir():
            return discover(self.directory)
        if self.named:
            raise SourceError(SOURCE_INTERNATIONAL, "T100_DIR is not a directory", record=str(self.directory))
        return None


class T100Files(dg.ConfigurableResource):
    """The folder the BTS T-100 segment downloads are dropped into: T100_DIR (default warehouse/inbox/t100).
    Sample mode reads the bundled sample instead."""

    def source(self, settings: Settings) -> T100Source:
        folder = settings.variable("T100_DIR")
        if settings.mode == "sample":
            return T100Folder(SAMPLE_DIR, named=bool(folder))
        return T100Folder(Path(folder) if folder else DEFAULT_INBOX, named=bool(folder))
