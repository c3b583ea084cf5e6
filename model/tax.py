"""The agricultural tax on the normal yield of a household's own land, by one of two schedules.

`tax_schedule`:

- "new_areas_1950", the 1950 regulations for the new liberated areas: a per-head exemption
  (`tax_exemption_per_head`), then a rate that rises with taxable normal yield per head from
  `tax_rate_min` to `tax_rate_max` over `tax_progression_span` jin (3% to 42%);
- "north_china_1950", the tax of the old liberated areas of North China (historical_facts.csv row
  `tax_north_china`): one standard mu per person exempt (`tax_exempt_standard_mu`), then about 22 jin
  of millet per taxable standard mu (`tax_per_standard_mu`), a standard mu being land of normal yield
  `tax_standard_mu_yield`. Nearly proportional: it is the same formula with the exemption
  `tax_exempt_standard_mu x tax_standard_mu_yield` jin per head and one rate,
  `tax_per_standard_mu / tax_standard_mu_yield`, from the first taxable jin to the last.

The tax falls on the owner of the land; co-op members may get part of it remitted (`coop_tax_rebate`).

>>> from model.params import make_params
>>> p = make_params(tax_schedule="new_areas_1950", tax_exemption_per_head=100, tax_rate_min=0.1, tax_rate_max=0.3,
...                 tax_progression_span=200)
>>> agricultural_tax(np.array([500.0]), np.array([2]), p).round(2).tolist()   # 150 taxable per head at 25%
[75.0]
>>> p = make_params(tax_schedule="north_china_1950")   # 2 persons on 600 jin: 4 standard mu, 2 exempt, 2 x 22
>>> agricultural_tax(np.array([600.0]), np.array([2]), p).round(2).tolist()
[44.0]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .jit import jit
from .params import Params, once_per_params
from .state import Households


class TaxConstants(NamedTuple):
    """What the tax kernels read of the parameters (derived once per Params)."""

    exemption: float  # normal yield per head exempt, jin
    rate_min: float
    rate_max: float
    span: float  # taxable jin per head over which the rate rises from lowest to highest
    normal_yield: float  # jin per mu of own land, the base
    coop_rebate: float  # share of a co-op member's tax remitted (coop_tax_rebate)


class Schedule(NamedTuple):
    """A tax schedule in the one form the kernel computes: exemption per head, then a rate rising
    from `rate_min` to `rate_max` over `span` taxable jin per head."""

    exemption: float
    rate_min: float
    rate_max: float
    span: float


@once_per_params
def schedule(p: Params) -> Schedule:
    """The schedule `tax_schedule` names.

    >>> from model.params import make_params
    >>> s = schedule(make_params(tax_schedule="north_china_1950"))
    >>> s.exemption, round(s.rate_min, 4), s.rate_min == s.rate_max
    (150.0, 0.1467, True)
    """
    if p.tax_schedule == "north_china_1950":
        rate = p.tax_per_standard_mu / p.tax_standard_mu_yield
        return Schedule(
            exemption=p.tax_exempt_standard_mu * p.tax_standard_mu_yield,
            rate_min=rate,
            rate_max=rate,
            span=p.tax_progression_span,
        )
    return Schedule(p.tax_exemption_per_head, p.tax_rate_min, p.tax_rate_max, p.tax_progression_span)


@once_per_params
def tax_constants(p: Params) -> TaxConstants:
    s = schedule(p)
    return TaxConstants(
        exemption=s.exemption,
        rate_min=s.rate_min,
        rate_max=s.rate_max,
        span=s.span,
        normal_yield=p.normal_yield,
        coop_rebate=p.coop_tax_rebate,
    )


@jit
def agricultural_tax_kernel(normal_yield, persons, rebate, exemption, rate_min, rate_max, span):
    """The progressive tax on normal yield per head, less the `rebate` share remitted. (The four
    numbers are those of `TaxConstants`: the co-ops' remission in `institutions` passes them too.)"""
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
    """The tax due on each household's normal yield (jin), with `persons` in it."""
    if np.ndim(rebate) == 0:
        rebate = np.full(len(normal_yield), float(rebate))
    t = tax_constants(p)
    return agricultural_tax_kernel(normal_yield, persons, rebate, t.exemption, t.rate_min, t.rate_max, t.span)


@jit
def pay_kernel(land, persons, in_coop, constants, normal_yield, grain, paid):
    """The normal yield of own land (into `normal_yield`), the tax on it, co-op members getting
    `coop_rebate` of it remitted, paid as far as grain goes (into `paid`), taken from `grain`."""
    t = constants[0]
    n = land.size
    rebate = np.empty(n)
    for i in range(n):
        normal_yield[i] = land[i] * t.normal_yield
        rebate[i] = t.coop_rebate if in_coop[i] else 0.0
    due = agricultural_tax_kernel(normal_yield, persons, rebate, t.exemption, t.rate_min, t.rate_max, t.span)
    for i in range(n):
        paid[i] = np.minimum(due[i], np.maximum(grain[i], 0.0))
        grain[i] -= paid[i]


def pay(h: Households, p: Params, persons: np.ndarray, in_coop: np.ndarray) -> np.ndarray:
    """The year's agricultural tax, assessed on the normal yield of each household's own land (into
    `normal_yield`), co-op members getting `coop_tax_rebate` of it remitted, and paid as far as grain
    goes (into `tax`). Returns the tax paid."""
    pay_kernel(h.land, persons, in_coop, tax_constants.record(p), h.normal_yield, h.grain, h.tax)
    return h.tax
