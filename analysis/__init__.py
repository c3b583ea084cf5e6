"""Summaries, charts, reports and class exercises of huzhu results.

A results directory is read by `scenarios.results.read_results`. Modules: `tidy`
(checked metric and parameter names, the long format), `summary` (means, medians
and 95% intervals across runs, scenario differences, household inequality),
`style` (the one chart style and colours), `charts` (the chart set), `report` (one
self-contained HTML file), `exercises` (the runs behind the class exercises'
instructor keys, defined in `exercise_data/`) and `synthetic` (a made-up results
directory in the same format, for tests). The commands that drive them
(`huzhu plot`, `huzhu report`, `huzhu exercises`) are in the `cli` package.

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> from analysis.summary import end_state
>>> from scenarios.results import read_results
>>> res = read_results(write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=4, years=3))
>>> end_state(res, ["gini_land"])[["scenario", "year", "n"]].values.tolist()
[['liu_shaoqi_1951', 1953, 4]]
"""
