"""Fresh runs equal the committed results baseline exactly (see tests/results_baseline.py).

A failure here means the model's results changed. If that was meant, regenerate the
baseline with `make baseline` and say in the commit what changed and why.
"""

from __future__ import annotations

import pytest
from results_baseline import SEEDS, cases, load_baseline, run_case

BASELINE = load_baseline()
CASES = cases()


def test_baseline_covers_every_case():
    want = {f"{name}/seed={seed}" for name in CASES for seed in SEEDS}
    assert set(BASELINE) == want, "the baseline's runs differ from the reference cases: run `make baseline`"
    assert len(CASES) >= 3 and len(SEEDS) >= 2


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_equal_baseline(name):
    for seed in SEEDS:
        key = f"{name}/seed={seed}"
        got, want = run_case(CASES[name], seed), BASELINE[key]
        assert set(got["metrics"]) == set(want["metrics"]), f"{key}: metric names changed"
        for metric, values in want["metrics"].items():
            for year, (a, b) in enumerate(zip(got["metrics"][metric], values, strict=True)):
                assert a == b, f"{key}: {metric} in year {year + 1} is {a!r}, the baseline has {b!r}"
        for year, (a, b) in enumerate(zip(got["households"], want["households"], strict=True)):
            assert a == b, f"{key}: the household table after year {year + 1} differs from the baseline"
        assert got["villages_table"] == want["villages_table"], f"{key}: the per-village table differs"


def test_baseline_runs_differ():
    """The reference runs are not all alike (a baseline of identical runs would check little)."""
    # the last year of every metric (two runs may share one figure, e.g. the land Gini where no land was sold)
    finals = {k: tuple(series[-1] for series in v["metrics"].values()) for k, v in BASELINE.items()}
    assert len(set(finals.values())) == len(finals)
