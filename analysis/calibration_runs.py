"""The fast simulator calibration calls: the historical preset for a batch of parameter sets, and its statistics.

A particle is one set of the calibrated parameters; everything else is the preset
`historical_path_1951_1957` (250 households, 1951-1957). Each particle runs as one model
of `replicates` villages (one replicate per seed, packed as `model.batch` packs them);
particles cannot share a model, because a model holds one set of parameters for all its
villages. The yearly metrics are kept as one array (particle, replicate, year, metric) and
every target's statistic is computed from it at once, exactly as `analysis.targets.per_run`
computes it from a results frame: the metrics of a row added up year by year, the villages
of a run averaged, then value (mean over the row's years), sum, change, ratio (NaN where
the first year is 0) or direction (last minus first), then the mean over runs (NaN runs
left out). The test suite checks the two agree.

>>> from analysis import targets
>>> sim = Simulator(targets.load(), replicates=1)
>>> stats = sim.statistics(sim.run([{"choice_noise": 0.2}, {"choice_noise": 0.3}], seeds=[1, 2]))
>>> stats.shape == (2, len(sim.ids))
True

Seeds: `run` takes one seed per particle; a particle's replicates get seeds derived from it
(`replicate_seeds`). Under pyabc the particle's seed is drawn from numpy's global generator,
which `SeededClient` seeds for every batch of particles from the calibration's seed, the
generation and the batch's first job number; pyabc's own draws (the particles' parameters)
come from the same generator, so a calibration is reproducible from its seed on workers of
one thread each.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd

from analysis.targets import Target
from model.params import Params, make_params
from model.village import VillageModel

PRESET = "historical_path_1951_1957"
# the largest seed pyabc's side draws for a particle (numpy's legacy generator takes int64 bounds)
MAX_PARTICLE_SEED = 2**62


def preset_params(preset: str = PRESET) -> Params:
    """The parameters of the historical preset (the calibrated ones are replaced per particle)."""
    from scenarios.loader import load

    return load(preset).params


def preset_years(preset: str = PRESET) -> int:
    from scenarios.loader import load

    return load(preset).years


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The model seeds of a particle's replicates, derived from its seed."""
    if replicates == 1:
        return [int(seed)]
    return [int(s) for s in np.random.SeedSequence(int(seed)).generate_state(replicates, dtype=np.uint64)]


class Simulator:
    """Runs particles of the historical preset and computes the targets' statistics from their metrics."""

    def __init__(
        self,
        targets: Sequence[Target],
        replicates: int = 1,
        base: Params | None = None,
        years: int | None = None,
    ):
        self.base = base if base is not None else preset_params()
        self.years = int(years) if years is not None else preset_years()
        self.replicates = int(replicates)
        self.start = self.base.start_year
        last = self.start + self.years - 1
        self.targets = [t for t in targets if t.comparable and all(self.start <= y <= last for y in t.years)]
        self.ids = tuple(t.id for t in self.targets)
        self.metrics = tuple(dict.fromkeys(m for t in self.targets for m in t.metrics))
        col = {m: i for i, m in enumerate(self.metrics)}
        # per target: its metric columns (added up) and its years' rows
        self._columns = [np.array([col[m] for m in t.metrics]) for t in self.targets]
        self._years = [np.array([y - self.start for y in t.years]) for t in self.targets]

    # --- running ---------------------------------------------------------------------------------
    def run(self, particles: Sequence[dict[str, float]], seeds: Sequence[int]) -> np.ndarray:
        """The metrics of every particle: an array (particle, replicate, year, metric)."""
        if len(particles) != len(seeds):
            raise ValueError(f"{len(particles)} particles but {len(seeds)} seeds")
        out = np.empty((len(particles), self.replicates, self.years, len(self.metrics)))
        villages = self.base.villages
        for i, (theta, seed) in enumerate(zip(particles, seeds, strict=True)):
            p = make_params(self.base, **{k: float(v) for k, v in theta.items()}) if theta else self.base
            m = VillageModel(params=p, village_seeds=replicate_seeds(seed, self.replicates), pooled_metrics=False)
            for y in range(self.years):
                m.step()
                vm = m.village_metrics
                for j, name in enumerate(self.metrics):
                    # villages of a replicate are consecutive; a run's value is their mean
                    out[i, :, y, j] = np.asarray(vm[name], dtype=np.float64).reshape(self.replicates, villages).mean(1)
        return out

    # --- statistics, all particles at once ---------------------------------------------------------
    def per_run(self, table: np.ndarray) -> np.ndarray:
        """Each run's statistic: an array (particle, replicate, target), as `analysis.targets.per_run`."""
        out = np.empty(table.shape[:2] + (len(self.targets),))
        for k, t in enumerate(self.targets):
            # the row's metrics added up year by year (NaN if one is NaN, as pandas' sum with min_count)
            cols = table[:, :, self._years[k]][..., self._columns[k]].sum(axis=-1)
            first, last = cols[..., 0], cols[..., -1]
            if t.statistic == "value":
                out[:, :, k] = cols.mean(axis=-1)
            elif t.statistic == "sum":
                out[:, :, k] = cols.sum(axis=-1)
            elif t.statistic == "ratio":
                with np.errstate(divide="ignore", invalid="ignore"):
                    out[:, :, k] = np.where(first != 0, last / np.where(first != 0, first, 1.0), np.nan)
            else:  # change, direction
                out[:, :, k] = last - first
        return out

    def statistics(self, table: np.ndarray) -> np.ndarray:
        """Each particle's statistic per target (the mean over its runs, NaN runs left out): (particle, target)."""
        runs = self.per_run(table)
        counts = (~np.isnan(runs)).sum(axis=1)
        sums = np.nansum(runs, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    def frame(self, table: np.ndarray) -> pd.DataFrame:
        """The runs as a results frame (run_id, year, metrics), for `analysis.targets.evaluate`; run = particle x replicate."""
        P, R, Y, M = table.shape
        flat = table.reshape(P * R * Y, M)
        runs = np.repeat(np.arange(P * R), Y)
        years = np.tile(np.arange(self.start, self.start + Y), P * R)
        return pd.DataFrame(
            {"run_id": runs, "village": 0, "year": years, **dict(zip(self.metrics, flat.T, strict=True))}
        )


class ParticleModel:
    """The model pyabc calls: one particle's parameters in, its targets' statistics out.

    The particle's model seed is drawn from numpy's global generator, which `SeededClient`
    seeds for each batch: the same calibration seed gives the same particles and runs.
    """

    def __init__(self, simulator: Simulator):
        self.simulator = simulator
        self.__name__ = "historical_path"

    def __call__(self, pars: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, MAX_PARTICLE_SEED))
        sim = self.simulator
        stats = sim.statistics(sim.run([dict(pars)], [seed]))[0]
        return dict(zip(sim.ids, stats.tolist(), strict=True))


