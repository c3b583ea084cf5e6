"""The layers hold: imports point one way, app | cli -> analysis -> scenarios -> model.

The contracts are declared in pyproject.toml ([tool.importlinter]) and checked by
import-linter, as `lint-imports` (make lint) does.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"


def contracts() -> dict[str, dict]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["tool"]["importlinter"]["contracts"]}


def test_the_layers_are_declared_top_down():
    layers = [line.replace("(", "").replace(")", "") for line in contracts()["layers"]["layers"]]
    assert layers == ["app | cli", "analysis", "scenarios", "model"]
    base = contracts()["model-base"]
    assert base["source_modules"] == ["model.errors", "model.params"] and base["forbidden_modules"] == ["model.*"]


def test_imports_keep_the_contracts(capsys):
    pytest.importorskip("importlinter", reason="import-linter is in the dev extra: pip install -e '.[dev]'")
    from importlinter import configuration
    from importlinter.application import use_cases

    configuration.configure()
    kept = use_cases.lint_imports(config_filename=str(CONFIG), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert kept, report
