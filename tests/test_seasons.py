"""Seasonal teams: formed for the busy season, lapsing after it unless their members renew them.

Source: historical_facts.csv, team_types_northeast_1951 (seasonal ploughing teams 0.25, three main seasons
0.50, year-round 0.20-0.25 of organised households; Gao Gang report, Oct 1951).
"""

import numpy as np
import pytest
from test_levers import paired, run

from model import VillageModel
from model.institutions import season_end_kernel, spring_households
from model.rng import village_keys
from model.state import Households
from model.teams import LOWER_COOP, TEAM, Teams


def two_lanes():
    """One village of two lanes: a team of households 0-2 (with an ox and tools of its own) and a co-op of 3-5."""
    h = Households.empty(7)
    h.hid[:] = np.arange(7)
    h.fund_claim[:] = [10.0, 20.0, 30.0, 5.0, 5.0, 5.0, 0.0]
    h.grain[:] = 100.0
    h.in_team[:] = [True, True, True, True, True, True, False]
    team = np.array([0, 0, 0, 1, 1, 1, 0])  # household 6 lives in the team's lane but is no member
    T = Teams.empty(2)
    T.stage[:] = [TEAM, LOWER_COOP]
    T.animals[0], T.capital[0] = 3.0, 60.0
    return h, team, T


@pytest.mark.parametrize("renewal", [0.0, 1.0])
def test_a_seasonal_team_lapses_unless_renewed(renewal):
    h, team, T = two_lanes()
    hh = spring_households(*h.blocks, team, np.zeros(7))
    u = np.full((7, 2), 0.9)
    payouts = np.zeros(1)
    lapsed = season_end_kernel(hh, T.arrays(), 1, village_keys([1], 1), 1952, renewal, u, payouts)
    if renewal == 1.0:  # renewed: nothing changes
        assert lapsed.tolist() == [0.0] and T.stage.tolist() == [TEAM, LOWER_COOP] and payouts[0] == 0.0
        assert (u[:, 0] == 0.9).all() and h.in_team.sum() == 6
        return
    # lapsed: by hand, the team's members are paid their claims (10 + 20 + 30 = 60 jin of payouts) and share its
    # 3 animals and 60 jin of tools (1 animal and 20 jin each); the co-op is not seasonal and stays
    assert lapsed.tolist() == [1.0] and T.stage.tolist() == [0, LOWER_COOP]
    assert payouts[0] == 60.0 and h.grain[:3].tolist() == [110.0, 120.0, 130.0] and h.fund_claim[:3].sum() == 0.0
    assert h.animals[:3].tolist() == [1.0, 1.0, 1.0] and h.capital[:3].tolist() == [20.0, 20.0, 20.0]
    assert h.in_team.tolist() == [False, False, False, True, True, True, False]
    # the whole lane (household 6 too) weighs joining anew this spring; the co-op's members as usual
    assert u[:, 0].tolist() == [0.0, 0.0, 0.0, 0.9, 0.9, 0.9, 0.0]


def test_seasonal_teams_form_anew_each_season():
    def metrics(**kw):
        m = VillageModel(households=150, rng=4, **kw)
        m.run_for(6)
        return m.datacollector.get_model_vars_dataframe().set_index("year")

    seasonal = metrics(team_season="seasonal", seasonal_renewal=0.0)
    year_round = metrics(team_season="year_round")
    # never renewed: no team lasts the year, and the teams standing each year all formed that year
    assert (seasonal["teams_lasting_year"] == 0).all()
    assert (seasonal["teams_formed"] >= seasonal["teams"]).all() and seasonal["teams"].min() > 0
    # year-round teams last: the teams of a year are the year before's still standing and the new ones (less
    # any formed without a draft animal among them, which disband at once)
    assert (year_round["teams_lasting_year"].iloc[1:] > 0).all()
    assert (year_round["teams"] <= year_round["teams_lasting_year"] + year_round["teams_formed"]).all()
    assert (year_round["teams_lasting_year"].iloc[1:] > year_round["teams_formed"].iloc[1:]).all()


def test_renewal_makes_teams_last():
    # seasonal teams renewed by 1% of their members' seasons against by half; common seeds, 2 s.e. tolerance
    few = run(years=6, team_season="seasonal", seasonal_renewal=0.01)
    half = run(years=6, team_season="seasonal", seasonal_renewal=0.5)
    diff, se = paired(half, few, "teams_lasting_year")
    assert diff > 2 * se and diff > 0, (diff, se)
    diff, se = paired(half, few, "teams_formed")
    assert diff < -2 * se and diff < 0, (diff, se)


def test_coop_size_is_members_per_coop():
    m = VillageModel(households=120, rng=2, coops_max=3, coop_min_team_years=1, join_pressure=0.6)
    m.run_for(4)
    v = m.village_metrics
    # by hand from the year's own numbers: members in co-ops (rate x households) over co-ops
    assert v["coops"][0] > 0
    assert v["coop_size_mean"][0] == pytest.approx(v["coop_membership_rate"][0] * v["households"][0] / v["coops"][0])
    assert VillageModel(households=60, rng=2).village_metrics == {}  # nothing before the first year
    none = VillageModel(households=60, rng=2, coops_max=0)
    none.run_for(1)
    assert none.village_metrics["coop_size_mean"][0] == 0.0
