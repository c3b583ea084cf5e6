"""Campaigns that come and go: the pressure to join as a path over the years (`pressure_path`).

Source: historical_facts.csv, stop_go_campaigns ("expansion winter 1952, contraction spring 1953;
expansion winter 1954, co-ops cut back spring 1955; high tide autumn 1955").
"""

import numpy as np
import pytest
from test_levers import paired, run

from model import VillageModel
from model.errors import InputError, ParameterError
from model.joining import PressureConstants, pressure_in, pressure_kernel
from model.params import make_params
from scenarios.loader import load


def test_the_years_pressure_follows_the_path():
    p = make_params(join_pressure=0.2, pressure_path={"1953": 0.6, "1955": 0.0, "1954": 0.1})
    # before the first year listed: join_pressure; then each listed pressure until the next year listed
    assert [pressure_in(p, y) for y in range(1951, 1958)] == [0.2, 0.2, 0.6, 0.1, 0.0, 0.0, 0.0]
    assert pressure_in(make_params(join_pressure=0.3), 1990) == 0.3  # no path: join_pressure every year
    # by hand: pressure 0.6 has strength 0.6 / 0.4 = 1.5; a village with nobody organised, target 0.4,
    # in the target year: 1.5 x (base 0.5 + gap 1 x urgency 1) = 2.25; at 0.1: 0.1 / 0.9 x 1.5 = 1/6
    c = PressureConstants(0.4, 0.4, 0.5, 1952)
    assert pressure_kernel(np.array([0.0]), c, 1952, 0.6)[0] == pytest.approx(2.25)
    assert pressure_kernel(np.array([0.0]), c, 1952, 0.1)[0] == pytest.approx(1.5 / 9)
    assert pressure_kernel(np.array([0.0]), c, 1952, 0.0)[0] == 0.0


def test_a_path_is_checked_and_read_from_a_scenario_file(tmp_path):
    for bad, why in [({"1953": 1.5}, "outside 0 to 1"), ({"1800": 0.5}, "outside 1900 to 2100"), (0.5, "table")]:
        with pytest.raises(ParameterError, match=why):
            make_params(pressure_path=bad)
    f = tmp_path / "stop_go.toml"
    f.write_text("years = 3\n[parameters]\npressure_path = { 1953 = 0.6, 1952 = 0.1 }\n", encoding="utf-8")
    sc = load(str(f))
    assert sc.params.pressure_path == ((1952, 0.1), (1953, 0.6))
    assert str(sc.params.pressure_path) == "{ 1952 = 0.1, 1953 = 0.6 }"
    # a Params dumped and made again (as a batch's workers do) keeps the path
    assert make_params(sc.params.model_dump()) == sc.params


def test_a_path_from_the_first_year_is_the_constant_pressure():
    def metrics(**kw):
        m = VillageModel(households=80, rng=7, coops_max=2, coop_min_team_years=1, **kw)
        m.run_for(5)
        return m.datacollector.get_model_vars_dataframe()

    same = metrics(join_pressure=0.6)
    assert metrics(pressure_path={1951: 0.6}).equals(same)
    assert metrics(join_pressure=0.6, pressure_path={1960: 0.0}).equals(same)


def test_a_drive_to_compulsion_organises_everyone_that_year():
    m = VillageModel(households=120, rng=3, join_pressure=0.0, pressure_path={1953: 1.0})
    m.run_for(3)
    rate = m.datacollector.get_model_vars_dataframe().set_index("year")["team_membership_rate"]
    # voluntary in 1951-52: far from everyone; compulsory from 1953 on: every household whose lane can form a team
    assert rate[1952] < 0.9 and rate[1953] > 0.95


def test_contraction_brings_withdrawals():
    # a drive held on, against a drive called off in 1953 (the spring contraction): with exit allowed,
    # members and co-op members withdraw once the pressure is off; common seeds, 2 s.e. tolerance
    common = dict(join_pressure=0.6, coops_max=3, coop_min_team_years=1, exit_allowed=True)
    held = run(years=5, **common)
    called_off = run(years=5, pressure_path={1953: 0.0}, **common)
    late = lambda v: v[v["year"] >= 1953]  # noqa: E731
    diff, se = paired(late(called_off), late(held), "team_exits")
    assert diff > 2 * se and diff > 0, (diff, se)
    diff, se = paired(late(called_off), late(held), "team_membership_rate", how="mean")
    assert diff < -2 * se and diff < 0, (diff, se)
    # the years before the contraction are the same run
    early = lambda v: v[v["year"] < 1953].reset_index(drop=True)  # noqa: E731
    assert early(called_off).equals(early(held))


def test_a_path_is_not_swept(tmp_path):
    f = tmp_path / "grid.toml"
    f.write_text('[sweep]\nkind = "grid"\n[sweep.parameters]\npressure_path = [{}, { 1953 = 0.0 }]\n', encoding="utf-8")
    with pytest.raises(InputError, match="cannot be swept; write one scenario per path"):
        load(str(f))
