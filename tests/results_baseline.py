"""The committed results baseline: yearly metrics and household checksums of reference runs.

Every shipped preset is run for `YEARS` years with each seed of `SEEDS` (the preset's own
parameters, `HOUSEHOLDS` households), plus two configurations the presets do not reach (every
institution on, and a model of several villages). For each run the baseline keeps every metric of
every year (the DataCollector's rows, exactly, as JSON floats round-trip) and a SHA-256 of the
household table (`VillageModel.household_frame`) at the end of each year, and one of the
per-village table (the DataCollector's `villages`).

`tests/test_baseline.py` compares a fresh run with `tests/baseline/results.json` exactly. A change
of results is deliberate or a bug: regenerate with `make baseline` (this module as a script) and
say in the commit what changed and why.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np

from model import VillageModel
from model.metrics import CLASS_NAMES, ORIGIN_NAMES
from scenarios.loader import load, preset_names

PATH = Path(__file__).parent / "baseline" / "results.json"
SEEDS = (11, 2024)
YEARS = 10
HOUSEHOLDS = 120
# configurations beyond the presets: every institution on; several villages in one model
EXTRA = {
    "all_institutions": {
        "coops_max": 3,
        "coop_min_team_years": 1,
        "join_pressure": 0.5,
        "advanced_coop_year": 1956,
        "coop_credit": True,
        "coop_tax_rebate": 0.2,
        "supply_marketing_coop": True,
        "fund_portable": False,
        "fund_levy_rate": 0.05,
        "disaster_prob": 0.2,
    },
    "markets_banned": {
        "land_sale_policy": "banned",
        "land_rental_policy": "banned",
        "hired_labour_policy": "banned",
        "credit_policy": "banned",
        "animal_market_policy": "banned",
    },
    "three_villages": {"villages": 3, "households": 40},
}
# the household table's columns checked, in this order (numbers only; classes as their names' codes)
SNAPSHOT = (
    "village",
    "household",
    "position",
    "neighbourhood",
    "workers",
    "dependents",
    "land",
    "land_rented_in",
    "land_rented_out",
    "animals",
    "capital",
    "grain",
    "debt",
    "income",
    "wealth",
    "skill",
    "team",
    "coop",
)


def cases() -> dict[str, dict]:
    """The reference configurations by name: each preset's parameters, then the extras."""
    out = {}
    for name in preset_names():
        out[name] = {**load(name).params.model_dump(), "households": HOUSEHOLDS}
    base = out.get("liu_shaoqi_1951", {"households": HOUSEHOLDS})
    for name, changes in EXTRA.items():
        out[name] = {**base, "households": HOUSEHOLDS, **changes}
    return out


def snapshot_digest(model: VillageModel) -> str:
    """SHA-256 of the current household table: numeric columns as float64 bytes, classes as codes."""
    f = model.household_frame()
    h = hashlib.sha256()
    for col in SNAPSHOT:
        h.update(col.encode())
        h.update(np.ascontiguousarray(f[col].to_numpy(dtype=np.float64)).tobytes())
    # classes by their codes (positions in the names' lists), so renaming a class leaves the digest
    for col, names in (("origin_class", ORIGIN_NAMES), ("social_class", CLASS_NAMES)):
        codes = f[col].map({name: code for code, name in enumerate(names)}).to_numpy(dtype=np.int64)
        h.update(col.encode())
        h.update(np.ascontiguousarray(codes).tobytes())
    return h.hexdigest()


def run_case(params: dict, seed: int) -> dict:
    """One reference run: {"metrics": {name: [value per year]}, "households": [digest per year]}."""
    m = VillageModel(params=params, rng=seed)
    digests = []
    for _ in range(YEARS):
        m.step()
        digests.append(snapshot_digest(m))
    df = m.datacollector.get_model_vars_dataframe()
    metrics = {c: [_plain(v) for v in df[c].tolist()] for c in df.columns}
    villages = m.datacollector.get_table_dataframe("villages")
    table = hashlib.sha256(np.ascontiguousarray(villages.to_numpy(dtype=np.float64)).tobytes()).hexdigest()
    return {"metrics": metrics, "households": digests, "villages_table": table}


def _plain(v):
    v = float(v)
    return None if math.isnan(v) else v


def generate() -> dict:
    out = {}
    for name, params in cases().items():
        for seed in SEEDS:
            out[f"{name}/seed={seed}"] = run_case(params, seed)
    return out


def load_baseline() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


def main() -> int:
    print(f"regenerating the results baseline ({len(cases()) * len(SEEDS)} runs of {YEARS} years) ...", flush=True)
    data = generate()
    PATH.parent.mkdir(parents=True, exist_ok=True)
    tmp = PATH.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(PATH)
    print(f"wrote {PATH} ({len(data)} runs); say in the commit what changed and why")
    return 0


if __name__ == "__main__":
    sys.exit(main())
