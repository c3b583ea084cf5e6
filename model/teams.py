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

A team is a "manor" when one member owns most (`manor_animal_share`) of its draft animals
and draws a net inflow of the others' labour through the ledger.

`pool`, `settle` and `manor` are compiled kernels (arrays and numbers in), callable from
other kernels as well as from Python.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from .jit import jit
from .params import Params

TEAM, LOWER_COOP, ADVANCED_COOP = 1, 2, 3  # Teams.stage (0 = no group in this lane)


@dataclass
class Teams:
    """One slot per village lane (slot = village * lanes_per_village + neighbourhood), holding that lane's group;
    a lane taken into a co-op of several lanes points to the co-op's slot (`host`), and its households belong to
    the group `host[slot]` (`group_at`)."""

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
    # each lane's group slot: the lane's own, or the co-op that took the lane in (`coops.merge_at`)
    host: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Teams:
        t = cls(**{f.name: np.zeros(n) for f in fields(cls)})
        t.stage = np.zeros(n, dtype=np.int64)
        t.age = np.zeros(n, dtype=np.int64)
        t.host = np.arange(n, dtype=np.int64)
        return t

    def __len__(self) -> int:
        return len(self.stage)

    @property
    def active(self) -> np.ndarray:
        return self.stage > 0

    @property
    def is_coop(self) -> np.ndarray:
        return self.stage >= LOWER_COOP

    def __setattr__(self, name, value):
        # an array bound anew (not the same one, as `T.capital *= x` binds) makes `arrays` be made again
        if self.__dict__.get(name) is not value:
            self.__dict__.pop("_arrays", None)
            self.__dict__.pop("_packed", None)
        super().__setattr__(name, value)

    def arrays(self) -> TeamArrays:
        """The groups' arrays (not copies), for the kernels; made once, and again after an array is bound anew."""
        made = self.__dict__.get("_arrays")
        if made is None:
            made = self.__dict__["_arrays"] = TeamArrays(*(getattr(self, name) for name in TeamArrays._fields))
        return made

    def packed(self) -> tuple:
        """`arrays()` as a plain tuple, for a kernel called from Python: numba types a plain tuple of arrays
        about twice as fast as a NamedTuple, and the kernel names them again with `TeamArrays(*teams)`."""
        made = self.__dict__.get("_packed")
        if made is None:
            made = self.__dict__["_packed"] = tuple(self.arrays())
        return made


# The arrays of `Teams` as one argument of the compiled kernels (the same arrays: kernels update them in
# place); its fields are `Teams`' fields, in their order.
TeamArrays = NamedTuple("TeamArrays", [(f.name, np.ndarray) for f in fields(Teams)])


@jit
def group_at(village, neighbourhood, lanes, host):
    """The group slot of a household of `village` and lane `neighbourhood`: its lane's host."""
    return host[village * lanes + neighbourhood]


def groups(village: np.ndarray, neighbourhood: np.ndarray, lanes: int, T: Teams) -> np.ndarray:
    """Each household's group slot (see `Teams`)."""
    return T.host[village * lanes + neighbourhood]


def fair_plough_fee(p: Params) -> float:
    """Fair fee for ploughing one mu with another's animal: `team_fair_fee_share` (half) of the yield it adds
    (jin/mu)."""
    return p.team_fair_fee_share * p.normal_yield * (1.0 - p.no_draft_yield_factor)


@jit
def pool(team, member, have, want, extra, n_teams, efficiency):
    """Pool spare capacity within teams.

    `have` and `want` are each member's spare capacity and shortfall (same unit);
    `extra` is capacity the team itself owns. Returns (received, given, used_extra):
    what each member gets, what each member gives, and what the team's own capacity gave.
    Shortfalls are met pro rata up to `efficiency` of the capacity given.
    """
    m = team.size
    spare = np.zeros(n_teams)
    need = np.zeros(n_teams)
    for i in range(m):
        if member[i]:
            t = team[i]
            spare[t] += have[i]
            need[t] += want[i]
    fill = np.empty(n_teams)
    used = np.empty(n_teams)
    used_extra = np.empty(n_teams)
    for t in range(n_teams):
        spare[t] += extra[t]
        fill[t] = min(1.0, efficiency * spare[t] / need[t]) if need[t] > 0 else 0.0
        used[t] = min(1.0, need[t] / (efficiency * spare[t])) if spare[t] > 0 else 0.0
        used_extra[t] = extra[t] * used[t]
    received = np.empty(m)
    given = np.empty(m)
    for i in range(m):
        if member[i]:
            received[i] = want[i] * fill[team[i]]
            given[i] = have[i] * used[team[i]]
        else:
            received[i] = 0.0
            given[i] = 0.0
    return received, given, used_extra


@jit
def settle(team, member, owed, earned_weight, n_teams):
    """Ledger settlement: each member pays `owed`; the total goes to members pro rata `earned_weight`.

    Returns each member's net grain (positive = receives); it sums to zero in every team.
    """
    m = team.size
    total = np.zeros(n_teams)
    wsum = np.zeros(n_teams)
    for i in range(m):
        if member[i]:
            t = team[i]
            total[t] += owed[i]
            wsum[t] += earned_weight[i]
    rate = np.empty(n_teams)
    for t in range(n_teams):
        rate[t] = total[t] / wsum[t] if wsum[t] > 0 else 0.0
    net = np.zeros(m)
    for i in range(m):
        if member[i]:
            net[i] = earned_weight[i] * rate[team[i]] - owed[i]
    return net


@jit
def manor(team, member, animals, labour_net, n_teams, share):
    """Teams where one member owns more than `share` (`manor_animal_share`: most) of the members' draft animals
    and draws a net labour inflow."""
    total = np.zeros(n_teams)
    for i in range(team.size):
        if member[i]:
            total[team[i]] += animals[i]
    out = np.zeros(n_teams, dtype=np.bool_)
    for i in range(team.size):
        if member[i]:
            t = team[i]
            # at most one member can own more than half; he is the one who must draw labour in
            if animals[i] > share * total[t] and total[t] > 0 and labour_net[i] > 1e-9:
                out[t] = True
    return out
