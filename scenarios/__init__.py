"""Scenario files, their validation, sweeps, the batch runner and its results directories.

>>> import scenarios
>>> sc = scenarios.load("shanxi_committee_1951")
>>> sc.params.fund_portable, sc.years
(False, 30)
"""

from scenarios.loader import load, preset_names
from scenarios.results import Results, read_results
from scenarios.runner import run
from scenarios.scenario import Scenario

__all__ = ["Results", "Scenario", "load", "preset_names", "read_results", "run"]
