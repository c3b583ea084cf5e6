"""The initial state: the outcome of the land reform in each village.

Land is shared out nearly equally per head, with differences by class of origin that
depend on where the village lies (`liberated_area`):

- in the old liberated areas the 1947 Outline Land Law shared all land equally per head,
  taking the surplus of those with much to make up those with little (art. 6), and
  requisitioned the rich peasants' surplus animals, implements and grain (art. 8): rich-origin
  households start with an equal share per head and little more than others in tools, animals
  and stores;
- in the new areas the 1950 Agrarian Reform Law protected "land owned by rich peasants and
  cultivated by themselves or by hired labour, and their other properties" (art. 6): rich
  peasants keep part of their land (the Hebei village figures of 1946, before the Outline Land
  Law), their animals and their tools.

Former landlords got an equal share. Draft animals are scarce and unequal by class (Hebei,
41 villages, 1948, after the Outline Land Law). Which parameters `liberated_area` selects is
in `model.params.AREA_DEFAULTS`; sources are in docs/ODD.md (Initialisation) and the schema's
`source` fields.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import purposes
from .classification import MIDDLE as MIDDLE_CLASS
from .classification import POOR as POOR_CLASS
from .classification import RICH as RICH_CLASS
from .jit import jit
from .params import Params
from .rng import Draws, binomial, normal
from .state import Households
from .teams import TEAM

LANDLORD, RICH, MIDDLE, POOR = 0, 1, 2, 3  # origin classes (metrics.ORIGIN_NAMES order)

# Households per draft animal by class of origin (landlord, rich, middle, poor), by liberated area. Old areas:
# 41 villages of Hebei, 1948, after the Outline Land Law (Hebei provincial gazetteer; historical_facts.csv row
# draft_animals_hebei_1948). New areas: the same but for rich peasants, who kept their animals under the 1950
# law (art. 6); one animal per rich household is an assumption (no figure found). The mean over all households
# is `animals_per_household` in both.
HOUSEHOLDS_PER_ANIMAL = {"old": (6.3, 2.7, 3.1, 4.4), "new": (6.3, 1.0, 3.1, 4.4)}
# Relative farm capital and grain stocks by origin (assumed: landlords lost theirs, poor peasants received some
# in the reform's 'fruits'; rich peasants kept tools and stores in the new areas, twice the middle peasants',
# but lost their surplus in the old ones (Outline Land Law art. 8), keeping a fifth more than middle peasants).
CAPITAL_FACTOR = {"old": (0.5, 1.2, 1.0, 0.6), "new": (0.5, 2.0, 1.0, 0.6)}
GRAIN_FACTOR = {"old": (0.6, 1.2, 1.0, 0.5), "new": (0.6, 2.0, 1.0, 0.5)}
# Current class at the start, by origin (landlords hold an equal share and farm it themselves).
START_CLASS = np.array([MIDDLE_CLASS, RICH_CLASS, MIDDLE_CLASS, POOR_CLASS])  # metrics.CLASS_NAMES codes
# Draft animals: a household of a class with `rate` animals per household owns a whole animal with chance
# 0.8 x rate and a half share with chance 0.4 x rate, so that it owns `rate` on average (0.8 + 0.5 x 0.4 = 1);
# the split between whole animals and shares is assumed (half shares were common where animals were scarce).
WHOLE_ANIMAL_BELOW, HALF_SHARE_BELOW = 0.8, 1.2
# Household size: 1 + Binomial(MAX_EXTRA_PERSONS, (mean - 1) / MAX_EXTRA_PERSONS), 1 to 12 persons
# around `household_size_mean` (assumed spread). Elders: one with chance ELDER_ONE_OR_MORE, two with chance
# ELDER_TWO; working workers 1 + Binomial(rest - 1, ADULT_SHARE) (assumed, giving about two workers in a
# household of the mean size).
MAX_EXTRA_PERSONS = 11
ELDER_ONE_OR_MORE, ELDER_TWO = 0.35, 0.08
ADULT_SHARE = 0.35
# The middle peasants' land ratio never falls below this (a floor for extreme origin shares, assumed).
MIDDLE_LAND_RATIO_FLOOR = 0.05


class ReformConstants(NamedTuple):
    """What `reform_kernel` reads of the parameters (derived by `land_reform`)."""

    cuts: tuple  # cumulative shares of landlord, rich and poor origins
    ratio: tuple  # land per household relative to the average, by origin class
    households_per_animal: tuple  # by origin class, for the liberated area
    capital_factor: tuple  # farm capital relative to middle peasants', by origin class
    grain_factor: tuple  # grain stocks relative to middle peasants', by origin class
    animal_scale: float  # animals_per_household / the expected rate of the class rates
    land_per_head: float
    household_size_mean: float
    capital_per_mu: float  # initial_capital_per_mu
    child_weight: float  # child_consumer_weight
    elder_weight: float  # elder_consumer_weight
    subsistence: float  # subsistence_grain
    grain_months: float  # initial_grain_months
    start_year: int
    teams_enabled: bool
    team_share: float  # initial_team_share


class ReformArrays(NamedTuple):
    """The households' arrays `reform_kernel` fills."""

    children: np.ndarray
    workers: np.ndarray
    elders: np.ndarray
    origin_class: np.ndarray
    social_class: np.ndarray
    land: np.ndarray
    animals: np.ndarray
    capital: np.ndarray
    grain: np.ndarray
    skill: np.ndarray
    founded: np.ndarray
    effort: np.ndarray
    in_team: np.ndarray


