"""Many replicates in one model: the fast path for batches.

`run_villages` packs one replicate of `villages` villages per seed into a single
`VillageModel`, so the yearly arrays cover all of them at once. Because every
draw is keyed by (seed, village, household, year, purpose) and every market clears
within its village, each replicate's results are identical to a model run alone
with that seed (tested).

>>> v, hh = run_villages({"households": 40}, seeds=[1, 2], years=2, snapshot_years=[1952])
>>> sorted(v["replicate"].unique().tolist()), v["year"].unique().tolist()
([0, 1], [1951, 1952])
>>> sorted(hh["year"].unique().tolist())
[1952]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .metrics import NAMES
from .params import Params, make_params
from .village import VillageModel

SNAPSHOT_COLUMNS = (
    "replicate",
    "village",
    "year",
    "household",
    "position",
    "workers",
    "dependents",
    "land",
    "land_rented_in",
    "land_rented_out",
    "animals",
    "capital",
    "grain",
    "debt",
    "income",
    "wealth",
    "origin_class",
    "social_class",
    "team",
    "coop",
)


def run_villages(
    params: Params | dict, seeds: Sequence[int], years: int, snapshot_years: Sequence[int] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run one replicate per seed for `years` years; return (village-year metrics, household snapshots).

    The first frame has columns `replicate` (index into `seeds`), `village` (within the
    replicate), `year`, then every metric in `model.metrics.NAMES`. The second holds the
    households alive at the end of each year in `snapshot_years` (columns SNAPSHOT_COLUMNS).
    """
    p = make_params(params)
    seeds = [int(s) for s in seeds]
    m = VillageModel(params=p, village_seeds=seeds, pooled_metrics=False, rng=seeds[0] if seeds else None)
    snaps = []
    wanted = set(int(y) for y in snapshot_years)
    for _ in range(years):
        year = m.year
        m.step()
        if year in wanted:
            f = m.household_frame()
            f["year"] = year
            snaps.append(f)
    table = pd.DataFrame(m.datacollector.tables["villages"])
    table.insert(0, "replicate", table["village"] // p.villages)
    table["village"] = table["village"] % p.villages
    table = table[["replicate", "village", "year", *NAMES]]
    if snaps:
        hh = pd.concat(snaps, ignore_index=True)
        hh.insert(0, "replicate", hh["village"] // p.villages)
        hh["village"] = hh["village"] % p.villages
        hh = hh[list(SNAPSHOT_COLUMNS)]
    else:
        hh = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in SNAPSHOT_COLUMNS})
    return table.reset_index(drop=True), hh.reset_index(drop=True)
