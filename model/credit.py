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
"""

from __future__ import annotations

import numpy as np

from .grouping import Groups, ration
from .params import Params
from .state import Households


def private_rate(p: Params) -> float:
    return min(p.interest_rate, p.interest_cap) if p.credit_policy == "capped" else p.interest_rate


def land_price(p: Params) -> float:
    return p.land_price_years * p.normal_yield


def collateral(h: Households, p: Params) -> np.ndarray:
    return h.land * land_price(p) + h.animals * p.animal_price


def accrue(h: Households, p: Params, state_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Interest for the year: debts and lenders' claims grow alike. Returns the interest due on
    (private, state) debts; it counts as paid and received only when it is paid (see `repay`)."""
    r = private_rate(p)
    due, due_state = h.debt * r, h.state_debt * state_rate
    h.debt += due
    h.credit *= 1.0 + r
    h.state_debt += due_state
    return due, due_state


def repay(g: Groups, h: Households, able: np.ndarray, due: np.ndarray, due_state: np.ndarray) -> np.ndarray:
    """Debtors repay up to `able` jin (state debt first); lenders are paid pro rata to their claims.

    Payments settle interest before principal; `interest_paid` and `interest_received`
    record the interest actually paid. Returns what each household repaid to the state.
    """
    pay_state = np.minimum(h.state_debt, able)
    h.state_debt -= pay_state
    h.grain -= pay_state
    pay = np.minimum(h.debt, able - pay_state)
    h.debt -= pay
    h.grain -= pay
    interest = np.minimum(pay, due)
    h.interest_paid += interest + np.minimum(pay_state, due_state)
    paid, claims, interest_total = g.sum(pay), g.sum(h.credit), g.sum(interest)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(claims > 0, paid / claims, 0.0)[g.village]
        interest_part = np.where(paid > 0, interest_total / paid, 0.0)[g.village]
    back = h.credit * share
    h.credit -= back
    h.grain += back
    h.interest_received += back * interest_part
    return pay_state


def borrow_state(h: Households, p: Params, short: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """State credit to eligible households short of grain; returns the amounts lent."""
    room = np.maximum(p.smc_credit_per_household - h.state_debt, 0.0)
    loan = np.where(eligible, np.minimum(short, room), 0.0)
    h.state_debt += loan
    h.grain += loan
    return loan


def borrow_private(g: Groups, h: Households, p: Params, short: np.ndarray, reserve: np.ndarray) -> np.ndarray:
    """Private loans to households short of grain from those with grain to spare; returns amounts borrowed."""
    if p.credit_policy == "banned":
        return np.zeros(len(h))
    room = np.maximum(p.borrow_limit * collateral(h, p) - h.debt - h.state_debt, 0.0)
    bid = np.minimum(short, room)
    offer = p.lend_share * np.maximum(h.grain - reserve, 0.0) * (bid <= 0)
    lent, borrowed = ration(g, offer, bid)
    h.grain += borrowed - lent
    h.debt += borrowed
    h.credit += lent
    return borrowed


def foreclose(g: Groups, h: Households, p: Params, collective: np.ndarray | None = None) -> np.ndarray:
    """Land of debtors beyond their limit passes to the lenders; returns the mu each debtor lost.
    Land owned by an advanced co-op (`collective`) cannot be seized."""
    if p.land_sale_policy == "banned":
        return np.zeros(len(h))
    price = land_price(p)
    excess = h.debt - p.borrow_limit * collateral(h, p)
    if collective is not None:
        excess = np.where(collective, 0.0, excess)
    # enough land to bring the debt back to the limit: debt - x*price = limit * (collateral - x*price)
    lost = np.where(excess > 0, np.minimum(h.land, excess / (price * max(1.0 - p.borrow_limit, 1e-3))), 0.0)
    value = lost * price
    h.land -= lost
    h.debt -= value
    # lenders take the land in proportion to their claims, which fall by its value
    moved, claims = g.sum(lost), g.sum(h.credit)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(claims[g.village] > 0, h.credit / claims[g.village], 0.0)
    gained = share * moved[g.village]
    # a village with debtors but no lender claims left (claims written off earlier) keeps the land with the debtor
    orphan = (claims <= 0) & (moved > 0)
    if orphan.any():
        back = orphan[g.village]
        h.land[back] += lost[back]
        h.debt[back] += value[back]
        lost[back] = 0.0
        gained[back] = 0.0
    h.land += gained
    h.credit[:] = np.maximum(h.credit - gained * price, 0.0)
    write_off(g, h)
    return lost


def write_off(g: Groups, h: Households) -> None:
    """Debts of households left without land cannot be collected: lenders lose them pro rata."""
    broke = (h.debt > 0) & (h.land <= 1e-9)
    lost = g.sum(np.where(broke, h.debt, 0.0))
    h.debt[broke] = 0.0
    claims = g.sum(h.credit)
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(claims > 0, np.maximum(1.0 - lost / claims, 0.0), 1.0)
    h.credit *= keep[g.village]
