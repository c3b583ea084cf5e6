"""The historical targets: the table and its loader, one target by hand, `huzhu history`, the report section."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import targets, validation
from cli.main import main
from model.errors import InputError
from model.metrics import METRICS
from scenarios.results import read_results

ROW = """
[[target]]
id = "t1"
level = "institutions"
pattern = "organised share"
metrics = ["team_membership_rate"]
years = [1952]
statistic = "value"
low = 0.65
high = 1.0
band_basis = "the source's bound"
scope = "old areas"
source = "facts:org_old_areas_1952"
confidence = "medium"
comparable = true
independent = true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the table ---------------------------------------------------------------------------------------


def test_the_shipped_table_loads_and_spans_every_level():
    rows = targets.load()
    assert len(rows) >= 15
    assert len({t.id for t in rows}) == len(rows)
    assert {t.level for t in rows} == set(targets.LEVELS)
    comparable = [t for t in rows if t.comparable]
    assert len(comparable) >= 15
    for t in comparable:
        assert t.metrics and all(m in METRICS for m in t.metrics) and t.years
        assert t.statistic == "direction" or (t.band and t.band_basis)
        assert t.source and t.confidence in targets.CONFIDENCE
    # every level has at least one target the model can be held to
    assert {t.level for t in comparable} == set(targets.LEVELS)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('metrics = ["team_membership_rate"]', 'metrics = ["team_share"]'), "metrics"),
        (("low = 0.65\n", ""), "low"),
        (('confidence = "medium"', 'confidence = "certain"'), "confidence"),
        (("low = 0.65", "low = 1.5"), "low"),
        (('statistic = "value"', 'statistic = "median"'), "statistic"),
        (("comparable = true", 'comparable = "yes"'), "comparable"),
        (("years = [1952]", "years = [1955, 1952]"), "years"),
        (('scope = "old areas"', 'scope = "old areas"\nunit = "share"'), "unit"),
    ],
)
def test_a_broken_row_names_the_row_and_the_field(tmp_path, change, field):
    old, new = change
    assert old in ROW
    path = _write(tmp_path, ROW + ROW.replace('id = "t1"', 'id = "t2"').replace(old, new))
    with pytest.raises(InputError) as err:
        targets.load(path)
    message = str(err.value)
    assert "row 2 ('t2')" in message and f"field '{field}'" in message, message


def test_a_duplicate_id_and_a_missing_direction_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"row 2 \('t1'\), field 'id'"):
        targets.load(_write(tmp_path, ROW + ROW))
    direction = ROW.replace('statistic = "value"', 'statistic = "direction"').replace(
        "years = [1952]", "years = [1951, 1955]"
    )
    with pytest.raises(InputError, match=r"row 1 \('t1'\), field 'expected'"):
        targets.load(_write(tmp_path, direction))
    with pytest.raises(InputError, match="not valid TOML"):
        targets.load(_write(tmp_path, "[[target]\n"))


# --- one target by hand ------------------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    """Two runs of two villages, 1951-1953: team_membership_rate and grain_per_head made up."""
    rows = []
    values = {  # (run, village): rates in 1951, 1952, 1953
        (0, 0): (0.5, 0.6, 0.7),
        (0, 1): (0.5, 0.8, 0.9),
        (1, 0): (0.4, 0.5, 0.6),
        (1, 1): (0.6, 0.7, 0.8),
    }
    for (run, village), rates in values.items():
        for k, year in enumerate((1951, 1952, 1953)):
            rows.append(dict(run_id=run, village=village, year=year, team_membership_rate=rates[k],
                             grain_per_head=400.0 + 40 * k * (run + 1)))  # fmt: skip
    return pd.DataFrame(rows)


def test_a_value_target_is_the_mean_over_runs_of_the_village_mean(tmp_path):
    (t,) = targets.load(_write(tmp_path, ROW))
    out = targets.simulate(_frame(), t)
    # run 0: villages 0.6 and 0.8 -> 0.7; run 1: 0.5 and 0.7 -> 0.6; mean 0.65, on the band's edge
    assert out.mean == pytest.approx(0.65)
    assert (out.lo, out.hi) == pytest.approx(tuple(np.percentile([0.7, 0.6], [5, 95])))
    assert out.status == "within" and out.n_runs == 2


