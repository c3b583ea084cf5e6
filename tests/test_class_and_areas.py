"""Class rules as the 1950 decisions wrote them, the two agricultural taxes, old and new liberated
areas, and the cost of getting rich: hand-checked cases and paired lever comparisons.

Lever tests run the same seeds with one parameter changed (common random numbers); each states
its tolerance as a multiple of the standard error of the paired difference.
"""

import numpy as np
import pytest

from model import classification as C
from model import credit, labour_market, land_market, spring_markets, tax
from model.batch import run_villages
from model.inequality import gini
from model.joining import tax_constants as joining_tax_constants
from model.land_reform import RICH, land_reform
from model.metrics import CLASS_NAMES, CLASS_SHARES
from model.params import make_params
from model.rng import Draws, village_keys
from model.village import VillageModel

SEEDS = list(range(200, 216))  # 16 replicate villages per arm


def run(years=10, **params):
    v, _ = run_villages(dict(households=120, **params), seeds=SEEDS, years=years)
    return v


def paired(a, b, metric, how="mean"):
    """Per-replicate means (or sums) of a metric in two arms, and their difference's mean and s.e."""
    fa = getattr(a.groupby("replicate")[metric], how)()
    fb = getattr(b.groupby("replicate")[metric], how)()
    d = (fa - fb).to_numpy()
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


# --- 1. class rules ----------------------------------------------------------------------------


def classes(**k):
    """Class names of households given their incomes (jin), own land's normal yield and need."""
    n = len(k["gross"])
    args = dict(exploitation=np.zeros(n), labour_sold=np.zeros(n), rent_paid=np.zeros(n), need=np.full(n, 1000.0))
    args.update({key: np.asarray(v, dtype=float) for key, v in k.items()})
    return [CLASS_NAMES[c] for c in C.classify(**args, p=make_params())]


def test_class_rules_by_hand():
    # need 1000 jin. Own land yielding 900 is not enough (below 1.0 x need); 1200 is enough but without a
    # quarter's margin (below 1.25 x need); 2000 is ample.
    got = classes(
        gross=[1000, 1000, 1000, 1000, 1000, 1000, 1000],
        own_yield=[900, 900, 900, 2000, 1200, 2000, 2000],
        labour_sold=[100, 200, 600, 200, 0, 0, 0],  # wages and side work
        rent_paid=[0, 0, 0, 0, 0, 0, 0],
        exploitation=[0, 0, 0, 0, 0, 60, 300],
    )
    # 1: short, 10% sold (not dependent): lower-middle. 2: short and 20% sold: poor. 3: short and 60% sold:
    # hired labourer. 4: 20% sold but land enough: lower-middle. 5: land without margin: lower-middle.
    # 6: 6% exploitation: well-off middle. 7: 30%: rich.
    assert got == ["lower_middle", "poor", "hired_labourer", "lower_middle", "lower_middle", "well_off_middle", "rich"]


def test_rent_paid_counts_as_dependence():
    # 10% rent paid + 10% labour sold = 20% > 15% with land short: poor; either alone: lower-middle
    got = classes(gross=[1000] * 3, own_yield=[900] * 3, labour_sold=[100, 100, 0], rent_paid=[100, 0, 100])
    assert got == ["poor", "lower_middle", "lower_middle"]


def test_own_means_count_the_tools_a_household_lacks():
    # 10 mu at 125 jin: 1250 jin with an ox for the whole of it; with no animal all of it is dug by hand
    # (0.7 of the yield: 875); with a third of an ox (10 mu of ploughing at 30 mu an animal) all of it ploughs
    c = C.class_constants.record(make_params(normal_yield=125.0, no_draft_yield_factor=0.7, mu_per_animal=30.0))
    z = np.zeros(3)
    land, animals = np.full(3, 10.0), np.array([0.0, 1 / 3, 1 / 6])
    ex, gross, sold, own = C.class_inputs_kernel(
        z, z, z, z, z, z, z, np.ones(3, bool), z, z, z, z, z, land, animals, np.zeros(3, bool), c
    )
    # the half-share of an ox ploughs 5 mu: 5 x 125 + 5 x 87.5
    assert own.tolist() == pytest.approx([875.0, 1250.0, 1062.5])
    # against a need of 1000 jin: without the ox the household is short of own means, with it not
    assert classes(gross=[1000] * 2, own_yield=own[:2], labour_sold=[200, 200]) == ["poor", "lower_middle"]


