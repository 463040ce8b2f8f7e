"""Register the snapshot's new updated_date partitions (above the watermark) and print their keys, one per
line, for scripts/materialize.sh to extract in parallel runs. The sensor does the same on a schedule."""

import dagster as dg

from assets.openalex_snapshot.parts import SNAPSHOT_PARTITIONS
from assets.openalex_snapshot.sensor import new_partitions
from pipeline.settings import RunSettings

if __name__ == "__main__":
    instance = dg.DagsterInstance.get()
    new = new_partitions(instance, RunSettings().get())
    instance.add_dynamic_partitions(SNAPSHOT_PARTITIONS.name, new)
    print("\n".join(new))
