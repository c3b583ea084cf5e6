"""The figures an instructor key quotes: a small vocabulary of values computed from an exercise's runs.

An exercise's data file (``analysis/exercise_data/*.toml``) gives each figure's value
as an expression in this vocabulary, such as ``at("liu", "gini_land", 1980)`` or
``households("liu", 1965, class_mean(cw_ratio, "poor"))``. Every value is one number
per replicate; the key reports their mean and 95% interval.

Values of the village metrics (an arm's label, a metric of `model.metrics`, years):

- ``at(arm, metric, year)``: the metric in one year;
- ``total(arm, metric, first, last)``: summed over the years first..last (counts);
- ``mean_over(arm, metric, first, last)``: averaged over the years first..last;
- ``minus(a, b)``: the paired difference a - b, replicate by replicate.

Values of the household snapshots: ``households(arm, year, statistic)`` with a
statistic of one village's households: ``count``, ``coop_members_land_ratio``,
``share_where(condition, among)``, ``spearman(x, y)``, ``class_mean(quantity, class)``;
household quantities ``persons``, ``land``, ``land_per_head``, ``cw_ratio``;
conditions ``in_team``, ``with_oxen_and_hands``, ``short_of_oxen_or_hands``,
``upward``, ``downward``, ``changed``, ``every``, ``origin(class)`` and ``classed(class)``.

An expression is parsed, not run as Python: only these names, strings and numbers.

A finding (what an exercise teaches, ``[[findings]]`` in its data file) is a condition on
these values, each taken as its mean over the replications: comparisons (``<``, ``<=``,
``>``, ``>=``, chained as in ``a < b < c``), ``and``, ``or``, ``not``, and arithmetic
(``+ - * /``) between values and numbers, such as
``at("closed", "gini_land", 1980) < 0.9 * at("liu", "gini_land", 1980)``.

>>> parse_value('minus(at("a", "gini_land", 1965), at("b", "gini_land", 1965))').__name__
'minus'
>>> parse_value('open("x")')
Traceback (most recent call last):
...
ValueError: unknown name 'open' in 'open("x")'; known: at, total, mean_over, minus, households, ...
>>> runs = Runs({"a": pd.DataFrame({"replicate": [0, 1], "year": 1951, "g": [0.2, 0.4]})}, {}, 1951)
>>> parse_finding('at("a", "g", 1951) > 0.25 and not at("a", "g", 1951) >= 2 * 0.2')(runs)
True
>>> sorted(references('minus(at("a", "g", 1951), total("b", "h", 1951, 1952)) < 0'))
[('a', 'g'), ('b', 'h')]
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Runs:
    """The simulated arms of one exercise: village-year metrics and household snapshots per arm."""

    villages: dict[str, pd.DataFrame]
    households: dict[str, pd.DataFrame]
    start_year: int
    sizes: list[tuple[int, int]] = field(default_factory=list)  # (villages, households) of the arms

    def per_run(self, arm: str, metric: str) -> pd.DataFrame:
        """Replicates as rows, years as columns (villages of a run averaged first)."""
        v = self.villages[arm]
        return v.groupby(["replicate", "year"])[metric].mean().unstack("year")


# A figure's computation: runs -> one value per replicate (indexed by replicate).
Compute = Callable[[Runs], pd.Series]
# A household quantity or condition: one village-year's households -> a value per household.
Quantity = Callable[[pd.DataFrame], pd.Series]
# A statistic of one village-year's households.
Statistic = Callable[[pd.DataFrame], float]


def _named(name: str, compute: Compute) -> Compute:
    compute.__name__ = name
    return compute


# --- values of the village metrics ----------------------------------------------------


def at(arm: str, metric: str, year: int) -> Compute:
    """The metric in one year."""
    return _named("at", lambda r: r.per_run(arm, metric)[year])


def total(arm: str, metric: str, first: int, last: int) -> Compute:
    """The metric summed over the years first..last (counts such as exits or divisions)."""
    return _named("total", lambda r: r.per_run(arm, metric).loc[:, first:last].sum(axis=1))


def mean_over(arm: str, metric: str, first: int, last: int) -> Compute:
    """The metric averaged over the years first..last (smooths the weather of single years)."""
    return _named("mean_over", lambda r: r.per_run(arm, metric).loc[:, first:last].mean(axis=1))


def minus(a: Compute, b: Compute) -> Compute:
    """Paired difference a - b, replicate by replicate (the arms share their seeds)."""
    return _named("minus", lambda r: a(r) - b(r))


def households(arm: str, year: int, value: Statistic) -> Compute:
    """A statistic of one year's household snapshot, computed within each replicate."""

    def compute(r: Runs) -> pd.Series:
        h = r.households[arm]
        h = h[h["year"] == year]
        return h.groupby("replicate").apply(value, include_groups=False)

    return _named("households", compute)


