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

from .params import Params


def pressure_value(p: Params, year: int, village_rate: np.ndarray) -> np.ndarray:
    """Administrative pressure per village, in units of subsistence: strong while the village is
    below target and the target year approaches; none under the voluntary principle."""
    if p.join_pressure <= 0:
        return np.zeros_like(village_rate)
    gap = np.maximum(p.target_membership - village_rate, 0.0) / max(p.target_membership, 1e-9)
    urgency = 1.0 if year >= p.target_year else 1.0 / (1.0 + (p.target_year - year))
    strength = p.join_pressure / max(1.0 - p.join_pressure, 1e-6)
    return strength * (0.5 + gap * urgency)


def logit(value: np.ndarray, noise: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(value / noise, -50, 50)))


def decide(
    value: np.ndarray, member: np.ndarray, exit_cost: np.ndarray, entry_cost: np.ndarray, p: Params, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(joins, exits) masks for households reconsidering (u[:, 0] < membership_revision)."""
    revise = u[:, 0] < p.membership_revision
    compulsory = p.join_pressure >= 1.0
    p_join = logit(value - entry_cost, p.choice_noise)
    p_stay = logit(value + exit_cost, p.choice_noise)
    joins = ~member & (compulsory | (revise & (u[:, 1] < p_join)))
    exits = member & revise & (u[:, 1] >= p_stay) & p.exit_allowed & (not compulsory)
    return joins, exits
