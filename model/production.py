"""Production: the harvest from land, labour, draft power and capital, with weather and shocks.

Draft power and labour are complements of land: land that no animal ploughs is dug
by hand and yields `no_draft_yield_factor` of ploughed land, and land beyond what the
labour applied can work yields nothing. Capital (tools, manure, wells) raises the
yield with diminishing returns. Each village draws its own weather each year;
households draw illness (lost labour) and the death of animals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import purposes
from .jit import jit
from .params import Params, once_per_params
from .rng import Draws, normal
from .state import Households

if TYPE_CHECKING:
    from .spring_markets import Spring
    from .teams import Teams

EPS = 1e-9


class ProductionConstants(NamedTuple):
    """What the shocks' and the harvest's kernels read of the parameters (derived once per Params)."""

    illness_prob: float  # yearly chance of illness in a household
    timeliness: float  # share of ploughing's gain that hired (late) ploughing achieves
    no_draft_yield_factor: float
    normal_yield: float  # jin/mu
    capital_yield_gain: float
    capital_half_saturation: float  # jin/mu
    mu_per_worker: float
    sideline_price: float  # what a worker-year of side work fetches, jin
    elder_work: float  # work an elder still does, workers
    illness_labour_loss: float  # share of its labour a household loses to illness


def sideline_price(p: Params) -> float:
    """What a worker-year of side production fetches: merchants keep `merchant_margin` unless a
    supply-and-marketing co-op buys at a fair price."""
    return p.sideline_income * (1.0 if p.supply_marketing_coop else 1.0 - p.merchant_margin)


@once_per_params
def production_constants(p: Params) -> ProductionConstants:
    return ProductionConstants(
        illness_prob=p.illness_prob,
        timeliness=p.plough_hire_timeliness,
        no_draft_yield_factor=p.no_draft_yield_factor,
        normal_yield=p.normal_yield,
        capital_yield_gain=p.capital_yield_gain,
        capital_half_saturation=p.capital_half_saturation,
        mu_per_worker=p.mu_per_worker,
        sideline_price=sideline_price(p),
        elder_work=p.elder_work,
        illness_labour_loss=p.illness_labour_loss,
    )


@jit
def draft_factor_at(ploughed: float, no_draft_yield_factor: float) -> float:
    """Yield factor of land of which a share `ploughed` is ploughed by animals; the rest is dug by hand."""
    return ploughed + (1.0 - ploughed) * no_draft_yield_factor


@jit
def capital_factor_at(capital: float, land: float, gain: float, half_saturation: float) -> float:
    """Yield factor of farm capital (tools, manure, wells) per mu: diminishing returns."""
    k = capital / np.maximum(land, EPS)
    return 1.0 + gain * k / (k + half_saturation)


def labour(h: Households, p: Params, ill: np.ndarray) -> np.ndarray:
    """Worker-years the household's own members can give this year."""
    return labour_kernel(h.workers, h.elders, ill, production_constants.record(p))


@jit
def labour_kernel(workers, elders, ill, constants):
    """(workers + `elder_work` x elders) x (1 - `illness_labour_loss` x ill), household by household."""
    c = constants[0]
    out = np.empty(workers.size)
    for i in range(workers.size):
        out[i] = (workers[i] + c.elder_work * elders[i]) * (1.0 - c.illness_labour_loss * ill[i])
    return out


def shocks(h: Households, p: Params, draws: Draws, year: int) -> np.ndarray:
    """Draw this year's household shocks: returns the illness indicator; animal deaths applied in place."""
    u = draws.household(year, purposes.SHOCKS, h.village, h.hid, 2)
    # each whole animal dies with the yearly chance; a share of an animal dies with its animal
    # (the power stays in numpy: its last bit differs from the compiled one's)
    survive_all = (1.0 - p.animal_death_prob) ** np.maximum(h.animals, 1.0)
    return shocks_kernel(u, survive_all, production_constants.record(p), h.animals)


@jit
def shocks_kernel(u, survive_all, constants, animals):
    """Illness (returned, 1.0 where it strikes) and animal deaths (applied to `animals`) from the draws `u`."""
    c = constants[0]
    ill = np.empty(animals.size)
    for i in range(animals.size):
        ill[i] = 1.0 if u[i, 0] < c.illness_prob else 0.0
        if u[i, 1] < 1.0 - survive_all[i] and animals[i] > 0:
            animals[i] = np.maximum(animals[i] - 1.0, 0.0)
    return ill


