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
- a leaver takes his claim if `fund_portable`, or forfeits it to those who stay;
- a household that dies out leaves its team: its claim is settled as a leaver's, and
  what is paid out goes to its heir;
- a group that disbands shares its fund out to its members.

What the fund is worth to a household weighing membership (`model.joining`) is also
set here (`FundRules`): the insurance of its welfare spending (`fund_insurance_weight_short`,
`fund_insurance_weight_secure`), the levy it pays beyond the claim it keeps (a forfeitable
claim counting `fund_forfeitable_claim_value`), and the one-off entry fee and forfeit spread
over `fund_cost_horizon` years.

Accounting identity per group, checked by the tests:
levy_in + entry_in = reproduction_spent + welfare_spent + withdrawn + disband_paid + balance.

Each function is one compiled kernel (`..._kernel`) over households and groups; the kernels
take arrays and numbers only (the `Teams` accounts they update in place), so other kernels
can call them too.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .jit import jit
from .params import Params, once_per_params
from .state import Households
from .teams import Teams


class FundRules(NamedTuple):
    """The fund's rules as the spring and demography kernels read them (derived once per Params)."""

    portable: bool  # fund_portable: a leaver takes his claim
    equal: bool  # fund_ownership == "equal"
    entry_share: float  # share of the fund per member a newcomer pays in
    levy_rate: float  # levy per mu of a member's land at normal skill (fund_levy_rate x normal_yield), jin/mu
    welfare_rate: float  # share of the balance spent on welfare at the policy's split
    kept_weight: float  # worth of the claim a member keeps: all of it if portable, else fund_forfeitable_claim_value
    insurance_short: float  # fund_insurance_weight_short
    insurance_secure: float  # fund_insurance_weight_secure
    horizon: float  # fund_cost_horizon, years
    subsistence: float  # subsistence_grain: the unit of the values, jin


@once_per_params
def fund_rules(p: Params) -> FundRules:
    return FundRules(
        portable=bool(p.fund_portable),
        equal=p.fund_ownership == "equal",
        entry_share=p.entry_share,
        levy_rate=p.fund_levy_rate * p.normal_yield,
        welfare_rate=p.fund_spending_rate * (1 - p.fund_reproduction_share),
        kept_weight=1.0 if p.fund_portable else p.fund_forfeitable_claim_value,
        insurance_short=p.fund_insurance_weight_short,
        insurance_secure=p.fund_insurance_weight_secure,
        horizon=p.fund_cost_horizon,
        subsistence=p.subsistence_grain,
    )


# --- what membership in a fund is worth (read by `joining.membership_kernel` and the spring) ------------


@jit
def insurance_at(f, per_member, short):
    """Insurance (jin a year): the welfare part of the group's spending per member, weighed more by a
    household `short` of grain.

    >>> f = FundRules(True, False, 0.5, 3.75, 0.15, 1.0, 1.5, 0.5, 3.0, 300.0)
    >>> insurance_at(f, 200.0, True), insurance_at(f, 200.0, False)
    (45.0, 15.0)
    """
    return f.welfare_rate * per_member * (f.insurance_short if short else f.insurance_secure)


@jit
def levy_cost_at(f, levy, mean_levy):
    """The levy (jin a year) beyond the part the household keeps as its own claim: its own levy, or under equal
    ownership the group's mean, counted at `kept_weight`.

    >>> f = FundRules(False, False, 0.5, 3.75, 0.15, 0.5, 1.5, 0.5, 3.0, 300.0)
    >>> levy_cost_at(f, 30.0, 20.0), levy_cost_at(f._replace(equal=True), 30.0, 20.0)
    (15.0, 20.0)
    """
    kept = mean_levy if f.equal else levy
    return levy - kept * f.kept_weight


@jit
def exit_cost_at(f, claim):
    """A member's cost of leaving (units of subsistence a year): the claim a fund that is not portable keeps,
    spread over the horizon."""
    return (0.0 if f.portable else claim) / f.horizon / f.subsistence


@jit
def entry_cost_at(f, per_member):
    """A newcomer's cost of joining (units of subsistence a year): the entry fee spread over the horizon."""
    return f.entry_share * per_member / f.horizon / f.subsistence


