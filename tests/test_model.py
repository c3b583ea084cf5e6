"""The whole model: invariants, determinism, batch invariance, Mesa integration."""

import mesa
import numpy as np
import pandas as pd
import pytest

from model import Household, ParameterError, VillageModel
from model import year as yearly
from model.batch import run_villages
from model.household import VIEW_FIELDS
from model.metrics import CLASS_SHARES, NAMES
from model.teams import groups

POLICIES = dict(
    coops_max=2,
    fund_portable=False,
    supply_marketing_coop=True,
    land_sale_policy="taxed",
    hired_labour_policy="taxed",
    join_pressure=0.5,
)


def step_with_accounts(m):
    """Step the model's arrays once, returning (grain before, grain after, flows) per village."""
    V = m.n_villages
    before = np.bincount(m.state.village, weights=m.state.grain, minlength=V)
    land_before = np.bincount(m.state.village, weights=m.state.land, minlength=V)
    m.state, events = yearly.step(m.state, m.teams, m.p, m.draws, m.year, m.next_hid, m.lanes)
    m._keys = None
    m.year += 1
    after = np.bincount(m.state.village, weights=m.state.grain, minlength=V)
    return before, after, events, land_before


@pytest.mark.parametrize(
    "policies", [{}, POLICIES, dict(land_sale_policy="banned", credit_policy="capped", teams_enabled=False)]
)
def test_invariants_over_years(policies):
    m = VillageModel(households=120, villages=3, rng=11, **policies)
    land0 = np.bincount(m.state.village, weights=m.state.land, minlength=3)
    for _ in range(20):
        before, after, events, _ = step_with_accounts(m)
        h = m.state
        # land of each village never changes (to rounding)
        assert np.bincount(h.village, weights=h.land, minlength=3) == pytest.approx(land0, rel=1e-9)
        # nothing negative
        for k in ("land", "animals", "capital", "debt", "state_debt", "credit", "fund_claim"):
            assert getattr(h, k).min() >= -1e-9, k
        for k in ("children", "workers", "elders"):
            assert getattr(h, k).min() >= 0, k
        assert h.grain.min() >= -1e-6
        # grain accounts close: the change in each village's grain equals its flows across the boundary
        flows = sum(events["accounts"].values())
        assert after - before == pytest.approx(flows, abs=1e-6)
        # lenders' claims equal borrowers' private debts in each village
        assert np.bincount(h.village, weights=h.credit, minlength=3) == pytest.approx(
            np.bincount(h.village, weights=h.debt, minlength=3), abs=1e-6
        )
        # public funds: what came in is spent, withdrawn, paid out or still held
        T = m.teams
        team = groups(h.village, h.neighbourhood, m.lanes, T)
        balance = np.bincount(team[h.in_team], weights=h.fund_claim[h.in_team], minlength=len(T))
        assert T.levy_in + T.entry_in == pytest.approx(
            T.reproduction_spent + T.welfare_spent + T.withdrawn + T.disband_paid + balance, abs=1e-6
        )
        assert (h.fund_claim[~h.in_team] == 0).all()


def test_yearly_table_and_class_shares():
    m = VillageModel(households=100, rng=2)
    m.run_for(5)
    df = m.datacollector.get_model_vars_dataframe()
    assert df["year"].tolist() == [1951, 1952, 1953, 1954, 1955]
    assert set(NAMES) <= set(df.columns)
    assert df[list(CLASS_SHARES)].sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert (df["total_land"] == df["total_land"].iloc[0]).all() or np.allclose(
        df["total_land"], df["total_land"].iloc[0]
    )
    v = m.datacollector.get_table_dataframe("villages")
    assert v["village"].unique().tolist() == [0] and len(v) == 5


def test_villages_table_per_village_and_pooled_rows():
    m = VillageModel(households=80, villages=3, rng=4)
    m.run_for(3)
    v = m.datacollector.get_table_dataframe("villages")
    df = m.datacollector.get_model_vars_dataframe()
    assert sorted(v["village"].unique()) == [0, 1, 2] and len(v) == 9
    # pooled counts are the sums of the villages'
    assert df["households"].tolist() == v.groupby("year")["households"].sum().tolist()
    assert df["land_sold"].to_numpy() == pytest.approx(v.groupby("year")["land_sold"].sum().to_numpy())


