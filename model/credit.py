"""Credit: private loans within the village, state credit, interest and foreclosure.

Private lending is a village pool: households with grain above their reserve lend
part of it (`lend_share`), households short of subsistence borrow up to
`borrow_limit` of the value of their land and animals. Each lender holds claims in
proportion to what he lent, so in every village the lenders' claims equal the
borrowers' debts (an identity the tests check). Interest accrues on both sides at
the market rate (or the ceiling when capped). A debtor whose debt exceeds his
borrowing limit after the harvest is foreclosed: land worth the excess passes to the
lenders in proportion to their claims, at the land price. The debts of a household left
without land are written off, at the lenders' loss.

State credit (the supply-and-marketing co-op, or co-op credit) lends at
`smc_interest_rate` up to `smc_credit_per_household`, before private lenders.
Interest counts as income (and as exploitation income, for the class rules) when paid.
Lending was politically risky after 1951 (the "four freedoms" debate, the campaigns against new
rich peasants): lenders offer `accumulation_stigma` less than they would.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .grouping import VillageSegments, group_sums, ration_kernel
from .jit import jit
from .params import Params, once_per_params
from .state import Households

EPS = 1e-9  # land below this counts as none
# Foreclosure takes land worth (debt - limit x collateral) / (1 - borrow_limit): a floor on the
# denominator keeps it finite when the limit is the whole collateral or more (a numerical guard).
MIN_MARGIN = 1e-3


class CreditConstants(NamedTuple):
    """What the credit kernels read of the parameters (derived once per Params)."""

    rate: float  # yearly interest on private loans (the ceiling when capped)
    state_rate: float  # yearly interest on state loans
    state_limit: float  # most state debt a household may hold, jin
    borrow_limit: float  # largest debt as a share of the value of land and animals
    land_price: float  # jin per mu
    animal_price: float  # jin per animal
    lend_share: float  # share of grain above reserve offered for lending, less what the stigma holds back
    monopoly_lending: float  # share of private grain lending left once private grain trade is closed


def private_rate(p: Params) -> float:
    return min(p.interest_rate, p.interest_cap) if p.credit_policy == "capped" else p.interest_rate


def land_price(p: Params) -> float:
    return p.land_price_years * p.normal_yield


@once_per_params
def credit_constants(p: Params) -> CreditConstants:
    return CreditConstants(
        rate=private_rate(p),
        state_rate=p.smc_interest_rate,
        state_limit=p.smc_credit_per_household,
        borrow_limit=p.borrow_limit,
        land_price=land_price(p),
        animal_price=p.animal_price,
        lend_share=p.lend_share * (1.0 - p.accumulation_stigma),
        monopoly_lending=p.monopoly_lending,
    )


@jit
def accrue_kernel(debt, credit, state_debt, constants):
    """Interest due on private and state debts, added to them; lenders' claims grow at the private rate."""
    c = constants[0]
    n = debt.size
    due, due_state = np.empty(n), np.empty(n)
    grow = 1.0 + c.rate
    for i in range(n):
        due[i] = debt[i] * c.rate
        due_state[i] = state_debt[i] * c.state_rate
        debt[i] += due[i]
        credit[i] *= grow
        state_debt[i] += due_state[i]
    return due, due_state


