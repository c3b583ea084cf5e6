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

from .params import Params


def agricultural_tax(
    normal_yield: np.ndarray, persons: np.ndarray, p: Params, rebate: np.ndarray | float = 0.0
) -> np.ndarray:
    n = np.maximum(persons, 1)
    taxable = np.maximum(normal_yield / n - p.tax_exemption_per_head, 0.0)
    rate = p.tax_rate_min + (p.tax_rate_max - p.tax_rate_min) * np.minimum(taxable / p.tax_progression_span, 1.0)
    return rate * taxable * n * (1.0 - rebate)
