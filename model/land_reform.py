"""The initial state: the outcome of the land reform in each village.

Land is shared out nearly equally per head, but after the Hebei village figures the
reform left differences by class of origin: rich peasants kept part of their land,
poor peasants' households held less, former landlords got an equal share. Draft
animals are scarce and unequal by class (Hebei, 41 villages, 1948).
Sources are in docs/ODD.md (Initialisation) and the schema's `source` fields.
"""

from __future__ import annotations

import numpy as np

from . import purposes
from .params import Params
from .rng import Draws, binomial, normal
from .state import Households

LANDLORD, RICH, MIDDLE, POOR = 0, 1, 2, 3  # origin classes (metrics.ORIGIN_NAMES order)

# Households per draft animal by class of origin, 41 villages of Hebei, 1948
# (Hebei provincial gazetteer; historical_facts.csv row draft_animals_hebei_1948).
HOUSEHOLDS_PER_ANIMAL = np.array([6.3, 2.7, 3.1, 4.4])  # indexed by origin class
# Relative farm capital and grain stocks by origin (assumed: rich peasants kept tools and stores,
# landlords lost theirs, poor peasants received some in the reform's 'fruits').
CAPITAL_FACTOR = np.array([0.5, 2.0, 1.0, 0.6])
GRAIN_FACTOR = np.array([0.6, 2.0, 1.0, 0.5])
# Current class at the start, by origin (landlords hold an equal share and farm it themselves).
START_CLASS = np.array([2, 4, 2, 1])  # middle, rich, middle, poor (metrics.CLASS_NAMES codes)


def consumer_units(h: Households, p: Params) -> np.ndarray:
    return h.adults + p.child_consumer_weight * h.children + p.elder_consumer_weight * h.elders


def land_reform(p: Params, draws: Draws, n_villages: int) -> Households:
    """Households of every village right after the land reform, sorted by (village, hid)."""
    H = p.households
    n = H * n_villages
    h = Households.empty(n)
    h.village[:] = np.repeat(np.arange(n_villages), H)
    h.hid[:] = np.tile(np.arange(H), n_villages)
    h.position[:] = h.hid
    h.neighbourhood[:] = h.hid // p.team_size
    u = draws.household(p.start_year - 1, purposes.INIT, h.village, h.hid, 8)

    # Household size: 1 + Binomial(11, (mean - 1) / 11), so sizes run 1..12 around the mean.
    persons = 1 + binomial(u[:, 0], np.full(n, 11), (p.household_size_mean - 1) / 11)
    elders = np.minimum((u[:, 1] < 0.35).astype(np.int64) + (u[:, 1] < 0.08), persons - 1)
    rest = persons - elders
    adults = np.clip(1 + binomial(u[:, 2], rest - 1, 0.35), 1, rest)
    h.elders[:], h.adults[:], h.children[:] = elders, adults, rest - adults

    # Class of origin.
    c = u[:, 3]
    cuts = np.cumsum([p.origin_landlord_share, p.origin_rich_share, p.origin_poor_share])
    origin = np.where(c < cuts[0], LANDLORD, np.where(c < cuts[1], RICH, np.where(c < cuts[2], POOR, MIDDLE)))
    h.origin_class[:] = origin
    h.social_class[:] = START_CLASS[origin]

    # Land: household-level ratios to the average household, by origin; middle peasants take the rest.
    s_mid = max(1e-9, 1 - p.origin_landlord_share - p.origin_rich_share - p.origin_poor_share)
    mid_ratio = (
        1
        - p.origin_landlord_share
        - p.origin_rich_share * p.origin_rich_land_ratio
        - p.origin_poor_share * p.origin_poor_land_ratio
    ) / s_mid
    ratio = np.select(
        [origin == LANDLORD, origin == RICH, origin == POOR],
        [1.0, p.origin_rich_land_ratio, p.origin_poor_land_ratio],
        max(mid_ratio, 0.05),
    )
    weight = ratio * persons / p.household_size_mean * np.exp(p.land_per_head_cv * normal(u[:, 4]))
    village_total = np.bincount(h.village, weights=persons, minlength=n_villages) * p.land_per_head
    h.land[:] = (
        weight / np.bincount(h.village, weights=weight, minlength=n_villages)[h.village] * village_total[h.village]
    )

    # Draft animals: whole animals or a half share, at the class rate scaled to the mean.
    rate = 1.0 / HOUSEHOLDS_PER_ANIMAL[origin]
    # scaled by the expected rate (not the sample mean, which would couple villages)
    shares = np.array([p.origin_landlord_share, p.origin_rich_share, s_mid, p.origin_poor_share])
    rate *= p.animals_per_household / float((shares / HOUSEHOLDS_PER_ANIMAL).sum())
    a = u[:, 5]
    h.animals[:] = np.where(a < 0.8 * rate, 1.0, np.where(a < 1.2 * rate, 0.5, 0.0))

    h.capital[:] = p.initial_capital_per_mu * h.land * CAPITAL_FACTOR[origin]
    need = consumer_units(h, p) * p.subsistence_grain
    h.grain[:] = need * p.initial_grain_months / 12 * GRAIN_FACTOR[origin]
    h.skill[:] = np.exp(p.skill_sd * normal(u[:, 6]) - p.skill_sd**2 / 2)
    h.founded[:] = p.start_year - 1
    h.effort[:] = 1.0
    # teams already at work in 1951: households signed up at random; see initial_teams
    h.in_team[:] = p.teams_enabled & (u[:, 7] < p.initial_team_share)
    return h


def initial_teams(h: Households, p: Params, T, lanes: int) -> None:
    """Lanes with enough signed-up households start with a team; elsewhere the sign-ups lapse."""
    team = h.village * lanes + h.neighbourhood
    count = np.bincount(team, weights=h.in_team.astype(float), minlength=len(T))
    ok = count >= p.team_min_size
    T.stage[ok] = 1
    h.in_team &= ok[team]
