"""What the page shows of a village, computed from its model: the land map and the live charts.

Plain data (lists, text, ECharts options), cheap to send and drawn in the browser, so a
step costs the server little beyond the model's own step. Colours and class names come
from `analysis.style`, as in the project's other charts.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from mesa.discrete_space import OrthogonalMooreGrid

from analysis import style
from model.metrics import CLASS_NAMES
from model.villagemap import model_plot_owners

COLOR_MODES = {"class": "Class", "team": "Team", "coop": "Co-op"}


def member_id(value: Any) -> str | None:
    """A team or co-op id as text, or None when the household is not a member."""
    if value is None or value is False:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, int | np.integer | float | np.floating) and not isinstance(value, bool | np.bool_):
        return None if value < 0 else str(int(value))
    return str(value)


def class_name(value: Any) -> str:
    """A class's name (as in `model.metrics.CLASS_NAMES`) from its code or its name."""
    if isinstance(value, int | np.integer):
        return CLASS_NAMES[int(value)]
    return str(value)


def household_colors(frame: pd.DataFrame, mode: str) -> tuple[list[str], list[tuple[str, str, int]]]:
    """Colour of each household row, and the legend: (label, colour, households)."""
    n = len(frame)
    if mode == "class":
        names = [class_name(c) for c in frame["social_class"]]
        colors = [style.CLASS_COLORS.get(c, style.NON_MEMBER_COLOR) for c in names]
        legend = [(style.CLASS_LABELS_SINGULAR[c], style.CLASS_COLORS[c], names.count(c)) for c in CLASS_NAMES]
        return colors, legend
    teams = [member_id(t) for t in frame["team"]] if "team" in frame else [None] * n
    coops = [member_id(c) for c in frame["coop"]] if "coop" in frame else [None] * n
    if mode == "coop":
        colors, counts = [], {"coop": 0, "team": 0, "alone": 0}
        for t, c in zip(teams, coops, strict=True):
            kind = "coop" if c is not None else "team" if t is not None else "alone"
            counts[kind] += 1
            colors.append(style.MEMBERSHIP_COLORS[kind])
        legend = [
            ("in a producer co-op", style.MEMBERSHIP_COLORS["coop"], counts["coop"]),
            ("in a mutual aid team", style.MEMBERSHIP_COLORS["team"], counts["team"]),
            ("farming alone", style.MEMBERSHIP_COLORS["alone"], counts["alone"]),
        ]
        return colors, legend
    ids = sorted({t for t in teams if t is not None}, key=lambda s: (len(s), s))
    index = {t: i for i, t in enumerate(ids)}
    colors = [
        style.NON_MEMBER_COLOR if t is None else style.TEAM_COLORS[index[t] % len(style.TEAM_COLORS)] for t in teams
    ]
    alone = sum(t is None for t in teams)
    legend = [
        (f"{len(ids)} teams (a colour each)", style.TEAM_COLORS[0], n - alone),
        ("in no team", style.NON_MEMBER_COLOR, alone),
    ]
    return colors, legend


def household_tip(row: Any) -> str:
    """A few lines on one household, for the map's hover note."""
    cls = style.CLASS_LABELS_SINGULAR.get(class_name(row.social_class), str(row.social_class))
    team = member_id(getattr(row, "team", None))
    coop = member_id(getattr(row, "coop", None))
    member = f"co-op {coop}" if coop is not None else f"team {team}" if team is not None else "in no team"
    return (
        f"Household {row.household} · {cls}\n"
        f"{row.workers:g} workers, {row.dependents:g} dependants\n"
        f"{row.land:.1f} mu, {row.animals:.1f} draft animals\n"
        f"grain {row.grain:,.0f} jin, debt {row.debt:,.0f} jin\n"
        f"{member}"
    )


@dataclass
class MapView:
    """A village map as the browser draws it."""

    owners: list[int]
    nx: int
    ny: int
    colors: list[str]
    tips: list[str]
    legend: list[tuple[str, str, int]]
    frame: pd.DataFrame

    @property
    def plots_json(self) -> str:
        """Owners, colours and notes as the map's one JSON text."""
        return json.dumps({"owners": self.owners, "colors": self.colors, "tips": self.tips}, separators=(",", ":"))


