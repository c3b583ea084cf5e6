"""Calibration: the priors file, the targets' split, the distance, the fast simulator, reproducibility,
`huzhu calibrate --quick`, and (slow) that a known truth is recovered."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import calibration, targets
from analysis.calibration_runs import Simulator
from analysis.targets import Target
from cli.main import main
from model.errors import InputError

PRIOR = """
[[prior]]
name = "choice_noise"
low = 0.05
high = 0.5
why = "not measured"
"""


def _write(tmp_path: Path, text: str, name: str = "priors.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- priors ----------------------------------------------------------------------------------------


def test_the_shipped_priors_load():
    priors = calibration.load_priors()
    assert len(priors) == 10
    assert all(p.low < p.high and p.why for p in priors)
    assert {"choice_noise", "division_rate"} <= {p.name for p in priors}


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('name = "choice_noise"', 'name = "choice_nose"', "name"),
        ('name = "choice_noise"', 'name = "liberated_area"', "name"),
        ("low = 0.05", "low = 0.6", "low"),
        ("high = 0.5", "high = 20.0", "high"),
        ("low = 0.05", "low = 0.0", "low"),  # below the schema's 0.001
        ("low = 0.05", 'low = "small"', "low"),
        ('why = "not measured"', "", "why"),
        ('why = "not measured"', 'why = "x"\nshape = "beta"', "shape"),
    ],
)
def test_a_broken_prior_names_the_row_and_the_field(tmp_path, old, new, field):
    assert old in PRIOR
    text = PRIOR.replace("choice_noise", "division_rate") + PRIOR.replace(old, new)
    with pytest.raises(InputError) as err:
        calibration.load_priors(_write(tmp_path, text))
    assert "row 2" in str(err.value) and f"field '{field}'" in str(err.value), str(err.value)


def test_a_missing_priors_file_is_named(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        calibration.load_priors(tmp_path / "none.toml")
    assert main(["calibrate", "--priors", str(tmp_path / "none.toml"), "--quick"]) == 2


# --- the targets' split ----------------------------------------------------------------------------

ROW = """
[[target]]
id = "t1"
level = "institutions"
pattern = "organised share"
metrics = ["team_membership_rate"]
years = [1952]
low = 0.65
high = 1.0
band_basis = "the source's bound"
scope = "old areas"
source = "facts:org_old_areas_1952"
confidence = "medium"
comparable = true
independent = true
"""


def test_every_shipped_row_says_its_use_and_the_split_is_disjoint():
    rows = targets.load()
    text = targets.default_path().read_text(encoding="utf-8")
    assert text.count("\nuse = ") == len(rows)
    fit, held = calibration.calibration_targets(rows), calibration.validation_targets(rows)
    assert fit and held and not {t.id for t in fit} & {t.id for t in held}
    assert all(t.comparable and t.independent for t in fit)


def test_the_shipped_calibration_rows_are_within_reach_and_informative():
    # the prior predictive check (400 prior draws, each the mean of 4 runs, a fixed seed): every calibration row is
    # met by at least 5% of the draws but not by all; the rows held out as out of reach by fewer than 5%
    from analysis.calibration_runs import prior_predictive

    rows = targets.load()
    reach = prior_predictive(
        calibration.load_priors(), rows, calibration.PRIOR_CHECK_DRAWS, 1951, replicates=calibration.REPLICATES
    )
    fit = calibration.calibration_targets(rows)
    assert all(calibration.REACH_MIN <= reach[t.id] < 1 for t in fit), {t.id: reach[t.id] for t in fit}
    out_of_reach = [t.id for t in rows if t.use == "validation" and "held out of the calibration: fewer than" in t.note]
    assert len(out_of_reach) == 4 and all(reach[i] < calibration.REACH_MIN for i in out_of_reach), {
        i: reach[i] for i in out_of_reach
    }


def test_the_command_lines_default_replicates_are_the_calibrations():
    from cli import calibrate_command

    assert calibrate_command.REPLICATES == calibration.REPLICATES


def test_the_use_field_is_checked(tmp_path):
    assert targets.load(_write(tmp_path, ROW, "targets.toml"))[0].use == "validation"  # the default
    assert targets.load(_write(tmp_path, ROW + 'use = "calibration"\n', "targets.toml"))[0].use == "calibration"
    with pytest.raises(InputError, match=r"row 1 \('t1'\), field 'use': 'fit' is not one of calibration, validation"):
        targets.load(_write(tmp_path, ROW + 'use = "fit"\n', "targets.toml"))
    dependent = ROW.replace("independent = true", "independent = false") + 'use = "calibration"\n'
    with pytest.raises(InputError, match=r"row 1 \('t1'\), field 'use': a calibration target must be"):
        targets.load(_write(tmp_path, dependent, "targets.toml"))


# --- the distance ----------------------------------------------------------------------------------


def test_the_band_distance_by_hand():
    band = SimpleNamespace(id="b", statistic="value", low=0.1, high=0.2, expected=None)
    assert calibration.band_distance(band, 0.1) == 0 and calibration.band_distance(band, 0.2) == 0
    assert calibration.band_distance(band, 0.4) == pytest.approx(2.0)  # two widths above
    assert calibration.band_distance(band, 0.05) == pytest.approx(0.5)
    assert calibration.band_distance(band, float("nan")) == calibration.NAN_DISTANCE
    falling = SimpleNamespace(id="f", statistic="direction", low=None, high=None, expected="falling")
    assert calibration.band_distance(falling, -0.3) == 0
    assert calibration.band_distance(falling, 0.1) == pytest.approx(0.1 / calibration.DIRECTION_SCALE)
    d = calibration.BandDistance([band, falling])
    assert d({"b": 0.4, "f": 0.1}, None) == pytest.approx(2.0**2 + 2.0**2)
    assert d({"b": 0.15, "f": -1.0}, None) == 0.0


# --- the fast simulator ----------------------------------------------------------------------------


def test_the_simulators_statistics_are_the_targets_own():
    rows = [t for t in targets.load() if t.comparable]
    sim = Simulator(rows, replicates=3)
    table = sim.run([{"choice_noise": 0.2}, {"division_rate": 0.4}], seeds=[5, 6])
    stats = sim.statistics(table)
    frame = sim.frame(table)
    for p in range(2):
        part = frame[frame["run_id"] // 3 == p]
        for k, t in enumerate(sim.targets):
            expected = targets.per_run(part, t).dropna().mean()
            assert stats[p, k] == pytest.approx(expected, rel=1e-12, abs=1e-12, nan_ok=True), t.id


def test_a_particle_run_is_the_model_run_with_its_seed():
    from model.batch import run_villages

    sim = Simulator(calibration.calibration_targets(), replicates=1)
    table = sim.run([{"choice_noise": 0.3}], seeds=[11])
    v, _ = run_villages(sim.base.model_copy(update={"choice_noise": 0.3}), seeds=[11], years=sim.years)
    for name in ("share_rich", "team_membership_rate"):
        assert np.array_equal(table[0, 0, :, sim.metrics.index(name)], v[name].to_numpy())


# --- the run ---------------------------------------------------------------------------------------


def _tiny(out: Path, seed: int):
    priors = [p for p in calibration.load_priors() if p.name in ("choice_noise", "division_rate")]
    return calibration.calibrate(population=8, generations=2, seed=seed, out=out, workers=1, batch_size=5,
                                 priors=priors, n_draws=100, runs_at_median=2, in_process=True,
                                 say=lambda _m: None)  # fmt: skip


def test_the_same_seed_gives_the_same_posterior(tmp_path):
    a = _tiny(tmp_path / "a", 7)
    b = _tiny(tmp_path / "b", 7)
    pd.testing.assert_frame_equal(a.posterior, b.posterior)
    assert (tmp_path / "a" / "posterior_draws.csv").read_bytes() == (
        tmp_path / "b" / "posterior_draws.csv"
    ).read_bytes()


def test_calibrate_quick_writes_every_output(tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calibrate", "--quick", "--workers", "1", "--out", str(out), "--seed", "3"]) == 0
    names = {p.name for p in out.iterdir()}
    expected = {"calibration.db", "posterior.csv", "posterior_draws.csv", "summary.json", "posterior.png",
                "validation.csv", "validation.txt"}  # fmt: skip
    assert expected <= names and not [n for n in names if n.startswith(".")]
    draws = pd.read_csv(out / "posterior_draws.csv")
    priors = [p.name for p in calibration.load_priors()]
    assert list(draws.columns) == ["draw", *priors] and len(draws) >= 100
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and set(summary["parameters"]) == set(priors)
    reach = summary["prior_predictive"]["share_met"]
    assert set(summary["calibration_targets"]) <= set(reach) and all(0 <= v <= 1 for v in reach.values())
    assert all(p["q05"] <= p["median"] <= p["q95"] for p in summary["parameters"].values())
    back = calibration.posterior_draws(out / "posterior_draws.csv", n=10)
    assert list(back.columns) == priors and len(back) == 10
    err = capsys.readouterr().err
    assert "generation 1 of 2" in err and "accepted" in err
    assert "prior predictive check" in err and "rich_1954: met by" in err


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--population", "-5"], "--population"),
        (["--batch-size", "0"], "--batch-size"),
        (["--dask", "localhost:8786"], "--dask"),
    ],
)
def test_bad_options_name_the_option(tmp_path, capsys, argv, field):
    assert main(["calibrate", "--out", str(tmp_path / "x"), *argv]) == 2
    assert field in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_missing_posterior_draws_are_named(tmp_path):
    with pytest.raises(InputError, match="huzhu calibrate --install"):
        calibration.posterior_draws(tmp_path / "none.csv")


# --- identifiability -------------------------------------------------------------------------------

TRUTH = {"choice_noise": 0.3, "division_rate": 0.15}


def _target(tid: str, metrics: list[str], years: list[int], statistic: str, low: float, high: float) -> Target:
    return Target(id=tid, level="villages", pattern=tid, metrics=tuple(metrics), years=tuple(years),
                  statistic=statistic, low=low, high=high, expected=None, band_basis="simulated at the truth",
                  scope="test", source="test", confidence="high", comparable=True, independent=True,
                  use="calibration")  # fmt: skip


@pytest.mark.slow
def test_calibration_recovers_a_known_truth(tmp_path):
    """Targets simulated at known values of two parameters (the rest the preset's): the truth lies in the 90% interval."""
    reps = 4
    shapes = [
        ("organised", ["team_membership_rate"], [1952, 1953, 1954], "value"),
        ("divisions", ["divisions"], list(range(1951, 1958)), "sum"),
    ]
    probe = [_target(i, m, y, s, 0.0, 1.0) for i, m, y, s in shapes]
    sim = Simulator(probe, replicates=reps)
    # the truth's statistic and its spread for a particle of `reps` runs, from 40 such particles
    stats = sim.statistics(sim.run([TRUTH] * 40, seeds=list(range(1000, 1040))))
    mean, sd = stats.mean(axis=0), stats.std(axis=0)
    rows = [_target(i, m, y, s, mu - sd_, mu + sd_) for (i, m, y, s), mu, sd_ in zip(shapes, mean, sd, strict=True)]
    priors = [p for p in calibration.load_priors() if p.name in TRUTH]
    res = calibration.calibrate(population=100, generations=4, seed=5, out=tmp_path / "cal", workers=1,
                                batch_size=20, replicates=reps, priors=priors, targets=rows, n_draws=100,
                                runs_at_median=2, in_process=True, say=lambda _m: None)  # fmt: skip
    for name, truth in TRUTH.items():
        s = res.summary["parameters"][name]
        assert s["q05"] <= truth <= s["q95"], (name, truth, s)
    # and the posterior is narrower than the prior for each
    for p in priors:
        s = res.summary["parameters"][p.name]
        assert s["q95"] - s["q05"] < 0.9 * (p.high - p.low), (p.name, s)


def test_the_calibrated_defaults_are_the_installed_posteriors_medians():
    # every calibrated parameter's default is its posterior median (3 significant digits), says it is calibrated
    # and names the run that produced it; the installed summary is that run's
    from model.params import CALIBRATED, CALIBRATION_COMMAND, Params

    summary = json.loads(calibration.data_path("posterior_summary.json").read_text())
    assert summary["command"] == CALIBRATION_COMMAND
    assert set(summary["parameters"]) == {p.name for p in calibration.load_priors()}
    for name, post in summary["parameters"].items():
        field = Params.model_fields[name]
        assert field.default == float(f"{post['median']:.3g}"), name
        assert field.json_schema_extra["source"] == CALIBRATED and "calibrated" in field.description, name
        assert post["q05"] <= field.default <= post["q95"], name
