"""Planning a batch: every run's id, seed and parameter point, grouped into chunks.

The plan depends only on the scenarios and the batch options (never on the number
of workers), so a batch resumed with other workers or on a cluster cuts the same
chunks, and a run's seed never depends on where or with whom it ran.

Seeds: run (point p, replicate r) of a scenario with master seed S gets
``SeedSequence(S, spawn_key=(p, r))``'s first 32-bit word. Two scenarios with the
same master seed therefore share seeds point by point (common random numbers), so
their differences are not blurred by different luck.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model.params import field_info
from scenarios.scenario import Scenario

# A chunk aims at about this many household-years of simulation: large enough that
# a part file and a task are not dominated by overhead, small enough that a killed
# batch loses little and a progress bar moves.
CHUNK_WORK = 200_000
MAX_CHUNK_RUNS = 64
# ...and a batch is cut into at least this many chunks (when it has the runs), so
# that every worker of a small machine gets work and the last chunk is not a long tail.
MIN_CHUNKS = 8
MIN_CHUNK_RUNS = 4


def run_seed(master: int, point: int, replicate: int) -> int:
    """The seed of one run, from the scenario's master seed, the point and the replicate."""
    return int(np.random.SeedSequence(master, spawn_key=(point, replicate)).generate_state(1)[0])


# replicates of each parameter point whose households are kept: enough to pool Lorenz curves and
# household tables over runs, bounded so that a large sweep's household files stay small
SNAPSHOT_REPLICATES = 10