def test_ratio_sum_and_direction_targets_by_hand(tmp_path):
    ratio = ROW.replace('statistic = "value"', 'statistic = "ratio"').replace("years = [1952]", "years = [1951, 1953]")
    ratio = (
        ratio.replace('"team_membership_rate"', '"grain_per_head"')
        .replace("low = 0.65", "low = 1.1")
        .replace("high = 1.0", "high = 1.2")
    )
    (t,) = targets.load(_write(tmp_path, ratio))
    out = targets.simulate(_frame(), t)
    assert out.mean == pytest.approx(((480 / 400) + (560 / 400)) / 2)  # 1.3: above the band
    assert out.status == "outside" and out.missed
    summed = ROW.replace('statistic = "value"', 'statistic = "sum"').replace("years = [1952]", "years = [1951, 1952]")
    (t,) = targets.load(_write(tmp_path, summed.replace("high = 1.0", "high = 2.0")))
    assert targets.simulate(_frame(), t).mean == pytest.approx(((0.5 + 0.7) + (0.5 + 0.6)) / 2)
    falling = ROW.replace('statistic = "value"', 'statistic = "direction"\nexpected = "falling"')
    (t,) = targets.load(_write(tmp_path, falling.replace("years = [1952]", "years = [1951, 1953]")))
    out = targets.simulate(_frame(), t)
    assert out.mean == pytest.approx(((0.8 - 0.5) + (0.7 - 0.5)) / 2) and out.status == "outside"  # it rose


def test_a_year_outside_the_run_is_named():
    t = next(t for t in targets.load() if t.id == "coop_share_1956")
    with pytest.raises(InputError, match="year 1956 is not in the results"):
        targets.per_run(_frame().assign(coop_membership_rate=0.1), t)


def test_a_target_not_comparable_is_listed_not_scored():
    t = next(t for t in targets.load() if t.id == "coops_count_1952")
    out = targets.simulate(_frame(), t)
    assert out.status == "not comparable" and math.isnan(out.mean) and not out.missed


# --- huzhu history -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("history") / "run"
    code = main(["history", "--reps", "2", "--out", str(out), "--workers", "1", "--quiet"])
    return code, out


def test_history_prints_the_table_and_writes_a_chart_per_pattern(history_run, capsys):
    code, out = history_run
    assert code == 0
    assert main(["history", "--results", str(out)]) == 0
    text = capsys.readouterr().out
    assert "2 runs of historical_path_1951_1957, 1951-1957" in text
    assert "organised_old_areas_1952" in text and "90% of runs" in text and "not comparable" in text
    scored = [t for t in targets.load() if t.comparable]
    charts = sorted((out / "validation").glob("target_*.png"))
    assert [p.stem for p in charts] == sorted(f"target_{t.id}" for t in scored)


def test_history_strict_exits_1_on_a_miss_and_0_when_all_are_met(history_run, tmp_path, capsys):
    _, out = history_run
    # the poor peasants of 1955 (0.10-0.20 of households) are far out of the model's reach: a miss
    assert main(["history", "--results", str(out), "--strict"]) == 1
    missed = capsys.readouterr().out.split("missed:")[-1]
    assert "poor_old_areas_1955" in missed and "organised_old_areas_1952" not in missed
    met = ROW.replace('"team_membership_rate"', '"procurement"').replace("low = 0.65", "low = 0.0")
    met = met.replace("high = 1.0", "high = 0.0")  # no monopoly purchase before 1953
    path = _write(tmp_path, met)
    assert main(["history", "--results", str(out), "--targets", str(path), "--strict"]) == 0
    assert "1 of 1 comparable targets within their band" in capsys.readouterr().out


def test_history_refuses_a_broken_table_before_running(tmp_path, capsys):
    path = _write(tmp_path, ROW.replace('level = "institutions"', 'level = "empire"'))
    assert main(["history", "--targets", str(path), "--out", str(tmp_path / "never")]) == 2
    assert "row 1 ('t1'), field 'level'" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_the_report_of_a_historical_run_has_the_validation_section(history_run, tmp_path):
    from analysis.report import write_report

    _, out = history_run
    text = write_report(out, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="validation"' in text and 'id="target-organised_old_areas_1952"' in text
    text = write_report(out, tmp_path / "r2.html", validation=False).read_text(encoding="utf-8")
    assert 'id="validation"' not in text


def test_the_report_of_another_run_leaves_it_out_unless_asked(tmp_path):
    from analysis.report import write_report
    from analysis.synthetic import write_synthetic

    d = write_synthetic(tmp_path / "res", scenarios=("liu_shaoqi_1951",), reps=3, years=8)
    assert validation.historical_scenarios(read_results(d)) == []
    assert 'id="validation"' not in write_report(d, tmp_path / "a.html").read_text(encoding="utf-8")
    assert 'id="validation"' in write_report(d, tmp_path / "b.html", validation=True).read_text(encoding="utf-8")
