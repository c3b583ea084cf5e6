"""Mutual aid teams: formed among neighbours, pooling labour and draft animals.

Each village lane (`neighbourhood`, a few to a dozen or more courtyards; kin who
divide stay in it) can hold one team. Members pool draft animals and labour: land a
member's own animals cannot plough is ploughed with other members' spare animal
capacity, and a member short of hands gets work days from members with hands to
spare, each up to `team_pooling_efficiency` of the capacity offered. The
labour-exchange `ledger` settles work days at the wage and animal days at the fair
ploughing fee times `team_equivalence_rate` (above 1 lets animal owners draw others'
labour cheaply). The gain is large for a household short of oxen or hands and small
for one that has both: that is the disintegration force the Shanxi Committee saw.

A team is a "manor" when one member owns most of its draft animals and draws a net
inflow of the others' labour through the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .params import Params

TEAM, LOWER_COOP, ADVANCED_COOP = 1, 2, 3  # Teams.stage (0 = no group in this lane)


@dataclass
class Teams:
    """One slot per village lane: team index = village * lanes_per_village + neighbourhood."""

    stage: np.ndarray  # 0 none, 1 team, 2 lower-stage co-op, 3 advanced co-op
    age: np.ndarray  # years since the team formed
    animals: np.ndarray  # draft animals bought with the public fund (owned by the group)
    capital: np.ndarray  # tools and land improvement paid from the public fund, jin
    land_share: np.ndarray  # co-op's current land-dividend share
    # cumulative fund accounts (jin): in = levy + entry; out = reproduction + welfare + withdrawals + payouts
    levy_in: np.ndarray
    entry_in: np.ndarray
    reproduction_spent: np.ndarray
    welfare_spent: np.ndarray
    withdrawn: np.ndarray
    disband_paid: np.ndarray
    forfeited: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Teams:
        t = cls(**{f.name: np.zeros(n) for f in fields(cls)})
        t.stage = np.zeros(n, dtype=np.int64)
        t.age = np.zeros(n, dtype=np.int64)
        return t

    def __len__(self) -> int:
        return len(self.stage)

    @property
    def active(self) -> np.ndarray:
        return self.stage > 0

    @property
    def is_coop(self) -> np.ndarray:
        return self.stage >= LOWER_COOP


def fair_plough_fee(p: Params) -> float:
    """Fair fee for ploughing one mu with another's animal: half the yield it adds (jin/mu)."""
    return 0.5 * p.normal_yield * (1.0 - p.no_draft_yield_factor)


def pool(
    team: np.ndarray,
    member: np.ndarray,
    have: np.ndarray,
    want: np.ndarray,
    extra: np.ndarray,
    n_teams: int,
    efficiency: float,
):
    """Pool spare capacity within teams.

    `have` and `want` are each member's spare capacity and shortfall (same unit);
    `extra` is capacity the team itself owns. Returns (received, given, used_extra):
    what each member gets, what each member gives, and what the team's own capacity gave.
    Shortfalls are met pro rata up to `efficiency` of the capacity given.
    """
    have = np.where(member, have, 0.0)
    want = np.where(member, want, 0.0)
    t = np.where(member, team, 0)
    spare = np.bincount(t, weights=have, minlength=n_teams) + extra
    need = np.bincount(t, weights=want, minlength=n_teams)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(need > 0, np.minimum(1.0, efficiency * spare / need), 0.0)
        used = np.where(spare > 0, np.minimum(1.0, need / (efficiency * spare)), 0.0)
    return want * fill[t], have * used[t], extra * used


def settle(
    team: np.ndarray, member: np.ndarray, owed: np.ndarray, earned_weight: np.ndarray, n_teams: int
) -> np.ndarray:
    """Ledger settlement: each member pays `owed`; the total goes to members pro rata `earned_weight`.

    Returns each member's net grain (positive = receives); it sums to zero in every team.
    """
    t = np.where(member, team, 0)
    owed = np.where(member, owed, 0.0)
    w = np.where(member, earned_weight, 0.0)
    total = np.bincount(t, weights=owed, minlength=n_teams)
    wsum = np.bincount(t, weights=w, minlength=n_teams)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(wsum > 0, total / wsum, 0.0)
    return w * rate[t] - owed


def manor(
    team: np.ndarray, member: np.ndarray, animals: np.ndarray, labour_net: np.ndarray, n_teams: int
) -> np.ndarray:
    """Teams where one member owns most of the members' draft animals and draws a net labour inflow."""
    t = np.where(member, team, 0)
    a = np.where(member, animals, 0.0)
    total = np.bincount(t, weights=a, minlength=n_teams)
    # at most one member can own more than half; he is the one who must draw labour in
    dominant = member & (a > 0.5 * total[t]) & (total[t] > 0)
    return np.bincount(t[dominant & (labour_net > 1e-9)], minlength=n_teams) > 0