class PlotGrid:
    """A village's land as a Mesa discrete-space grid: one cell per plot of land.

    Each cell's ``owner`` (a property layer) is the row of the owning household in
    the model's household frame, -1 for none. The app reads the map from it, and
    anyone exploring a session can ask a cell, e.g. ``plots.grid._cells[(0, 0)].owner``.
    """

    def __init__(self, m: Any) -> None:
        self.model = m
        self.grid: OrthogonalMooreGrid | None = None

    def update(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Lay out this year's owners on the grid; return them and the household frame."""
        owners, frame = model_plot_owners(self.model, village=0)
        owners = np.asarray(owners, dtype=np.int64)
        if self.grid is None or self.grid.owner.data.shape != owners.shape:
            # the village's land is fixed, so the grid keeps its shape from year to year
            self.grid = OrthogonalMooreGrid(owners.shape, torus=False, random=self.model.random)
            self.grid.create_property_layer("owner", default_value=-1, dtype=int)
        self.grid.owner.data[:] = owners
        return self.grid.owner.data, frame


def map_view(m: Any, mode: str, plots: PlotGrid | None = None) -> MapView:
    """The plot owners, household colours and hover notes of village 0 of a model."""
    owners, frame = (plots or PlotGrid(m)).update()
    colors, legend = household_colors(frame, mode)
    tips = [household_tip(r) for r in frame.itertuples(index=False)]
    ny, nx = owners.shape
    return MapView(owners.ravel().tolist(), nx, ny, colors, tips, legend, frame)


def _years(df: pd.DataFrame, start_year: int) -> list[str]:
    # one row per simulated year, recorded at its end
    if "year" in df.columns:
        return [str(int(y)) for y in df["year"]]
    return [str(start_year + k) for k in range(len(df))]


def _values(series: pd.Series) -> list[float | None]:
    return [None if (x is None or (isinstance(x, float) and math.isnan(x))) else round(float(x), 4) for x in series]


def chart_option(
    title: str,
    frames: dict[str, pd.DataFrame],
    columns: dict[str, str],
    start_year: int,
    *,
    percent: bool = False,
    stacked: bool = False,
    colors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An ECharts option: one line (or stacked area) per column and village; B dashed."""
    longest = max(frames.values(), key=len)
    series = []
    for side, df in frames.items():
        for k, (col, label) in enumerate(columns.items()):
            if col not in df.columns:
                continue
            name = label if len(frames) == 1 else f"{label}, village {side}"
            s: dict[str, Any] = {
                "type": "line",
                "name": name,
                "data": _values(df[col] * (100 if percent else 1)),
                "showSymbol": len(df) < 2,  # a line needs two years; one year shows as a dot
                "lineStyle": {"width": 2, "type": "dashed" if side == "B" else "solid"},
            }
            # one colour per measure, so village B (dashed) reads against A (solid)
            color = colors[col] if colors and col in colors else style.SERIES_COLORS[k % len(style.SERIES_COLORS)]
            s["itemStyle"] = {"color": color}
            s["lineStyle"]["color"] = color
            if stacked:
                s.update(stack=side, areaStyle={"opacity": 0.85}, lineStyle={"width": 0.5})
            series.append(s)
    compare = len(frames) > 1 and not stacked
    y_axis: dict[str, Any] = {"type": "value", "min": 0, "splitNumber": 4}
    if percent:
        y_axis.update(max=100, interval=25, axisLabel={"formatter": "{value}%"})
    return {
        "animation": False,  # a step redraws at once; animations would lag behind play
        "title": {
            "text": title,
            "left": 4,
            "top": 2,
            "textStyle": {"fontSize": 13},
            # which line is which village, in words as well as in the legend's line samples
            **(
                {"subtext": "village A solid line, village B dashed", "subtextStyle": {"fontSize": 11}}
                if compare
                else {}
            ),
        },
        "tooltip": {"trigger": "axis", "valueFormatter": None},
        "legend": {
            "top": 40 if compare else 24,
            "left": 4,
            # stacked areas show as blocks of colour; lines as line samples, dashed for village B
            **({"icon": "roundRect", "itemWidth": 14} if stacked else {"itemWidth": 26}),
            "itemHeight": 9,
            "textStyle": {"fontSize": 11},
        },
        "grid": {
            "left": 46,
            "right": 14,
            "top": (82 if len(series) > 3 else 60) + (18 if compare else 0),
            "bottom": 24,
        },
        "xAxis": {"type": "category", "boundaryGap": False, "data": _years(longest, start_year)},
        "yAxis": y_axis,
        "series": series,
    }


def chart_options(frames: dict[str, pd.DataFrame], start_year: int) -> dict[str, dict[str, Any]]:
    """The live charts: class shares (per village), inequality, membership, fund per member."""
    class_cols = {f"share_{c}": style.CLASS_LABELS_SINGULAR[c] for c in CLASS_NAMES}
    class_colors = {f"share_{c}": style.CLASS_COLORS[c] for c in CLASS_NAMES}
    options = {
        f"classes_{side}": chart_option(
            "Households by class" + (f" (village {side})" if len(frames) > 1 else ""),
            {side: df},
            class_cols,
            start_year,
            percent=True,
            stacked=True,
            colors=class_colors,
        )
        for side, df in frames.items()
    }
    options["gini"] = chart_option(
        "Inequality (Gini, 0 = equal)",
        frames,
        {"gini_land": "land per head", "gini_income": "income per head"},
        start_year,
    )
    options["membership"] = chart_option(
        "Households organised",
        frames,
        {"team_membership_rate": "in a team or co-op", "coop_membership_rate": "in a co-op"},
        start_year,
        percent=True,
    )
    options["fund"] = chart_option(
        "Public fund per member household (jin)", frames, {"fund_per_member": "fund per member"}, start_year
    )
    return options


def _percent(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _number(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def key_figures(frames: dict[str, pd.DataFrame]) -> list[tuple[str, dict[str, str]]] | None:
    """The last simulated year's key figures per village, as text: (label, {side: value}); None before year one.

    >>> df = pd.DataFrame({"gini_land": [0.21], "gini_income": [0.3], "team_membership_rate": [0.4]})
    >>> key_figures({"A": df})[:3]
    [('Gini of land per head', {'A': '0.21'}), ('Gini of income per head', {'A': '0.30'}), ('in a team or co-op', {'A': '40%'})]
    """
    if any(df.empty for df in frames.values()):
        return None
    last = {side: df.iloc[-1] for side, df in frames.items()}
    rows = [
        ("Gini of land per head", "gini_land", _number),
        ("Gini of income per head", "gini_income", _number),
        ("in a team or co-op", "team_membership_rate", _percent),
        ("in a co-op", "coop_membership_rate", _percent),
    ] + [(style.CLASS_LABELS_SINGULAR[c] + "s", f"share_{c}", _percent) for c in CLASS_NAMES]
    return [
        (label, {side: fmt(row.get(col, float("nan"))) for side, row in last.items()})
        for label, col, fmt in rows
        if any(col in df.columns for df in frames.values())
    ]