@jit
def masked_group_sums(team, member, x, n):
    """Per-group sums of `x` over members, in array order (as `np.bincount` with weights)."""
    out = np.zeros(n)
    for i in range(team.size):
        if member[i]:
            k = team[i]
            if 0 <= k < n:
                out[k] += x[i]
    return out


@jit
def member_counts(team, member, n):
    """Members per group, as floats."""
    out = np.zeros(n)
    for i in range(team.size):
        if member[i]:
            k = team[i]
            if 0 <= k < n:
                out[k] += 1.0
    return out


@jit
def levy_kernel(team, member, claim, normal_yield, grain, rate, rate_factor, equal, levy_in):
    """The levy (returned), credited to claims equally or to each payer, added to `levy_in`."""
    n = levy_in.size
    pay = np.empty(team.size)
    for i in range(team.size):
        due = rate * normal_yield[i] * rate_factor[i] if member[i] else 0.0
        pay[i] = min(due, max(grain[i], 0.0))
    total = masked_group_sums(team, member, pay, n)
    if equal:
        count = member_counts(team, member, n)
        for i in range(team.size):
            if member[i]:
                claim[i] += total[team[i]] / max(count[team[i]], 1.0)
    else:
        for i in range(team.size):
            claim[i] += pay[i]
    for t in range(n):
        levy_in[t] += total[t]
    return pay


def levy(h: Households, p: Params, T: Teams, team: np.ndarray, disaster: np.ndarray) -> np.ndarray:
    """Collect the year's levy from members (none in a village struck by `disaster`), into `levy` and out
    of `grain`; returns `levy`."""
    equal = p.fund_ownership == "equal"
    levy_households_kernel(
        team,
        h.village,
        disaster,
        h.in_team,
        h.fund_claim,
        h.normal_yield,
        h.grain,
        h.levy,
        p.fund_levy_rate,
        equal,
        T.levy_in,
    )
    return h.levy


@jit
def levy_households_kernel(team, village, disaster, member, claim, normal_yield, grain, levy, rate, equal, levy_in):
    """`levy`: the rate factor (0 in a village struck by disaster), `levy_kernel`, the levy taken from grain."""
    n = team.size
    rate_factor = np.empty(n)
    for i in range(n):
        rate_factor[i] = 1.0 - (1.0 if disaster[village[i]] else 0.0)
    pay = levy_kernel(team, member, claim, normal_yield, grain, rate, rate_factor, equal, levy_in)
    for i in range(n):
        levy[i] = pay[i]
        grain[i] -= levy[i]


@jit
def voted_share_kernel(team, member, land, persons, share, one_vote, n):
    """Each group's voted reproduction share (see `voted_reproduction_share`)."""
    m = team.size
    lph = np.empty(m)
    for i in range(m):
        lph[i] = land[i] / max(persons[i], 1)
    mean_lph = masked_group_sums(team, member, lph, n)
    count = member_counts(team, member, n)
    for t in range(n):
        mean_lph[t] = mean_lph[t] / max(count[t], 1.0)
    wsum = np.zeros(n)
    wpref = np.zeros(n)
    for i in range(m):
        if member[i]:
            t = team[i]
            if 0 <= t < n:
                pref = min(max(share * lph[i] / max(mean_lph[t], 1e-9), 0.0), 1.0)
                w = 1.0 if one_vote else land[i]
                wsum[t] += w
                wpref[t] += w * pref
    out = np.empty(n)
    for t in range(n):
        out[t] = wpref[t] / wsum[t] if wsum[t] > 0 else share
    return out


def voted_reproduction_share(team, member, land, persons, p: Params, n: int) -> np.ndarray:
    """The group's reproduction share, as voted: each member prefers the policy share scaled by his
    land per head relative to the group's (land-rich want investment, land-poor want relief)."""
    one_vote = p.fund_voting == "one_person_one_vote"
    return voted_share_kernel(team, member, land, persons, p.fund_reproduction_share, one_vote, n)


