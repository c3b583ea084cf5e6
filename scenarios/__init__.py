"""Scenario files, their validation, the batch runner and the command line.

>>> import scenarios
>>> sc = scenarios.load("shanxi_committee_1951")
>>> sc.params.fund_portable, sc.years
(False, 30)
"""

from scenarios.batch import BatchResult, read_results, run
from scenarios.loader import load, preset_names
from scenarios.scenario import Scenario

__all__ = ["BatchResult", "Scenario", "load", "preset_names", "read_results", "run"]
