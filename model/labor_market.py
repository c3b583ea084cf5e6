"""Hired labour: land-rich households hire worker-years from households with labour to spare.

Short-term hands (短工) are the fractional part; a household hiring `long_term_hire`
worker-years or more keeps a long-term labourer (长工). Policy (`hired_labor_policy`):
free; taxed (the employer pays `hired_labor_tax` on the wage bill); capped (no
household hires more than `hired_labor_cap`); banned. Team members may be barred
from long-term hiring (`team_ban_long_term_hire`). Labour nobody hires goes to
sideline work at `sideline_income`.
"""

from __future__ import annotations

import numpy as np

from .grouping import Groups, fill_in_order, ration
from .params import Params


def wage_cost(p: Params) -> float:
    """What an employer pays for a worker-year, tax included."""
    return p.wage * (1.0 + (p.hired_labor_tax if p.hired_labor_policy == "taxed" else 0.0))


def hiring_limit(p: Params, in_team: np.ndarray) -> np.ndarray:
    """Most worker-years each household may hire under the policies."""
    limit = np.full(len(in_team), np.inf)
    if p.hired_labor_policy == "banned":
        return np.zeros(len(in_team))
    if p.hired_labor_policy == "capped":
        limit[:] = p.hired_labor_cap
    if p.team_ban_long_term_hire:
        limit = np.where(in_team, np.minimum(limit, p.long_term_hire * 0.999), limit)
    return limit


def labour_market(g: Groups, demand: np.ndarray, supply: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Worker-years hired in and hired out by each household.

    Employers share the hands available pro rata to their demand; they take on the
    households with the most labour to spare first (full-time hands before odd days).
    """
    hired_out, hired_in = ration(g, supply, demand)
    hired_out = fill_in_order(g, supply, g.sum(hired_in), supply)
    return hired_in, hired_out