def test_ploughing_hired_counts_as_rent_for_the_tools_one_lacks(monkeypatch):
    # what the year's classification is given as rent paid: rent for land plus ploughing hired at the market
    # fee (plough_fees < 0), the rent of the draft animals the household lacks
    m = VillageModel(households=120, rng=4, teams_enabled=False)
    m.run_for(2)
    seen = {}
    real = C.classify_households_kernel

    def spy(blocks, private, output, farm, hired_out_a, constants):
        seen.update(private=private.copy(), output=output.copy(), farm=farm.copy(), hired_out_a=hired_out_a.copy())
        return real(blocks, private, output, farm, hired_out_a, constants)

    monkeypatch.setattr(C, "classify_households_kernel", spy)
    m.step()
    h = m.state
    assert (h.plough_fees < 0).any(), "no household hired ploughing"
    # the classes the year gave (classification is the year's last change to the households) are those of
    # the class rules given the year's incomes and, as rent paid, rent plus the ploughing hired
    inputs = C.class_inputs_kernel(
        h.labour_used,
        h.hired_in,
        h.rent_received,
        h.interest_received,
        seen["hired_out_a"],
        seen["output"],
        h.wages_paid,
        seen["private"],
        seen["farm"],
        h.wages_earned,
        h.sideline,
        h.ledger,
        h.plough_fees,
        h.land,
        h.animals,
        C.small_lessors_kernel(h.village, h.land, h.workers + h.children + h.elders, m.p.small_lessor_land_ratio),
        C.class_constants.record(m.p),
    )
    exploitation, gross, sold, own_yield = inputs
    rent_paid = h.rent_paid + np.maximum(-h.plough_fees, 0.0)
    assert (h.social_class == C.classify(exploitation, gross, sold, rent_paid, own_yield, h.need, m.p)).all()
    # and with 10% of income paid for ploughing and 10% labour sold, a household short of own means is poor
    assert classes(gross=[1000, 1000], own_yield=[900, 900], labour_sold=[100, 100], rent_paid=[100, 0]) == [
        "poor",
        "lower_middle",
    ]


def test_classes_are_absolute_not_relative_to_the_village():
    # The same household is classed the same whatever its neighbours hold: the old rule (own land per
    # head below 0.6 of the village mean) made a household poor when its neighbours got richer.
    one = classes(gross=[1000], own_yield=[1500], labour_sold=[50])
    with_rich_neighbours = classes(gross=[1000, 1000], own_yield=[1500, 20000], labour_sold=[50, 0])
    assert one == with_rich_neighbours[:1] == ["middle"]


def test_a_large_family_on_enough_land_is_not_poor():
    # 8 persons on land whose normal yield covers their need with a margin, selling a little labour: middle,
    # although its land per head is far below a small neighbour's
    got = classes(gross=[2500, 900], own_yield=[3000, 2000], labour_sold=[200, 0], need=[2300, 500])
    assert got == ["middle", "middle"]


def test_class_shares_include_lower_middle_and_sum_to_one():
    m = VillageModel(households=80, rng=3)
    m.run_for(4)
    df = m.datacollector.get_model_vars_dataframe()
    assert "share_lower_middle" in CLASS_SHARES
    assert df[list(CLASS_SHARES)].sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert (df["share_lower_middle"] > 0).all()


def test_poor_land_need_ratio_lever():
    # a stricter test of own means (land short only below half of need) makes fewer poor peasants
    base = run(years=20)
    strict = run(years=20, poor_land_need_ratio=0.5)
    diff, se = paired(strict, base, "share_poor")
    assert diff < -3 * se and diff < 0, (diff, se)


# --- 12. land Gini per household and per head ------------------------------------------------


def test_gini_per_household_and_per_head():
    m = VillageModel(households=90, rng=4)
    m.run_for(2)
    h = m.state
    row = m.datacollector.get_model_vars_dataframe().iloc[-1]
    persons = np.maximum(h.children + h.workers + h.elders, 1)
    assert row["gini_land_household"] == pytest.approx(gini(h.land), abs=1e-12)
    assert row["gini_land"] == pytest.approx(gini(h.land / persons), abs=1e-12)


# --- 2. the North China tax ----------------------------------------------------------------------