# --- household quantities and conditions ----------------------------------------------


def persons(h: pd.DataFrame) -> pd.Series:
    """Members of each household (at least one)."""
    return (h["workers"] + h["dependents"]).clip(lower=1)


def land(h: pd.DataFrame) -> pd.Series:
    """Land owned (mu)."""
    return h["land"]


def cw_ratio(h: pd.DataFrame) -> pd.Series:
    """Chayanov's consumer/worker ratio: persons per working adult (a household without one counts one)."""
    return persons(h) / h["workers"].clip(lower=1)


def land_per_head(h: pd.DataFrame) -> pd.Series:
    return h["land"] / persons(h)


def in_team(h: pd.DataFrame) -> pd.Series:
    return h["team"] >= 0


def with_oxen_and_hands(h: pd.DataFrame) -> pd.Series:
    return (h["animals"] >= 1) & (h["workers"] >= 2)


def short_of_oxen_or_hands(h: pd.DataFrame) -> pd.Series:
    return ~with_oxen_and_hands(h)


def origin(name: str) -> Quantity:
    """Households whose class of origin (at the land reform) is `name`."""
    return lambda h: h["origin_class"] == name


def classed(name: str) -> Quantity:
    """Households whose current class (by the 1950 rules, `model.metrics.CLASS_NAMES`) is `name`."""
    return lambda h: h["social_class"] == name


def upward(h: pd.DataFrame) -> pd.Series:
    return h["social_class"].isin(["rich", "well_off_middle"])


def downward(h: pd.DataFrame) -> pd.Series:
    return h["social_class"].isin(["poor", "hired_labourer"])


def changed(h: pd.DataFrame) -> pd.Series:
    return h["origin_class"] != h["social_class"]


def every(h: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=h.index)


# --- statistics of a village's households -----------------------------------------------


def count(h: pd.DataFrame) -> float:
    """Households alive."""
    return float(len(h))


def share_where(condition: Quantity, among: Quantity) -> Statistic:
    """Share of the households meeting `among` that also meet `condition` (NaN if none)."""

    def value(h: pd.DataFrame) -> float:
        base = among(h)
        return float(condition(h)[base].mean()) if base.any() else np.nan

    return value


def spearman(x: Quantity, y: Quantity) -> Statistic:
    """Rank correlation of two household quantities within a village."""
    return lambda h: float(x(h).corr(y(h), method="spearman"))


def class_mean(column: Quantity, social_class: str) -> Statistic:
    """Mean of a household quantity among the households of one current class."""

    def value(h: pd.DataFrame) -> float:
        sel = h["social_class"] == social_class
        return float(column(h)[sel].mean()) if sel.any() else np.nan

    return value


def coop_members_land_ratio(h: pd.DataFrame) -> float:
    """Land per head of co-op members relative to the village's mean (1 = a typical household)."""
    member = h["coop"] >= 0
    if not member.any():
        return np.nan
    lph = land_per_head(h)
    return float(lph[member].mean() / lph.mean())


# --- reading an expression ------------------------------------------------------------------

