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

from .params import Params

HIRED_LABORER, POOR, MIDDLE, WELL_OFF_MIDDLE, RICH = range(5)  # metrics.CLASS_NAMES order


def classify(exploitation, gross, wages, rent_paid, land_per_head, mean_land_per_head, p: Params) -> np.ndarray:
    g = np.maximum(gross, 1e-9)
    ex = exploitation / g
    out = np.full(len(g), MIDDLE)
    short = (land_per_head < p.poor_land_ratio * mean_land_per_head) | (
        (rent_paid + wages) / g > p.poor_dependence_share
    )
    out[short] = POOR
    out[wages / g > p.laborer_wage_share] = HIRED_LABORER
    out[ex > p.well_off_exploitation_share] = WELL_OFF_MIDDLE
    out[ex > p.rich_exploitation_share] = RICH
    return out