def test_north_china_tax_by_hand():
    p = make_params(tax_schedule="north_china_1950")
    # 5 persons on 20 mu at 125 jin: 2500 jin = 16.67 standard mu of 150 jin; 5 exempt; 11.67 x 22 = 256.7 jin
    due = tax.agricultural_tax(np.array([2500.0]), np.array([5]), p)
    assert due[0] == pytest.approx((2500 / 150 - 5) * 22)
    # nearly proportional: doubling the land more than doubles the tax only through the exemption
    big = tax.agricultural_tax(np.array([5000.0]), np.array([5]), p)
    assert big[0] == pytest.approx((5000 / 150 - 5) * 22)
    # below the exemption nothing is due
    assert tax.agricultural_tax(np.array([600.0]), np.array([5]), p)[0] == 0.0


def test_new_areas_tax_is_progressive():
    p = make_params(tax_schedule="new_areas_1950")
    persons = np.array([5, 5])
    due = tax.agricultural_tax(np.array([2500.0, 5000.0]), persons, p)
    # 350 taxable jin per head at 3% + 39% x 350/600 = 25.75%: 450.6 jin; 850 per head at 42% (the top)
    assert due[0] == pytest.approx(0.2575 * 350 * 5)
    assert due[1] == pytest.approx(0.42 * 850 * 5)


def test_the_tax_a_coop_remits_follows_the_schedule():
    for schedule in ("north_china_1950", "new_areas_1950"):
        p = make_params(tax_schedule=schedule)
        assert joining_tax_constants(p).exemption == tax.tax_constants(p).exemption
        assert joining_tax_constants(p).rate_max == tax.tax_constants(p).rate_max


def test_tax_schedule_lever():
    # the North China tax takes less of the default village's grain than the new areas' schedule in the
    # first year (tolerance 3 s.e. of the paired difference over 16 villages)
    def first_year_tax(schedule):
        out = []
        for seed in SEEDS:
            m = VillageModel(households=120, rng=seed, tax_schedule=schedule)
            m.run_for(1)
            out.append(m.state.tax.sum() / m.state.normal_yield.sum())
        return np.array(out)

    d = first_year_tax("north_china_1950") - first_year_tax("new_areas_1950")
    se = d.std(ddof=1) / np.sqrt(len(d))
    assert d.mean() < -3 * se and d.mean() < -0.02, (d.mean(), se)


# --- 3. old and new liberated areas --------------------------------------------------------------


def test_area_selects_defaults_and_explicit_values_win():
    old, new = make_params(), make_params(liberated_area="new")
    assert (old.liberated_area, old.origin_rich_land_ratio, old.initial_team_share, old.tax_schedule) == (
        "old",
        1.0,
        0.5,
        "north_china_1950",
    )
    assert (new.origin_rich_land_ratio, new.initial_team_share, new.tax_schedule) == (3.2, 0.15, "new_areas_1950")
    mixed = make_params(liberated_area="new", initial_team_share=0.4, tax_schedule="north_china_1950")
    assert (mixed.initial_team_share, mixed.tax_schedule, mixed.origin_rich_land_ratio) == (
        0.4,
        "north_china_1950",
        3.2,
    )
    # switching the area of a Params: what the old area selected gives way, what was set on purpose stays
    switched = make_params(make_params(initial_team_share=0.3), liberated_area="new")
    assert (switched.initial_team_share, switched.origin_rich_land_ratio) == (0.3, 3.2)


def test_old_area_start_is_nearly_equal():
    draws = Draws(village_keys([7], 1))
    for area, ratio in (("old", 1.0), ("new", 3.2)):
        p = make_params(households=4000, liberated_area=area)
        h = land_reform(p, draws, 1)
        persons = h.children + h.workers + h.elders
        lph = h.land / persons
        rich = h.origin_class == RICH
        # rich-origin land per head relative to the village's: the area's ratio (noise: cv 0.1 over ~100 households)
        assert lph[rich].mean() / (h.land.sum() / persons.sum()) == pytest.approx(ratio, rel=0.1)
    old = land_reform(make_params(households=4000), draws, 1)
    new = land_reform(make_params(households=4000, liberated_area="new"), draws, 1)
    per_head = lambda h: gini(h.land / (h.children + h.workers + h.elders))  # noqa: E731
    assert per_head(old) < 0.10 < per_head(new)
    # rich-origin households keep twice the middle peasants' tools in new areas, a fifth more in old ones
    for h, factor in ((old, 1.2), (new, 2.0)):
        rich = h.origin_class == RICH
        assert (h.capital[rich] / h.land[rich]).mean() == pytest.approx(15.0 * factor)


