"""Property tests: generated scenario files, generated API calls and failures at every write.

Whatever is generated, the answer is either a valid run or exit code 2 (InputError
from Python) with a message naming the field; never a traceback, never a partial
result that looks complete. The numbers of cases are in docs/runner.md.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
import typing
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import scenarios
from cli.main import main
from model.errors import InputError
from model.params import FIELDS, NAMES, field_info
from scenarios import store
from scenarios.loader import preset_names
from scenarios.runner import plan_batch
from scenarios.schema import TOP_KEYS

FILE_CASES = 200
API_CASES = 60
CRASH_CASES = 12
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# --- writing TOML (the standard library reads it but does not write it) -------------------


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(doc: dict) -> str:
    """Top-level scalars first, then one [table] per dict (nested dicts inline)."""
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"[{json.dumps(k)}]")
            lines += [f"{json.dumps(kk)} = {toml_value(vv)}" for kk, vv in v.items()]
    return "\n".join(lines) + "\n"


# --- strategies -----------------------------------------------------------------------------

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.sampled_from([0, 1, 2, 3, 5, 30, 250, 100_000, 100_001, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 0.03, 0.5, 1.0, 1.5, -0.1]),
    text,
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=2), max_leaves=6
)
param_names = st.one_of(st.sampled_from(NAMES), st.sampled_from(["fund_levy", "Households", "", "villages"]), text)
key_names = st.one_of(st.sampled_from(TOP_KEYS), st.sampled_from(["nmae", "Years", "sweeps", "parameter"]))


# tables of year = pressure (`pressure_path`), years as TOML writes a table's keys
path_tables = st.dictionaries(st.integers(1900, 2100).map(str), st.floats(0.0, 1.0), max_size=3)


def param_value(name: str):
    """Values near what the schema allows for a known parameter, anything for others."""
    if name in FIELDS:
        default = FIELDS[name].default
        if isinstance(default, bool):
            return st.one_of(st.booleans(), values)
        if isinstance(default, int):
            return st.one_of(st.integers(-2, 2 * max(default, 2)), values)
        if isinstance(default, float):
            return st.one_of(st.floats(-0.5, 2 * max(default, 1.0)), values)
        if isinstance(default, tuple):  # a table of year = pressure (pressure_path)
            return st.one_of(path_tables, values)
        return st.one_of(st.just(default), values)
    return values


def schema_value(name: str):
    """Values the schema allows for one parameter taken alone (cross-field rules may still refuse them)."""
    f = FIELDS[name]
    args = typing.get_args(f.annotation)
    if field_info(name)["type"] == "path":
        return path_tables
    if f.annotation is bool:
        return st.booleans()
    if args and all(isinstance(a, str) for a in args):
        return st.sampled_from(args)
    lo = next((m.ge for m in f.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in f.metadata if getattr(m, "le", None) is not None), None)
    if f.annotation is int:
        lo = f.default if lo is None else lo
        return st.integers(lo, max(lo, f.default if hi is None else min(hi, 2 * f.default + 1)))
    if f.annotation is float:
        lo = 0.0 if lo is None else lo
        return st.floats(lo, max(lo, hi if hi is not None else 2 * f.default + 1), allow_nan=False)
    return st.just(f.default)


SIMPLE = [n for n in NAMES if n not in ("villages", "households", "start_year")]


@st.composite
def valid_files(draw):
    """Files built from the schema's own ranges: most are accepted."""
    params = {n: draw(schema_value(n)) for n in draw(st.lists(st.sampled_from(SIMPLE), max_size=3, unique=True))}
    doc = {"households": draw(st.integers(2, 15)), "years": draw(st.integers(1, 2)), "replications": 1}
    if draw(st.booleans()):
        doc["extends"] = draw(st.sampled_from(preset_names()))
    if params:
        doc["parameters"] = params
    numeric = [n for n in SIMPLE if FIELDS[n].annotation in (int, float)]
    if draw(st.booleans()):
        name = draw(st.sampled_from(numeric))
        doc["sweep"] = {
            "kind": "grid",
            "parameters": {name: draw(st.lists(schema_value(name), min_size=1, max_size=2))},
        }
    return doc


