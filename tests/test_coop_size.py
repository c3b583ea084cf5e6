"""Co-ops of their real size: co-ops grow by taking in neighbouring teams (`coop_households_max`), advanced
co-ops take in the village (`advanced_coop_households_max`), pilot caps per county (`villages_per_county`,
`coops_per_county`) and year by year (`coops_path`), and effort by size (`effort_loss_per_doubling`)."""

import numpy as np
import pytest

from model import ParameterError, VillageModel
from model.batch import run_villages
from model.coops import coops_max_in, form_kernel, formation_constants
from model.params import make_params
from model.teams import ADVANCED_COOP, LOWER_COOP, TEAM, TeamArrays, Teams, groups

SEEDS = list(range(300, 316))  # 16 replicate villages per arm


def village_of_lanes(members: list[int], stages: list[int], ages: list[int]) -> tuple[Teams, np.ndarray]:
    """One village's groups, one slot per lane, with `members[t]` member households in lane t."""
    T = Teams.empty(len(members))
    T.stage[:] = stages
    T.age[:] = ages
    team = np.repeat(np.arange(len(members)), members)
    return T, team


def form(T, team, p, year=1955, pressed=False, gain=1.0, cap=None, n_villages=1):
    in_team = np.ones(team.size, dtype=np.bool_)
    coop_gain = np.full(team.size, gain)
    c = formation_constants(p)
    cap = p.coops_max if cap is None else cap
    form_kernel(team, in_team, coop_gain, TeamArrays(*T.packed()), n_villages, c, year, pressed, cap)
    return team


def test_a_coop_takes_in_the_nearest_willing_teams_that_fit():
    # lanes 0..3: a team of 5, a co-op of 8, a team of 6, a team of 4; room for 15 households
    T, team = village_of_lanes([5, 8, 6, 4], [TEAM, LOWER_COOP, TEAM, TEAM], [3, 3, 3, 3])
    T.animals[:] = [1.0, 2.0, 0.5, 0.0]
    T.levy_in[:] = [10.0, 20.0, 30.0, 40.0]
    p = make_params(coops_max=1, coop_households_max=15)
    team = form(T, team, p)
    # distance 1: lane 0 (5 -> 13 households) fits, lane 2 (6 -> 19) does not; distance 2: lane 3 (4 -> 17) not
    assert T.host.tolist() == [1, 1, 2, 3]
    assert T.stage.tolist() == [0, LOWER_COOP, TEAM, TEAM]
    assert team.tolist() == [1] * 13 + [2] * 6 + [3] * 4
    # the team's own animals and its fund's accounts go with it
    assert T.animals.tolist() == [0.0, 3.0, 0.5, 0.0] and T.levy_in.tolist() == [0.0, 30.0, 30.0, 40.0]


def test_teams_whose_members_do_not_gain_stay_out_unless_pressed():
    T, team = village_of_lanes([5, 8], [TEAM, LOWER_COOP], [3, 3])
    p = make_params(coops_max=1, coop_households_max=30)
    form(T, team, p, gain=-1.0)
    assert T.host.tolist() == [0, 1] and T.stage.tolist() == [TEAM, LOWER_COOP]
    form(T, team, p, gain=-1.0, pressed=True)
    assert T.host.tolist() == [1, 1]


def test_advanced_coops_take_in_the_village_up_to_their_size():
    # a co-op of 10 in lane 1, another of 9 in lane 3, a team of 6 in lane 0, an empty lane 2
    T, team = village_of_lanes([6, 10, 0, 9], [TEAM, LOWER_COOP, 0, LOWER_COOP], [2, 4, 0, 3])
    p = make_params(coops_max=2, advanced_coop_year=1956, advanced_coop_households_max=20)
    team = form(T, team, p, year=1956, gain=-1.0)
    # the senior co-op (lane 1) goes first: lanes 0 (16) and 2 (no group) join it; lane 3's co-op (25) does not fit
    assert T.stage.tolist() == [0, ADVANCED_COOP, 0, ADVANCED_COOP]
    assert T.host.tolist() == [1, 1, 1, 3]
    assert np.bincount(team, minlength=4).tolist() == [0, 16, 0, 9]


