"""Reading scenario files: TOML, `extends`, validation through the parameter schema.

`load("liu_shaoqi_1951")` or `load("my/file.toml")` returns a resolved
:class:`~scenarios.scenario.Scenario`; anything wrong in the file raises
`model.errors.InputError` whose message names the file and, for each problem,
the key path, the value and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.errors import InputError, ParameterError
from model.params import FIELDS, Params, closest, field_info, make_params, unknown_name_message
from scenarios.errors import describe_file_error, describe_parameter_error
from scenarios.scenario import Scenario
from scenarios.schema import DEFAULTS, MIN_SOBOL_SAMPLES, SAMPLED_KINDS, Range, ScenarioFile, Sweep
from scenarios.sweep import is_numeric

PRESETS_DIR = Path(__file__).parent / "presets"
# The class exercises' own scenarios (docs/exercises/), shipped with the package and named like presets.
EXERCISES_DIR = Path(__file__).parent / "exercises"
# `extends` chains longer than this are refused (a chain is a few files; this stops a runaway one).
MAX_EXTENDS = 32
# Keys the file sets at its top level that are also model parameters.
SIZE_KEYS = ("villages", "households")


def preset_names() -> list[str]:
    """Names of the shipped presets."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


def exercise_scenario_names() -> list[str]:
    """Names of the exercises' scenarios shipped with the package (run them by name, from anywhere)."""
    return sorted(p.stem for p in EXERCISES_DIR.glob("*.toml"))


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(".toml") or "/" in ref or "\\" in ref


def find(ref: str, base: Path | None = None) -> Path:
    """The file a scenario reference names: a shipped name (preset or exercise), or a path (relative to `base`)."""
    if not isinstance(ref, str) or not ref.strip():
        raise InputError(f"scenario {ref!r} is not allowed: expected a preset name or a path to a .toml file")
    if not _looks_like_path(ref):
        for folder in (PRESETS_DIR, EXERCISES_DIR):
            if (folder / f"{ref}.toml").is_file():
                return folder / f"{ref}.toml"
    path = Path(ref) if base is None else base / ref
    try:
        if path.is_file():
            return path
        there = path.exists()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        there = False
    if there:
        raise InputError(f"'{ref}' is not a file; expected a preset name or a path to a .toml file")
    shipped = [*preset_names(), *exercise_scenario_names()]
    stem = Path(ref).stem
    if _looks_like_path(ref) and stem in shipped:
        where = Path.cwd() if base is None else base
        raise InputError(
            f"no file '{ref}' (looked in {where}); a scenario of that name is shipped with huzhu: "
            f"give its name, '{stem}', instead of a path"
        )
    near = closest(ref, shipped)
    hint = f"did you mean '{near}'? " if near else ""
    return_hint = f"presets: {', '.join(preset_names())}; the exercises' scenarios: 'huzhu scenarios' lists them"
    raise InputError(f"no preset or file '{ref}'; {hint}{return_hint}")


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML of a file; a syntax error names the file, line and column."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: TOML syntax error: {err}") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    except RecursionError:
        raise InputError(f"{path}: arrays or tables nested too deeply to read") from None


def _fail(path: Path, lines: list[str]) -> InputError:
    if len(lines) == 1:
        return InputError(f"{path}: {lines[0]}")
    return InputError(f"{path}: {len(lines)} problems:\n  " + "\n  ".join(lines))


def _parse(path: Path) -> ScenarioFile:
    raw = read_toml(path)
    try:
        return ScenarioFile(**raw)
    except ValidationError as err:
        raise _fail(path, describe_file_error(err)) from None
    except RecursionError:
        raise InputError(f"{path}: values nested too deeply") from None


def _check_parameters(path: Path, values: dict[str, Any]) -> Params:
    """Parameter names and values checked by the one schema; errors name their key paths."""
    unknown = [n for n in values if n not in FIELDS]
    if unknown:
        raise _fail(path, [f"parameters: {unknown_name_message(n)}" for n in unknown])
    try:
        return Params(**values)
    except ValidationError as err:
        raise _fail(path, describe_parameter_error(err, "parameters.")) from None
    except RecursionError:
        raise InputError(f"{path}: parameters: values nested too deeply") from None


