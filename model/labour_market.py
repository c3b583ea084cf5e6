"""Hired labour: land-rich households hire worker-years from households with labour to spare.

Short-term hands (短工) are the fractional part; a household hiring `long_term_hire`
worker-years or more keeps a long-term labourer (长工). Policy (`hired_labour_policy`):
free; taxed (the employer pays `hired_labour_tax` on the wage bill); capped (no
household hires more than `hired_labour_cap`); banned. Team members may be barred
from long-term hiring (`team_ban_long_term_hire`). Labour nobody hires goes to
sideline work at `sideline_income`. Keeping a long-term hand was politically risky after 1951
(the "four freedoms" debate, the campaigns against new rich peasants): an employer forgoes
`accumulation_stigma` of the hands he would hire beyond short-term ones (`restrained`).

>>> restrained(1.749, 0.749, 0.5), restrained(0.5, 0.749, 0.5), restrained(2.0, 0.749, 0.0)
(1.249, 0.5, 2.0)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .grouping import VillageSegments, fill_in_order_kernel, group_sums, ration_kernel
from .jit import jit
from .params import Params, once_per_params

# A team member may hire less than a long-term hand: a hair below `long_term_hire` worker-years
# (the ban is on keeping a long-term labourer, not on hiring at the threshold's fraction).
JUST_BELOW = 0.999


class HiringConstants(NamedTuple):
    """What the hiring rules read of the parameters (derived once per Params)."""

    banned: bool  # no hiring at all
    cap: float  # most worker-years a household may hire (inf: no cap)
    long_term_cap: float  # most a team member may hire (inf: no limit)


def wage_cost(p: Params) -> float:
    """What an employer pays for a worker-year, tax included."""
    return p.wage * (1.0 + (p.hired_labour_tax if p.hired_labour_policy == "taxed" else 0.0))


@once_per_params
def hiring_constants(p: Params) -> HiringConstants:
    return HiringConstants(
        banned=p.hired_labour_policy == "banned",
        cap=p.hired_labour_cap if p.hired_labour_policy == "capped" else np.inf,
        long_term_cap=p.long_term_hire * JUST_BELOW if p.team_ban_long_term_hire else np.inf,
    )


@jit
def hiring_limit_kernel(in_team, constants):
    """Most worker-years each household may hire: 0 if hiring is banned, else the cap, and for team
    members at most `long_term_cap`."""
    c = constants[0]
    limit = np.empty(in_team.size)
    for i in range(in_team.size):
        if c.banned:
            limit[i] = 0.0
        elif in_team[i]:
            limit[i] = np.minimum(c.cap, c.long_term_cap)
        else:
            limit[i] = c.cap
    return limit


@jit
def restrained(hire, short_term, stigma):
    """Worker-years an employer hires when he forgoes `stigma` of those beyond `short_term` (the most that
    is not yet a long-term hand)."""
    if stigma > 0.0 and hire > short_term:
        return short_term + (hire - short_term) * (1.0 - stigma)
    return hire


@jit
def labour_market_kernel(village, n_villages, bounds, demand, supply):
    """Worker-years hired in (rationed) and hired out (the most to spare first) in each village."""
    _, hired_in = ration_kernel(village, n_villages, supply, demand)
    total = group_sums(village, hired_in, n_villages)
    return hired_in, fill_in_order_kernel(village, bounds, supply, total, supply)


def labour_market(g: VillageSegments, demand: np.ndarray, supply: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Worker-years hired in and hired out by each household.

    Employers share the hands available pro rata to their demand; they take on the
    households with the most labour to spare first (full-time hands before odd days).
    """
    return labour_market_kernel(g.village, g.n_villages, g.bounds, demand, supply)