@jit
def spend_kernel(
    team,
    member,
    claim,
    land,
    persons,
    rate,
    share,
    one_vote,
    animal_share,
    tool_share,
    animal_price,
    animals,
    capital,
    reproduction_spent,
):
    """Spend `rate` of each fund (claims fall pro rata); reproduction buys the group's animals (`animal_share`
    of it) and tools (`tool_share`) now. Returns each group's welfare budget."""
    n = animals.size
    bal = masked_group_sums(team, member, claim, n)
    voted = voted_share_kernel(team, member, land, persons, share, one_vote, n)
    welfare = np.empty(n)
    keep = np.empty(n)
    for t in range(n):
        budget = rate * bal[t]
        repro = budget * voted[t]
        welfare[t] = budget - repro
        # claims fall pro rata by what is spent: the fund is now animals, tools, or relief
        keep[t] = 1.0 - budget / bal[t] if bal[t] > 0 else 1.0
        # reproduction spending on draft animals, and on tools and land improvement
        animals[t] += animal_share * repro / animal_price
        capital[t] += tool_share * repro
        reproduction_spent[t] += repro
    for i in range(team.size):
        if member[i]:
            claim[i] *= keep[team[i]]
    return welfare


def spend(team, member, claim, land, persons, p: Params, T: Teams, animal_price: float) -> np.ndarray:
    """Spend part of each fund: reproduction buys group animals and tools now; returns each group's
    welfare budget (paid out later in the year to members in need)."""
    one_vote = p.fund_voting == "one_person_one_vote"
    return spend_kernel(
        team,
        member,
        claim,
        land,
        persons,
        p.fund_spending_rate,
        p.fund_reproduction_share,
        one_vote,
        p.fund_animal_share,
        1.0 - p.fund_animal_share,
        animal_price,
        T.animals,
        T.capital,
        T.reproduction_spent,
    )


@jit
def pay_welfare_kernel(team, member, short, budget, welfare_spent):
    """Relief pro rata to shortfall within each group's budget, added to `welfare_spent`; (relief, unspent)."""
    n = budget.size
    need = masked_group_sums(team, member, short, n)
    fill = np.empty(n)
    for t in range(n):
        fill[t] = min(1.0, budget[t] / need[t]) if need[t] > 0 else 0.0
    relief = np.empty(team.size)
    for i in range(team.size):
        relief[i] = short[i] * fill[team[i]] if member[i] else 0.0
    paid = masked_group_sums(team, member, relief, n)
    unspent = np.empty(n)
    for t in range(n):
        welfare_spent[t] += paid[t]
        unspent[t] = budget[t] - paid[t]
    return relief, unspent


def pay_welfare(team, member, short: np.ndarray, budget: np.ndarray, T: Teams) -> tuple[np.ndarray, np.ndarray]:
    """Relief to members short of subsistence, pro rata to their shortfall; returns (relief, unspent)."""
    return pay_welfare_kernel(team, member, short, budget, T.welfare_spent)


@jit
def share_out_kernel(team, member, claim, amount):
    """Add each group's `amount` to its members' claims in equal parts."""
    count = member_counts(team, member, amount.size)
    for i in range(team.size):
        if member[i]:
            t = team[i]
            claim[i] += amount[t] / max(count[t], 1.0)


@jit
def leave_kernel(team, member_before, leaving, claim, portable, equal, withdrawn, disband_paid, forfeited):
    """Settle leavers' claims (see `leave`); returns (grain paid to each leaver, forfeited by each)."""
    n = withdrawn.size
    m = team.size
    out = np.empty(m)
    for i in range(m):
        out[i] = claim[i] if leaving[i] else 0.0
    lost = masked_group_sums(team, leaving, out, n)
    for i in range(m):
        if leaving[i]:
            claim[i] = 0.0
    if portable:
        for t in range(n):
            withdrawn[t] += lost[t]
        return out, np.zeros(m)
    stay = np.empty(m, dtype=np.bool_)
    for i in range(m):
        stay[i] = member_before[i] and not leaving[i]
    count = member_counts(team, stay, n)
    held = masked_group_sums(team, stay, claim, n)
    for i in range(m):
        if stay[i]:
            t = team[i]
            if equal or not held[t] > 0:
                claim[i] += lost[t] / max(count[t], 1.0)
            else:
                claim[i] += claim[i] * lost[t] / held[t]
    # a group left by all its members: nothing to forfeit to, the claims are paid out instead
    empty = np.empty(n, dtype=np.bool_)
    for t in range(n):
        empty[t] = count[t] == 0 and lost[t] > 0
        if empty[t]:
            disband_paid[t] += lost[t]
        else:
            forfeited[t] += lost[t]
    paid = np.zeros(m)
    forfeit = np.zeros(m)
    for i in range(m):
        if leaving[i]:
            if empty[team[i]]:
                paid[i] = out[i]
            else:
                forfeit[i] = out[i]
    return paid, forfeit