@jit
def number_households(H, team_size, village, hid, position, neighbourhood):
    """Village, id, place along the lane and lane of H households per village, in order."""
    for i in range(village.size):
        v = i // H
        village[i] = v
        hid[i] = i - v * H
        position[i] = hid[i]
        neighbourhood[i] = hid[i] // team_size


@jit
def household_sizes(drawn, u):
    """Persons (1 + the draw), elders among them, and the trials for working workers among the rest."""
    n = drawn.size
    persons = np.empty(n, dtype=np.int64)
    elders = np.empty(n, dtype=np.int64)
    trials = np.empty(n, dtype=np.int64)
    for i in range(n):
        persons[i] = 1 + drawn[i]
        elders[i] = min(np.int64(u[i, 1] < ELDER_ONE_OR_MORE) + np.int64(u[i, 1] < ELDER_TWO), persons[i] - 1)
        trials[i] = persons[i] - elders[i] - 1
    return persons, elders, trials


@jit
def reform_kernel(H, n_villages, u, persons, elders, workers_drawn, land_noise, skill, c, out):
    """Fill the households' arrays `out` (`ReformArrays`) of `land_reform`; `c`: `ReformConstants`."""
    n = H * n_villages
    weight = np.empty(n)
    people = np.zeros(n_villages)
    weights = np.zeros(n_villages)
    for i in range(n):
        v = i // H
        rest = persons[i] - elders[i]
        a = min(max(1 + workers_drawn[i], 1), rest)
        out.elders[i] = elders[i]
        out.workers[i] = a
        out.children[i] = rest - a
        draw = u[i, 3]
        o = LANDLORD if draw < c.cuts[0] else (RICH if draw < c.cuts[1] else (POOR if draw < c.cuts[2] else MIDDLE))
        out.origin_class[i] = o
        out.social_class[i] = START_CLASS[o]
        weight[i] = c.ratio[o] * persons[i] / c.household_size_mean * land_noise[i]
        people[v] += persons[i]
        weights[v] += weight[i]
        rate = 1.0 / c.households_per_animal[o] * c.animal_scale
        out.animals[i] = (
            1.0 if u[i, 5] < WHOLE_ANIMAL_BELOW * rate else (0.5 if u[i, 5] < HALF_SHARE_BELOW * rate else 0.0)
        )
    for i in range(n):
        v = i // H
        out.land[i] = weight[i] / weights[v] * (people[v] * c.land_per_head)
        o = out.origin_class[i]
        out.capital[i] = c.capital_per_mu * out.land[i] * c.capital_factor[o]
        need = (out.workers[i] + c.child_weight * out.children[i] + c.elder_weight * out.elders[i]) * c.subsistence
        out.grain[i] = need * c.grain_months / 12 * c.grain_factor[o]
        out.skill[i] = skill[i]
        out.founded[i] = c.start_year - 1
        out.effort[i] = 1.0
        out.in_team[i] = c.teams_enabled and u[i, 7] < c.team_share


