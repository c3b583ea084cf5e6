"""Speed and memory of the village model, side by side with Mesa's Boltzmann wealth example.

Run: python benchmarks/bench_model.py [--quick]
Prints a table; the figures measured go into benchmarks/RESULTS.md by hand.

1. 250 households x 30 years, metrics on, median of 20 runs; Boltzmann at N=250, 30 steps;
   and the same village with every institution on (co-ops, pressure, state credit).
2. 10k, 100k and 1M households (40, 400, 4000 villages of 250) x 10 years on one core:
   seconds and peak memory (each size in a fresh process, so peaks don't mix); the 1M run
   also with every institution on.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

# teams (on by default) plus co-ops, pressure toward the 40% target, advanced co-ops, state credit and
# the supply-and-marketing co-op: every institutional phase does its work every year
ALL_INSTITUTIONS = dict(
    coops_max=3,
    coop_min_team_years=1,
    join_pressure=0.5,
    advanced_coop_year=1960,
    coop_credit=True,
    coop_tax_rebate=0.2,
    supply_marketing_coop=True,
    fund_portable=False,
)


def small(runs: int = 20) -> dict:
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    from model import VillageModel

    def timed(make):
        out = []
        for i in range(runs):
            t = time.perf_counter()
            make(i)
            out.append(time.perf_counter() - t)
        return statistics.median(out)

    def village(i):
        m = VillageModel(households=250, rng=i)
        m.run_for(30)

    def all_institutions(i):
        m = VillageModel(households=250, rng=i, **ALL_INSTITUTIONS)
        m.run_for(30)

    def boltzmann(i):
        m = BoltzmannWealth(BoltzmannScenario(n=250, width=16, height=16, rng=i))
        for _ in range(30):
            m.step()

    v, b, a = timed(village), timed(boltzmann), timed(all_institutions)
    return {
        "huzhu_ms": v * 1e3,
        "boltzmann_ms": b * 1e3,
        "all_institutions_ms": a * 1e3,
        "huzhu_household_years_per_s": 250 * 30 / v,
        "boltzmann_agent_steps_per_s": 250 * 30 / b,
    }


def large(villages: int, years: int = 10, institutions: bool = False) -> dict:
    from model import VillageModel

    extra = ALL_INSTITUTIONS if institutions else {}
    t = time.perf_counter()
    m = VillageModel(households=250, villages=villages, rng=1, pooled_metrics=False, **extra)
    init = time.perf_counter() - t
    m.run_for(years)
    total = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"households": 250 * villages, "years": years, "init_s": init, "total_s": total, "peak_mb": peak_mb}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 1M-household run")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--all", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(large(a.one, institutions=a.all)))
        return
    s = small()
    print(
        f"250 households x 30 years: huzhu {s['huzhu_ms']:.1f} ms/run (median), Boltzmann {s['boltzmann_ms']:.1f} ms/run"
    )
    print(
        f"  household-years/s {s['huzhu_household_years_per_s']:,.0f}; Boltzmann agent-steps/s {s['boltzmann_agent_steps_per_s']:,.0f}"
    )
    print(f"  with every institution on (co-ops, pressure, state credit): {s['all_institutions_ms']:.1f} ms/run")
    sizes = [(40, False), (400, False)] if a.quick else [(40, False), (400, False), (4000, False), (4000, True)]
    for v, institutions in sizes:
        args = [sys.executable, __file__, "--one", str(v)] + (["--all"] if institutions else [])
        r = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
        print(
            f"{r['households']:>9,} households x {r['years']} years{' (every institution on)' if institutions else ''}: "
            f"{r['total_s']:.2f} s (init {r['init_s']:.2f} s), peak {r['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