def weather(p: Params, draws: Draws, year: int) -> tuple[np.ndarray, np.ndarray]:
    """Each village's harvest factor this year (log-normal around the yield trend, `yield_factor`) and
    whether a disaster struck."""
    u = draws.village(year, purposes.WEATHER, 2)
    w = np.exp(p.weather_sd * normal(u[:, 0]) - p.weather_sd**2 / 2)
    trend = yield_factor(p, year)
    if trend != 1.0:
        w = w * trend
    disaster = u[:, 1] < p.disaster_prob
    return np.where(disaster, w * p.disaster_yield_factor, w), disaster


def yield_factor(p: Params, year: int) -> float:
    """Normal yields in `year` relative to the start year: they recover in equal steps by `recovery_year`
    (`yield_recovery_gain` in all), then grow by `yield_trend` a year (docs/ODD.md, Recovery and growth).

    >>> from model.params import make_params
    >>> p = make_params(yield_recovery_gain=0.2, recovery_year=1953, yield_trend=0.1)
    >>> [round(yield_factor(p, y), 4) for y in (1951, 1952, 1953, 1954, 1955)]
    [1.0, 1.1, 1.2, 1.32, 1.452]
    """
    steps = p.recovery_year - p.start_year
    done = 1.0 if steps <= 0 else min(max(year - p.start_year, 0) / steps, 1.0)
    grown = max(year - max(p.recovery_year, p.start_year), 0)
    return (1.0 + p.yield_recovery_gain * done) * (1.0 + p.yield_trend) ** grown


def harvest(
    h: Households,
    T: Teams,
    p: Params,
    team: np.ndarray,
    private: np.ndarray,
    in_team: np.ndarray,
    lab: np.ndarray,
    s: Spring,
    weather: np.ndarray,
) -> np.ndarray:
    """The harvest of the farms outside co-ops (into `output`), the labour they applied (`labour_used`)
    and their members' side income (`sideline`), after the spring markets `s`; returns the harvest.
    A team's own tools count with each member's land."""
    return harvest_kernel(
        h.village,
        team,
        len(T),
        private,
        in_team,
        lab,
        # the spring's arrays it reads, as a plain tuple (numba types one twice as fast as a NamedTuple)
        (s.cultivated, s.own_use, s.recv_l, s.surplus, s.animal_mu, s.recv_a, s.hired_in_a),
        h.hired_in,
        h.hired_out,
        h.skill,
        h.capital,
        T.capital,
        weather,
        production_constants.record(p),
        h.labour_used,
        h.output,
        h.sideline,
    )


@jit
def harvest_kernel(
    village,
    team,
    n_teams,
    private,
    in_team,
    lab,
    spring,
    hired_in,
    hired_out,
    skill,
    capital,
    team_capital_stock,
    weather,
    constants,
    labour_used,
    output,
    sideline,
):
    """Labour applied, harvest and side income of private farms (written into `labour_used`, `output`,
    `sideline`); a team's own tools count with each member's land. `spring`: the spring markets' arrays, as
    `harvest` passes them."""
    c = constants[0]
    cultivated, own_use, recv_l, surplus, animal_mu, recv_a, hired_in_a = spring
    n = village.size
    team_land = np.zeros(n_teams)
    for i in range(n):
        if in_team[i]:
            team_land[team[i]] += cultivated[i]
    for i in range(n):
        labour_used[i] = own_use[i] + recv_l[i] + hired_in[i] if private[i] else lab[i]
        ploughed = np.minimum(cultivated[i], animal_mu[i]) + recv_a[i] + hired_in_a[i] * c.timeliness
        draft = draft_factor_at(np.minimum(1.0, ploughed / np.maximum(cultivated[i], EPS)), c.no_draft_yield_factor)
        tools = 0.0
        if in_team[i]:
            t = team[i]
            tools = team_capital_stock[t] * cultivated[i] / np.maximum(team_land[t], EPS)
        ypm = (
            c.normal_yield
            * skill[i]
            * draft
            * capital_factor_at(capital[i] + tools, cultivated[i], c.capital_yield_gain, c.capital_half_saturation)
        )
        worked = np.minimum(cultivated[i], labour_used[i] * c.mu_per_worker)
        output[i] = ypm * worked * weather[village[i]]
        sideline[i] = (surplus[i] - hired_out[i] if private[i] else 0.0) * c.sideline_price
    return output.copy()
