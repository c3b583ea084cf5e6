"""The agricultural tax: progressive on the normal yield per head of a household's own land.

After the 1950 regulations for the new liberated areas: a per-head exemption, then a
rate that rises with taxable normal yield per head from `tax_rate_min` to
`tax_rate_max` over `tax_progression_span` jin. The tax falls on the owner of the
land; co-op members may get part of it remitted (`coop_tax_rebate`).

>>> from model.params import make_params
>>> p = make_params(tax_exemption_per_head=100, tax_rate_min=0.1, tax_rate_max=0.3, tax_progression_span=200)
>>> agricultural_tax(np.array([500.0]), np.array([2]), p).round(2).tolist()   # 150 taxable per head at 25%
[75.0]
"""

from __future__ import annotations

import numpy as np

from .jit import jit
from .params import Params


@jit
def agricultural_tax_kernel(normal_yield, persons, rebate, exemption, rate_min, rate_max, span):
    """The progressive tax on normal yield per head, less the `rebate` share remitted."""
    out = np.empty(normal_yield.size)
    for i in range(normal_yield.size):
        n = max(persons[i], 1)
        taxable = np.maximum(normal_yield[i] / n - exemption, 0.0)
        rate = rate_min + (rate_max - rate_min) * np.minimum(taxable / span, 1.0)
        out[i] = rate * taxable * n * (1.0 - rebate[i])
    return out


def agricultural_tax(
    normal_yield: np.ndarray, persons: np.ndarray, p: Params, rebate: np.ndarray | float = 0.0
) -> np.ndarray:
    if np.ndim(rebate) == 0:
        rebate = np.full(len(normal_yield), float(rebate))
    return agricultural_tax_kernel(
        normal_yield,
        persons,
        rebate,
        p.tax_exemption_per_head,
        p.tax_rate_min,
        p.tax_rate_max,
        p.tax_progression_span,
    )