def test_county_cap_takes_the_most_senior_teams_across_its_villages():
    # two villages of two lanes; the county cap allows one co-op, each village's cap one
    T, team = village_of_lanes([4, 5, 6, 7], [TEAM] * 4, [2, 3, 5, 2])
    p = make_params(
        villages=2, villages_per_county=2, coops_per_county=1, coops_max=1, coop_min_team_years=2, coop_households_max=8
    )
    form(T, team, p, n_villages=2)
    assert T.stage.tolist() == [TEAM, TEAM, LOWER_COOP, TEAM]
    # counties of one village each: one co-op in each village, the older team of each
    T, team = village_of_lanes([4, 5, 6, 7], [TEAM] * 4, [2, 3, 5, 2])
    form(T, team, p.model_copy(update=dict(villages_per_county=1)), n_villages=2)
    assert T.stage.tolist() == [TEAM, LOWER_COOP, LOWER_COOP, TEAM]


def test_the_yearly_cap_follows_its_path():
    p = make_params(coops_max=0, coops_path={"1955": 4, "1954": 1})
    assert [coops_max_in(p, y) for y in (1951, 1954, 1955, 1960)] == [0, 1, 4, 4]
    with pytest.raises(ParameterError, match=r"coops_path.*number of co-ops of 1954 \(1.5\) is not a whole number"):
        make_params(coops_path={1954: 1.5})
    with pytest.raises(ParameterError, match="it was replaced by 'effort_loss_per_doubling'"):
        make_params(effort_monitoring=0.03)


COMMON = dict(households=120, coop_min_team_years=1, join_pressure=0.6, coops_max=3)