VOCABULARY: dict[str, Callable] = {
    f.__name__: f
    for f in (
        at,
        total,
        mean_over,
        minus,
        households,
        persons,
        land,
        cw_ratio,
        land_per_head,
        in_team,
        with_oxen_and_hands,
        short_of_oxen_or_hands,
        origin,
        classed,
        upward,
        downward,
        changed,
        every,
        count,
        share_where,
        spearman,
        class_mean,
        coop_members_land_ratio,
    )
}


def _call(node: ast.expr, text: str):
    """A name, a string, a number, or a call of the vocabulary (never Python's own)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str | int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in VOCABULARY:
            known = ", ".join(list(VOCABULARY)[:5])
            raise ValueError(f"unknown name '{node.id}' in '{text}'; known: {known}, ...")
        return VOCABULARY[node.id]
    if isinstance(node, ast.Call) and not node.keywords:
        return _call(node.func, text)(*(_call(a, text) for a in node.args))
    raise ValueError(f"'{ast.unparse(node)}' in '{text}' is not a name, a number, a string or a call")


VALUES = ("at", "total", "mean_over", "minus", "households")


def parse_value(text: str) -> Compute:
    """A figure's value from its expression (see the module's docstring for the vocabulary)."""
    value = _call(ast.parse(text.strip(), mode="eval").body, text)
    if not callable(value) or getattr(value, "__name__", "") not in VALUES:
        raise ValueError(f"'{text}' is not a figure's value: expected at, total, mean_over, minus or households")
    return value


# A finding's test: runs -> whether it holds (on the means over the replications).
Holds = Callable[[Runs], bool]
# A number computed from runs: a value's mean over the replications, or a constant.
_Number = Callable[[Runs], float]

_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal}
_ARITHMETIC = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}


def _number(node: ast.expr, text: str) -> _Number:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _number(node.operand, text)
        return lambda r: -inner(r)
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        op, a, b = _ARITHMETIC[type(node.op)], _number(node.left, text), _number(node.right, text)
        return lambda r: float(op(a(r), b(r)))
    value = _call(node, text)
    if isinstance(value, int | float):
        return lambda r: float(value)
    if not callable(value) or getattr(value, "__name__", "") not in VALUES:
        raise ValueError(f"'{ast.unparse(node)}' in '{text}' is not a number or a figure's value")

    def mean(r: Runs) -> float:
        # the mean over the replications; a replicate without a value (a class with no household) is skipped
        v = value(r).to_numpy(dtype=float)
        return float(np.mean(v[np.isfinite(v)])) if np.isfinite(v).any() else np.nan

    return mean


def _condition(node: ast.expr, text: str) -> Holds:
    if isinstance(node, ast.BoolOp):
        parts = [_condition(v, text) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda r: all(p(r) for p in parts)
        return lambda r: any(p(r) for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _condition(node.operand, text)
        return lambda r: not inner(r)
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        terms = [_number(n, text) for n in (node.left, *node.comparators)]
        ops = [_COMPARE[type(op)] for op in node.ops]

        def holds(r: Runs) -> bool:
            values = [t(r) for t in terms]  # a missing value (NaN) makes every comparison false
            return all(bool(op(a, b)) for op, a, b in zip(ops, values, values[1:], strict=False))

        return holds
    raise ValueError(
        f"'{ast.unparse(node)}' in '{text}' is not a condition: expected a comparison (<, <=, >, >=) "
        "of values and numbers, joined by and, or, not"
    )


def parse_finding(text: str) -> Holds:
    """A finding's test from its expression: true when the condition holds on the means over the replications."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"'{text}' is not an expression: {err.msg}") from None
    return _condition(tree.body, text)


def references(text: str) -> set[tuple[str, str | None]]:
    """The (arm, metric) pairs an expression reads (metric None for a household statistic)."""
    found = set()
    for node in ast.walk(ast.parse(text.strip(), mode="eval")):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if node.func.id in ("at", "total", "mean_over") and len(args) >= 2:
                found.add((args[0], args[1]))
            elif node.func.id == "households":
                found.add((args[0], None))
    return found