@st.composite
def parameter_tables(draw):
    names = draw(st.lists(param_names, max_size=4, unique=True))
    return {n: draw(param_value(n)) for n in names}


@st.composite
def sweeps(draw):
    kind = draw(st.sampled_from(["grid", "zip", "latin", "sobol", "Grid", 3]))
    params = {}
    for name in draw(st.lists(param_names, min_size=0, max_size=3, unique=True)):
        if draw(st.booleans()):
            params[name] = draw(st.lists(param_value(name), max_size=3))
        else:
            lo, hi = draw(st.floats(-1, 2)), draw(st.floats(-1, 2))
            params[name] = draw(
                st.sampled_from([{"min": lo, "max": hi}, {"min": lo}, {"min": lo, "max": hi, "step": 1}])
            )
    sweep = {"kind": kind, "parameters": params}
    if draw(st.booleans()):
        sweep["samples"] = draw(st.sampled_from([0, 1, 3, 8, 64, 100, 2**21]))
    return sweep


@st.composite
def scenario_files(draw):
    doc = {}
    for key in draw(st.lists(key_names, max_size=5, unique=True)):
        if key == "parameters":
            doc[key] = draw(parameter_tables())
        elif key == "sweep":
            doc[key] = draw(sweeps())
        elif key == "extends":
            doc[key] = draw(st.one_of(st.sampled_from(preset_names()), text))
        elif key in ("years", "villages", "households", "replications", "seed"):
            doc[key] = draw(st.one_of(st.integers(-2, 40), st.sampled_from([201, 100_001, 2**32]), values))
        else:
            doc[key] = draw(values)
    # keep accepted files cheap to run: small unless the draw set a size itself
    doc.setdefault("households", 12)
    doc.setdefault("years", 2)
    doc.setdefault("replications", 1)
    return doc


# --- scenario files ---------------------------------------------------------------------------


def _mentions_a_key(err: str, doc: dict) -> bool:
    keys = set()

    def walk(d, prefix=""):
        for k, v in d.items():
            keys.add(str(k))
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")

    walk(doc)
    words = ("TOML syntax", "extends", "sweep", "parameters", "provenance", "nested too deeply")
    return any(k and k in err for k in keys) or any(w in err for w in words)


