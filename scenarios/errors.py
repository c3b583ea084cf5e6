"""Turning pydantic's validation errors on a scenario file into one clear line each.

Each line names the key path (e.g. ``parameters.fund_levy_rate``), the value given
and what is allowed; an unknown key names the closest valid one.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from model.params import FIELDS, allowed, describe_validation_error, unknown_name_message
from scenarios.schema import (
    PROVENANCE_KEYS,
    SWEEP_KEYS,
    TOP_KEYS,
    Provenance,
    Range,
    ScenarioFile,
    Sweep,
    allowed_words,
)

RANGE_KEYS = tuple(Range.model_fields)


def _unknown_key(loc: tuple) -> str:
    """Message for an unknown key at `loc`, suggesting the closest valid key at that level."""
    key = str(loc[-1])
    parent = ".".join(str(x) for x in loc[:-1])
    if len(loc) == 1:
        return unknown_name_message(key, TOP_KEYS, "key")
    if loc[0] == "sweep" and len(loc) == 2:
        return f"sweep: {unknown_name_message(key, SWEEP_KEYS, 'sweep key')}"
    if loc[0] == "provenance":
        return f"{parent}: {unknown_name_message(key, PROVENANCE_KEYS, 'provenance key')}"
    if loc[0] == "sweep":
        return f"{'.'.join(str(x) for x in loc[:3])}: {unknown_name_message(key, RANGE_KEYS, 'range key')}"
    return f"{parent}: unknown key '{key}'"


def _expected(loc: tuple) -> str:
    """What the key at `loc` accepts, in words."""
    if loc[0] == "sweep" and len(loc) == 4 and loc[1] == "parameters":
        return allowed_words(Range, str(loc[3]))
    if loc[0] == "sweep" and len(loc) == 3 and loc[1] == "parameters":
        name = str(loc[2])
        what = allowed(name) if name in FIELDS else "values of the parameter"
        return f"a list of values for grid or zip, or {{ min = ..., max = ... }} for latin or sobol ({what})"
    owner: type[BaseModel] = ScenarioFile
    key = str(loc[-1])
    if loc[0] == "sweep" and len(loc) == 2:
        owner = Sweep
    elif loc[0] == "provenance" and len(loc) == 3:
        owner = Provenance
    if key not in owner.model_fields:
        return "a table"
    return allowed_words(owner, key)


def describe_file_error(err: ValidationError) -> list[str]:
    """One message per problem in a scenario file's own keys (not the model parameters)."""
    lines: list[str] = []
    for e in err.errors():
        loc = tuple(e["loc"])
        if loc[0] == "sweep" and len(loc) > 3 and loc[1] == "parameters":
            # a union (list of values, or a range): drop the branch name from the path and
            # report only the branch that matches what was given (a table is meant as a range)
            branch, loc = str(loc[3]), loc[:3] + loc[4:]
            if len(loc) == 3 and (branch == "Range" or isinstance(e.get("input"), dict)):
                continue
        if e["type"] == "extra_forbidden":
            msg = _unknown_key(loc)
        else:
            path = ".".join(str(x) for x in loc)
            if e["type"] == "missing":
                msg = f"{path} is missing: expected {_expected(loc)}"
            else:
                msg = f"{path} = {e.get('input')!r} is not allowed: expected {_expected(loc)}"
        if msg not in lines:
            lines.append(msg)
    return lines


def describe_parameter_error(err: ValidationError, prefix: str) -> list[str]:
    """Problems with model parameters, each naming its key path under `prefix`."""
    return describe_validation_error(err, prefix=prefix).splitlines()