# --- pyabc's Dask sampler, seeded ----------------------------------------------------------------


def batch_seed(seed: int, generation: int, job: int) -> int:
    """The seed of one batch of particles: from the calibration's seed, the generation and the batch's first job."""
    return int(np.random.SeedSequence([int(seed), int(generation) + 1, int(job)]).generate_state(1)[0])


def seeded_batch(simulate_one_pickle: bytes, batch_size: int, job_ids: list[int], seed: int) -> list[tuple]:
    """One batch of particles in a worker: pyabc's submit function with a seed of its own instead of the clock's.

    pyabc's own (`pyabc.sampler.eps_mixin._global_full_submit_function_pickle`) reseeds from the
    operating system's entropy; this one seeds Python's and numpy's generators from `seed`.
    """
    simulate_one = cloudpickle.loads(simulate_one_pickle)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    out = []
    for j in range(batch_size):
        result = simulate_one()
        out.append((result, result.accepted, job_ids[j]))
    return out


class SeededClient:
    """What pyabc's `DaskDistributedSampler` sees as its client: each batch submitted with a derived seed.

    pyabc numbers the batches of a generation 0, batch_size, 2 * batch_size, ... and keeps the
    particles in that order up to the population's last accepted one, so with a seed per batch
    the accepted population does not depend on which worker finished first. `generation` is
    set by `SeededSampler` before each generation; `progress` is called as batches are submitted.
    """

    def __init__(self, client, seed: int, progress: Callable[[int], None] | None = None):
        self.client = client
        self.seed = int(seed)
        self.generation = -1
        self.submitted = 0
        self.progress = progress

    def submit(self, _fn, simulate_one_pickle, batch_size, job_ids):
        self.submitted += batch_size
        if self.progress is not None:
            self.progress(self.submitted)
        s = batch_seed(self.seed, self.generation, job_ids[0])
        return self.client.submit(seeded_batch, simulate_one_pickle, batch_size, job_ids, s, pure=False)

    def ncores(self):
        return self.client.ncores()

    def close(self):
        pass  # the calibration closes the real client itself


def seeded_sampler(client, seed: int, batch_size: int, progress: Callable[[int], None] | None = None):
    """pyabc's `DaskDistributedSampler(batch_size=...)` on `client`, every batch seeded from `seed`."""
    from pyabc.sampler import DaskDistributedSampler

    class SeededSampler(DaskDistributedSampler):
        def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
            self.client.generation = t
            return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)

    sampler = SeededSampler(dask_client=client, batch_size=batch_size)
    sampler.client = SeededClient(client, seed, progress)
    return sampler


def warm_worker(households: int = 40) -> float:
    """Load the compiled kernels in a worker (a small village for two years); the seconds it took."""
    t0 = time.perf_counter()
    m = VillageModel(params=make_params(preset_params(), households=households), village_seeds=[1])
    for _ in range(2):
        m.step()
    return time.perf_counter() - t0


def say(message: str) -> None:
    print(f"huzhu calibrate: {message}", file=sys.stderr, flush=True)


def draws_as_particles(frame: pd.DataFrame, names: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(names, row, strict=True)) for row in frame[list(names)].to_numpy().tolist()]


def prior_draws(priors, n: int, seed: int) -> list[dict[str, float]]:
    """`n` parameter sets drawn from the uniform priors, from `seed`."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 40]))
    u = rng.random((int(n), len(priors)))
    return [{p.name: float(p.low + (p.high - p.low) * x) for p, x in zip(priors, row, strict=True)} for row in u]


def prior_predictive(
    priors, targets: Sequence[Target], n: int, seed: int, base: Params | None = None, replicates: int = 1
) -> dict[str, float]:
    """The prior predictive check: for each comparable target, the share of `n` prior draws whose statistic (the
    mean over `replicates` runs, as the calibration computes it) meets it. A row met by fewer than
    `calibration.REACH_MIN` of the draws is out of the mechanisms' reach, or met only at the priors' edges, so
    fitting to it would bend the behaviour to make up for a missing mechanism: it belongs in the validation set,
    as a miss; a row every draw meets carries no information."""
    from analysis.calibration import band_distance

    sim = Simulator([t for t in targets if t.comparable], replicates=replicates, base=base)
    seeds = [int(s) for s in np.random.SeedSequence([int(seed), 41]).generate_state(int(n), dtype=np.uint64)]
    stats = sim.statistics(sim.run(prior_draws(priors, n, seed), seeds))
    return {t.id: float(np.mean([band_distance(t, v) == 0.0 for v in stats[:, k]])) for k, t in enumerate(sim.targets)}
