"""Expanding a sweep into parameter points: a full grid, zipped lists, or SALib samples.

The order of the points is part of the results' meaning (Sobol indices are computed
from the samples in SALib's order), so it is fixed: grid in the order the file lists
the parameters (the last one varies fastest), zip in list order, latin and sobol in
the sampler's order with the scenario's seed.
"""

from __future__ import annotations

from typing import Any

from model.params import field_info
from scenarios.schema import Range, Sweep


def is_numeric(name: str) -> bool:
    """Whether a parameter can be sampled from a range (numbers, not switches or choices)."""
    return field_info(name)["type"] in ("int", "float")


def problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem dict of a latin or sobol sweep (also stored in the manifest)."""
    names = list(sweep.parameters)
    bounds = [[r.min, r.max] for r in sweep.parameters.values() if isinstance(r, Range)]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _python(name: str, value: Any) -> Any:
    """A sampled value as the Python type the schema wants (whole numbers are rounded)."""
    if field_info(name)["type"] == "int":
        return int(round(float(value)))
    return float(value)


def sample(sweep: Sweep, seed: int):
    """The SALib sample of a latin or sobol sweep: an array, one row per point (d numbers each)."""
    # SALib is imported here: it is slow to import and only sampled sweeps need it
    if sweep.kind == "latin":
        from SALib.sample import latin

        return latin.sample(problem(sweep), sweep.samples, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem(sweep), sweep.samples, calc_second_order=sweep.second_order, seed=seed)


def point_at(sweep: Sweep | None, index: int, sampled=None) -> dict[str, Any]:
    """The swept values of point `index`, without listing the others (`sampled`: the SALib sample).

    >>> s = Sweep(kind="grid", parameters={"fund_levy_rate": [0.0, 0.1], "exit_allowed": [True, False]})
    >>> [point_at(s, i) for i in (0, 1, 3)]  # doctest: +NORMALIZE_WHITESPACE
    [{'fund_levy_rate': 0.0, 'exit_allowed': True}, {'fund_levy_rate': 0.0, 'exit_allowed': False},
     {'fund_levy_rate': 0.1, 'exit_allowed': False}]
    """
    if sweep is None:
        return {}
    names = list(sweep.parameters)
    if sweep.kind == "grid":
        values = {}
        for name in reversed(names):  # the last parameter varies fastest
            options = sweep.parameters[name]
            index, k = divmod(index, len(options))
            values[name] = options[k]
        return {n: values[n] for n in names}
    if sweep.kind == "zip":
        return {n: sweep.parameters[n][index] for n in names}
    return {n: _python(n, v) for n, v in zip(names, sampled[index], strict=True)}


def points(sweep: Sweep | None, seed: int) -> list[dict[str, Any]]:
    """The swept values of every parameter point ([{}] when nothing is swept); for small sweeps."""
    if sweep is None:
        return [{}]
    sampled = sample(sweep, seed) if sweep.kind in ("latin", "sobol") else None
    return [point_at(sweep, i, sampled) for i in range(size(sweep))]


def size(sweep: Sweep | None) -> int:
    """Number of parameter points, without drawing them."""
    if sweep is None:
        return 1
    lengths = [len(v) for v in sweep.parameters.values() if isinstance(v, list)]
    if sweep.kind == "grid":
        n = 1
        for k in lengths:
            n *= k
        return n
    if sweep.kind == "zip":
        return lengths[0] if lengths else 0
    if sweep.kind == "latin":
        return sweep.samples or 0
    d = len(sweep.parameters)
    return (sweep.samples or 0) * ((2 * d + 2) if sweep.second_order else (d + 2))
