"""Settling the year's obligations after the harvest: rent, wages, the ledger, ploughing fees.

Each household pays everything it owes in the same proportion, as far as its grain
and harvest go (what it receives from others does not count: it arrives later).
Each pool of obligations (the village's rents, wages and ploughing fees; a team's
ledger) is shared out among those owed, pro rata to what they are owed. What a
household cannot pay becomes its debt in the village's loan pool, and those it
could not pay hold the claims (a failed harvest turns rent and wages into debt). The
hiring tax it cannot pay is forgiven. Grain never goes negative.

>>> village = np.zeros(3, dtype=np.int64)
>>> cash = np.array([50.0, 0.0, 0.0])
>>> rent_owed, rent_owed_to = np.array([100.0, 0.0, 0.0]), np.array([0.0, 60.0, 40.0])
>>> full, paid, received, tax_paid, unpaid, claims = settle_kernel(
...     cash, (rent_owed,), (rent_owed_to,), (village,), (1,), np.zeros(3))
>>> full, paid[0].tolist(), received[0].tolist(), unpaid.tolist(), claims.tolist()
(False, [50.0, 0.0, 0.0], [0.0, 30.0, 20.0], [50.0, 0.0, 0.0], [0.0, 30.0, 20.0])
"""

from __future__ import annotations

import numpy as np

from .grouping import group_sums
from .jit import jit


@jit
def settle_kernel(cash, owed, owed_to, pool, pools, tax_owed):
    """Settlement of the obligations in the tuples `owed`, `owed_to`, `pool` (one entry per kind;
    `pools[k]` pools for kind k) and the hiring tax, as far as `cash` goes.

    Returns (everyone paid in full, paid and received: one row per kind, tax paid, unpaid,
    claims); when everyone pays in full the arrays are empty.
    """
    n = cash.size
    K = len(owed)
    owed_all, share = np.zeros(n), np.empty(n)
    for k in range(K):
        o = owed[k]
        for i in range(n):
            owed_all[i] += o[i]
    full = True
    for i in range(n):
        total = owed_all[i] + tax_owed[i]
        share[i] = np.minimum(np.maximum(np.maximum(cash[i], 0.0) / total, 0.0), 1.0) if total > 0 else 1.0
        if not share[i] >= 1.0:
            full = False
    if full:
        none = np.empty((K, 0))
        return full, none, none, none[0], none[0], none[0]
    paid, received = np.empty((K, n)), np.empty((K, n))
    tax_paid, unpaid, claims = np.empty(n), np.empty(n), np.zeros(n)
    for k in range(K):
        o, to, pk = owed[k], owed_to[k], pool[k]
        for i in range(n):
            paid[k, i] = o[i] * share[i]
        owed_total = group_sums(pk, o, pools[k])
        paid_total = group_sums(pk, paid[k], pools[k])
        for i in range(n):
            j = pk[i]
            frac = paid_total[j] / owed_total[j] if owed_total[j] > 0 else 1.0
            received[k, i] = to[i] * frac
            claims[i] += to[i] - received[k, i]
    for i in range(n):
        tax_paid[i] = tax_owed[i] * share[i]
        unpaid[i] = owed_all[i] * (1.0 - share[i])
    return full, paid, received, tax_paid, unpaid, claims
