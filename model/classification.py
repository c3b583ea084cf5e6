"""Classification of each household from its income sources and its own means, after the 1950 rules.

The Government Administration Council's "Decisions Concerning the Differentiation of Class Status
in the Countryside" (4 August 1950) re-issued the 1933 "How to Analyse the Classes in the Rural
Areas" with supplementary decisions. The passages the rules follow (quoted as translated; where a
number is not in the text it is marked as an assumption in the schema):

- rich peasant: "exploitation income exceeding 25% of the total income of the family" (the 1950
  supplementary decision): exploitation income (profit on hired labour, rent received, interest
  received, animals hired out) above `rich_exploitation_share` of gross income;
- small land lessor: those "who rent out small portions of land because they are engaged in other
  occupations or because they lack labour power" are not exploiters (Agrarian Reform Law, 1950,
  art. 5, with its bound: land per head not above twice the local average). The model's households
  rent out only land their own hands cannot work, so rent received is not exploitation income for a
  household whose land per head is at most `small_lessor_land_ratio` times its village's; such a
  household is classed by the rest of its income, like any other;
- well-off middle peasant: a middle peasant "with slight exploitation": exploitation income above
  `well_off_exploitation_share` (the text gives no lower bound) but not above the rich line;
- hired labourer: workers "generally have no land or tools ... they live wholly or mainly by
  selling their labour power": own land not enough (below) and labour sold (wages, and side work:
  the model's carting and odd jobs for others) above `labourer_wage_share` of income ('mainly' read
  as more than half);
- poor peasant: "some own part of the land and incomplete tools, some own no land ... in general
  they must rent land to farm and sell part of their labour": both short of own means and dependent.
  Own means are own land as own tools farm it: the normal yield of the part the household's own
  draft animals can plough, and `no_draft_yield_factor` of it on the rest, dug by hand (the tool
  it lacks); short when that is below `poor_land_need_ratio` times its subsistence need (it cannot
  feed the household in a normal year). Dependent: rent paid, for land and for the draft animals it
  lacks (ploughing hired at the market fee), plus labour sold, above `poor_dependence_share` of
  income. The 'because' of the text is read as the two together;
- lower-middle peasant (下中农, the category of the 1955 co-operative campaign: "the lower strata
  of the new and old middle peasants", whose position is "still difficult"): a middle peasant who
  is short of own means or dependent, but not both, or whose own land's normal yield is below
  `lower_middle_land_need_ratio` times its need (no margin for a bad year): our reading;
- middle peasant: "lives wholly or mainly by his own labour", on his own land with a margin.

All thresholds are absolute (shares of the household's own income, multiples of its own need): no
household is classed by comparison with its neighbours, except the small lessor's land bound, which
the law itself sets against the local average.

>>> from model.params import make_params
>>> p = make_params()
>>> need = np.array([1000.0] * 7)
>>> classify(exploitation=np.array([30.0, 10.0, 0, 0, 0, 0, 0]), gross=np.array([100.0] * 7),
...          labour_sold=np.array([0, 0, 60.0, 20.0, 20.0, 0, 0]), rent_paid=np.array([0.0] * 7),
...          own_yield=np.array([2000.0, 2000.0, 500.0, 500.0, 2000.0, 1100.0, 2000.0]), need=need, p=p).tolist()
[5, 4, 0, 1, 2, 2, 3]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .animal_market import plough_fee
from .jit import jit
from .params import Params, once_per_params
from .state import ROW, Households

HIRED_LABOURER, POOR, LOWER_MIDDLE, MIDDLE, WELL_OFF_MIDDLE, RICH = range(6)  # metrics.CLASS_NAMES order
EPS = 1e-9  # floor of gross income in the shares


class ClassConstants(NamedTuple):
    """What the classification kernels read of the parameters (derived once per Params)."""

    plough_fee: float  # market fee for a mu of ploughing (hiring out animals' work is rent)
    normal_yield: float  # jin per mu of own land, for own means
    mu_per_animal: float  # land one draft animal ploughs: own land beyond it is dug by hand
    no_draft: float  # no_draft_yield_factor: own means without the tool (the draft animal) one lacks
    poor_land_need_ratio: float
    poor_dependence_share: float
    labourer_wage_share: float
    lower_middle_land_need_ratio: float
    well_off_exploitation_share: float
    rich_exploitation_share: float
    small_lessor_land_ratio: float  # rent counts as exploitation above this multiple of the village's land per head


@once_per_params
def class_constants(p: Params) -> ClassConstants:
    return ClassConstants(
        plough_fee=plough_fee(p),
        normal_yield=p.normal_yield,
        mu_per_animal=p.mu_per_animal,
        no_draft=p.no_draft_yield_factor,
        poor_land_need_ratio=p.poor_land_need_ratio,
        poor_dependence_share=p.poor_dependence_share,
        labourer_wage_share=p.labourer_wage_share,
        lower_middle_land_need_ratio=p.lower_middle_land_need_ratio,
        well_off_exploitation_share=p.well_off_exploitation_share,
        rich_exploitation_share=p.rich_exploitation_share,
        small_lessor_land_ratio=p.small_lessor_land_ratio,
    )


@jit
def classify_kernel(exploitation, gross, labour_sold, rent_paid, own_yield, need, constants):
    """Class of each household; a later rule overrides an earlier one (rich over well-off over
    labourer over poor over lower-middle)."""
    c = constants[0]
    out = np.empty(gross.size, dtype=np.int64)
    for i in range(gross.size):
        g = np.maximum(gross[i], EPS)
        ex = exploitation[i] / g
        short = own_yield[i] < c.poor_land_need_ratio * need[i]
        dependent = (rent_paid[i] + labour_sold[i]) / g > c.poor_dependence_share
        k = MIDDLE
        if short or dependent or own_yield[i] < c.lower_middle_land_need_ratio * need[i]:
            k = LOWER_MIDDLE
        if short and dependent:
            k = POOR
        if short and labour_sold[i] / g > c.labourer_wage_share:
            k = HIRED_LABOURER
        if ex > c.well_off_exploitation_share:
            k = WELL_OFF_MIDDLE
        if ex > c.rich_exploitation_share:
            k = RICH
        out[i] = k
    return out


def classify(exploitation, gross, labour_sold, rent_paid, own_yield, need, p: Params) -> np.ndarray:
    """Class of each household from its exploitation income, gross income, labour sold (wages and side
    work), rent paid, own land's normal yield and subsistence need (jin each)."""
    return classify_kernel(exploitation, gross, labour_sold, rent_paid, own_yield, need, class_constants.record(p))


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
    animals,
    small_lessor,
    constants,
):
    """Exploitation income, gross income, labour sold (wages and side work) and own means (own land's
    normal yield as own draft animals plough it), for the 1950 classification rules. Hiring out draft
    animals' work is rent on a means of production: exploitation income too; rent received by a
    `small_lessor` is not."""
    c = constants[0]
    n = land.size
    exploitation, gross, sold, own_yield = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        hired_part = hired_in[i] / labour_used[i] if labour_used[i] > 0 else 0.0
        exploitation[i] = (
            (0.0 if small_lessor[i] else rent_received[i])
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
        sold[i] = wages_earned[i] + sideline[i]
        # own means: own land as own tools farm it ("incomplete tools"): the part own draft animals can
        # plough at the normal yield, the rest dug by hand
        ploughed = np.minimum(land[i], animals[i] * c.mu_per_animal)
        own_yield[i] = c.normal_yield * (ploughed + (land[i] - ploughed) * c.no_draft)
    return exploitation, gross, sold, own_yield


def classify_households(
    h: Households,
    p: Params,
    private: np.ndarray,
    output: np.ndarray,
    farm: np.ndarray,
    hired_out_a: np.ndarray,
) -> None:
    """Each household's class this year (into `social_class`) from the year's incomes: `output` of
    its own farm (`private` ones), `farm` income, the mu of ploughing its animals did for others."""
    classify_households_kernel(h.blocks, private, output, farm, hired_out_a, class_constants.record(p))


# the households' arrays `classify_households_kernel` reads, as rows of the households' blocks (`state.ROW`)
_LABOUR_USED, _HIRED_IN, _RENT_RECEIVED, _INTEREST_RECEIVED = (
    ROW[k] for k in ("labour_used", "hired_in", "rent_received", "interest_received")
)
_WAGES_PAID, _WAGES_EARNED, _SIDELINE, _LEDGER = (ROW[k] for k in ("wages_paid", "wages_earned", "sideline", "ledger"))
_PLOUGH_FEES, _LAND, _ANIMALS, _RENT_PAID = (ROW[k] for k in ("plough_fees", "land", "animals", "rent_paid"))
_NEED, _SOCIAL_CLASS = ROW["need"], ROW["social_class"]
_VILLAGE, _WORKERS, _CHILDREN, _ELDERS = (ROW[k] for k in ("village", "workers", "children", "elders"))


@jit
def small_lessors_kernel(village, land, persons, ratio):
    """Households whose land per head is at most `ratio` times their village's land per head (the
    Agrarian Reform Law's bound for small land lessors); households are sorted by village.

    >>> small_lessors_kernel(np.array([0, 0, 0, 1]), np.array([10.0, 10.0, 50.0, 5.0]),
    ...                      np.array([2, 2, 2, 1]), 2.0).tolist()
    [True, True, False, True]
    """
    n = village.size
    n_villages = village[n - 1] + 1 if n else 0
    village_land, village_persons = np.zeros(n_villages), np.zeros(n_villages)
    for i in range(n):
        village_land[village[i]] += land[i]
        village_persons[village[i]] += persons[i]
    out = np.empty(n, dtype=np.bool_)
    for i in range(n):
        v = village[i]
        mean = village_land[v] / max(village_persons[v], 1.0)
        out[i] = land[i] <= ratio * mean * max(persons[i], 1)
    return out


@jit
def classify_households_kernel(blocks, private, output, farm, hired_out_a, constants):
    """`classify_households` on the households' blocks: `class_inputs_kernel`, the rent paid, `classify_kernel`."""
    f, i_, _ = blocks
    plough_fees = f[_PLOUGH_FEES]
    persons = i_[_WORKERS] + i_[_CHILDREN] + i_[_ELDERS]
    small_lessor = small_lessors_kernel(i_[_VILLAGE], f[_LAND], persons, constants[0].small_lessor_land_ratio)
    exploitation, gross, sold, own_yield = class_inputs_kernel(
        f[_LABOUR_USED],
        f[_HIRED_IN],
        f[_RENT_RECEIVED],
        f[_INTEREST_RECEIVED],
        hired_out_a,
        output,
        f[_WAGES_PAID],
        private,
        farm,
        f[_WAGES_EARNED],
        f[_SIDELINE],
        f[_LEDGER],
        plough_fees,
        f[_LAND],
        f[_ANIMALS],
        small_lessor,
        constants,
    )
    # rent paid: for land, and for the draft animals one lacks (ploughing hired at the market fee)
    rent_paid = f[_RENT_PAID] + np.maximum(-plough_fees, 0.0)
    social_class = i_[_SOCIAL_CLASS]
    social_class[:] = classify_kernel(exploitation, gross, sold, rent_paid, own_yield, f[_NEED], constants)
