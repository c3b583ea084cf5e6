"""A small synthetic results directory in the exact format `huzhu run` writes.

For tests, docs and benchmarks of the charts without running the model: values
follow simple made-up trends per scenario (more drift toward rich peasants where
markets are free, more organisation where the state presses), so every chart has
something to show. Nothing here is a model result.

>>> import tempfile
>>> d = write_synthetic(tempfile.mkdtemp(), scenarios=("a", "b"), reps=2, years=3)
>>> sorted(p.name for p in d.iterdir())
['households', 'manifest.json', 'runs']
"""

from __future__ import annotations

import itertools
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import NAMES, ORIGIN_NAMES
from model.params import field_info

PRESETS = (
    "shanxi_committee_1951",
    "north_china_bureau_1951",
    "liu_shaoqi_1951",
    "draft_resolution_1951",
    "high_tide_no_exit",
)
# (drift toward differentiation, organisation, co-ops) per preset; other names get middling values
_TRAITS = {
    "shanxi_committee_1951": (0.6, 0.7, 0.5),
    "north_china_bureau_1951": (0.8, 0.5, 0.1),
    "liu_shaoqi_1951": (1.0, 0.3, 0.0),
    "draft_resolution_1951": (0.7, 0.8, 0.4),
    "high_tide_no_exit": (0.3, 1.0, 1.0),
}
_SCENARIO_PARAMS = ("fund_portable", "fund_voting", "join_pressure", "exit_allowed", "coops_max", "land_sale_policy")


def _traits(name: str) -> tuple[float, float, float]:
    if name in _TRAITS:
        return _TRAITS[name]
    h = sum(map(ord, name)) % 7 / 7
    return 0.4 + 0.5 * h, 0.3 + 0.6 * (1 - h), 0.3 * h


def _metrics(rng: np.random.Generator, traits: tuple[float, float, float], t: np.ndarray, hh: int, x: dict) -> dict:
    drift, org, coop = traits
    drift = drift * (1 + x.get("land_price_years", 3.0) / 30) * (1 - 0.5 * x.get("fund_levy_rate", 0.0))
    org = min(1.0, org + 0.5 * x.get("join_pressure", 0.0))
    n = len(t)

    def noise(sd):
        return rng.normal(0, sd, n)

    rich = np.clip(0.02 + 0.006 * drift * t + noise(0.004), 0, 1)
    well = np.clip(0.10 + 0.010 * drift * t + noise(0.008), 0, 1)
    hired = np.clip(0.02 + 0.004 * drift * t + noise(0.004), 0, 1)
    poor = np.clip(0.05 + 0.004 * drift * t + noise(0.01), 0, 1)
    lower = np.clip(0.15 + 0.006 * t + noise(0.01), 0, 1)
    middle = np.clip(1 - rich - well - hired - poor - lower, 0, 1)
    tot = rich + well + hired + poor + lower + middle
    team = np.clip(org * (1 - np.exp(-(t + 1) / 2.5)) + noise(0.02), 0, 1)
    coop_rate = np.clip(coop * 0.4 * (1 - np.exp(-np.maximum(t - 1, 0) / 3)) + np.abs(noise(0.01)), 0, team)
    members = np.maximum(team * hh, 1)
    fund = np.cumsum(np.abs(200 * org * (1 + noise(0.2)))) * (1 + coop)
    gpp = 420 * (1 + noise(0.08)) * (1 + 0.01 * t * (1 - drift / 3))
    out = {
        "households": np.round(hh * (1 + 0.01 * t)),
        "population": np.round(hh * 4.6 * (1 + 0.012 * t)),
        "total_land": np.full(n, hh * 4.6 * 2.9),
        "gini_land": np.clip(0.18 + 0.015 * drift * t + noise(0.01), 0, 1),
        "gini_land_household": np.clip(0.20 + 0.006 * drift * t + noise(0.01), 0, 1),
        "gini_income": np.clip(0.25 + 0.012 * drift * t + noise(0.02), 0, 1),
        "gini_wealth": np.clip(0.30 + 0.018 * drift * t + noise(0.015), 0, 1),
        "top10_land_share": np.clip(0.17 + 0.01 * drift * t + noise(0.008), 0, 1),
        "share_hired_labourer": hired / tot,
        "share_poor": poor / tot,
        "share_lower_middle": lower / tot,
        "share_middle": middle / tot,
        "share_well_off_middle": well / tot,
        "share_rich": rich / tot,
        "grain_per_head": gpp,
        "poverty_rate": np.clip(0.12 + 0.004 * drift * t - 0.05 * org + noise(0.02), 0, 1),
        "land_sold": np.abs(hh * 0.05 * drift * (1 + noise(0.5))),
        "land_foreclosed": np.abs(hh * 0.08 * drift * (1 + noise(0.5))),
        "distress_sales": rng.poisson(hh * 0.01 * drift + 0.1, n).astype(float),
        "hired_labour_share": np.clip(0.05 + 0.01 * drift * t + noise(0.01), 0, 1),
        "debt_total": np.abs(hh * 80 * drift * (1 + 0.05 * t) * (1 + noise(0.1))),
        "land_rented": np.abs(hh * 0.4 * drift * (1 + 0.03 * t) * (1 + noise(0.2))),
        "divisions": rng.poisson(hh * 0.02, n).astype(float),
        "animals_per_household": np.clip(0.3 + 0.01 * t + noise(0.02), 0, None),
        "team_membership_rate": team,
        "teams": np.round(team * hh / 8),
        "team_joins": rng.poisson(hh * 0.05 * org, n).astype(float),
        "team_exits": rng.poisson(hh * 0.03 * drift * (1 - org / 2) + 0.01, n).astype(float),
        "teams_disbanded": rng.poisson(0.5 * drift * (1 - org / 2) + 0.01, n).astype(float),
        "manor_teams": rng.poisson(0.2 * drift * (1 + t / 5), n).astype(float),
        "coop_membership_rate": coop_rate,
        "coops": np.round(coop_rate * hh / 20),
        "public_fund_total": fund,
        "fund_per_member": fund / members,
        "fund_forfeited": np.abs(30 * coop * drift * (1 + noise(0.5))),
        "welfare_paid": np.abs(fund * 0.1 * (1 + noise(0.2))),
        "effort_mean": np.clip(1 - 0.05 * coop * t / 3 + noise(0.01), 0, 1),
        "grain_per_head_team": gpp * 1.03,
        "grain_per_head_coop": gpp * (1.05 - 0.02 * coop * t / 5),
        "grain_per_head_alone": gpp * 0.98,
        "land_sold_share": np.abs(0.004 * drift * (1 + noise(0.5))),
        "sellers_cumulative": np.clip(0.02 + 0.005 * drift * t, 0, 1),
        "tenancy_share": np.clip(0.07 * drift * np.exp(-t / 8) + np.abs(noise(0.005)), 0, 1),
        "migrants": np.where(t < 7, 0.004 + np.abs(noise(0.001)), 0.0),
        "procurement": np.zeros(n),
        "tax_share": np.clip(0.1 + noise(0.01), 0, 1),
        "teams_formed": rng.poisson(0.5 + 2 * org * np.exp(-t / 3), n).astype(float),
        "teams_lasting_year": np.round(team * hh / 8 * 0.95),
        "coop_size_mean": np.where(coop_rate > 0, 20.0 * (1 + 0.02 * t), 0.0),
        "coop_exit_rate": np.where(coop_rate > 0, np.clip(0.01 + noise(0.005), 0, 1), 0.0),
    }
    # metrics added to the model later than this file get a small positive stand-in
    return {k: out[k] if k in out else np.abs(noise(1.0)) for k in NAMES}


