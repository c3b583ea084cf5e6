"""Robustness of the taught findings and the Sobol ranking of the behavioural parameters.

The condition language of the findings (checked by hand on a tiny table), every finding of every
exercise and of the positions against its arms and the model's metrics, the counts at a tiny size
(deterministic given the seed), the prior fallback, the posterior reader, and a Sobol run at a tiny
size (slow).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import exercises as ex
from analysis import robustness as rb
from analysis.exercise_figures import Runs, parse_finding, references
from cli import robustness_commands
from cli.main import main
from model.errors import InputError
from model.metrics import NAMES as METRICS


def _runs() -> Runs:
    """Two arms, two replicates, two years, in numbers exact in binary: a's g has the means 0.5 (1951) and
    1.0 (1952); b's 0.125 (1951) and 0.75 (1952, one replicate without a value)."""
    a = pd.DataFrame({"replicate": [0, 1, 0, 1], "year": [1951, 1951, 1952, 1952], "g": [0.25, 0.75, 0.5, 1.5]})
    b = pd.DataFrame({"replicate": [0, 1, 0, 1], "year": [1951, 1951, 1952, 1952], "g": [0.125, 0.125, np.nan, 0.75]})
    return Runs({"a": a, "b": b}, {}, 1951)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('at("a", "g", 1951) > at("b", "g", 1951)', True),  # 0.5 > 0.125
        ('at("a", "g", 1951) < at("b", "g", 1951)', False),
        ('at("b", "g", 1951) < at("a", "g", 1951) < at("a", "g", 1952)', True),  # 0.125 < 0.5 < 1
        ('at("b", "g", 1951) < at("a", "g", 1952) < at("a", "g", 1951)', False),
        ('at("a", "g", 1951) >= 0.5 and at("a", "g", 1951) <= 0.5', True),
        ('at("a", "g", 1951) > 1 or at("b", "g", 1951) < 0.25', True),
        ('not at("a", "g", 1951) > 0.25', False),
        ('at("a", "g", 1952) > 2 * at("a", "g", 1951) - 0.25', True),  # 1 > 0.75
        ('at("a", "g", 1952) > 2 * at("a", "g", 1951)', False),  # 1 > 1
        ('minus(at("a", "g", 1951), at("b", "g", 1951)) >= 0.375', True),  # mean of 0.125 and 0.625
        ('at("b", "g", 1952) == 0.75', None),  # equality is not part of the language
        ('-0.25 < at("a", "g", 1951) / 4 < 0.25', True),  # 0.125
        ('at("b", "g", 1952) >= 0.75', True),  # the replicate without a value is skipped: mean 0.75
        ('total("a", "g", 1951, 1952) > 1.5', False),  # totals 0.75 and 2.25: mean 1.5
    ],
)
def test_finding_conditions_by_hand(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match="not a condition"):
            parse_finding(text)
        return
    assert parse_finding(text)(_runs()) is expected


def test_a_finding_is_parsed_never_run():
    for bad in ('__import__("os") > 1', 'at("a", "g", 1951).real > 0', "[1] < [2]", "1 +"):
        with pytest.raises(ValueError):
            parse_finding(bad)
    assert parse_finding("at('a', 'nothing', 1951) > 0") is not None  # names are checked against the arms elsewhere
    assert not parse_finding('at("a", "g", 1951) > at("b", "g", 1951) and 1 > 2')(_runs())


def _check_set(s: rb.FindingSet):
    assert s.findings, s.slug
    ids = [f.id for f in s.findings]
    assert len(ids) == len(set(ids)), s.slug
    for f in s.findings:
        refs = references(f.expression)
        assert refs, (s.slug, f.id)
        for arm, metric in refs:
            assert arm in s.arms, (s.slug, f.id, arm)
            assert metric is None or metric in METRICS, (s.slug, f.id, metric)
        assert f.text and not f.text.endswith("."), (s.slug, f.id)


def test_every_exercise_has_findings_naming_its_arms_and_known_metrics():
    sets = rb.finding_sets()
    assert [s.slug for s in sets] == [e.slug for e in ex.EXERCISES] + ["positions"]
    for s in sets:
        _check_set(s)
        assert 1 <= len(s.findings) <= 3 or s.slug == "positions"
    positions = sets[-1]
    assert sorted(positions.arms.values()) == [
        "draft_resolution_1951",
        "high_tide_no_exit",
        "liu_shaoqi_1951",
        "north_china_bureau_1951",
        "shanxi_committee_1951",
    ]
    assert positions.baseline in positions.arms