def test_coops_stay_within_their_size_and_lanes_within_their_village():
    m = VillageModel(villages=3, rng=5, advanced_coop_year=1957, advanced_coop_households_max=60, **COMMON)
    for _ in range(9):
        m.step()
        T, h = m.teams, m.state
        team = groups(h.village, h.neighbourhood, m.lanes, T)
        # every lane belongs to a group of its own village
        assert (T.host // m.lanes == np.arange(len(T)) // m.lanes).all()
        # a lane taken in points to a standing co-op
        taken = T.host != np.arange(len(T))
        assert (T.stage[T.host[taken]] >= LOWER_COOP).all()
        size = np.bincount(team[h.in_team], minlength=len(T))
        # lower co-ops within their size (advanced ones keep their lanes' new households, however many)
        assert (size[T.stage == LOWER_COOP] <= 30).all()
    assert m.datacollector.get_model_vars_dataframe()["coop_size_mean"].max() > 15


def test_larger_cap_means_larger_coops():
    # paired by seed over 16 villages and the years with co-ops in both arms: a cap of 40 against one of 10
    small, _ = run_villages(dict(coop_households_max=10, **COMMON), seeds=SEEDS, years=8)
    large, _ = run_villages(dict(coop_households_max=40, **COMMON), seeds=SEEDS, years=8)
    both = (small.coops > 0) & (large.coops > 0)
    assert both.sum() > 60
    assert small.loc[both, "coop_size_mean"].max() <= 10
    d = (large.loc[both, "coop_size_mean"] - small.loc[both, "coop_size_mean"]).to_numpy()
    # tolerance: the mean difference at least 5 households and 3 standard errors above zero
    assert d.mean() > 5 and d.mean() > 3 * d.std(ddof=1) / np.sqrt(len(d))


def test_a_county_cap_means_fewer_coops_in_the_county():
    # four villages a county with at most two co-ops among them, against two per village
    county = dict(villages=4, villages_per_county=4, coops_per_county=2, **COMMON)
    capped, _ = run_villages(county, seeds=SEEDS[:8], years=6)
    per_county = capped.groupby(["replicate", "year"])["coops"].sum()
    assert per_county.max() == 2
    free, _ = run_villages(dict(county, coops_per_county=0), seeds=SEEDS[:8], years=6)
    assert free.groupby(["replicate", "year"])["coops"].sum().max() > 2


def test_a_larger_advanced_size_means_larger_advanced_coops():
    # advanced co-ops from 1954 take in their village: up to 40 households against up to 120 (of 120 at the start)
    common = dict(COMMON, advanced_coop_year=1954)
    small, _ = run_villages(dict(advanced_coop_households_max=40, **common), seeds=SEEDS, years=8)
    large, _ = run_villages(dict(advanced_coop_households_max=120, **common), seeds=SEEDS, years=8)
    late = small.year >= 1955
    d = (large.loc[late, "coop_size_mean"] - small.loc[late, "coop_size_mean"]).to_numpy()
    # tolerance: at least 20 households larger on average, 3 standard errors above zero
    assert d.mean() > 20 and d.mean() > 3 * d.std(ddof=1) / np.sqrt(len(d))


def test_coops_path_forms_coops_only_from_its_first_year():
    # the same villages with co-ops allowed every year against none until 1955 (then three)
    always, _ = run_villages(dict(COMMON), seeds=SEEDS, years=7)
    path, _ = run_villages(dict(COMMON, coops_max=0, coops_path={1955: 3}), seeds=SEEDS, years=7)
    assert path.loc[path.year < 1955, "coops"].max() == 0 and always.loc[always.year < 1955, "coops"].mean() > 1
    assert path.loc[path.year >= 1955, "coops"].mean() > 1 and path["coops"].max() <= 3


def test_coop_withdrawals_by_hand():
    # two villages; groups 0 and 1 are co-ops (stage 2), group 2 a team (stage 1). In village 0 three co-op
    # members, one leaving; a team member leaving is not a co-op withdrawal; an outsider is not a member
    from model.institutions import coop_exits_kernel

    team = np.array([0, 0, 0, 2, 2, 1, 1])
    village = np.array([0, 0, 0, 0, 0, 1, 1])
    in_team = np.array([True, True, True, True, False, True, True])
    exits = np.array([True, False, False, True, False, False, False])
    stage = np.array([2, 2, 1])
    left, before = coop_exits_kernel(team, village, in_team, exits, stage, 2)
    assert left.tolist() == [1.0, 0.0] and before.tolist() == [3.0, 2.0]


def test_coop_exit_rate_is_a_share_of_members_and_zero_before_coops():
    from scenarios.loader import load

    v, _ = run_villages(load("historical_path_1951_1957").params, [1, 2, 3], 7)
    assert v["coop_exit_rate"].between(0, 1).all()
    # the preset approves no co-op before 1954, so none can lose members before 1955's spring
    assert (v.loc[v["year"] <= 1954, "coop_exit_rate"] == 0).all()
    # co-ops stand from 1954 and some members leave them in some year (exit is allowed on the historical path)
    assert v.loc[v["year"] >= 1955, "coop_exit_rate"].max() > 0


def test_cut_back_by_hand():
    # one village of 6 lanes: co-op in lane 0 (age 3) took in lane 1; co-op in lane 3 (age 1, younger) took in
    # lanes 4 and 5; lane 2 a team. With the cap lowered to 1 the younger co-op turns back into a team and lanes
    # 4 and 5 get their teams back, with their households in them
    from model.coops import cut_back_kernel

    T, _ = village_of_lanes([0] * 6, [LOWER_COOP, 0, TEAM, LOWER_COOP, 0, 0], [3, 0, 2, 1, 0, 0])
    T.host[:] = [0, 0, 2, 3, 3, 3]
    neighbourhood = np.array([0, 1, 2, 3, 4, 5, 5])
    village = np.zeros(7, dtype=np.int64)
    team = T.host[neighbourhood].copy()
    in_team = np.ones(7, dtype=np.bool_)
    cut = cut_back_kernel(team, village, neighbourhood, in_team, TeamArrays(*T.packed()), 1, 1)
    assert cut.tolist() == [1.0]
    assert T.stage.tolist() == [LOWER_COOP, 0, TEAM, TEAM, TEAM, TEAM]
    assert T.host.tolist() == [0, 0, 2, 3, 4, 5]
    assert team.tolist() == [0, 0, 2, 3, 4, 5, 5]
    # within the cap nothing changes
    before = (T.stage.copy(), T.host.copy(), team.copy())
    assert cut_back_kernel(team, village, neighbourhood, in_team, TeamArrays(*T.packed()), 1, 1).tolist() == [0.0]
    assert (T.stage == before[0]).all() and (T.host == before[1]).all() and (team == before[2]).all()


def test_a_lower_cap_cuts_coops_back():
    # three co-ops allowed from 1952, one from 1955: co-ops stand at most one a village from 1955, the lanes
    # stay consistent, and the households of the co-ops cut back are in teams again, not thrown out
    m = VillageModel(villages=4, rng=7, **dict(COMMON, coops_max=0, coops_path={1952: 3, 1955: 1}))
    seen = {}
    for _ in range(7):
        m.step()
        T, h = m.teams, m.state
        team = groups(h.village, h.neighbourhood, m.lanes, T)
        taken = T.host != np.arange(len(T))
        assert (T.stage[T.host[taken]] >= LOWER_COOP).all()
        coops = np.bincount(np.arange(len(T))[T.stage == LOWER_COOP] // m.lanes, minlength=4)
        seen[m.year - 1] = (coops.max(), h.in_team.mean())
        assert (T.stage[team[h.in_team]] > 0).all()  # every member is in a standing group
    assert seen[1954][0] >= 2 and seen[1955][0] <= 1 and seen[1957][0] <= 1
    # organised households do not collapse with the co-ops cut back (they are teams again)
    assert seen[1955][1] > 0.5 * seen[1954][1]
