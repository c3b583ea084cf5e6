"""The shape of a scenario file, as pydantic models (unknown keys are refused).

A scenario file is TOML::

    name = "shanxi_committee_1951"
    description = "What position this stands for and what was left out."
    extends = "north_china_bureau_1951"   # optional: a preset name or a relative path
    years = 30
    villages = 1
    households = 250
    replications = 10
    seed = 1951

    [parameters]            # any field of model.params.Params
    fund_portable = false

    [provenance.fund_portable]
    document = "Shanxi Provincial Committee, 17 Apr 1951"
    passage = "Not portable upon leaving the group."

    [sweep]                 # optional
    kind = "grid"           # grid | zip | latin | sobol
    [sweep.parameters]
    fund_levy_rate = [0.0, 0.03, 0.06]          # grid, zip: the values
    # join_pressure = { min = 0.0, max = 1.0 }  # latin, sobol: a range
    # samples = 64                              # latin, sobol: how many (sobol: N, a power of 2)

The parameter values themselves are checked by the one parameter schema
(`model.params.Params`); these models only check the file's own keys.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SweepKind = Literal["grid", "zip", "latin", "sobol"]
SAMPLED_KINDS = ("latin", "sobol")

# Run-size limits of the file's own keys (the model's parameters have theirs in Params).
MAX_YEARS = 200
MAX_REPLICATIONS = 100_000
MAX_SEED = 2**32 - 1
# Sobol (Saltelli) base samples below this are refused. Checked with SALib on the Ishigami function
# (3 inputs): N = 1-2 gives indices outside 0-1 (up to 3.4) or intervals of +-500; N = 8-16 gives
# 95% intervals of +-0.3 to 0.7 and a total index a third of its true value; from N = 64 the
# intervals are at most +-0.25 and the estimates lie within them.
MIN_SOBOL_SAMPLES = 64


class Range(BaseModel):
    """A range of a numeric parameter for Latin hypercube or Sobol sampling."""

    model_config = ConfigDict(extra="forbid", strict=True)

    min: float = Field(description="lowest value sampled")
    max: float = Field(description="highest value sampled")


class Sweep(BaseModel):
    """Parameter values to vary: every combination (grid), side by side (zip), or sampled ranges."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: SweepKind = Field("grid", description="grid (every combination), zip (lists taken together), latin or sobol")
    parameters: dict[str, list[Any] | Range] = Field(
        description="parameter -> list of values, or {min, max} for sampling"
    )
    samples: int | None = Field(
        None, ge=1, le=1_000_000, description="latin: points drawn; sobol: base sample N (a power of 2)"
    )
    second_order: bool = Field(True, description="sobol: also sample for second-order indices")


class Provenance(BaseModel):
    """The document and the quoted passage a policy value encodes."""

    model_config = ConfigDict(extra="forbid", strict=True)

    document: str = Field(min_length=1, description="the document, its author and date")
    passage: str = Field(min_length=1, description="the passage quoted verbatim")
    note: str | None = Field(None, description="how the passage is read into the value, where it is not plain")


class ScenarioFile(BaseModel):
    """The keys one scenario file may hold (before `extends` is resolved)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # the name becomes part of folder names and of every results row: keep it a plain word
    name: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$", description="scenario name (defaults to the file name)"
    )
    description: str | None = Field(None, description="what position this stands for and what was left out")
    extends: str | None = Field(None, min_length=1, description="a preset name or a path relative to this file")
    years: int | None = Field(None, ge=1, le=MAX_YEARS, description="years simulated (default 30: 1951-1980)")
    villages: int | None = Field(None, ge=1, le=100_000, description="villages per run")
    households: int | None = Field(None, ge=2, le=100_000, description="households per village at the start")
    replications: int | None = Field(None, ge=1, le=MAX_REPLICATIONS, description="runs per parameter point")
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="master seed; each run's seed derives from it")
    parameters: dict[str, Any] = Field(default_factory=dict, description="model parameters (model.params.Params)")
    provenance: dict[str, Provenance] = Field(default_factory=dict, description="parameter -> document and passage")
    sweep: Sweep | None = Field(None, description="values to vary")


TOP_KEYS: tuple[str, ...] = tuple(ScenarioFile.model_fields)
SWEEP_KEYS: tuple[str, ...] = tuple(Sweep.model_fields)
PROVENANCE_KEYS: tuple[str, ...] = tuple(Provenance.model_fields)

# Defaults applied after `extends` is resolved.
DEFAULTS: dict[str, Any] = {"years": 30, "replications": 10, "seed": 1951}


def allowed_words(model: type[BaseModel], key: str) -> str:
    """Words for what a file key accepts, from the model's own field constraints."""
    f = model.model_fields[key]
    lo = hi = None
    for m in f.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    text = {
        "name": "a plain name: letters, digits, '_', '-', '.', '+' (no spaces)",
        "description": "a string",
        "extends": "a preset name or a relative path to a .toml file",
        "parameters": "a table of parameters",
        "provenance": "a table of [provenance.PARAMETER] tables with document and passage",
        "sweep": "a [sweep] table with kind and parameters",
        "kind": "one of 'grid', 'zip', 'latin', 'sobol'",
        "second_order": "true or false",
        "document": "a non-empty string",
        "passage": "a non-empty string",
        "note": "a string",
        "min": "a number",
        "max": "a number",
    }.get(key)
    if text:
        return text
    if lo is not None and hi is not None:
        return f"a whole number from {lo} to {hi}"
    return f.description or "a valid value"
