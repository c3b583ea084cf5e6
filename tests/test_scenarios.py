"""Scenario files: the presets, `extends`, sweeps, and a corpus of broken files with their exact errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import scenarios
from cli.main import main
from model.errors import InputError
from model.params import field_info, make_params
from scenarios.loader import load, preset_names
from scenarios.plan import make_plan, run_seed

BROKEN = Path(__file__).parent / "broken_scenarios"
BROKEN_FILES = sorted(BROKEN.glob("*.toml"))
PRESETS = [
    "shanxi_committee_1951",
    "north_china_bureau_1951",
    "liu_shaoqi_1951",
    "draft_resolution_1951",
    "high_tide_no_exit",
]


def expected(path: Path) -> list[str]:
    """The messages a broken file must produce, from its `# expect:` lines."""
    return [line[len("# expect: ") :] for line in path.read_text().splitlines() if line.startswith("# expect: ")]


def small(sc: scenarios.Scenario, households: int = 30) -> scenarios.Scenario:
    return dataclasses.replace(sc, params=make_params(sc.params, households=households))


# --- presets ---------------------------------------------------------------------------


def test_the_five_presets_are_shipped():
    assert set(PRESETS) <= set(preset_names())


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_with_a_description_and_thirty_years(name):
    sc = load(name)
    assert sc.name == name
    assert sc.years == 30 and sc.start_year == 1951
    assert len(sc.description) > 200 and "Left out" in sc.description


@pytest.mark.parametrize("name", PRESETS)
def test_every_policy_value_a_preset_sets_has_its_passage(name):
    sc = load(name)
    for param in sc.overrides:
        if field_info(param)["source"]:  # a policy parameter
            prov = sc.provenance.get(param)
            assert prov, f"{name}: {param} has no [provenance.{param}]"
            assert prov["document"] and len(prov["passage"]) > 10


def test_shanxi_encodes_the_committees_fund_rules():
    p = load("shanxi_committee_1951").params
    assert (p.fund_portable, p.fund_ownership, p.fund_voting) == (False, "equal", "one_person_one_vote")
    assert p.coop_land_share_cap_at_labour and p.coop_land_share_decline > 0
    prov = load("shanxi_committee_1951").provenance_of("fund_portable")
    assert prov["passage"] == "Not portable upon leaving the group." and "17 Apr 1951" in prov["document"]


def test_high_tide_extends_the_draft_resolution_and_removes_exit():
    sc = load("high_tide_no_exit")
    assert sc.lineage == ("draft_resolution_1951", "high_tide_no_exit")
    assert sc.params.exit_allowed is False and sc.params.join_pressure == 1.0 and sc.params.coop_land_share == 0.0
    assert sc.params.target_membership == 1.0
    assert sc.params.coop_land_share_cap_at_labour is True  # inherited
    assert sc.provenance_of("exit_allowed")["note"].startswith("counterfactual")


def test_schema_source_is_the_fallback_provenance():
    sc = load("liu_shaoqi_1951")
    prov = sc.provenance_of("fund_levy_rate")  # not set by the preset
    assert prov["from"] == "schema" and prov["passage"] == field_info("fund_levy_rate")["passage"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_runs_a_few_years(name, tmp_path):
    sc = small(load(name))
    res = scenarios.run(sc, reps=2, years=3, out=tmp_path / "out", workers=1, progress=False)
    frame = res.frame()
    assert res.complete
    assert sorted(frame["year"].unique()) == [1951, 1952, 1953]
    assert frame["replicate"].nunique() == 2 and (frame["scenario"] == name).all()
    assert frame["gini_land"].between(0, 1).all()


HISTORICAL = "historical_path_1951_1957"


def test_historical_path_covers_1951_to_1957_on_the_historical_settings():
    sc = load(HISTORICAL)
    assert "historical" in sc.name and HISTORICAL in preset_names()
    assert (sc.start_year, sc.years) == (1951, 7)
    p = sc.params
    assert (p.liberated_area, p.tax_schedule, p.team_season) == ("old", "north_china_1950", "seasonal")
    assert (p.grain_monopoly_year, p.three_fixes_year, p.advanced_coop_year) == (1953, 1955, 1956)
    assert (p.target_membership, p.target_year) == (0.4, 1952)
    assert p.migration_closed_year == 1958  # after the window: the towns stay open throughout
    assert p.supply_marketing_coop and p.coop_credit
    path = dict(p.pressure_path)
    # the drives and retreats of row stop_go_campaigns, each felt in the spring after it
    assert path[1953] > path[1954] < path[1955] < path[1956] == 1.0


def test_historical_path_documents_every_value_it_sets():
    sc = load(HISTORICAL)
    assert set(sc.provenance) == set(sc.overrides) - {"households", "villages"}
    for name, prov in sc.provenance.items():
        assert prov.get("document") and len(prov.get("passage", "")) > 10, name
    assert "stop_go_campaigns" in sc.provenance_of("pressure_path")["document"]
    assert "not fitted" in sc.provenance_of("pressure_path")["note"]


def test_historical_path_runs_its_seven_years(tmp_path):
    sc = small(load(HISTORICAL), households=60)
    res = scenarios.run(sc, reps=2, out=tmp_path / "out", workers=1, progress=False)
    frame = res.frame()
    assert res.complete and sorted(frame["year"].unique()) == list(range(1951, 1958))
    assert (frame.loc[frame["year"] < 1953, "procurement"] == 0).all()  # no monopoly before 1953
    assert (frame.loc[frame["year"] == 1953, "procurement"] > 0).any()
    assert frame.loc[frame["year"] == 1956, "team_membership_rate"].min() > 0.9  # the high tide


# --- extends and sweeps ----------------------------------------------------------------------


def test_extends_a_relative_file_and_overrides_a_few_fields(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "parent.toml").write_text(
        'name = "parent"\ndescription = "the parent"\nyears = 12\nreplications = 3\n'
        "[parameters]\nfund_portable = false\nfund_levy_rate = 0.05\n"
        '[provenance.fund_portable]\ndocument = "Shanxi"\npassage = "Not portable upon leaving the group."\n'
        '[provenance.fund_levy_rate]\ndocument = "Shanxi"\npassage = "Collected based on land productivity."\n'
    )
    child = tmp_path / "child.toml"
    child.write_text('extends = "base/parent.toml"\nyears = 5\n[parameters]\nfund_levy_rate = 0.1\n')
    sc = load(child)
    assert sc.name == "child" and sc.description == "the parent"
    assert (sc.years, sc.replications) == (5, 3)
    assert sc.params.fund_portable is False and sc.params.fund_levy_rate == 0.1
    # the parent's passage documented the parent's value, not the child's
    assert "fund_levy_rate" not in sc.provenance and "fund_portable" in sc.provenance


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text('name = "s"\nreplications = 2\nseed = 7\n' + text)
    return path


def test_grid_sweep_takes_every_combination_in_file_order(tmp_path):
    sc = load(
        write(
            tmp_path,
            '[sweep]\nkind = "grid"\n[sweep.parameters]\nfund_levy_rate = [0.0, 0.1]\nfund_portable = [true, false]\n',
        )
    )
    assert sc.points == [
        {"fund_levy_rate": 0.0, "fund_portable": True},
        {"fund_levy_rate": 0.0, "fund_portable": False},
        {"fund_levy_rate": 0.1, "fund_portable": True},
        {"fund_levy_rate": 0.1, "fund_portable": False},
    ]
    assert sc.n_runs == 8


def test_zip_sweep_takes_lists_side_by_side(tmp_path):
    sc = load(
        write(
            tmp_path,
            '[sweep]\nkind = "zip"\n[sweep.parameters]\njoin_pressure = [0.0, 1.0]\nexit_allowed = [true, false]\n',
        )
    )
    assert sc.points == [{"join_pressure": 0.0, "exit_allowed": True}, {"join_pressure": 1.0, "exit_allowed": False}]


def test_latin_sweep_samples_within_the_ranges_and_rounds_whole_numbers(tmp_path):
    text = '[sweep]\nkind = "latin"\nsamples = 20\n[sweep.parameters]\njoin_pressure = { min = 0.2, max = 0.6 }\ncoops_max = { min = 0, max = 5 }\n'
    sc = load(write(tmp_path, text))
    assert len(sc.points) == 20 == sc.n_points
    assert all(0.2 <= p["join_pressure"] <= 0.6 and isinstance(p["coops_max"], int) for p in sc.points)
    assert load(write(tmp_path, text)).points == sc.points  # the scenario's seed fixes the sample


def test_sobol_sweep_has_saltellis_number_of_points_and_the_salib_problem(tmp_path):
    text = '[sweep]\nkind = "sobol"\nsamples = 64\n[sweep.parameters]\njoin_pressure = { min = 0.0, max = 1.0 }\nfund_levy_rate = { min = 0.0, max = 0.1 }\n'
    sc = load(write(tmp_path, text))
    assert len(sc.points) == 64 * (2 * 2 + 2) == sc.n_points
    rec = sc.sweep_record()
    assert rec["problem"] == {
        "num_vars": 2,
        "names": ["join_pressure", "fund_levy_rate"],
        "bounds": [[0.0, 1.0], [0.0, 0.1]],
    }
    assert rec["N"] == 64 and rec["second_order"] is True


def test_run_seeds_derive_from_the_scenario_seed_point_and_replicate(tmp_path):
    sc = load(write(tmp_path, '[sweep]\nkind = "grid"\n[sweep.parameters]\nfund_levy_rate = [0.0, 0.1]\n'))
    plan = make_plan([sc], chunk_runs=1)
    runs = list(plan.iter_runs())
    seeds = [r["seed"] for r in runs]
    assert seeds == [run_seed(7, p, r) for p in range(2) for r in range(2)]
    assert len(set(seeds)) == 4
    assert [r["run_id"] for r in runs] == [0, 1, 2, 3]
    assert [s for c in plan.chunks() for g in c.groups for s in g.seeds] == seeds


def test_load_names_the_closest_preset():
    with pytest.raises(InputError, match="did you mean 'liu_shaoqi_1951'"):
        load("liu_shaoqi")


# --- the broken corpus -----------------------------------------------------------------------


def test_the_corpus_covers_each_kind_of_mistake():
    names = {p.stem for p in BROKEN_FILES}
    for kind in ("syntax", "unknown", "wrong_type", "out_of_range", "sweep", "extends", "provenance"):
        assert any(kind in n for n in names), kind


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.stem for p in BROKEN_FILES])
def test_broken_file_fails_validation_with_its_precise_message(path, capsys):
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    for message in expected(path):
        assert message in err


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.stem for p in BROKEN_FILES])
def test_broken_file_is_refused_by_run_with_nothing_written(path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    assert expected(path)[0] in capsys.readouterr().err
    assert not out.exists()
