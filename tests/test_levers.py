"""Controlled comparisons over many seeds: each lever acts through its mechanism.

Every comparison runs the same seeds with one parameter changed (common random
numbers), so differences come from the lever. Tolerances are stated per test.
Whether a policy 'works' overall is left to the user's experiments.
"""

import math

import numpy as np
import pytest

from model import demography
from model.batch import run_villages
from model.params import make_params
from model.rng import Draws, village_keys
from model.state import Households
from model.teams import Teams

SEEDS = list(range(100, 124))  # 24 replicate villages per arm


def run(years=12, **params):
    v, _ = run_villages(dict(households=120, **params), seeds=SEEDS, years=years)
    return v


def paired(a, b, metric, how="sum"):
    """Per-replicate totals (or means) of a metric in two arms, and their difference's mean and s.e."""
    fa = getattr(a.groupby("replicate")[metric], how)()
    fb = getattr(b.groupby("replicate")[metric], how)()
    d = (fa - fb).to_numpy()
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


def test_division_frequency_matches_the_rate():
    n = 100_000
    h = Households.empty(n)
    h.hid[:] = np.arange(n)
    h.workers[:] = 4
    h.land[:] = 10.0
    # nobody born, dying, growing up or old (outside the schema's ranges), so every household keeps its 4 workers
    still = dict(child_mortality=0.0, worker_mortality=0.0, elder_mortality=0.0, birth_rate=0.0)
    p = make_params(division_rate=0.2, division_workers=4, **still)
    p = p.model_copy(update=dict(years_as_child=math.inf, years_as_worker=math.inf))
    nxt = np.array([n])
    h, counts = demography.year_of_life(h, Teams.empty(1), p, Draws(village_keys([5], 1)), 1960, nxt, 1, np.zeros(1))
    # binomial(100000, 0.2): s.e. of the share is 0.0013; 4 s.e. tolerance
    assert counts[0] / n == pytest.approx(0.2, abs=0.005)
    assert len(h) == n + counts[0] and nxt[0] == n + counts[0]
    assert h.land.sum() == pytest.approx(10.0 * n) and h.workers.sum() == 4 * n


def test_non_portable_fund_lowers_exits():
    base = dict(fund_levy_rate=0.08, fund_ownership="by_contribution")
    portable = run(fund_portable=True, **base)
    locked = run(fund_portable=False, **base)
    diff, se = paired(locked, portable, "team_exits")
    assert diff < -2 * se and diff < 0, (diff, se)
    assert locked["fund_forfeited"].sum() > 0 and portable["fund_forfeited"].sum() == 0


def test_forfeitable_claims_worth_less_mean_fewer_members():
    # a fund that stays behind: the levy a member pays into it is his own only as far as the claim is worth
    base = dict(fund_portable=False, fund_levy_rate=0.08, fund_ownership="by_contribution")
    valued = run(years=6, fund_forfeitable_claim_value=1.0, **base)
    discounted = run(years=6, fund_forfeitable_claim_value=0.0, **base)
    diff, se = paired(discounted, valued, "team_membership_rate", how="mean")
    assert diff < -2 * se and diff < 0, (diff, se)


def test_no_exit_means_no_exits_and_lower_coop_effort():
    common = dict(coops_max=3, coop_min_team_years=1, join_pressure=0.6, effort_loss_per_doubling=0.12)
    free = run(exit_allowed=True, **common)
    shut = run(exit_allowed=False, **common)
    assert shut["team_exits"].sum() == 0 and free["team_exits"].sum() > 0
    have = (free.coops > 0) & (shut.coops > 0)
    assert have.sum() > 50
    # members' mean effort (team members work at full effort, co-op members less): paired by village-year
    gap = (free.loc[have, "effort_mean"] - shut.loc[have, "effort_mean"]).to_numpy()
    assert gap.mean() > 0.02 and gap.mean() > 3 * gap.std(ddof=1) / np.sqrt(len(gap))


def test_compulsory_joining_organises_everyone_and_no_teams_means_none():
    forced = run(years=4, join_pressure=1.0, exit_allowed=False)
    assert forced.loc[forced.year == forced.year.max(), "team_membership_rate"].min() > 0.95
    none = run(years=4, teams_enabled=False)
    assert none["team_membership_rate"].max() == 0 and none["teams"].max() == 0


def test_unequal_equivalence_rate_makes_more_manor_teams():
    # membership held fixed (everyone in, nobody out), so only the ledger's rates differ
    fixed = dict(join_pressure=1.0, exit_allowed=False)
    fair = run(team_equivalence_rate=1.0, **fixed)
    skewed = run(team_equivalence_rate=3.0, **fixed)
    diff, se = paired(skewed, fair, "manor_teams")
    assert diff > 2 * se and diff > 0, (diff, se)


def test_pilot_cap_limits_coops():
    v = run(coops_max=2, coop_min_team_years=1, join_pressure=0.6)
    assert v["coops"].max() <= 2 and v["coops"].max() == 2
    assert run(years=5, coops_max=0)["coops"].max() == 0


def test_land_dividend_ties_coop_income_to_land():
    common = dict(households=120, coops_max=30, coop_min_team_years=1, join_pressure=0.8, exit_allowed=False)

    def land_income_slope(share):
        _, hh = run_villages(dict(coop_land_share=share, **common), seeds=SEEDS[:8], years=6, snapshot_years=[1956])
        c = hh[hh.coop >= 0]
        assert len(c) > 300
        # co-op income per head against land per head, across member households
        persons = c.workers + c.dependents
        return np.polyfit(c.land / persons, c.income / persons, 1)[0]

    # with 90% of income paid on land, income per head rises far more steeply with land per head
    assert land_income_slope(0.9) > land_income_slope(0.0) + 20.0


def test_state_credit_replaces_private_debt():
    private = run(supply_marketing_coop=False)
    smc = run(supply_marketing_coop=True, smc_credit_per_household=400.0)
    # with a cheap lender of first resort, fewer households are driven to distress sales
    diff, se = paired(smc, private, "distress_sales")
    assert diff < 0, (diff, se)


def test_banned_land_sales_move_no_land():
    v = run(land_sale_policy="banned")
    assert v["land_sold"].sum() == 0
    free = run(land_sale_policy="free")
    assert free["land_sold"].sum() > 0
