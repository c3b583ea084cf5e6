"""Classification of each household from its income sources, after the 1950 rules.

- rich peasant: exploitation income (profit on hired labour, rent received, interest
  received) above `rich_exploitation_share` (a quarter) of gross income;
- well-off middle peasant: some exploitation income (above `well_off_exploitation_share`)
  but not above the rich line;
- hired labourer: lives mainly by selling labour (wages above `laborer_wage_share` of income);
- poor peasant: short of land (own land per head below `poor_land_ratio` of the village
  mean) or of means (rent paid plus wages earned above `poor_dependence_share` of income);
- middle peasant: otherwise, living mainly from own land and own labour.

>>> from model.params import make_params
>>> p = make_params()
>>> classify(exploitation=np.array([30.0, 10.0, 0, 0, 0]), gross=np.array([100.0] * 5),
...          wages=np.array([0, 0, 60.0, 0, 0]), rent_paid=np.array([0, 0, 0, 20.0, 0]),
...          land_per_head=np.array([3.0] * 5), mean_land_per_head=np.array([3.0] * 5), p=p).tolist()
[4, 3, 0, 1, 2]
"""

from __future__ import annotations

import numpy as np

from .jit import jit
from .params import Params

HIRED_LABORER, POOR, MIDDLE, WELL_OFF_MIDDLE, RICH = range(5)  # metrics.CLASS_NAMES order


@jit
def classify_kernel(
    exploitation,
    gross,
    wages,
    rent_paid,
    land_per_head,
    mean_land_per_head,
    poor_land_ratio,
    poor_dependence_share,
    laborer_wage_share,
    well_off_exploitation_share,
    rich_exploitation_share,
):
    """Class of each household; a later rule overrides an earlier one (rich over well-off over
    labourer over poor)."""
    out = np.empty(gross.size, dtype=np.int64)
    for i in range(gross.size):
        g = np.maximum(gross[i], 1e-9)
        ex = exploitation[i] / g
        c = MIDDLE
        short_of_land = land_per_head[i] < poor_land_ratio * mean_land_per_head[i]
        if short_of_land or (rent_paid[i] + wages[i]) / g > poor_dependence_share:
            c = POOR
        if wages[i] / g > laborer_wage_share:
            c = HIRED_LABORER
        if ex > well_off_exploitation_share:
            c = WELL_OFF_MIDDLE
        if ex > rich_exploitation_share:
            c = RICH
        out[i] = c
    return out


def classify(exploitation, gross, wages, rent_paid, land_per_head, mean_land_per_head, p: Params) -> np.ndarray:
    return classify_kernel(
        exploitation,
        gross,
        wages,
        rent_paid,
        land_per_head,
        mean_land_per_head,
        p.poor_land_ratio,
        p.poor_dependence_share,
        p.laborer_wage_share,
        p.well_off_exploitation_share,
        p.rich_exploitation_share,
    )
