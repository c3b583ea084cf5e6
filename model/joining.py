"""Joining, staying, leaving: each household's noisy choice, and the state's pressure.

Every year a share `membership_revision` of households reconsiders. Each weighs, in
grain per year relative to `subsistence_grain`:
  + the expected gain from pooling (ploughing its unploughed land, hands for its
    fields, less the ledger fees; or, in a co-op, its share of the co-op's income
    against farming alone),
  + the insurance value of the group's welfare spending,
  + the state's preference (`state_preference`, the co-op tax rebate) and
    administrative pressure (`join_pressure`, pushing towards `target_membership`
    by `target_year`),
  - the levy it pays beyond what it keeps as its own claim,
  - the value of farming alone (`farming_alone_value`),
  - for a newcomer, the entry share; for a member, the claim a non-portable fund
    would forfeit is a reason to stay.
It joins (or stays) with logit probability 1 / (1 + exp(-value / choice_noise)).
With `join_pressure = 1` joining is compulsory and nobody leaves either: whoever would
go is pressed to stay, so `exit_allowed` then survives only as the right that keeps
co-op effort up (the threat), never as an exit. With `exit_allowed = false` no member
may leave (a team can still fall apart if it shrinks below `team_min_size`).
"""

from __future__ import annotations

import numpy as np

from .jit import jit
from .params import Params


def pressure_constants(p: Params) -> tuple[bool, float, float, float]:
    """The scalars of `pressure_value` that do not change with the year: (on, target, target floor,
    strength)."""
    strength = p.join_pressure / max(1.0 - p.join_pressure, 1e-6) if p.join_pressure > 0 else 0.0
    return p.join_pressure > 0, p.target_membership, max(p.target_membership, 1e-9), strength


@jit
def urgency_at(year, target_year):
    """How hard the target presses in `year`: full from the target year on, rising as it approaches."""
    return 1.0 if year >= target_year else 1.0 / (1.0 + (target_year - year))


def pressure_terms(p: Params, year: int) -> tuple[bool, float, float, float, float]:
    """The scalars of `pressure_value` for `year`: (on, target, target floor, urgency, strength)."""
    on, target, target_floor, strength = pressure_constants(p)
    return on, target, target_floor, urgency_at(year, p.target_year), strength


@jit
def pressure_kernel(village_rate, on, target, target_floor, urgency, strength):
    """`pressure_value` from the scalars of `pressure_terms`."""
    out = np.zeros(village_rate.size)
    if on:
        for v in range(village_rate.size):
            gap = np.maximum(target - village_rate[v], 0.0) / target_floor
            out[v] = strength * (0.5 + gap * urgency)
    return out


def pressure_value(p: Params, year: int, village_rate: np.ndarray) -> np.ndarray:
    """Administrative pressure per village, in units of subsistence: strong while the village is
    below target and the target year approaches; none under the voluntary principle."""
    if p.join_pressure <= 0:
        return np.zeros_like(village_rate)
    return pressure_kernel(np.asarray(village_rate, dtype=np.float64), *pressure_terms(p, year))


@jit
def logit_at(value, noise):
    """Probability of joining (or staying) at `value`: 1 / (1 + exp(-value / noise)), the exponent
    bounded to +-50 (exp from libm: may differ from numpy's in the last bit)."""
    return 1.0 / (1.0 + np.exp(-np.minimum(np.maximum(value / noise, -50.0), 50.0)))


@jit
def decide_kernel(value, member, exit_cost, entry_cost, u, revision, compulsory, noise, exit_allowed):
    """`decide` with the parameters as scalars (`compulsory`: join_pressure >= 1)."""
    n = value.size
    joins = np.zeros(n, dtype=np.bool_)
    exits = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        revise = u[i, 0] < revision
        if member[i]:
            # the probability is needed only where a member may actually leave
            if revise and exit_allowed and not compulsory:
                exits[i] = u[i, 1] >= logit_at(value[i] + exit_cost[i], noise)
        elif compulsory:
            joins[i] = True
        elif revise:
            joins[i] = u[i, 1] < logit_at(value[i] - entry_cost[i], noise)
    return joins, exits


def decide(
    value: np.ndarray, member: np.ndarray, exit_cost: np.ndarray, entry_cost: np.ndarray, p: Params, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(joins, exits) masks for households reconsidering (u[:, 0] < membership_revision)."""
    return decide_kernel(
        value,
        member,
        exit_cost,
        entry_cost,
        u,
        p.membership_revision,
        p.join_pressure >= 1.0,
        p.choice_noise,
        bool(p.exit_allowed),
    )
