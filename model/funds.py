"""Public funds of teams and co-ops: levy, ownership, voting, use, entry and exit.

The fund of a group is the sum of its members' claims (`fund_claim`), so it never
needs separate bookkeeping. Each year:
- levy (`fund_levy_rate` x the member's normal yield: "collected based on land
  productivity"); under `fund_ownership = "equal"` the year's levy is credited to
  members equally ("regardless of original land productivity contributions"),
  under `"by_contribution"` to each payer;
- spending: `fund_spending_rate` of the balance, split between expanded
  reproduction (draft animals and tools owned by the group, raising its output)
  and welfare (relief to members short of subsistence, preventing distress sales).
  The split is set by the members' vote: each member prefers more reproduction the
  more land per head he has; `fund_voting` weighs the votes one person one vote or
  by land, around the policy's `fund_reproduction_share`;
- a newcomer pays `entry_share` of the fund per member (preference below 1);
- a leaver takes his claim if `fund_portable`, or forfeits it to those who stay.

Accounting identity per group, checked by the tests:
levy_in + entry_in = reproduction_spent + welfare_spent + withdrawn + disband_paid + balance.
"""

from __future__ import annotations

import numpy as np

from .params import Params
from .teams import Teams


def group_sum(team: np.ndarray, member: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """Per-group sums of `x` over members (non-members fall into a spare bin that is dropped)."""
    return np.bincount(np.where(member, team, n), weights=x, minlength=n + 1)[:n]


def balance(team: np.ndarray, member: np.ndarray, claim: np.ndarray, n: int) -> np.ndarray:
    return group_sum(team, member, claim, n)


def levy(team, member, claim, normal_yield, grain, p: Params, T: Teams, rate_factor: np.ndarray) -> np.ndarray:
    """Collect the year's levy from members (none in a disaster year, by `rate_factor`); returns each payment."""
    n = len(T)
    pay = np.where(member, p.fund_levy_rate * normal_yield * rate_factor, 0.0)
    pay = np.minimum(pay, np.maximum(grain, 0.0))
    if p.fund_ownership == "equal":
        total = group_sum(team, member, pay, n)
        count = group_sum(team, member, np.ones(len(team)), n)
        claim += np.where(member, (total / np.maximum(count, 1))[team], 0.0)
    else:
        claim += pay
    T.levy_in += group_sum(team, member, pay, n)
    return pay


def voted_reproduction_share(team, member, land, persons, p: Params, n: int) -> np.ndarray:
    """The group's reproduction share, as voted: each member prefers the policy share scaled by his
    land per head relative to the group's (land-rich want investment, land-poor want relief)."""
    lph = land / np.maximum(persons, 1)
    mean_lph = group_sum(team, member, lph, n) / np.maximum(group_sum(team, member, np.ones(len(team)), n), 1)
    pref = np.clip(p.fund_reproduction_share * lph / np.maximum(mean_lph[team], 1e-9), 0.0, 1.0)
    weight = np.ones(len(team)) if p.fund_voting == "one_person_one_vote" else land
    wsum = group_sum(team, member, weight, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, group_sum(team, member, weight * pref, n) / wsum, p.fund_reproduction_share)


def spend(team, member, claim, land, persons, p: Params, T: Teams, animal_price: float) -> np.ndarray:
    """Spend part of each fund: reproduction buys group animals and tools now; returns each group's
    welfare budget (paid out later in the year to members in need)."""
    n = len(T)
    bal = balance(team, member, claim, n)
    budget = p.fund_spending_rate * bal
    share = voted_reproduction_share(team, member, land, persons, p, n)
    repro = budget * share
    welfare = budget - repro
    # claims fall pro rata by what is spent: the fund is now animals, tools, or relief
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(bal > 0, 1.0 - budget / bal, 1.0)
    claim *= np.where(member, keep[team], 1.0)
    # half the reproduction spending on draft animals, half on tools and land improvement
    T.animals += 0.5 * repro / animal_price
    T.capital += 0.5 * repro
    T.reproduction_spent += repro
    return welfare


def pay_welfare(team, member, short: np.ndarray, budget: np.ndarray, T: Teams) -> tuple[np.ndarray, np.ndarray]:
    """Relief to members short of subsistence, pro rata to their shortfall; returns (relief, unspent)."""
    n = len(T)
    need = group_sum(team, member, short, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = np.where(need > 0, np.minimum(1.0, budget / need), 0.0)
    relief = np.where(member, short * fill[team], 0.0)
    paid = group_sum(team, member, relief, n)
    T.welfare_spent += paid
    return relief, budget - paid


def return_unspent(team, member, claim, unspent: np.ndarray, T: Teams) -> None:
    """Welfare money not needed this year goes back into the fund, to members equally."""
    n = len(T)
    count = group_sum(team, member, np.ones(len(team)), n)
    claim += np.where(member, (unspent / np.maximum(count, 1))[team], 0.0)


def leave(
    team, member_before, leaving, claim, p: Params, T: Teams, portable: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Settle the claims of members who leave. Portable: paid out in grain (withdrawal).
    Not portable: forfeited to those who stay, in proportion to their claims (or equally).
    Returns (grain paid to each leaver, forfeited by each leaver)."""
    n = len(T)
    portable = p.fund_portable if portable is None else portable
    out = np.where(leaving, claim, 0.0)
    stay = member_before & ~leaving
    if portable:
        T.withdrawn += group_sum(team, leaving, out, n)
        claim[leaving] = 0.0
        return out, np.zeros(len(team))
    lost = group_sum(team, leaving, out, n)
    claim[leaving] = 0.0
    count = group_sum(team, stay, np.ones(len(team)), n)
    held = group_sum(team, stay, claim, n)
    if p.fund_ownership == "equal":
        add = (lost / np.maximum(count, 1))[team]
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            add = np.where(held[team] > 0, claim * lost[team] / held[team], (lost / np.maximum(count, 1))[team])
    # a group left by all its members: nothing to forfeit to, the claims are paid out instead
    empty = (count == 0) & (lost > 0)
    claim += np.where(stay, add, 0.0)
    paid = np.where(leaving & empty[team], out, 0.0)
    T.disband_paid += np.where(empty, lost, 0.0)
    T.forfeited += np.where(empty, 0.0, lost)
    return paid, np.where(leaving & ~empty[team], out, 0.0)


def entry(team, joining, claim, grain, fund_per_member: np.ndarray, p: Params, T: Teams) -> np.ndarray:
    """Newcomers pay `entry_share` of the fund per member (as far as their grain allows); it becomes their claim."""
    n = len(T)
    fee = np.where(joining, np.minimum(p.entry_share * fund_per_member[team], np.maximum(grain, 0.0)), 0.0)
    claim += fee
    T.entry_in += group_sum(team, joining, fee, n)
    return fee


def disband(team, member, claim, dissolving: np.ndarray, T: Teams) -> np.ndarray:
    """Members of dissolving groups are paid their claims (the fund is shared out); returns payouts."""
    hit = member & dissolving[team]
    out = np.where(hit, claim, 0.0)
    T.disband_paid += group_sum(team, hit, out, len(T))
    claim[hit] = 0.0
    return out