def _merge(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    """The file's keys with its `extends` ancestors folded in (child wins), and the chain of names."""
    resolved = path.resolve()
    if resolved in chain:
        names = " -> ".join(p.stem for p in (*chain, resolved))
        raise InputError(f"{path}: extends makes a cycle: {names}")
    if len(chain) >= MAX_EXTENDS:
        raise InputError(
            f"{chain[0]}: extends: a chain of more than {MAX_EXTENDS} files (it reaches {path}); "
            "a scenario extends a few files at most"
        )
    data = _parse(path)
    own = data.model_dump(exclude_unset=True)
    for key in SIZE_KEYS:
        if key in data.parameters:
            raise InputError(f"{path}: parameters.{key}: set '{key}' at the top level of the file, not in [parameters]")
    _check_parameters(path, data.parameters)  # here, so that an error names the file that holds the value
    if data.extends is None:
        return own, [path.stem]
    try:
        parent_path = find(data.extends, path.parent)
    except InputError as err:
        raise InputError(f"{path}: extends = {data.extends!r}: {err}") from None
    try:
        merged, lineage = _merge(parent_path, (*chain, resolved))
    except InputError as err:  # name both files: the one with the problem and the one that extends it
        raise InputError(f"{path}: in extends = {data.extends!r}: {err}") from None
    merged.pop("name", None)  # a name is never inherited
    params = {**merged.get("parameters", {}), **own.get("parameters", {})}
    # a passage quoted for the parent's value does not document the child's new value
    provenance = {k: v for k, v in merged.get("provenance", {}).items() if k not in own.get("parameters", {})}
    provenance.update(own.get("provenance", {}))
    merged.update({k: v for k, v in own.items() if k not in ("parameters", "provenance", "extends")})
    merged["parameters"], merged["provenance"] = params, provenance
    return merged, [*lineage, path.stem]


def _check_sweep(path: Path, sweep: Sweep, base: dict[str, Any]) -> None:
    """Sweep names and values checked against the parameter schema."""
    problems: list[str] = []
    kind = sweep.kind
    if not sweep.parameters:
        problems.append("sweep.parameters is empty: expected at least one parameter to vary")
    for name, spec in sweep.parameters.items():
        key = f"sweep.parameters.{name}"
        if name not in FIELDS:
            problems.append(f"sweep.parameters: {unknown_name_message(name)}")
            continue
        if field_info(name)["type"] == "path":  # a table per point: one scenario file per path instead
            problems.append(f"{key}: '{name}' is a table of years and cannot be swept; write one scenario per path")
            continue
        if kind in SAMPLED_KINDS:
            if not isinstance(spec, Range):
                problems.append(
                    f"{key}: kind '{kind}' samples a range: expected {{ min = ..., max = ... }}, not a list"
                )
                continue
            if not is_numeric(name):
                problems.append(f"{key}: '{name}' is not a number and cannot be sampled; use kind 'grid' with a list")
                continue
            if not spec.min < spec.max:
                problems.append(f"{key}: min ({spec.min}) must be below max ({spec.max})")
            ends = [spec.min, spec.max]
            ends = [int(v) if float(v).is_integer() else v for v in ends] if FIELDS[name].annotation is int else ends
            values = list(zip(("min", "max"), ends, strict=True))
        else:
            if isinstance(spec, Range):
                problems.append(f"{key}: a range needs kind 'latin' or 'sobol'; grid and zip take a list of values")
                continue
            if not spec:
                problems.append(f"{key} is empty: expected at least one value")
                continue
            values = [(f"[{i}]", v) for i, v in enumerate(spec)]
        for suffix, value in values:
            try:
                make_params(base, **{name: value})
            except ParameterError as err:
                text = str(err).split(": expected ", 1)[-1]
                sep = "." if suffix in ("min", "max") else ""
                problems.append(f"{key}{sep}{suffix} = {value!r} is not allowed: expected {text}")
    if kind == "zip":
        lengths = {n: len(v) for n, v in sweep.parameters.items() if isinstance(v, list)}
        if len(set(lengths.values())) > 1:
            got = ", ".join(f"{n}: {k}" for n, k in lengths.items())
            problems.append(f"sweep: kind 'zip' takes lists of one length; got {got}")
    if kind in SAMPLED_KINDS and sweep.samples is None:
        problems.append(f"sweep.samples is missing: kind '{kind}' needs the number of samples")
    if kind not in SAMPLED_KINDS and sweep.samples is not None:
        problems.append(f"sweep.samples = {sweep.samples}: only kinds 'latin' and 'sobol' take samples")
    if kind == "sobol" and sweep.samples is not None and sweep.samples & (sweep.samples - 1):
        problems.append(f"sweep.samples = {sweep.samples} is not allowed: expected a power of 2 for kind 'sobol'")
    elif kind == "sobol" and sweep.samples is not None and sweep.samples < MIN_SOBOL_SAMPLES:
        problems.append(
            f"sweep.samples = {sweep.samples} is not allowed: expected at least {MIN_SOBOL_SAMPLES} for kind "
            "'sobol' (fewer give indices whose 95% intervals span most of 0 to 1)"
        )
    if problems:
        raise _fail(path, problems)


def load_file(path: Path, preset: bool = False) -> Scenario:
    """Read, merge and validate one scenario file."""
    merged, lineage = _merge(path, ())
    merged.setdefault("name", path.stem)
    for key, value in DEFAULTS.items():
        merged.setdefault(key, value)
    parameters = dict(merged.get("parameters", {}))
    base = dict(parameters)
    for key in SIZE_KEYS:
        if merged.get(key) is not None:
            base[key] = merged[key]
    params = _check_parameters(path, base)
    problems = []
    for name in merged.get("provenance", {}):
        if name not in FIELDS:
            problems.append(f"provenance: {unknown_name_message(name)}")
        elif name not in base:
            problems.append(f"provenance.{name}: '{name}' is not set in [parameters]; provenance documents a value set")
    if problems:
        raise _fail(path, problems)
    sweep = Sweep(**merged["sweep"]) if merged.get("sweep") else None
    if sweep is not None:
        _check_sweep(path, sweep, base)
    return Scenario(
        name=merged["name"],
        description=" ".join(str(merged.get("description") or "").split()),
        source=f"preset {path.stem}" if preset else str(path),
        lineage=tuple(lineage),
        years=merged["years"],
        replications=merged["replications"],
        seed=merged["seed"],
        params=params,
        overrides=base,
        provenance={k: dict(v) for k, v in merged.get("provenance", {}).items()},
        sweep=sweep,
    )


def load(ref: str | Path) -> Scenario:
    """A scenario by preset name or file path, resolved and validated (InputError names what is wrong)."""
    if isinstance(ref, Scenario):
        return ref
    if not isinstance(ref, str | os.PathLike):
        raise InputError(
            f"scenario {ref!r} is not allowed: expected a preset name, a path to a .toml file or a Scenario"
        )
    path = find(os.fspath(ref))
    try:
        return load_file(path, preset=path.parent == PRESETS_DIR)
    except RecursionError:  # a structure too deep for a check not guarded above
        raise InputError(f"{path}: nested too deeply to check") from None
