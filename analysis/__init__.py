"""Summaries, charts and reports of huzhu results.

Modules: `results` (read a results directory), `summary` (means, medians and 95%
intervals across runs, scenario differences, household inequality), `style` (the
one chart style and colours), `charts` (the chart set), `report` (one
self-contained HTML file), `commands` (`huzhu plot`, `huzhu report`) and
`synthetic` (a made-up results directory in the same format, for tests).

>>> import tempfile
>>> from analysis.synthetic import write_synthetic
>>> from analysis.results import load
>>> from analysis.summary import end_state
>>> res = load(write_synthetic(tempfile.mkdtemp(), scenarios=("liu_shaoqi_1951",), reps=4, years=3))
>>> end_state(res, ["gini_land"])[["scenario", "year", "n"]].values.tolist()
[['liu_shaoqi_1951', 1953, 4]]
"""