def land_reform(p: Params, draws: Draws, n_villages: int) -> Households:
    """Households of every village right after the land reform, sorted by (village, hid)."""
    H = p.households
    n = H * n_villages
    h = Households.empty(n)
    number_households(H, p.team_size, h.village, h.hid, h.position, h.neighbourhood)
    u = draws.household(p.start_year - 1, purposes.INIT, h.village, h.hid, 8)

    # Household size: 1 + Binomial(MAX_EXTRA_PERSONS, (mean - 1) / MAX_EXTRA_PERSONS), 1..12 around the mean;
    # elders (one or two for some), then working workers: 1 + Binomial(rest - 1, ADULT_SHARE).
    drawn = binomial(u[:, 0], np.full(n, MAX_EXTRA_PERSONS), (p.household_size_mean - 1) / MAX_EXTRA_PERSONS)
    persons, elders, trials = household_sizes(drawn, u)
    workers_drawn = binomial(u[:, 2], trials, ADULT_SHARE)

    # Class of origin: the first draw below the cumulative shares of landlords, rich and poor peasants.
    c_landlord = p.origin_landlord_share
    c_rich = c_landlord + p.origin_rich_share
    cuts = (c_landlord, c_rich, c_rich + p.origin_poor_share)

    # Land: household-level ratios to the average household, by origin; middle peasants take the rest.
    s_mid = max(1e-9, 1 - p.origin_landlord_share - p.origin_rich_share - p.origin_poor_share)
    mid_ratio = (
        1
        - p.origin_landlord_share
        - p.origin_rich_share * p.origin_rich_land_ratio
        - p.origin_poor_share * p.origin_poor_land_ratio
    ) / s_mid
    ratio = (1.0, p.origin_rich_land_ratio, max(mid_ratio, MIDDLE_LAND_RATIO_FLOOR), p.origin_poor_land_ratio)
    land_noise = np.exp(p.land_per_head_cv * normal(u[:, 4]))

    # Draft animals: whole animals or a half share, at the class rate scaled to the mean
    # by the expected rate (not the sample mean, which would couple villages).
    shares = (p.origin_landlord_share, p.origin_rich_share, s_mid, p.origin_poor_share)
    per_animal = HOUSEHOLDS_PER_ANIMAL[p.liberated_area]
    expected = sum(s / k for s, k in zip(shares, per_animal, strict=True))
    skill = np.exp(p.skill_sd * normal(u[:, 6]) - p.skill_sd**2 / 2)

    # the household's land is its weight's share of its village's land (land_per_head for each
    # person); capital and grain by origin; teams already at work in 1951: households signed up
    # at random (see initial_teams)
    c = ReformConstants(
        cuts=cuts,
        ratio=ratio,  # by origin
        households_per_animal=per_animal,
        capital_factor=CAPITAL_FACTOR[p.liberated_area],
        grain_factor=GRAIN_FACTOR[p.liberated_area],
        animal_scale=p.animals_per_household / expected,
        land_per_head=p.land_per_head,
        household_size_mean=p.household_size_mean,
        capital_per_mu=p.initial_capital_per_mu,
        child_weight=p.child_consumer_weight,
        elder_weight=p.elder_consumer_weight,
        subsistence=p.subsistence_grain,
        grain_months=p.initial_grain_months,
        start_year=p.start_year,
        teams_enabled=p.teams_enabled,
        team_share=p.initial_team_share,
    )
    out = ReformArrays(
        h.children,
        h.workers,
        h.elders,
        h.origin_class,
        h.social_class,
        h.land,
        h.animals,
        h.capital,
        h.grain,
        h.skill,
        h.founded,
        h.effort,
        h.in_team,
    )
    reform_kernel(H, n_villages, u, persons, elders, workers_drawn, land_noise, skill, c, out)
    return h


@jit
def initial_teams_kernel(village, neighbourhood, in_team, lanes, min_size, stage):
    """Start a team (`stage`) in each lane with `min_size` signed-up households; drop the other sign-ups."""
    count = np.zeros(stage.size)
    for i in range(village.size):
        if in_team[i]:
            count[village[i] * lanes + neighbourhood[i]] += 1.0
    for t in range(stage.size):
        if count[t] >= min_size:
            stage[t] = TEAM
    for i in range(village.size):
        in_team[i] = in_team[i] and count[village[i] * lanes + neighbourhood[i]] >= min_size


def initial_teams(h: Households, p: Params, T, lanes: int) -> None:
    """Lanes with enough signed-up households start with a team; elsewhere the sign-ups lapse."""
    initial_teams_kernel(h.village, h.neighbourhood, h.in_team, lanes, p.team_min_size, T.stage)