@settings(max_examples=FILE_CASES, **SETTINGS)
@given(doc=st.one_of(scenario_files(), valid_files()))
def test_a_generated_scenario_file_validates_runs_or_is_refused_in_words(doc, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.toml"
        path.write_text(toml_text(doc), encoding="utf-8")
        code = main(["validate", str(path)])
        out, err = capsys.readouterr()
        assert code in (0, 2) and "Traceback" not in err
        event("refused" if code == 2 else "accepted")
        if code == 2:
            assert err.startswith(f"huzhu validate: {path}") and _mentions_a_key(err, doc), err
            out_dir = Path(tmp) / "out"
            assert main(["run", str(path), "--out", str(out_dir), "--quiet", "--workers", "1"]) == 2
            assert capsys.readouterr().err.startswith(f"huzhu run: {path}")
            assert not out_dir.exists()
            return
        sc = scenarios.load(path)
        plan = plan_batch([sc])
        assert plan.n_runs == sc.n_points * sc.replications >= 1
        first = plan.chunk(0)
        assert first.n_runs == len(plan.chunk_range(0))
        p = sc.params
        if p.households * p.villages * sc.years * min(plan.n_runs, 4) <= 2_000 and plan.n_runs <= 4:
            event("ran")
            res = scenarios.run(sc, out=Path(tmp) / "run", workers=1, progress=False)
            assert res.complete and res.n_runs == plan.n_runs


# --- the Python API ---------------------------------------------------------------------------

TINY = 'name = "tiny"\nyears = 2\nhouseholds = 12\nreplications = 1\nseed = 9\n'
# each argument: good values, then bad ones; a refusal must name the argument
ARGUMENTS = {
    "workers": ([1], [0, -1, "2", 1.5, True]),
    "chunk_runs": ([None, 1], [0, "x", 2.0, False]),
    "reps": ([None, 1, 2], [0, -1, "3", 1.5, 10**9]),
    "years": ([None, 1, 2], [0, 201, "2"]),
    "seed": ([None, 0, 5], [-1, 2**32, "s"]),
    "dask": ([None], ["", "127.0.0.1", "tcp://", 5, "notascheme://x"]),
    "resume": ([False], ["yes", 1, None]),
    "progress": ([False], [None, "no"]),
}


@st.composite
def api_calls(draw):
    kwargs, bad = {}, []
    for name, (good, wrong) in ARGUMENTS.items():
        if draw(st.integers(0, 9)) == 0:
            kwargs[name] = draw(st.sampled_from(wrong))
            bad.append(name)
        else:
            kwargs[name] = draw(st.sampled_from(good))
    scenario = draw(st.sampled_from(["tiny"] * 9 + ["no_such_scenario", 5, "[]", "[tiny, 5]", "out"]))
    return scenario, kwargs, bad


COUNTER = itertools.count()


@settings(max_examples=API_CASES, **SETTINGS)
@given(call=api_calls())
def test_a_generated_api_call_runs_or_raises_input_error_naming_the_argument(call, tmp_path):
    scenario, kwargs, bad = call
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(TINY)
    arg = {"tiny": tiny, "no_such_scenario": "no_such_scenario", 5: 5, "[]": [], "[tiny, 5]": [tiny, 5], "out": None}
    out = tmp_path / f"out{next(COUNTER)}"
    given_out = 5 if scenario == "out" else out
    target = tiny if scenario == "out" else arg[scenario]
    try:
        res = scenarios.run(target, out=given_out, **kwargs)
    except InputError as err:
        event("refused")
        message = str(err)
        assert "\n" not in message
        names = {"reps": "reps", "chunk_runs": "chunk_runs"}
        named = [names.get(b, b) for b in bad] + (["scenario"] if scenario != "tiny" else [])
        named += ["out"] if scenario == "out" else []
        assert any(n in message for n in named), (message, named)
        assert not out.exists() or not any(out.iterdir())
        return
    event("ran")
    assert not bad and scenario == "tiny", f"accepted {kwargs}"
    assert res.complete and res.n_runs == (kwargs.get("reps") or 1)


# --- a failure at any write ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    spec = folder / "tiny.toml"
    spec.write_text(TINY.replace("replications = 1", "replications = 5"))
    res = scenarios.run(spec, out=folder / "out", workers=1, chunk_runs=1, progress=False)
    return spec, res.frame()


@settings(max_examples=CRASH_CASES, **SETTINGS)
@given(fail_at=st.integers(1, 12), errno_=st.sampled_from([28, 30, 5]))
def test_a_write_failing_at_any_point_leaves_nothing_that_looks_complete(whole, fail_at, errno_, monkeypatch, capsys):
    spec, expected = whole
    real = os.replace
    calls = itertools.count(1)

    def replace(src, dst):
        if next(calls) == fail_at:
            raise OSError(errno_, os.strerror(errno_))
        return real(src, dst)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        args = ["run", str(spec), "--out", str(out), "--workers", "1", "--chunk", "1", "--quiet"]
        with monkeypatch.context() as m:
            m.setattr(os, "replace", replace)
            code = main(args)
        err = capsys.readouterr().err
        assert "Traceback" not in err
        event(f"exit {code}")
        if code == 0:  # the failure fell after the last write
            assert scenarios.read_results(out).complete
            return
        assert code == 1 and len(err.strip().splitlines()) == 1 and os.strerror(errno_) in err
        assert not [p for p in out.rglob("*") if store.TEMPORARY.match(p.name)]
        manifest = out / "manifest.json"
        if manifest.exists():
            assert json.loads(manifest.read_text())["status"] != "complete"
            assert main([*args, "--resume"]) == 0
            pd.testing.assert_frame_equal(scenarios.read_results(out).frame(), expected)
