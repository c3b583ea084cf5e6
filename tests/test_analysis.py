"""Reading results directories and the summary statistics of the analysis package."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.summary import (
    bootstrap_interval,
    differences,
    end_state,
    household_inequality,
    summarize,
    t_interval,
    welch,
)
from analysis.synthetic import write_synthetic
from analysis.tidy import tidy
from model.errors import InputError
from model.inequality import gini, top_share
from model.metrics import NAMES
from scenarios.results import read_results


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    return write_synthetic(d, scenarios=("liu_shaoqi_1951", "shanxi_committee_1951"), reps=4, years=5, villages=2)


def test_load_reads_every_part_into_one_table(batch):
    res = read_results(batch)
    assert res.scenarios == ["liu_shaoqi_1951", "shanxi_committee_1951"]
    assert res.years == [1951, 1952, 1953, 1954, 1955]
    assert res.n_runs == 8 and res.n_villages == 2
    assert len(res.runs) == 8 * 5 * 2
    assert res.metrics == list(NAMES)
    assert res.swept == [] and res.sweep_kind == "none"
    assert set(res.households["year"]) == {1951, 1953, 1955}


def test_tidy_is_one_row_per_run_year_metric(batch):
    long = tidy(batch, ["gini_land", "share_rich"])
    assert list(long.columns[-2:]) == ["metric", "value"]
    # villages averaged within runs: 8 runs x 5 years x 2 metrics
    assert len(long) == 8 * 5 * 2
    assert len(tidy(batch, ["gini_land"], villages=True)) == 8 * 5 * 2


def test_run_table_averages_villages_within_a_run(batch):
    res = read_results(batch)
    raw = res.runs[(res.runs["run_id"] == 3) & (res.runs["year"] == 1952)]["gini_land"]
    row = res.run_table().query("run_id == 3 and year == 1952")["gini_land"]
    assert row.iloc[0] == pytest.approx(raw.mean())


def test_step_numbers_become_calendar_years(tmp_path):
    d = write_synthetic(tmp_path, scenarios=("a",), reps=2, years=3)
    for p in (d / "runs").glob("*.parquet"):
        f = pd.read_parquet(p)
        f["year"] -= 1951
        f.to_parquet(p)
    assert read_results(d).years == [1951, 1952, 1953]


def test_summary_matches_hand_computed_values():
    df = pd.DataFrame({"scenario": "a", "year": 1951, "x": [1.0, 2.0, 3.0, 4.0]})
    row = summarize(df, ["x"]).iloc[0]
    # mean 2.5, median 2.5, sd sqrt(5/3) = 1.290994; t(3, 0.975) = 3.182446; half-width 2.054261
    assert row["n"] == 4
    assert row["mean"] == pytest.approx(2.5)
    assert row["median"] == pytest.approx(2.5)
    assert row["sd"] == pytest.approx(1.290994, abs=1e-6)
    assert row["lo"] == pytest.approx(2.5 - 2.054261, abs=1e-5)
    assert row["hi"] == pytest.approx(2.5 + 2.054261, abs=1e-5)
    assert "t-interval" in row["interval"]
    assert t_interval(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx((row["lo"], row["hi"]))


def test_summary_median_and_groups():
    df = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "year": 1951, "x": [1.0, 2.0, 9.0, 4.0, 4.0, 4.0]})
    s = summarize(df, ["x"]).set_index("scenario")
    assert s.loc["a", "median"] == 2.0 and s.loc["a", "mean"] == 4.0
    # no spread: the interval is the point itself
    assert s.loc["b", "lo"] == s.loc["b", "hi"] == 4.0


def test_single_run_has_no_interval():
    df = pd.DataFrame({"scenario": "a", "year": 1951, "x": [3.0]})
    row = summarize(df, ["x"]).iloc[0]
    assert row["mean"] == 3.0 and np.isnan(row["lo"]) and np.isnan(row["hi"])


def test_t_interval_covers_the_true_mean_about_95_percent_of_the_time():
    # 1000 synthetic batches of 10 runs from N(5, 2). Coverage is binomial with sd
    # sqrt(.95 * .05 / 1000) = 0.007, so [0.93, 0.97] is a +-2.9 sd tolerance; the seed is fixed.
    rng = np.random.default_rng(12345)
    values = rng.normal(5.0, 2.0, (1000, 10))
    df = pd.DataFrame({"scenario": np.repeat(np.arange(1000), 10), "year": 1951, "x": values.ravel()})
    s = summarize(df, ["x"])
    coverage = ((s["lo"] <= 5.0) & (5.0 <= s["hi"])).mean()
    assert 0.93 <= coverage <= 0.97


def test_bootstrap_interval_covers_the_true_mean():
    # The percentile bootstrap undercovers for small samples; with 40 runs it is close to 95%.
    # 300 batches: binomial sd 0.013, tolerance [0.91, 0.98].
    rng = np.random.default_rng(7)
    values = rng.normal(1.0, 1.0, (300, 40))
    df = pd.DataFrame({"scenario": np.repeat(np.arange(300), 40), "year": 1951, "x": values.ravel()})
    s = summarize(df, ["x"], interval="bootstrap")
    coverage = ((s["lo"] <= 1.0) & (1.0 <= s["hi"])).mean()
    assert 0.91 <= coverage <= 0.98
    assert "bootstrap" in s["interval"].iloc[0]


def test_bootstrap_interval_is_repeatable_and_brackets_the_mean():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    lo, hi = bootstrap_interval(x)
    assert (lo, hi) == bootstrap_interval(x)
    assert lo < x.mean() < hi


def test_welch_difference_by_hand():
    d = welch(np.array([2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0]))
    # se = sqrt(1/3 + 1/3); Welch dof = 4; t(4, 0.975) = 2.776445
    half = 2.776445 * np.sqrt(2 / 3)
    assert d["diff"] == 1.0
    assert d["lo"] == pytest.approx(1 - half, abs=1e-5) and d["hi"] == pytest.approx(1 + half, abs=1e-5)


def test_end_state_and_differences(batch):
    res = read_results(batch)
    e = end_state(res, ["gini_land"])
    assert set(e["year"]) == {1955} and len(e) == 2
    d = differences(res, "gini_land", baseline="liu_shaoqi_1951")
    t = res.run_table().query("year == 1955")
    expect = (
        t.loc[t["scenario"] == "shanxi_committee_1951", "gini_land"].mean()
        - t.loc[t["scenario"] == "liu_shaoqi_1951", "gini_land"].mean()
    )
    assert d["scenario"].tolist() == ["shanxi_committee_1951"]
    assert d["diff"].iloc[0] == pytest.approx(expect)
    assert d["lo"].iloc[0] < d["diff"].iloc[0] < d["hi"].iloc[0]


def test_household_inequality_uses_the_models_measures(batch):
    res = read_results(batch)
    table = household_inequality(res.households)
    hh = res.households
    one = hh[(hh["run_id"] == 0) & (hh["year"] == 1955)]
    per_head = (one["land"] / (one["workers"] + one["dependents"])).to_numpy()
    row = table[(table["run_id"] == 0) & (table["year"] == 1955)].iloc[0]
    assert row["gini_land"] == pytest.approx(gini(per_head))
    assert row["top10_land"] == pytest.approx(top_share(per_head, 0.1))


def test_bad_directories_raise_input_errors(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        read_results(tmp_path / "missing")
    with pytest.raises(InputError, match="not a results directory"):
        read_results(tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps({"scenarios": []}))
    with pytest.raises(InputError, match="no finished runs"):
        read_results(tmp_path)


def test_unknown_metric_names_the_closest(batch):
    with pytest.raises(InputError, match="did you mean 'gini_land'"):
        tidy(batch, ["gini_lnd"])


def test_differences_are_paired_when_runs_share_seeds(tmp_path):
    d = write_synthetic(tmp_path, scenarios=("a", "b"), reps=6, years=3, common_seeds=True)
    res = read_results(d)
    diff = differences(res, "gini_land", baseline="a").iloc[0]
    assert diff["method"] == "paired t"
    t = res.run_table().query("year == 1953").set_index(["scenario", "seed"])["gini_land"]
    by_run = (t.loc["b"] - t.loc["a"]).to_numpy()
    lo, hi = t_interval(by_run)
    assert diff["diff"] == pytest.approx(by_run.mean())
    assert (diff["lo"], diff["hi"]) == pytest.approx((lo, hi))


def test_differences_fall_back_to_welch_without_common_seeds(batch):
    assert set(differences(read_results(batch), "gini_land")["method"]) == {"Welch t"}