def snapshot_years(scenario: Scenario) -> list[int]:
    """Years at which household states are kept: the first, middle and last simulated year."""
    first = scenario.start_year
    return sorted({first, first + scenario.years // 2, first + scenario.years - 1})


def default_chunk_runs(scenario: Scenario) -> int:
    """Runs per chunk for a scenario's size (households x villages x years)."""
    work = scenario.params.households * scenario.params.villages * scenario.years
    return max(1, min(MAX_CHUNK_RUNS, math.ceil(CHUNK_WORK / work)))


@dataclass
class Group:
    """Runs of one parameter point that one model call simulates together."""

    scenario: str
    point: int
    values: dict[str, Any]  # the swept values of this point (for the output columns)
    params: dict[str, Any]  # the full parameters
    years: int
    run_ids: list[int] = field(default_factory=list)
    replicates: list[int] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    snapshot_years: list[int] = field(default_factory=list)  # only when it holds a replicate that keeps them


@dataclass
class Chunk:
    """A unit of work and of output: one task, one part file in runs/ (and households/)."""

    index: int
    groups: list[Group] = field(default_factory=list)

    @property
    def n_runs(self) -> int:
        return sum(len(g.run_ids) for g in self.groups)


# Version of the seed derivation and of the cutting into chunks above: part of the fingerprint.
SCHEME = 2


@dataclass
class Plan:
    """Every run of a batch, cut into chunks, and what the output columns will be.

    Nothing is drawn up front: run `i` is the replicate `(i - first) % replications` of
    point `(i - first) // replications` of the scenario whose runs start at `first`, and
    chunk `k` holds runs `k * chunk_runs` up to the next chunk's first. `chunk(k)` builds
    one chunk when it is about to run, so the runner's memory does not grow with the
    number of runs or points.
    """

    scenarios: list[Scenario]
    swept: dict[str, str]  # swept parameter -> its type in the schema (union over scenarios)
    chunk_runs: int

    @property
    def n_runs(self) -> int:
        return sum(s.n_runs for s in self.scenarios)

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_runs / self.chunk_runs)

    @property
    def first_runs(self) -> list[int]:
        """The run id of each scenario's first run."""
        firsts, n = [], 0
        for s in self.scenarios:
            firsts.append(n)
            n += s.n_runs
        return firsts

    def chunk_range(self, index: int) -> range:
        """The run ids of chunk `index`."""
        return range(index * self.chunk_runs, min((index + 1) * self.chunk_runs, self.n_runs))

    def run(self, run_id: int) -> dict[str, Any]:
        """One run: run_id, scenario, point, replicate, seed and part."""
        if not 0 <= run_id < self.n_runs:
            raise IndexError(f"run {run_id} is not in this batch of {self.n_runs} runs")
        k = bisect.bisect_right(self.first_runs, run_id) - 1
        s = self.scenarios[k]
        p, r = divmod(run_id - self.first_runs[k], s.replications)
        return {
            "run_id": run_id,
            "scenario": s.name,
            "point": p,
            "replicate": r,
            "seed": run_seed(s.seed, p, r),
            "part": run_id // self.chunk_runs,
        }

    def iter_runs(self) -> Iterator[dict[str, Any]]:
        """Every run, in order (one at a time)."""
        return (self.run(i) for i in range(self.n_runs))

    def chunk(self, index: int) -> Chunk:
        """The groups of chunk `index`: one per parameter point it touches."""
        chunk = Chunk(index)
        firsts = self.first_runs
        group = None
        for run_id in self.chunk_range(index):
            k = bisect.bisect_right(firsts, run_id) - 1
            s = self.scenarios[k]
            p, r = divmod(run_id - firsts[k], s.replications)
            if group is None or group.scenario != s.name or group.point != p:
                params = s.params_at(s.point(p))
                values = {name: getattr(params, name) for name in self.swept}
                group = Group(s.name, p, values, params.model_dump(), s.years)
                chunk.groups.append(group)
            group.run_ids.append(run_id)
            group.replicates.append(r)
            group.seeds.append(run_seed(s.seed, p, r))
            if r < SNAPSHOT_REPLICATES:
                group.snapshot_years = snapshot_years(s)
        return chunk

    def chunks(self, skip: frozenset[int] | set[int] = frozenset()) -> Iterator[Chunk]:
        """The chunks in order, built one at a time, leaving out those in `skip`."""
        return (self.chunk(i) for i in range(self.n_chunks) if i not in skip)

    def largest_model(self) -> tuple[Scenario, int]:
        """The scenario with the largest model a chunk can build, and that model's replicates."""
        best = max(
            self.scenarios, key=lambda s: s.params.households * s.params.villages * min(s.replications, self.chunk_runs)
        )
        return best, min(best.replications, self.chunk_runs)

    def fingerprint(self) -> str:
        """A hash of everything that decides the results (to refuse resuming a different batch).

        The model's code is checked separately (`scenarios.runner.model_code`), so that
        a refusal can say which of the two changed.
        """
        key = {
            # where a file was read from does not change its results
            "scenarios": [{k: v for k, v in s.to_dict().items() if k != "source"} for s in self.scenarios],
            "chunk_runs": self.chunk_runs,
            "n_runs": self.n_runs,
            "scheme": SCHEME,
        }
        blob = json.dumps(key, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()


def make_plan(scenarios: list[Scenario], chunk_runs: int | None = None) -> Plan:
    """Cut the runs of the scenarios (in order: scenario, point, replicate) into chunks."""
    if chunk_runs is None:
        total = sum(s.n_runs for s in scenarios)
        cap = min(default_chunk_runs(s) for s in scenarios)
        chunk_runs = max(1, min(cap, max(MIN_CHUNK_RUNS, math.ceil(total / MIN_CHUNKS))))
        reps = {s.replications for s in scenarios}
        if len(reps) == 1 and (r := reps.pop()) <= cap:
            # whole points per chunk: a point split over two chunks pays the model's set-up twice
            chunk_runs = min(cap // r, max(1, round(chunk_runs / r))) * r
    swept: dict[str, str] = {}
    for s in scenarios:
        for name in s.swept:
            swept.setdefault(name, field_info(name)["type"])
    return Plan(list(scenarios), swept, chunk_runs)
