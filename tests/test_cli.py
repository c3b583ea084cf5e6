"""The scenario commands of `huzhu`: help with examples, params, scenarios, show, validate, run, demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import build_parser, main
from model.params import NAMES, reference_markdown

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("demo", "params", "scenarios", "show", "run", "validate")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert ("Example:" in out or "Examples:" in out) and f"huzhu {command}" in out


def test_params_lists_every_parameter_with_what_it_allows(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for name in NAMES:
        assert f"  {name} = " in out
    assert "fund_levy_rate = 0.03 share   (a number from 0 to 0.5)" in out


def test_params_markdown_is_the_schema_reference_and_docs_are_current(capsys):
    assert main(["params", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out == reference_markdown()
    assert (ROOT / "docs" / "parameters.md").read_text() == out, (
        "regenerate: huzhu params --markdown > docs/parameters.md"
    )


def test_scenarios_lists_the_presets_on_one_line_each(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name in (
        "shanxi_committee_1951",
        "north_china_bureau_1951",
        "liu_shaoqi_1951",
        "draft_resolution_1951",
        "high_tide_no_exit",
    ):
        (line,) = [ln for ln in lines if ln.startswith(name + " ")]
        assert len(line) < 140


def test_show_prints_values_with_units_and_their_passages(capsys):
    assert main(["show", "shanxi_committee_1951"]) == 0
    out = capsys.readouterr().out
    assert "fund_portable = false" in out
    assert '"Not portable upon leaving the group."' in out
    assert "fund_reproduction_share = 0.8 share" in out
    assert "years 30 (1951-1980)" in out


def test_show_all_falls_back_to_the_schemas_source(capsys):
    assert main(["show", "liu_shaoqi_1951", "--all"]) == 0
    out = capsys.readouterr().out
    assert "fund_levy_rate = 0.03 share   (default)" in out
    assert '"Collected based on land productivity"' in out and "[schema]" in out


def test_show_an_unknown_scenario_names_the_closest(capsys):
    assert main(["show", "north_china_1951"]) == 2
    assert "did you mean 'north_china_bureau_1951'?" in capsys.readouterr().err


def test_validate_accepts_the_presets(capsys):
    files = sorted(str(p) for p in (ROOT / "scenarios" / "presets").glob("*.toml"))
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.count("ok  ") == len(files)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--years", "0"], "--years 0 is not allowed: expected a whole number from 1 to 200"),
        (["--reps", "-2"], "--reps -2 is not allowed: expected a whole number from 1 to 100000"),
        (["--workers", "0"], "--workers 0 is not allowed"),
        (["--resume"], "--resume needs --out DIR"),
    ],
)
def test_run_refuses_bad_options_with_nothing_written(flags, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    out_flag = [] if "--resume" in flags else ["--out", str(out)]
    assert main(["run", "liu_shaoqi_1951", *out_flag, *flags]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "outputs").exists()


def test_run_writes_results_and_says_where(tmp_path, capsys):
    spec = tmp_path / "small.toml"
    spec.write_text('extends = "liu_shaoqi_1951"\nhouseholds = 20\nyears = 3\nreplications = 2\n')
    out = tmp_path / "out"
    assert main(["run", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "2 of 2 runs of small done." in text and f"Results: {out}/" in text
    assert (out / "manifest.json").is_file() and list((out / "runs").glob("part-*.parquet"))
    # the same command again is refused rather than mixing two batches
    assert main(["run", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_prints_the_village_table_and_runs_the_presets(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "gini_land" in out and "grain/head" in out and "\n1980  " in out
    assert "Results: outputs/demo/" in out
    assert (tmp_path / "outputs" / "demo" / "manifest.json").is_file()
