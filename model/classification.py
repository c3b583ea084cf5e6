"""Classification of each household from its income sources, after the 1950 rules.

- rich peasant: exploitation income (profit on hired labour, rent received, interest
  received) above `rich_exploitation_share` (a quarter) of gross income;
- well-off middle peasant: some exploitation income (above `well_off_exploitation_share`)
  but not above the rich line;
- hired labourer: lives mainly by selling labour (wages above `labourer_wage_share` of income);
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

from typing import NamedTuple

import numpy as np

from .animal_market import plough_fee
from .grouping import group_sums
from .jit import jit
from .params import Params, once_per_params
from .state import Households

HIRED_LABOURER, POOR, MIDDLE, WELL_OFF_MIDDLE, RICH = range(5)  # metrics.CLASS_NAMES order
EPS = 1e-9  # floor of gross income in the shares


class ClassConstants(NamedTuple):
    """What the classification kernels read of the parameters (derived once per Params)."""

    plough_fee: float  # market fee for a mu of ploughing (hiring out animals' work is rent)
    poor_land_ratio: float
    poor_dependence_share: float
    labourer_wage_share: float
    well_off_exploitation_share: float
    rich_exploitation_share: float


@once_per_params
def class_constants(p: Params) -> ClassConstants:
    return ClassConstants(
        plough_fee=plough_fee(p),
        poor_land_ratio=p.poor_land_ratio,
        poor_dependence_share=p.poor_dependence_share,
        labourer_wage_share=p.labourer_wage_share,
        well_off_exploitation_share=p.well_off_exploitation_share,
        rich_exploitation_share=p.rich_exploitation_share,
    )


@jit
def classify_kernel(exploitation, gross, wages, rent_paid, land_per_head, mean_land_per_head, constants):
    """Class of each household; a later rule overrides an earlier one (rich over well-off over
    labourer over poor)."""
    c = constants[0]
    out = np.empty(gross.size, dtype=np.int64)
    for i in range(gross.size):
        g = np.maximum(gross[i], EPS)
        ex = exploitation[i] / g
        k = MIDDLE
        short_of_land = land_per_head[i] < c.poor_land_ratio * mean_land_per_head[i]
        if short_of_land or (rent_paid[i] + wages[i]) / g > c.poor_dependence_share:
            k = POOR
        if wages[i] / g > c.labourer_wage_share:
            k = HIRED_LABOURER
        if ex > c.well_off_exploitation_share:
            k = WELL_OFF_MIDDLE
        if ex > c.rich_exploitation_share:
            k = RICH
        out[i] = k
    return out


def classify(exploitation, gross, wages, rent_paid, land_per_head, mean_land_per_head, p: Params) -> np.ndarray:
    return classify_kernel(
        exploitation, gross, wages, rent_paid, land_per_head, mean_land_per_head, class_constants.record(p)
    )


@jit
def class_inputs_kernel(
    labour_used,
    hired_in,
    rent_received,
    interest_received,
    hired_out_a,
    output,
    wages_paid,
    private,
    farm,
    wages_earned,
    sideline,
    ledger,
    plough_fees,
    land,
    persons,
    village,
    n_villages,
    constants,
):
    """Exploitation income, gross income, land per head and the village's mean land per head, for
    the 1950 classification rules. Hiring out draft animals' work is rent on a means of production:
    exploitation income too."""
    c = constants[0]
    n = land.size
    exploitation, gross, lph, mean_lph = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    village_land = group_sums(village, land, n_villages)
    village_persons = group_sums(village, persons.astype(np.float64), n_villages)
    for i in range(n):
        hired_part = hired_in[i] / labour_used[i] if labour_used[i] > 0 else 0.0
        exploitation[i] = (
            rent_received[i]
            + interest_received[i]
            + hired_out_a[i] * c.plough_fee
            + np.maximum(output[i] * hired_part - wages_paid[i], 0.0) * (1.0 if private[i] else 0.0)
        )
        gross[i] = (
            farm[i]
            + wages_earned[i]
            + sideline[i]
            + rent_received[i]
            + interest_received[i]
            + np.maximum(ledger[i], 0.0)
            + np.maximum(plough_fees[i], 0.0)
        )
        lph[i] = land[i] / np.maximum(persons[i], 1)
        v = village[i]
        mean_lph[i] = village_land[v] / np.maximum(village_persons[v], 1)
    return exploitation, gross, lph, mean_lph


def classify_households(
    h: Households,
    p: Params,
    n_villages: int,
    persons: np.ndarray,
    private: np.ndarray,
    output: np.ndarray,
    farm: np.ndarray,
    hired_out_a: np.ndarray,
) -> None:
    """Each household's class this year (into `social_class`) from the year's incomes: `output` of
    its own farm (`private` ones), `farm` income, the mu of ploughing its animals did for others."""
    exploitation, gross, lph, mean_lph = class_inputs_kernel(
        h.labour_used,
        h.hired_in,
        h.rent_received,
        h.interest_received,
        hired_out_a,
        output,
        h.wages_paid,
        private,
        farm,
        h.wages_earned,
        h.sideline,
        h.ledger,
        h.plough_fees,
        h.land,
        persons,
        h.village,
        n_villages,
        class_constants.record(p),
    )
    h.social_class[:] = classify(exploitation, gross, h.wages_earned, h.rent_paid, lph, mean_lph, p)