def test_determinism_same_seed_equal_other_seed_differs():
    a = VillageModel(households=100, rng=7, **POLICIES)
    b = VillageModel(households=100, rng=7, **POLICIES)
    c = VillageModel(households=100, rng=8, **POLICIES)
    for m in (a, b, c):
        m.run_for(10)
    da, db, dc = (m.datacollector.get_model_vars_dataframe() for m in (a, b, c))
    pd.testing.assert_frame_equal(da, db)
    assert not da["gini_land"].equals(dc["gini_land"])


def test_a_village_alone_equals_the_same_village_in_a_county():
    alone = VillageModel(households=90, villages=1, rng=5, **POLICIES)
    county = VillageModel(households=90, villages=4, rng=5, **POLICIES)
    alone.run_for(12)
    county.run_for(12)
    va = alone.datacollector.get_table_dataframe("villages")
    vc = county.datacollector.get_table_dataframe("villages")
    pd.testing.assert_frame_equal(va.reset_index(drop=True), vc[vc.village == 0].reset_index(drop=True))


def test_packed_replicates_equal_lone_runs():
    packed, _ = run_villages(dict(households=70, villages=2, **POLICIES), seeds=[3, 9, 27], years=8)
    lone, _ = run_villages(dict(households=70, villages=2, **POLICIES), seeds=[9], years=8)
    got = packed[packed.replicate == 1].drop(columns="replicate").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, lone.drop(columns="replicate"))


def test_mesa_batch_run_returns_yearly_metrics():
    rows = mesa.batch_run(
        VillageModel,
        parameters={"households": 60, "fund_portable": [True, False]},
        rng=[1, 2],
        max_steps=4,
        data_collection_period=1,
        display_progress=False,
    )
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 4
    assert set(NAMES) <= set(df.columns)
    assert sorted(df["year"].unique()) == [1951, 1952, 1953, 1954]


def test_households_are_inspectable_mesa_agents():
    m = VillageModel(households=50, rng=1)
    m.run_for(2)
    hs = m.households
    assert len(hs) == len(m.state)
    h = next(iter(hs))
    assert isinstance(h, Household) and isinstance(h, mesa.Agent)
    # every view attribute reads the household's current entry in the arrays
    row = m.household_frame().set_index(["village", "household"]).loc[(h.village, h.hid)]
    for attr in VIEW_FIELDS:
        value = getattr(h, attr)
        if attr in row.index:
            expected = row[attr]
            assert value == (expected if isinstance(expected, str) else pytest.approx(expected)), attr
    assert h.social_class in ("hired_labourer", "poor", "lower_middle", "middle", "well_off_middle", "rich")
    assert sum(x.land for x in hs) == pytest.approx(m.state.land.sum())
    m.run_for(5)
    assert len(m.households) == len(m.state)  # views follow divisions and deaths


def _current_keys(m):
    return set(zip(m.state.village.tolist(), m.state.hid.tolist(), strict=True))


@pytest.mark.parametrize("first_look", [0, 1, 6])
def test_model_agents_hold_exactly_the_current_households(first_look):
    """model.agents, agents_by_type and households agree with the arrays after any number of steps,
    whichever the user reads first and whenever; an AgentSet held across steps stays current."""
    m = VillageModel(households=60, villages=2, rng=5, division_rate=0.3)
    if first_look:
        m.run_for(first_look)
    held = m.agents  # Mesa's own set: the same object after later steps
    before = _current_keys(m)
    for _ in range(4):
        assert {a.key for a in held} == _current_keys(m)
        assert {a.key for a in m.agents} == _current_keys(m)
        assert len(m.agents) == len(m.state) == len(m.households) == len(m.agents_by_type[Household])
        assert m.agent_types == [Household]
        assert all(a.alive for a in m.agents)
        m.step()
    assert _current_keys(m) != before  # households divided and died out meanwhile: the check had work to do