def accrue(h: Households, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """Interest for the year: debts and lenders' claims grow alike. Returns the interest due on
    (private, state) debts; it counts as paid and received only when it is paid (see `repay`)."""
    return accrue_kernel(h.debt, h.credit, h.state_debt, credit_constants.record(p))


@jit
def repay_kernel(
    village, n_villages, able, due, due_state, debt, state_debt, credit, grain, interest_paid, interest_received
):
    """Repayment, state debt first, interest before principal; the village's lenders are paid pro
    rata to their claims. Returns what each household repaid to the state."""
    n = village.size
    pay_state = np.empty(n)
    pay = np.empty(n)
    interest = np.empty(n)
    for i in range(n):
        pay_state[i] = np.minimum(state_debt[i], able[i])
        state_debt[i] -= pay_state[i]
        grain[i] -= pay_state[i]
        pay[i] = np.minimum(debt[i], able[i] - pay_state[i])
        debt[i] -= pay[i]
        grain[i] -= pay[i]
        interest[i] = np.minimum(pay[i], due[i])
        interest_paid[i] += interest[i] + np.minimum(pay_state[i], due_state[i])
    paid = group_sums(village, pay, n_villages)
    claims = group_sums(village, credit, n_villages)
    interest_total = group_sums(village, interest, n_villages)
    for i in range(n):
        v = village[i]
        share = paid[v] / claims[v] if claims[v] > 0 else 0.0
        interest_part = interest_total[v] / paid[v] if paid[v] > 0 else 0.0
        back = credit[i] * share
        credit[i] -= back
        grain[i] += back
        interest_received[i] += back * interest_part
    return pay_state


def repay(g: VillageSegments, h: Households, able: np.ndarray, due: np.ndarray, due_state: np.ndarray) -> np.ndarray:
    """Debtors repay up to `able` jin (state debt first); lenders are paid pro rata to their claims.

    Payments settle interest before principal; `interest_paid` and `interest_received`
    record the interest actually paid. Returns what each household repaid to the state.
    """
    return repay_kernel(
        g.village,
        g.n_villages,
        able,
        due,
        due_state,
        h.debt,
        h.state_debt,
        h.credit,
        h.grain,
        h.interest_paid,
        h.interest_received,
    )


@jit
def borrow_state_kernel(short, eligible, constants, state_debt, grain):
    """State loans: to the eligible, what they are short, up to `state_limit` of state debt each."""
    c = constants[0]
    loan = np.empty(short.size)
    for i in range(short.size):
        room = np.maximum(c.state_limit - state_debt[i], 0.0)
        loan[i] = np.minimum(short[i], room) if eligible[i] else 0.0
        state_debt[i] += loan[i]
        grain[i] += loan[i]
    return loan


@jit
def borrow_private_kernel(
    village, n_villages, short, reserve, constants, land, animals, grain, debt, state_debt, credit, monopoly
):
    """The village loan pool: borrowers bid what they are short within their limit, households not
    borrowing offer a share of their grain above `reserve` (`monopoly_lending` of it under the grain
    monopoly, private grain trade being closed); rationed. Returns the amounts borrowed."""
    c = constants[0]
    n = village.size
    offer, bid = np.empty(n), np.empty(n)
    for i in range(n):
        room = np.maximum(
            c.borrow_limit * (land[i] * c.land_price + animals[i] * c.animal_price) - debt[i] - state_debt[i], 0.0
        )
        bid[i] = np.minimum(short[i], room)
        offer[i] = c.lend_share * np.maximum(grain[i] - reserve[i], 0.0) * (1.0 if bid[i] <= 0 else 0.0)
        if monopoly:
            offer[i] *= c.monopoly_lending
    lent, borrowed = ration_kernel(village, n_villages, offer, bid)
    for i in range(n):
        grain[i] += borrowed[i] - lent[i]
        debt[i] += borrowed[i]
        credit[i] += lent[i]
    return borrowed


def borrow_private(
    g: VillageSegments, h: Households, p: Params, short: np.ndarray, reserve: np.ndarray, monopoly: bool = False
) -> np.ndarray:
    """Private loans to households short of grain from those with grain to spare (less of it under the
    grain `monopoly`); returns amounts borrowed."""
    if p.credit_policy == "banned":
        return np.zeros(len(h))
    return borrow_private_kernel(
        g.village,
        g.n_villages,
        short,
        reserve,
        credit_constants.record(p),
        h.land,
        h.animals,
        h.grain,
        h.debt,
        h.state_debt,
        h.credit,
        monopoly,
    )


@jit
def foreclose_kernel(village, n_villages, collective, constants, land, animals, debt, credit):
    """Foreclosure to the borrowing limit, the land going to the village's lenders pro rata to their
    claims, then the write-off of debts left without land. Returns the mu each debtor lost."""
    c = constants[0]
    n = village.size
    price = c.land_price
    lost, value = np.zeros(n), np.empty(n)
    # enough land to bring the debt back to the limit: debt - x*price = limit * (collateral - x*price)
    per_mu = price * np.maximum(1.0 - c.borrow_limit, MIN_MARGIN)
    for i in range(n):
        excess = 0.0 if collective[i] else debt[i] - c.borrow_limit * (land[i] * price + animals[i] * c.animal_price)
        if excess > 0:
            lost[i] = np.minimum(land[i], excess / per_mu)
        value[i] = lost[i] * price
        land[i] -= lost[i]
        debt[i] -= value[i]
    moved = group_sums(village, lost, n_villages)
    claims = group_sums(village, credit, n_villages)
    for i in range(n):
        v = village[i]
        share = credit[i] / claims[v] if claims[v] > 0 else 0.0
        gained = share * moved[v]
        if claims[v] <= 0 and moved[v] > 0:
            # a village with debtors but no lender claims left (written off earlier): the debtor keeps his land
            land[i] += lost[i]
            debt[i] += value[i]
            lost[i] = 0.0
            gained = 0.0
        land[i] += gained
        credit[i] = np.maximum(credit[i] - gained * price, 0.0)
    write_off_kernel(village, n_villages, debt, land, credit)
    return lost


def foreclose(g: VillageSegments, h: Households, p: Params, collective: np.ndarray | None = None) -> np.ndarray:
    """Land of debtors beyond their limit passes to the lenders, and the debts of households left
    without land are written off at the lenders' loss; returns the mu each debtor lost.
    Land owned by an advanced co-op (`collective`) cannot be seized."""
    if p.land_sale_policy == "banned":
        return np.zeros(len(h))
    if collective is None:
        collective = np.zeros(len(h), dtype=np.bool_)
    return foreclose_kernel(
        g.village, g.n_villages, collective, credit_constants.record(p), h.land, h.animals, h.debt, h.credit
    )


@jit
def write_off_kernel(village, n_villages, debt, land, credit):
    """Debts of the landless written off; the village's lenders lose them pro rata to their claims."""
    lost = np.zeros(n_villages)
    for i in range(village.size):
        if debt[i] > 0 and land[i] <= EPS:
            lost[village[i]] += debt[i]
            debt[i] = 0.0
    claims = group_sums(village, credit, n_villages)
    for i in range(village.size):
        v = village[i]
        credit[i] *= np.maximum(1.0 - lost[v] / claims[v], 0.0) if claims[v] > 0 else 1.0
