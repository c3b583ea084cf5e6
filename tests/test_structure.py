"""The shape the code keeps: small kernels, short modules, a short yearly step.

Parameters reach compiled kernels as named bundles, so no kernel needs a long positional
argument list (where a value in the wrong slot would be a silent wrong number).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from numba.core.dispatcher import Dispatcher

import model

ROOT = Path(__file__).resolve().parent.parent
MAX_KERNEL_ARGS = 20
MAX_MODULE_LINES = 600
MAX_STEP_LINES = 250
# the parameter schema is one table of fields, longer by nature
LONG_ALLOWED = {"model/params.py"}


def _kernels():
    for info in pkgutil.iter_modules(model.__path__):
        mod = importlib.import_module(f"model.{info.name}")
        for name, obj in vars(mod).items():
            if isinstance(obj, Dispatcher) and obj.py_func.__module__ == mod.__name__:
                yield f"{mod.__name__}.{name}", obj


KERNELS = dict(_kernels())


def test_kernels_are_found():
    assert len(KERNELS) > 40  # the check below has something to check


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_takes_few_positional_parameters(name):
    n = len(inspect.signature(KERNELS[name].py_func).parameters)
    assert n <= MAX_KERNEL_ARGS, f"{name} takes {n} parameters: pass a bundle (see docs/contributing.md)"


def _sources():
    for pkg in ("model", "scenarios", "analysis", "cli", "app"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", list(_sources()))
def test_modules_are_short(path):
    if path in LONG_ALLOWED:
        return
    lines = len((ROOT / path).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path} has {lines} lines: split it by what it holds"


def test_yearly_step_only_orders_the_phases():
    lines = len((ROOT / "model" / "year.py").read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_STEP_LINES, f"model/year.py has {lines} lines"