def test_agent_reporters_see_the_current_households():
    m = VillageModel(households=40, rng=3, division_rate=0.3)
    dc = mesa.DataCollector(agent_reporters={"land": "land"})
    for _ in range(3):
        m.step()
        dc.collect(m)
    df = dc.get_agent_vars_dataframe()
    last = df.xs(df.index.get_level_values(0).max(), level=0)
    assert len(last) == len(m.state)
    assert last["land"].sum() == pytest.approx(m.state.land.sum())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(params="abc"), "params = 'abc' is not allowed: expected a Params, a dict"),
        (dict(params=123), "params = 123 is not allowed"),
        (dict(rng="abc"), "rng = 'abc' is not allowed: expected a whole number from 0 to 2\\*\\*64 - 1"),
        (dict(rng=2**70), "rng = 1180591620717411303424 is not allowed"),
        (dict(rng=-5), "rng = -5 is not allowed"),
        (dict(rng=True), "rng = True is not allowed"),
        (dict(village_seeds=[]), "village_seeds = \\[\\] is not allowed: expected a non-empty list"),
        (dict(village_seeds=[1, "a"]), "village_seeds\\[1\\] = 'a' is not allowed"),
        (dict(team_size=4, team_min_size=5), "team_min_size = 5 is above team_size = 4"),
        (dict(tax_rate_min=0.5, tax_rate_max=0.4), "tax_rate_min = 0.5 is above tax_rate_max = 0.4"),
        (dict(origin_poor_share=0.9, origin_rich_share=0.2), "is above 1: they are shares of the same households"),
    ],
)
def test_bad_api_input_names_field_value_and_what_is_allowed(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        VillageModel(households=20, **kwargs)


def test_seeds_at_the_edges_of_the_range_run():
    for seed in (0, 2**64 - 1, np.int64(7)):
        VillageModel(households=20, rng=seed).run_for(1)
    assert len(VillageModel(households=20, village_seeds=[3, 4]).state) == 40


def test_bad_parameters_fail_before_anything_runs():
    with pytest.raises(ParameterError, match="did you mean 'households'"):
        VillageModel(housholds=10)
    with pytest.raises(ParameterError, match="division_rate = 1.5"):
        VillageModel(division_rate=1.5)


def test_land_reform_start_matches_the_sources():
    m = VillageModel(households=250, villages=40, rng=1)
    h = m.state
    persons = h.persons
    # land per head as set, household size near the mean, animals per household near the mean
    assert h.land.sum() / persons.sum() == pytest.approx(m.p.land_per_head)
    assert persons.mean() == pytest.approx(m.p.household_size_mean, abs=0.1)
    assert h.animals.mean() == pytest.approx(m.p.animals_per_household, abs=0.02)
    # rich-origin households hold about 3.2 times the average household's land (Hebei 1946)
    rich = h.origin_class == 1
    assert h.land[rich].mean() / h.land.mean() == pytest.approx(m.p.origin_rich_land_ratio, rel=0.12)


EXTREMES = [
    dict(households=2),
    dict(households=3, team_size=40),
    dict(
        land_sale_policy="banned",
        land_rental_policy="banned",
        hired_labour_policy="banned",
        credit_policy="banned",
        animal_market_policy="banned",
    ),
    dict(join_pressure=1.0, exit_allowed=False, coops_max=1000, advanced_coop_year=1952, coop_land_share=0.0),
    dict(animals_per_household=0.0),
    dict(disaster_prob=1.0, weather_sd=1.0),
    dict(birth_rate=0.0, child_mortality=0.5, worker_mortality=0.5, elder_mortality=1.0),
    dict(division_rate=1.0, division_workers=2),
    dict(
        initial_team_share=1.0,
        team_min_size=2,
        fund_levy_rate=0.5,
        fund_portable=False,
        fund_ownership="equal",
        entry_share=2.0,
    ),
    dict(interest_rate=3.0, borrow_limit=2.0, land_per_head=0.5),
    dict(subsistence_grain=2000.0, supply_marketing_coop=True, coop_credit=True, coops_max=3, coop_tax_rebate=1.0),
]


@pytest.mark.parametrize("extreme", EXTREMES, ids=[",".join(e) for e in EXTREMES])
def test_extreme_settings_keep_the_books(extreme):
    """At the edges of the allowed ranges the model still runs, keeps its land and never goes negative."""
    params = {"households": 60, **extreme}
    m = VillageModel(rng=7, villages=2, **params)
    land = m.state.land.sum()
    m.run_for(12)
    df = m.datacollector.get_model_vars_dataframe()
    assert not df[list(NAMES)].isna().any().any()
    assert m.state.land.sum() == pytest.approx(land, rel=1e-9)
    for k in ("land", "animals", "grain", "capital", "debt", "state_debt", "credit", "fund_claim"):
        assert getattr(m.state, k).min() >= -1e-6, k
    assert df[list(CLASS_SHARES)].sum(axis=1).to_numpy() == pytest.approx(1.0)