def test_counts_are_deterministic_given_the_seed():
    kw = dict(draws=2, reps=1, workers=1, only=["right_to_exit", "4"], years=15, say=lambda m: None)
    first = rb.run_robustness(seed=5, **kw)
    second = rb.run_robustness(seed=5, **kw)
    pd.testing.assert_frame_equal(first.values, second.values)
    assert first.counts == second.counts
    assert set(first.counts) == {f"{s}.{f.id}" for s in ("right_to_exit", "public_funds")
                                 for f in ex.get(s).findings}  # fmt: skip
    assert all(0 <= n <= 2 for n in first.counts.values())
    other = rb.run_robustness(seed=6, **kw)
    assert not other.values[["choice_noise"]].equals(first.values[["choice_noise"]])
    text = rb.to_toml(first)
    import tomllib

    data = tomllib.loads(text)
    rec = data["findings"]["public_funds.fewer_leave"]
    assert rec["draws"] == 2 and rec["seed"] == 5 and rec["source"] in ("prior", "posterior")
    assert "huzhu robustness" in rec["command"]


def test_prior_fallback_says_so(tmp_path):
    priors = rb.load_priors()
    assert len(priors) == 10
    values, source = rb.plausible_settings(50, seed=3, posterior=tmp_path / "posterior_draws.csv")
    assert source == "prior"
    for p in priors:
        assert values[p.name].between(p.low, p.high).all(), p.name
    r = rb.Robustness({"x.a": 1}, 2, 1, 3, source, "huzhu robustness", values, {"x.a": "A"}, {"x.a": "1 < 2"}, 0.0)
    assert rb.PRIOR_NOTE in rb.summary(r)
    assert "rewrite this finding: x.a" in rb.summary(r)
    assert ex.source_phrase({"source": "prior"}) == rb.PRIOR_NOTE


def test_posterior_draws_are_read_and_checked(tmp_path):
    priors = rb.load_priors()
    names = [p.name for p in priors]
    path = tmp_path / "posterior_draws.csv"
    rows = ["draw," + ",".join(names)] + [
        f"{i}," + ",".join(str((p.low + p.high) / 2) for p in priors) for i in range(3)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    values, source = rb.plausible_settings(5, seed=1, posterior=path)
    assert source == "posterior" and list(values.columns) == names and len(values) == 5
    assert values["choice_noise"].eq((priors[0].low + priors[0].high) / 2).all()
    path.write_text(",".join(names[1:]) + "\n" + ",".join("0.3" for _ in names[1:]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="choice_noise missing"):
        rb.plausible_settings(2, posterior=path)
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        rb.plausible_settings(2, posterior=path)


def test_the_keys_show_the_counts():
    rob = {"findings": {"right_to_exit.income_gini_higher": {
        "holds": 77, "draws": 100, "expression": ex.get(7).findings[2].expression}}, "source": "prior", "reps": 16}  # fmt: skip
    lines = ex.findings_lines({"number": 7}, rob)
    assert any("Income inequality is higher without exit (1965): holds in 77 of 100" in x for x in lines)
    assert any("not yet checked" in x for x in lines)  # the other findings have no count
    assert any(rb.PRIOR_NOTE in x for x in lines)


def test_cli_refuses_bad_input(capsys):
    with pytest.raises(SystemExit) as err:
        main(["robustness", "--reps", "zero"])
    assert err.value.code == 2 and "--reps 'zero'" in capsys.readouterr().err
    assert main(["robustness", "--only", "nine", "--draws", "1"]) == 2
    assert "--only nine" in capsys.readouterr().err
    assert main(["sobol", "--n", "48"]) == 2
    assert "power of 2 of at least 64" in capsys.readouterr().err
    assert (robustness_commands.DEFAULT_DRAWS, robustness_commands.DEFAULT_REPS, robustness_commands.DEFAULT_SEED) == (
        rb.DEFAULT_DRAWS,
        rb.DEFAULT_REPS,
        rb.DEFAULT_SEED,
    )


@pytest.mark.slow
def test_sobol_at_a_tiny_size_gives_indices_for_every_parameter(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from analysis import sensitivity

    outcomes = (sensitivity.Outcome("gini_land", 1953), sensitivity.Outcome("team_membership_rate", 1953))
    r = sensitivity.run_sobol(n=2, seed=3, reps=1, workers=1, out=tmp_path, outcomes=outcomes, progress=False)
    names = {p.name for p in rb.load_priors()}
    assert set(r.table["parameter"]) == names
    assert len(r.table) == len(names) * len(outcomes)
    assert np.isfinite(r.table[["S1", "ST"]].to_numpy()).all()
    assert sorted(r.table.drop_duplicates("parameter")["rank"]) == list(range(1, len(names) + 1))
    assert r.runs == 2 * (2 * len(names) + 2)
    assert all(p.is_file() for p in r.written)
    assert "rank" in sensitivity.format_ranking(r.table)