def _households(rng, traits, scenario, run_id, village, year, t, n) -> pd.DataFrame:
    drift = traits[0]
    sigma = 0.15 + 0.06 * drift * t
    workers = rng.integers(1, 4, n)
    dependents = rng.integers(0, 5, n)
    persons = workers + dependents
    land = 2.9 * persons * rng.lognormal(-(sigma**2) / 2, sigma, n)
    income = 330 * persons * rng.lognormal(0, sigma + 0.1, n)
    rank = np.argsort(np.argsort(land / persons)) / n
    cls = np.select(
        [rank < 0.04 * drift, rank < 0.1, rank < 0.3, rank < 0.85, rank < 1 - 0.04 * drift],
        ["hired_labourer", "poor", "lower_middle", "middle", "well_off_middle"],
        "rich",
    )
    team = np.where(rng.random(n) < traits[1] * 0.7, rng.integers(0, max(n // 8, 1), n), -1)
    return pd.DataFrame(
        {
            "scenario": scenario,
            "run_id": run_id,
            "replicate": 0,
            "village": village,
            "year": year,
            "household": np.arange(n),
            "position": rng.permutation(n),
            "workers": workers,
            "dependents": dependents,
            "land": land,
            "land_rented_in": np.where(cls == "poor", rng.random(n) * 3, 0.0),
            "land_rented_out": np.where(cls == "rich", rng.random(n) * 5, 0.0),
            "animals": rng.poisson(0.3 + (cls == "rich") * 1.5, n),
            "capital": rng.gamma(2, 20, n) * persons,
            "grain": rng.gamma(2, 200, n),
            "debt": np.where(rng.random(n) < 0.3, rng.gamma(2, 100, n), 0.0),
            "income": income,
            "wealth": land * 300 + income,
            "origin_class": rng.choice(ORIGIN_NAMES, n, p=[0.04, 0.03, 0.5, 0.38, 0.05]),
            "social_class": cls,
            "team": team,
            "coop": np.where((team >= 0) & (rng.random(n) < traits[2] * 0.5), 0, -1),
        }
    )


def _points(sweep: dict[str, Any] | None, seed: int) -> tuple[list[dict[str, float]], dict[str, Any]]:
    if not sweep:
        return [{}], {"kind": "none"}
    kind = sweep["kind"]
    if kind == "grid":
        names = list(sweep["parameters"])
        combos = itertools.product(*(sweep["parameters"][n] for n in names))
        return [dict(zip(names, c, strict=True)) for c in combos], {"kind": "grid", "parameters": sweep["parameters"]}
    if kind == "sobol":
        from SALib.sample import sobol

        problem = sweep["problem"]
        second = bool(sweep.get("second_order", False))
        X = sobol.sample(problem, sweep["N"], calc_second_order=second, seed=seed)
        pts = [dict(zip(problem["names"], map(float, row), strict=True)) for row in X]
        spec = {
            "kind": "sobol",
            "parameters": {
                n: {"min": b[0], "max": b[1]} for n, b in zip(problem["names"], problem["bounds"], strict=True)
            },
        }
        return pts, {
            **spec,
            "samples": sweep["N"],
            "second_order": second,
            "problem": problem,
            "N": sweep["N"],
            "points": len(pts),
        }
    if kind == "latin":
        from SALib.sample import latin

        problem = sweep["problem"]
        X = latin.sample(problem, sweep["N"], seed=seed)
        pts = [dict(zip(problem["names"], map(float, row), strict=True)) for row in X]
        return pts, {"kind": "latin", "samples": sweep["N"], "problem": problem, "N": sweep["N"], "points": len(pts)}
    raise ValueError(f"synthetic sweeps are grid, latin or sobol, not {kind!r}")


def write_synthetic(
    out: str | Path,
    scenarios: tuple[str, ...] = PRESETS,
    reps: int = 5,
    years: int = 10,
    villages: int = 1,
    households: int = 60,
    sweep: dict[str, Any] | None = None,
    snapshot_years: tuple[int, ...] | None = None,
    seed: int = 0,
    parts: int = 2,
    common_seeds: bool = False,
) -> Path:
    """Write a synthetic results directory and return its path.

    `sweep` is None, ``{"kind": "grid", "parameters": {name: [values...]}}`` or
    ``{"kind": "sobol" or "latin", "problem": {...SALib problem...}, "N": 8}``; swept values
    nudge the made-up trends so heatmaps and indices are not flat. With
    `common_seeds`, run k of every scenario gets the same seed (as the batch
    runner does), so scenario differences can be paired.
    """
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    (out / "households").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    points, sweep_spec = _points(sweep, seed)
    cal = np.arange(1951, 1951 + years)
    t = np.arange(years, dtype=float)
    snaps = snapshot_years or tuple(sorted({int(cal[0]), int(cal[years // 2]), int(cal[-1])}))
    rows, hh_frames, status = [], [], []
    run_id = 0
    for name in scenarios:
        traits = _traits(name)
        for point, x in enumerate(points):
            for rep in range(reps):
                run_seed = int(rng.integers(2**31)) if not common_seeds else 1000 + point * reps + rep
                status.append(
                    {
                        "run_id": run_id,
                        "scenario": name,
                        "point": point,
                        "replicate": rep,
                        "seed": run_seed,
                        "status": "done",
                    }
                )
                for v in range(villages):
                    m = _metrics(rng, traits, t, households, x)
                    frame = pd.DataFrame(m)
                    ids = {"scenario": name, "run_id": run_id, "replicate": rep, "seed": run_seed}
                    frame.insert(0, "village", v)
                    frame.insert(0, "year", cal)
                    for k in reversed(list(x)):
                        frame.insert(0, k, x[k])
                    for col in ("seed", "replicate", "run_id", "scenario"):
                        frame.insert(0, col, ids[col])
                    rows.append(frame)
                    if rep == 0:
                        for y in snaps:
                            hh_frames.append(_households(rng, traits, name, run_id, v, y, y - 1951, households))
                run_id += 1
    runs = pd.concat(rows, ignore_index=True)
    hh = pd.concat(hh_frames, ignore_index=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(runs)), parts)):
        runs.iloc[chunk].to_parquet(out / "runs" / f"part-{i:04d}.parquet", index=False)
    for i, chunk in enumerate(np.array_split(np.arange(len(hh)), parts)):
        hh.iloc[chunk].to_parquet(out / "households" / f"part-{i:04d}.parquet", index=False)
    manifest = {
        "format": 1,
        "note": "synthetic results for testing the charts; not model output",
        "scenarios": [_scenario_entry(name, sweep_spec) for name in scenarios],
        "sweep": sweep_spec,
        "swept": list(points[0]),
        "replicates": reps,
        "years": years,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__},
        "seeds": {"base_seed": seed},
        "runs": status,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return out


def _scenario_entry(name: str, sweep_spec: dict[str, Any]) -> dict[str, Any]:
    params = {p: field_info(p)["default"] for p in _SCENARIO_PARAMS}
    prov = {
        p: {"document": field_info(p)["source"], "passage": field_info(p)["passage"]}
        for p in _SCENARIO_PARAMS
        if field_info(p)["source"]
    }
    return {
        "name": name,
        "description": f"Synthetic stand-in for the scenario '{name}'.",
        "parameters": params,
        "provenance": prov,
        "sweep": sweep_spec,
    }
