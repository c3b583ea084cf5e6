"""Settling the year's obligations after the harvest: rent, wages, the ledger, ploughing fees.

Each household pays everything it owes in the same proportion, as far as its grain
and harvest go (what it receives from others does not count: it arrives later).
Each pool of obligations (the village's rents, wages and ploughing fees; a team's
ledger) is shared out among those owed, pro rata to what they are owed. What a
household cannot pay becomes its debt in the village's loan pool, and those it
could not pay hold the claims (a failed harvest turns rent and wages into debt). The
hiring tax it cannot pay is forgiven. Grain never goes negative.

>>> from model.grouping import Groups
>>> g = Groups(np.zeros(3, dtype=np.int64), 1)
>>> cash = np.array([50.0, 0.0, 0.0])
>>> owed = np.array([100.0, 0.0, 0.0])
>>> due = {"rent": Due(owed=owed, owed_to=np.array([0.0, 60.0, 40.0]), pool=g.village, pools=1)}
>>> s = settle(cash, due, np.zeros(3))
>>> s.paid["rent"].tolist(), s.received["rent"].tolist(), s.unpaid.tolist(), s.claims.tolist()
([50.0, 0.0, 0.0], [0.0, 30.0, 20.0], [50.0, 0.0, 0.0], [0.0, 30.0, 20.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Due:
    """One kind of obligation: what each household owes, what each is owed, and the pool that links them."""

    owed: np.ndarray
    owed_to: np.ndarray
    pool: np.ndarray  # pool index of each household (its village, or its team)
    pools: int


@dataclass
class Settlement:
    paid: dict[str, np.ndarray]
    received: dict[str, np.ndarray]
    tax_paid: np.ndarray
    unpaid: np.ndarray  # becomes the payer's debt
    claims: np.ndarray  # becomes the recipient's claim


def settle(cash: np.ndarray, dues: dict[str, Due], tax_owed: np.ndarray) -> Settlement:
    owed_all = sum(d.owed for d in dues.values())
    total = owed_all + tax_owed
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, np.clip(np.maximum(cash, 0.0) / total, 0.0, 1.0), 1.0)
    if share.min() >= 1.0:
        # everyone can pay in full (the usual year): nothing to share out or turn into debt
        zero = np.zeros(len(cash))
        return Settlement(
            {k: d.owed for k, d in dues.items()}, {k: d.owed_to for k, d in dues.items()}, tax_owed, zero, zero
        )
    paid, received = {}, {}
    claims = np.zeros(len(cash))
    for name, d in dues.items():
        paid[name] = d.owed * share
        owed_total = np.bincount(d.pool, weights=d.owed, minlength=d.pools)
        paid_total = np.bincount(d.pool, weights=paid[name], minlength=d.pools)
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(owed_total > 0, paid_total / owed_total, 1.0)
        received[name] = d.owed_to * frac[d.pool]
        claims += d.owed_to - received[name]
    return Settlement(paid, received, tax_owed * share, owed_all * (1.0 - share), claims)