def leave(
    team, member_before, leaving, claim, p: Params, T: Teams, portable: bool | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Settle the claims of members who leave. Portable: paid out in grain (withdrawal).
    Not portable: forfeited to those who stay, in proportion to their claims (or equally).
    Returns (grain paid to each leaver, forfeited by each leaver)."""
    portable = p.fund_portable if portable is None else portable
    equal = p.fund_ownership == "equal"
    return leave_kernel(
        team, member_before, leaving, claim, bool(portable), equal, T.withdrawn, T.disband_paid, T.forfeited
    )


@jit
def entry_kernel(team, joining, claim, grain, fund_per_member, entry_share, entry_in):
    """Entry fees (returned) become the joiners' claims and are added to `entry_in`."""
    fee = np.empty(team.size)
    for i in range(team.size):
        fee[i] = min(entry_share * fund_per_member[team[i]], max(grain[i], 0.0)) if joining[i] else 0.0
        claim[i] += fee[i]
    paid = masked_group_sums(team, joining, fee, entry_in.size)
    for t in range(entry_in.size):
        entry_in[t] += paid[t]
    return fee


def entry(team, joining, claim, grain, fund_per_member: np.ndarray, p: Params, T: Teams) -> np.ndarray:
    """Newcomers pay `entry_share` of the fund per member (as far as their grain allows); it becomes their claim."""
    return entry_kernel(team, joining, claim, grain, fund_per_member, p.entry_share, T.entry_in)


@jit
def disband_kernel(team, member, claim, dissolving, disband_paid):
    """Members of the `dissolving` groups are paid their claims (returned), added to `disband_paid`."""
    out = np.zeros(team.size)
    hit = np.zeros(team.size, dtype=np.bool_)
    for i in range(team.size):
        if member[i] and dissolving[team[i]]:
            hit[i] = True
            out[i] = claim[i]
            claim[i] = 0.0
    paid = masked_group_sums(team, hit, out, disband_paid.size)
    for t in range(disband_paid.size):
        disband_paid[t] += paid[t]
    return out


@jit
def death_claims_kernel(team, in_team, gone, claim, f, T):
    """Members among the households `gone` (died out) leave their teams: their claims are settled as leavers'
    (see `leave_kernel`, accounts in `T`). Returns the grain paid out for each household; `pay_heirs_kernel`
    hands it to the heirs."""
    leaving = np.empty(team.size, dtype=np.bool_)
    for k in range(team.size):
        leaving[k] = gone[k] and in_team[k]
    payout, _ = leave_kernel(
        team, in_team, leaving, claim, f.portable, f.equal, T.withdrawn, T.disband_paid, T.forfeited
    )
    return payout


@jit
def pay_heirs_kernel(village, gone, who, payout, grain, fund_payouts):
    """The fund payout of each household in `gone` goes to its heir `who` (from `demography.inherit_kernel`), or
    stays with a household kept alive for want of one; added per village to `fund_payouts`."""
    dead = np.flatnonzero(gone)
    for d in range(dead.size):
        grain[who[d] if who[d] >= 0 else dead[d]] += payout[dead[d]]
    # summed per village first, then added (the bits of np.bincount, then +=)
    paid = np.zeros(fund_payouts.size)
    for d in range(dead.size):
        paid[village[dead[d]]] += payout[dead[d]]
    for v in range(fund_payouts.size):
        fund_payouts[v] += paid[v]