def test_liberated_area_lever():
    # new areas start less equal and less organised (tolerance 3 s.e.)
    old = run(years=3)
    new = run(years=3, liberated_area="new")
    diff, se = paired(new[new.year == 1951], old[old.year == 1951], "gini_land")
    assert diff > 3 * se and diff > 0.02, (diff, se)
    diff, se = paired(new[new.year == 1951], old[old.year == 1951], "team_membership_rate")
    assert diff < -3 * se and diff < -0.15, (diff, se)


# --- 6. the cost of getting rich -------------------------------------------------------------------


def test_stigma_by_hand():
    p = make_params(accumulation_stigma=0.4, land_purchase_share=0.5, lend_share=0.5)
    assert land_market.land_sale_constants(p).purchase_share == pytest.approx(0.5 * 0.6)
    assert credit.credit_constants(p).lend_share == pytest.approx(0.5 * 0.6)
    c = spring_markets.spring_constants(p)
    # a hand from 0.75 worker-years is long-term: an employer who would hire 1.74925 keeps the first 0.74925
    # (a hair below 0.75) and 60% of the rest
    assert c.short_term == pytest.approx(0.74925)
    assert labour_market.restrained(1.74925, c.short_term, c.stigma) == pytest.approx(0.74925 + 0.6)
    assert labour_market.restrained(0.5, c.short_term, c.stigma) == 0.5
    # no stigma: the numbers are the old ones exactly
    p0 = make_params()
    assert land_market.land_sale_constants(p0).purchase_share == p0.land_purchase_share
    assert credit.credit_constants(p0).lend_share == p0.lend_share


def test_accumulation_stigma_lever():
    # with buying land, long-term hiring and lending all forgone, less labour is hired (tolerance 3 s.e.)
    free = run(years=15)
    stigma = run(years=15, accumulation_stigma=1.0)
    diff, se = paired(stigma, free, "hired_labour_share")
    assert diff < -3 * se and diff < 0, (diff, se)


def test_small_land_lessors_rent_is_not_exploitation():
    # Agrarian Reform Law art. 5: a household that lets land its hands cannot work is not an exploiter while
    # its land per head is at most twice the village's. Village: 4 households of 2 persons, 10, 10, 10 and 50 mu
    # (village mean 10 mu a head): the 3rd (5 mu a head) and the 4th (25 a head, above 2 x 10) both let land.
    village, persons = np.zeros(4, np.int64), np.full(4, 2)
    land = np.array([10.0, 10.0, 10.0, 50.0])
    lessor = C.small_lessors_kernel(village, land, persons, 2.0)
    assert lessor.tolist() == [True, True, True, False]
    c = C.class_constants.record(make_params())
    z = np.zeros(4)
    rent = np.array([0.0, 0.0, 300.0, 300.0])
    farm = np.full(4, 700.0)
    ex, gross, _, _ = C.class_inputs_kernel(
        z, z, rent, z, z, z, z, np.ones(4, bool), farm, z, z, z, z, land, np.ones(4), lessor, c
    )
    # rent is income for both, exploitation only for the large lessor: 300 of 1000 is above the rich line (25%)
    assert gross.tolist() == [700.0, 700.0, 1000.0, 1000.0]
    assert ex.tolist() == [0.0, 0.0, 0.0, 300.0]
    got = classes(gross=gross, own_yield=[5000.0] * 4, exploitation=ex)
    assert got[2] == "middle" and got[3] == "rich"


def test_class_shares_in_persons_by_hand():
    # the persons' shares are the persons of each class's households over the village's persons, village by village
    m = VillageModel(households=150, villages=2, rng=9, pooled_metrics=False)
    m.run_for(3)
    h, vm = m.state, m.village_metrics
    persons = h.workers + h.children + h.elders
    for v in range(2):
        at = h.village == v
        for c, name in enumerate(CLASS_NAMES):
            want = persons[at & (h.social_class == c)].sum() / persons[at].sum()
            assert vm[f"persons_share_{name}"][v] == pytest.approx(want)
        assert sum(vm[f"persons_share_{name}"][v] for name in CLASS_NAMES) == pytest.approx(1.0)
