"""A resolved scenario: validated parameters, run sizes, provenance and the sweep's points."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from model.params import Params, field_info, make_params
from scenarios import sweep as sweeps
from scenarios.schema import Sweep


@dataclass(frozen=True)
class Scenario:
    """One scenario, as `scenarios.load` resolves it (after `extends` and validation)."""

    name: str
    description: str
    source: str  # "preset NAME" or the file's path
    lineage: tuple[str, ...]  # the `extends` chain, root first, this file last
    years: int
    replications: int
    seed: int
    params: Params  # the base parameters (schema defaults overridden by the file)
    overrides: dict[str, Any]  # the parameters the file (or its ancestors) set
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    sweep: Sweep | None = None

    @cached_property
    def points(self) -> list[dict[str, Any]]:
        """The swept values of each parameter point, in a fixed order ([{}] without a sweep)."""
        return [self.point(i) for i in range(self.n_points)]

    @cached_property
    def _sample(self):
        """The SALib sample of a latin or sobol sweep (None for the others): d numbers per point."""
        if self.sweep is None or self.sweep.kind not in ("latin", "sobol"):
            return None
        return sweeps.sample(self.sweep, self.seed)

    def point(self, index: int) -> dict[str, Any]:
        """The swept values of point `index` (the others are not listed)."""
        return sweeps.point_at(self.sweep, index, self._sample)

    @property
    def shadowed(self) -> list[str]:
        """Parameters set in [parameters] and swept too: the sweep's values are the ones used."""
        return [n for n in self.swept if n in self.overrides]

    @property
    def swept(self) -> list[str]:
        """Names of the swept parameters."""
        return list(self.sweep.parameters) if self.sweep else []

    @property
    def n_points(self) -> int:
        return sweeps.size(self.sweep)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    @property
    def start_year(self) -> int:
        return self.params.start_year

    def params_at(self, point: dict[str, Any]) -> Params:
        """The full parameters of one point of the sweep."""
        return make_params(self.params, **point) if point else self.params

    def with_overrides(self, **changes: Any) -> Scenario:
        """A copy with years, replications or seed replaced (None leaves a value as it is)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes) if changes else self

    def provenance_of(self, name: str) -> dict[str, Any] | None:
        """Where a value comes from: the file's own provenance, else the schema's source and passage."""
        if name in self.provenance:
            return {**self.provenance[name], "from": "scenario"}
        info = field_info(name)
        if info["source"]:
            return {"document": info["source"], "passage": info["passage"], "note": None, "from": "schema"}
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the scenario as resolved (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "lineage": list(self.lineage),
            "years": self.years,
            "replications": self.replications,
            "seed": self.seed,
            "start_year": self.start_year,
            "parameters": self.params.model_dump(),
            "overrides": dict(self.overrides),
            "provenance": self.provenance,
            "sweep": self.sweep_record(),
        }

    def sweep_record(self) -> dict[str, Any] | None:
        """The sweep as stored in the manifest: kind, values or ranges, and SALib's problem when sampled."""
        if self.sweep is None:
            return None
        rec = self.sweep.model_dump()
        if self.sweep.kind in ("latin", "sobol"):
            rec["problem"] = sweeps.problem(self.sweep)
            rec["N"] = self.sweep.samples
            rec["seed"] = self.seed
        rec["points"] = self.n_points
        return rec
