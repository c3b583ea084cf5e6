"""huzhu's interactive village: watch a North China village after the land reform, year by year.

Serve it with ``huzhu app`` (loopback only, http://127.0.0.1:8765/ by default) or
``solara run app.py``. The page is a Solara app in the style of Mesa's SolaraViz,
with what a classroom needs on top of it:

* a picker of the 1951 scenario presets, the key policy levers as sliders and
  switches with plain-language labels, each with a hover note naming the document
  and passage behind it (from the parameter schema), and a seed box, so a whole
  class sees the same village;
* a map of the village's land plots, each coloured by its owner's class, team or
  co-op membership, with the owning household's state on hover and on click;
* live charts of class shares, inequality (Gini of land and income), team and
  co-op membership and the public fund per member;
* a side-by-side mode: two villages with the same seed under two scenarios,
  stepping together.

Every browser tab gets its own villages: the model is built inside the page
component, never at import time, so thirty students on one server never step a
shared model. The map and the charts are drawn in the browser from plain data, so
a step costs the server little beyond the model's own step.
"""

from __future__ import annotations

import json
import math
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import ipyvuetify as v
import numpy as np
import pandas as pd
import solara
import traitlets
from mesa.discrete_space import OrthogonalMooreGrid

from model import VillageModel
from model.metrics import CLASS_NAMES, meaning
from model.params import DEFAULTS, ParameterError, field_info, make_params
from model.villagemap import model_plot_owners
from scenarios.loader import load, preset_names

SIDES = ("A", "B")
PLAY_INTERVAL_S = 0.4  # pause between years while playing: slow enough to watch the map change
MAX_YEARS = 60  # playing stops here; a village run longer says little about the 1950s
DEFAULT_PRESET = "liu_shaoqi_1951"
DEFAULT_PRESET_B = "shanxi_committee_1951"
SCHEMA_DEFAULTS = "(schema defaults)"

# The levers a class plays with, grouped by the question each group answers in the
# documents. Labels are plain words; the hover note carries the schema's meaning and source.
LEVER_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Markets: the 'four freedoms'",
        [
            ("land_sale_policy", "Buying and selling land"),
            ("land_rental_policy", "Renting out land"),
            ("hired_labor_policy", "Hiring labourers"),
            ("credit_policy", "Private lending"),
        ],
    ),
    (
        "Mutual aid teams and their public fund",
        [
            ("teams_enabled", "Mutual aid teams allowed"),
            ("team_equivalence_rate", "Credit for an animal day (1 = fair exchange)"),
            ("fund_levy_rate", "Levy into the public fund (share of normal yield)"),
            ("fund_portable", "A leaver takes his share of the fund"),
            ("fund_ownership", "Who owns the fund"),
            ("fund_voting", "Who votes on the fund"),
            ("fund_reproduction_share", "Fund spent on production (the rest on welfare)"),
            ("entry_share", "What a newcomer pays in (share of a member's fund)"),
        ],
    ),
    (
        "Producer co-ops",
        [
            ("coops_max", "Co-ops allowed in the village"),
            ("coop_land_share", "Co-op income paid out by land"),
            ("coop_land_share_cap_at_labor", "Land share never above labour share"),
        ],
    ),
    (
        "The state",
        [
            ("join_pressure", "Pressure to join (0 voluntary, 1 compulsory)"),
            ("exit_allowed", "Members may leave"),
            ("state_preference", "State favour for members"),
            ("coop_tax_rebate", "Tax remitted to co-op members"),
            ("coop_credit", "Cheap state credit for co-op members"),
            ("supply_marketing_coop", "A supply-and-marketing co-op"),
        ],
    ),
    ("The village", [("households", "Households at the start")]),
]
LEVERS = [name for _, group in LEVER_GROUPS for name, _ in group]

# Slider ranges narrower than the schema's where the schema allows far more than a
# classroom village needs (the schema's range still bounds them).
SLIDER_RANGE = {"households": (20, 400), "coops_max": (0, 10)}

CLASS_LABELS = {
    "hired_laborer": "hired labourer",
    "poor": "poor peasant",
    "middle": "middle peasant",
    "well_off_middle": "well-off middle peasant",
    "rich": "rich peasant",
}
# Poor (warm) to rich (cool), readable by most colour-blind eyes.
CLASS_COLORS = {
    "hired_laborer": "#b2182b",
    "poor": "#ef8a62",
    "middle": "#f2dc8c",
    "well_off_middle": "#67a9cf",
    "rich": "#2166ac",
}
TEAM_PALETTE = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#1f78b4", "#b15928", "#6a3d9a", "#33a02c", "#fb9a99", "#cab2d6", "#fdbf6f",
)  # fmt: skip
LINE_COLORS = ("#3b6fb6", "#d95f02", "#1b9e77", "#7570b3")
ALONE_COLOR = "#d9d9d9"
NO_OWNER_COLOR = "#f4f1ea"
COLOR_MODES = {"class": "Class", "team": "Team", "coop": "Co-op"}


# --------------------------------------------------------------------------------------
# Scenario presets and the hover notes


@dataclass(frozen=True)
class Preset:
    """A scenario preset as the app offers it: its parameters and why each was set."""

    name: str
    title: str
    description: str
    params: dict[str, Any]
    provenance: dict[str, dict[str, Any]]
    seed: int


def _title(name: str) -> str:
    return name.replace("_", " ").title() if name != SCHEMA_DEFAULTS else "Schema defaults (no preset)"


def load_presets() -> dict[str, Preset]:
    """The shipped presets (plus the schema defaults), validated by the scenario loader."""
    presets: dict[str, Preset] = {}
    for name in preset_names():
        s = load(name)
        presets[name] = Preset(name, _title(name), s.description.strip(), s.params.model_dump(), s.provenance, s.seed)
    presets[SCHEMA_DEFAULTS] = Preset(
        SCHEMA_DEFAULTS,
        _title(SCHEMA_DEFAULTS),
        "Every parameter at the schema's default: free markets, voluntary teams with portable funds, no co-ops.",
        DEFAULTS.model_dump(),
        {},
        1951,
    )
    return presets


def _sentence(text: str) -> str:
    """End a sentence with one full stop, also after a quotation that has its own."""
    return text if text.endswith((".", '."', ".)")) else text + "."


def hover_note(name: str, preset: Preset | None = None) -> str:
    """What a lever means, its unit and range, and the document and passage behind it."""
    i = field_info(name)
    parts = [i["meaning"][0].upper() + i["meaning"][1:] + "."]
    rng = ""
    if i["choices"]:
        rng = "one of " + ", ".join(i["choices"])
    elif i["min"] is not None and i["max"] is not None and i["type"] != "bool":
        rng = f"from {i['min']} to {i['max']}"
    unit = f" {i['unit']}" if i["unit"] else ""
    default = ("on" if i["default"] else "off") if i["type"] == "bool" else i["default"]
    parts.append(f"Default {default}{unit}" + (f"; {rng}" if rng else "") + ".")
    if i["source"]:
        parts.append(_sentence(f"Source: {i['source']}" + (f': "{i["passage"]}"' if i["passage"] else "")))
    else:
        parts.append("No 1951 document sets this: it is a modelling assumption.")
    prov = preset.provenance.get(name) if preset else None
    if prov:
        why = f"This preset ({preset.title}) follows {prov.get('document', 'its source')}"
        if prov.get("passage"):
            why += f': "{prov["passage"]}"'
        if prov.get("note"):
            why += f" ({prov['note']})"
        parts.append(_sentence(why))
    return " ".join(parts)


# --------------------------------------------------------------------------------------
# One browser session's villages


@dataclass
class Village:
    """One simulated village, the preset and lever values it was built from, and its land map."""

    preset: str
    overrides: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    plots: PlotGrid | None = None


class Session:
    """The villages of one browser session, and everything done to them.

    Built inside the page component, so each browser tab has its own. A lock
    guards the models: the play loop steps them in a thread while the page may
    rebuild them (a moved slider) or read them (drawing).
    """

    def __init__(self, presets: dict[str, Preset] | None = None, seed: int | None = None) -> None:
        self.presets = presets or load_presets()
        first = DEFAULT_PRESET if DEFAULT_PRESET in self.presets else next(iter(self.presets))
        second = DEFAULT_PRESET_B if DEFAULT_PRESET_B in self.presets else first
        self.seed = int(seed if seed is not None else self.presets[first].seed)
        self.compare = False
        self.villages = {"A": Village(first), "B": Village(second)}
        self.lock = threading.RLock()
        self.error: str | None = None
        self.rebuild()

    @property
    def sides(self) -> tuple[str, ...]:
        """The villages shown: A, or A and B side by side."""
        return SIDES if self.compare else SIDES[:1]

    def params(self, side: str) -> dict[str, Any]:
        """The full parameters of one village: its preset, then the levers moved off it."""
        village = self.villages[side]
        values = {**self.presets[village.preset].params, **village.overrides}
        values["villages"] = 1  # the app shows one village per side
        return values

    def value(self, side: str, name: str) -> Any:
        """One parameter's value in one village."""
        return self.params(side)[name]

    def rebuild(self) -> None:
        """Build the villages afresh (year 0) from the seed and their parameters.

        All shown villages restart together, so side by side they stay in step.
        A parameter the schema rejects leaves the old villages in place and says why.
        """
        with self.lock:
            built = {}
            try:
                for side in self.sides:
                    params = make_params(self.params(side))
                    built[side] = VillageModel(rng=self.seed, **params.model_dump())
            except ParameterError as err:
                self.error = str(err)
                return
            self.error = None
            for side, m in built.items():
                self.villages[side].model = m
                self.villages[side].plots = PlotGrid(m)

    def set_preset(self, side: str, name: str) -> None:
        """Switch a village to a preset: its levers return to the preset's values."""
        self.villages[side] = Village(name)
        self.rebuild()

    def set_lever(self, side: str, name: str, value: Any) -> None:
        """Move one lever off the preset; the villages restart with it."""
        self.villages[side].overrides[name] = value
        self.rebuild()

    def set_seed(self, seed: int) -> None:
        """A new seed: a new village (and new luck) for every shown side."""
        self.seed = int(seed)
        self.rebuild()

    def set_compare(self, on: bool) -> None:
        """Show one village, or two side by side; both restart so they stay in step."""
        self.compare = bool(on)
        self.rebuild()

    def step(self, years: int = 1) -> bool:
        """Advance every shown village by `years` (they step together).

        A failure inside the model is shown on the page (and stops play) rather than
        ending the session's thread silently; False says it happened.
        """
        with self.lock:
            try:
                for _ in range(years):
                    for side in self.sides:
                        self.villages[side].model.step()
            except Exception as err:  # shown to the user; the traceback goes to the server log
                traceback.print_exc()
                self.error = f"The model failed in year {self.years_done() + 1}: {err}"
                return False
        return True

    def years_done(self) -> int:
        """Years simulated since the land reform (the same in every shown village)."""
        return len(self.villages["A"].model.datacollector.get_model_vars_dataframe())


# --------------------------------------------------------------------------------------
# What the page shows, computed from a model (plain data: cheap to send, drawn in the browser)


def _member_id(value: Any) -> str | None:
    """A team or co-op id as text, or None when the household is not a member."""
    if value is None or value is False:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, int | np.integer | float | np.floating) and not isinstance(value, bool | np.bool_):
        return None if value < 0 else str(int(value))
    return str(value)


def _class_name(value: Any) -> str:
    if isinstance(value, int | np.integer):
        return CLASS_NAMES[int(value)]
    return str(value)


def household_colors(frame: pd.DataFrame, mode: str) -> tuple[list[str], list[tuple[str, str, int]]]:
    """Colour of each household row, and the legend: (label, colour, households)."""
    n = len(frame)
    if mode == "class":
        names = [_class_name(c) for c in frame["social_class"]]
        colors = [CLASS_COLORS.get(c, ALONE_COLOR) for c in names]
        legend = [(CLASS_LABELS[c], CLASS_COLORS[c], names.count(c)) for c in CLASS_NAMES]
        return colors, legend
    teams = [_member_id(t) for t in frame["team"]] if "team" in frame else [None] * n
    coops = [_member_id(c) for c in frame["coop"]] if "coop" in frame else [None] * n
    if mode == "coop":
        colors, counts = [], {"coop": 0, "team": 0, "alone": 0}
        for t, c in zip(teams, coops, strict=True):
            kind = "coop" if c is not None else "team" if t is not None else "alone"
            counts[kind] += 1
            colors.append({"coop": "#1b7837", "team": "#a6dba0", "alone": ALONE_COLOR}[kind])
        legend = [
            ("in a producer co-op", "#1b7837", counts["coop"]),
            ("in a mutual aid team", "#a6dba0", counts["team"]),
            ("farming alone", ALONE_COLOR, counts["alone"]),
        ]
        return colors, legend
    ids = sorted({t for t in teams if t is not None}, key=lambda s: (len(s), s))
    index = {t: i for i, t in enumerate(ids)}
    colors = [ALONE_COLOR if t is None else TEAM_PALETTE[index[t] % len(TEAM_PALETTE)] for t in teams]
    alone = sum(t is None for t in teams)
    legend = [(f"{len(ids)} teams (a colour each)", TEAM_PALETTE[0], n - alone), ("in no team", ALONE_COLOR, alone)]
    return colors, legend


def household_tip(row: Any) -> str:
    """A few lines on one household, for the map's hover note."""
    cls = CLASS_LABELS.get(_class_name(row.social_class), str(row.social_class))
    team = _member_id(getattr(row, "team", None))
    coop = _member_id(getattr(row, "coop", None))
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
            name = label if len(frames) == 1 else f"{label} ({side})"
            s: dict[str, Any] = {
                "type": "line",
                "name": name,
                "data": _values(df[col] * (100 if percent else 1)),
                "showSymbol": len(df) < 2,  # a line needs two years; one year shows as a dot
                "lineStyle": {"width": 2, "type": "dashed" if side == "B" else "solid"},
            }
            # one colour per measure, so village B (dashed) reads against A (solid)
            color = colors[col] if colors and col in colors else LINE_COLORS[k % len(LINE_COLORS)]
            s["itemStyle"] = {"color": color}
            s["lineStyle"]["color"] = color
            if stacked:
                s.update(stack=side, areaStyle={"opacity": 0.85}, lineStyle={"width": 0.5})
            series.append(s)
    y_axis: dict[str, Any] = {"type": "value", "min": 0, "splitNumber": 4}
    if percent:
        y_axis.update(max=100, interval=25, axisLabel={"formatter": "{value}%"})
    return {
        "animation": False,  # a step redraws at once; animations would lag behind play
        "title": {"text": title, "left": 4, "top": 2, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis", "valueFormatter": None},
        "legend": {
            "top": 24,
            "left": 4,
            "icon": "roundRect",
            "itemWidth": 14,
            "itemHeight": 9,
            "textStyle": {"fontSize": 11},
        },
        "grid": {"left": 46, "right": 14, "top": 82 if len(series) > 3 else 60, "bottom": 24},
        "xAxis": {"type": "category", "boundaryGap": False, "data": _years(longest, start_year)},
        "yAxis": y_axis,
        "series": series,
    }


def chart_options(frames: dict[str, pd.DataFrame], start_year: int) -> dict[str, dict[str, Any]]:
    """The live charts: class shares (per village), inequality, membership, fund per member."""
    class_cols = {f"share_{c}": CLASS_LABELS[c] for c in CLASS_NAMES}
    class_colors = {f"share_{c}": CLASS_COLORS[c] for c in CLASS_NAMES}
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


# --------------------------------------------------------------------------------------
# The map, drawn on a canvas in the browser


MAP_TEMPLATE = """
<template>
  <div class="village-map-box" style="position: relative; display: inline-block; line-height: 0">
    <canvas ref="canvas" class="village-map" :width="nx * cell" :height="ny * cell"
            style="cursor: pointer; border: 1px solid #bbb"
            @mousemove="hover" @mouseleave="tip = ''" @click="pick"></canvas>
    <div v-if="tip" class="village-map-tip" :style="tipStyle">{{ tip }}</div>
  </div>
</template>
<script>
module.exports = {
  data() {
    return { tip: "", tx: 0, ty: 0, pending: false };
  },
  computed: {
    // the plots arrive as one JSON text per step (cheaper to send and diff than long lists)
    parsed() { return this.plots ? JSON.parse(this.plots) : { owners: [], colors: [], tips: [] }; },
    owners() { return this.parsed.owners; },
    colors() { return this.parsed.colors; },
    tips() { return this.parsed.tips; },
    tipStyle() {
      return {
        position: "absolute", left: this.tx + 14 + "px", top: this.ty + 14 + "px",
        background: "rgba(255,255,255,0.96)", border: "1px solid #888", borderRadius: "3px",
        padding: "4px 7px", fontSize: "12px", lineHeight: "1.35", whiteSpace: "pre",
        pointerEvents: "none", zIndex: 20, color: "#222",
      };
    },
  },
  mounted() { this.schedule(); },
  watch: {
    plots() { this.schedule(); },
    selected_row() { this.schedule(); },
    cell() { this.schedule(); },
    nx() { this.schedule(); },
  },
  methods: {
    schedule() {
      // several traits change in one step: draw once, after Vue has applied them all
      if (this.pending) return;
      this.pending = true;
      this.$nextTick(() => { this.pending = false; this.draw(); });
    },
    draw() {
      const c = this.$refs.canvas;
      if (!c) return;
      const ctx = c.getContext("2d");
      const s = this.cell, nx = this.nx, ny = this.ny, own = this.owners;
      ctx.fillStyle = this.empty_color;
      ctx.fillRect(0, 0, c.width, c.height);
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const o = own[y * nx + x];
          if (o >= 0) {
            ctx.fillStyle = this.colors[o] || "#999";
            ctx.fillRect(x * s, y * s, s, s);
          }
        }
      }
      // thin lines where the owner changes: each household's land reads as a parcel
      ctx.strokeStyle = "rgba(0,0,0,0.28)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const o = own[y * nx + x];
          if (x + 1 < nx && own[y * nx + x + 1] !== o) { ctx.moveTo((x + 1) * s + 0.5, y * s); ctx.lineTo((x + 1) * s + 0.5, (y + 1) * s); }
          if (y + 1 < ny && own[(y + 1) * nx + x] !== o) { ctx.moveTo(x * s, (y + 1) * s + 0.5); ctx.lineTo((x + 1) * s, (y + 1) * s + 0.5); }
        }
      }
      ctx.stroke();
      if (this.selected_row >= 0) {
        ctx.strokeStyle = "#000";
        ctx.lineWidth = 2;
        for (let i = 0; i < own.length; i++) {
          if (own[i] === this.selected_row) ctx.strokeRect((i % nx) * s + 1, Math.floor(i / nx) * s + 1, s - 2, s - 2);
        }
      }
    },
    ownerAt(e) {
      const r = this.$refs.canvas.getBoundingClientRect();
      const x = Math.floor((e.clientX - r.left) / this.cell), y = Math.floor((e.clientY - r.top) / this.cell);
      this.tx = e.clientX - r.left; this.ty = e.clientY - r.top;
      if (x < 0 || y < 0 || x >= this.nx || y >= this.ny) return -1;
      return this.owners[y * this.nx + x];
    },
    hover(e) {
      const o = this.ownerAt(e);
      this.tip = o >= 0 ? this.tips[o] || "" : "";
    },
    pick(e) {
      const o = this.ownerAt(e);
      if (o >= 0) this.picked = { row: o, n: (this.picked && this.picked.n ? this.picked.n : 0) + 1 };
    },
  },
};
</script>
"""


class VillageMapWidget(v.VuetifyTemplate):
    """The village's land plots on a canvas; hover shows the owner, a click picks him."""

    template = traitlets.Unicode(MAP_TEMPLATE).tag(sync=True)
    # JSON text {"owners": row-major plot owners (-1 none), "colors": [per household row],
    # "tips": [per household row]}: one string, so the page diffs and sends it cheaply
    plots = traitlets.Unicode("").tag(sync=True)
    nx = traitlets.Int(0).tag(sync=True)
    ny = traitlets.Int(0).tag(sync=True)
    cell = traitlets.Int(10).tag(sync=True)  # pixels per plot
    selected_row = traitlets.Int(-1).tag(sync=True)
    empty_color = traitlets.Unicode(NO_OWNER_COLOR).tag(sync=True)
    # set in the browser on a click: {row, n}; n counts clicks, so a second click on
    # the same row (another household after a step) is still seen
    picked = traitlets.Dict(default_value={}).tag(sync=True)


def slider_step(lo: float, hi: float, value: float) -> float:
    """About a hundredth of the range, and fine enough to hold `value` exactly.

    The browser's slider rounds its value to the step; a step too coarse for a
    preset's value would round it and quietly change the preset.
    """
    step = 10.0 ** math.floor(math.log10((hi - lo) / 100)) if hi > lo else 0.01
    while step > 1e-6 and abs(round(value / step) * step - value) > 1e-9:
        step /= 10
    return step


def cell_size(nx: int, ny: int, width: int) -> int:
    """Pixels per plot so the map fits `width` pixels (at least 3, at most 24)."""
    return max(3, min(24, width // max(nx, ny, 1)))


# --------------------------------------------------------------------------------------
# Components


@solara.component
def Lever(name: str, label: str, value: Any, on_value, preset: Preset | None):
    """One lever: a slider, switch or choice, with its hover note."""
    i = field_info(name)
    with solara.Tooltip(hover_note(name, preset)):
        # a slider's value bubble stands above it: room for it, so it hides no label
        pad = "0px" if i["type"] == "bool" or i["choices"] else "26px"
        with solara.Column(gap="0px", classes=["huzhu-lever"], style={"padding-top": pad}):
            if i["type"] == "bool":
                solara.Switch(label=label, value=bool(value), on_value=on_value)
            elif i["choices"]:
                solara.Select(label=label, values=list(i["choices"]), value=value, on_value=on_value)
            else:
                lo, hi = SLIDER_RANGE.get(name, (i["min"], i["max"]))
                # a preset may set a value outside the classroom range (high_tide_no_exit allows
                # 1000 co-ops): widen the range, or the browser's slider would clamp the value
                # and quietly change the preset
                lo, hi = min(lo, value), max(hi, value)
                if i["type"] == "int":
                    solara.SliderInt(
                        label=label, value=int(value), min=int(lo), max=int(hi), on_value=on_value, thumb_label="always"
                    )
                else:
                    step = slider_step(lo, hi, float(value))
                    solara.SliderFloat(
                        label=label,
                        value=float(value),
                        min=float(lo),
                        max=float(hi),
                        step=step,
                        on_value=on_value,
                        thumb_label="always",
                    )


@solara.component
def VillageMap(view: MapView, selected_row: int, on_pick, width: int = 440):
    """The land map of one village and its legend."""
    VillageMapWidget.element(
        plots=view.plots_json,
        nx=view.nx,
        ny=view.ny,
        cell=cell_size(view.nx, view.ny, width),
        selected_row=selected_row,
        on_picked=lambda p: on_pick(p.get("row", -1)) if p else None,
    )
    with solara.Row(gap="10px", style={"flex-wrap": "wrap", "font-size": "12px", "margin-top": "4px"}):
        for label, color, count in view.legend:
            solara.HTML(
                tag="span",
                unsafe_innerHTML=f'<span style="display:inline-block;width:11px;height:11px;background:{color};'
                f'border:1px solid #999;margin-right:4px;vertical-align:middle"></span>{label}: {count}',
            )


HOUSEHOLD_FIELDS = [
    ("social_class", "class"),
    ("workers", "workers"),
    ("dependents", "dependants"),
    ("land", "land (mu)"),
    ("animals", "draft animals"),
    ("grain", "grain (jin)"),
    ("debt", "debt (jin)"),
    ("team", "team"),
    ("coop", "co-op"),
]


@solara.component
def HouseholdCard(frame: pd.DataFrame | None, household: Any, side: str | None):
    """The picked household's state (it may since have died out or divided)."""
    with solara.Card("Household", style={"min-width": "230px", "align-self": "flex-start"}):
        if household is None or frame is None:
            solara.Text("Hover over a plot to see who owns it; click it to follow that household.")
            return
        rows = frame[frame["household"] == household]
        where = f" in village {side}" if side else ""
        if rows.empty:
            solara.Text(f"Household {household}{where} is gone: it died out or divided.")
            return
        r = rows.iloc[0]
        cells = []
        for col, label in HOUSEHOLD_FIELDS:
            if col not in r.index:
                continue
            val = r[col]
            if col == "social_class":
                val = CLASS_LABELS.get(_class_name(val), str(val))
            elif col in ("team", "coop"):
                val = _member_id(val) or "none"
            elif isinstance(val, float | np.floating):
                val = f"{val:,.1f}"
            cells.append(f"<tr><td style='padding:1px 10px 1px 0;color:#555'>{label}</td><td><b>{val}</b></td></tr>")
        solara.Text(f"Household {household}{where}", classes=["huzhu-household"])
        solara.HTML(tag="table", unsafe_innerHTML="".join(cells), style={"font-size": "13px"})


@solara.component
def Chart(option: dict[str, Any], name: str):
    """One live chart, drawn by ECharts in the browser."""
    with solara.Div(classes=["huzhu-chart", f"huzhu-chart-{name}"], style={"width": "100%"}):
        solara.FigureEcharts(option=option, attributes={"style": "height: 250px; width: 100%"}, responsive=True)


@solara.component
def YearsText(session: Session, tick: solara.Reactive[int]):
    """How many years have been simulated (re-rendered on every step, alone)."""
    _ = tick.value
    solara.Text(f"Years simulated: {session.years_done()}", classes=["huzhu-years"])


@solara.component
def Controls(
    session: Session,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    playing: solara.Reactive[bool],
    lever_side: solara.Reactive[str],
):
    """The sidebar: scenario, seed, step/play/reset and the policy levers.

    It reads `config`, not `tick`: a step redraws the village, not the levers, which
    keeps a step well under the time a classroom notices.
    """
    _ = config.value
    open_group = solara.use_reactive(0)  # index of the lever group shown open

    def changed():
        config.value += 1
        tick.value += 1

    def do(action, *args):
        def run(*more):
            playing.value = False
            action(*args, *more)
            changed()

        return run

    def step_once():
        if not session.step(1):
            config.value += 1  # show the error in the sidebar
        tick.value += 1

    with solara.Card("Village", margin=0):
        for side in session.sides:
            preset = session.presets[session.villages[side].preset]
            solara.Select(
                label="Scenario" if not session.compare else f"Scenario of village {side}",
                values=list(session.presets),
                value=session.villages[side].preset,
                on_value=do(session.set_preset, side),
            )
            solara.Text(preset.description, style={"font-size": "12px", "color": "#555"})
        solara.Switch(
            label="Side by side: compare with a second scenario",
            value=session.compare,
            on_value=do(session.set_compare),
        )
        with solara.Tooltip("The same seed gives the same village and the same luck: a class sees one village."):
            with solara.Column():
                solara.InputInt("Seed", value=session.seed, on_value=do(session.set_seed))
        with solara.Row():
            solara.Button(
                "Step a year", on_click=step_once, disabled=playing.value, color="primary", classes=["huzhu-step"]
            )
            solara.Button(
                "Pause" if playing.value else "Play",
                on_click=lambda: playing.set(not playing.value),
                color="primary",
                classes=["huzhu-play"],
            )
            solara.Button("Reset", on_click=do(session.rebuild), classes=["huzhu-reset"])
        YearsText(session, tick)
        if session.error:
            solara.Error(session.error)
    with solara.Card("Policy levers", margin=0):
        solara.Text(
            "Moving a lever restarts the village from the land reform with the same seed.",
            style={"font-size": "12px", "color": "#555"},
        )
        if session.compare:
            with solara.Row(style={"align-items": "center"}):
                solara.Text("Levers of village")
                solara.ToggleButtonsSingle(value=lever_side, values=list(SIDES))
        side = lever_side.value if session.compare else "A"
        preset = session.presets[session.villages[side].preset]
        # one group open at a time, and only the open one built: a smaller page to update
        with solara.v.ExpansionPanels(v_model=open_group.value, on_v_model=open_group.set, accordion=True):
            for k, (title, group) in enumerate(LEVER_GROUPS):
                with solara.v.ExpansionPanel():
                    solara.v.ExpansionPanelHeader(children=[title])
                    with solara.v.ExpansionPanelContent():
                        if open_group.value == k:
                            for name, label in group:
                                Lever(name, label, session.value(side, name), do(session.set_lever, side, name), preset)


@solara.component
def VillageView(
    session: Session,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    color_mode: solara.Reactive[str],
    picked: solara.Reactive[Any],
):
    """The map(s), the picked household and the live charts: redrawn after every step."""
    _ = tick.value, config.value
    with session.lock:
        views = {
            side: map_view(session.villages[side].model, color_mode.value, session.villages[side].plots)
            for side in session.sides
        }
        frames = {side: session.villages[side].model.datacollector.get_model_vars_dataframe() for side in session.sides}
        years = session.years_done()
    start_year = int(session.value("A", "start_year"))
    options = chart_options(frames, start_year)

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text("Colour the plots by:")
        solara.ToggleButtonsSingle(
            value=color_mode.value,
            values=list(COLOR_MODES),
            on_value=color_mode.set,
            classes=["huzhu-color-mode"],
        )
        solara.Text(
            f"After the harvest of {start_year + years - 1}"
            if years
            else "Just after the land reform: step a year to start",
            style={"font-weight": "bold"},
            classes=["huzhu-year"],
        )

    def on_pick(side):
        def pick(row: int):
            frame = views[side].frame
            if 0 <= row < len(frame):
                picked.value = (side, frame.iloc[row]["household"])

        return pick

    psel = picked.value
    with solara.Row(style={"flex-wrap": "wrap", "gap": "16px"}):
        for side in session.sides:
            view = views[side]
            sel_row = -1
            if psel and psel[0] == side:
                hits = np.flatnonzero(view.frame["household"].to_numpy() == psel[1])
                sel_row = int(hits[0]) if len(hits) else -1
            with solara.Column(gap="4px", style={"width": "460px"}, classes=[f"huzhu-village-{side}"]):
                if session.compare:
                    solara.Text(
                        f"Village {side}: {session.presets[session.villages[side].preset].title}",
                        style={"font-weight": "bold"},
                    )
                VillageMap(view, sel_row, on_pick(side), width=440)
                Chart(options[f"classes_{side}"], f"classes_{side}")
        side = psel[0] if psel else None
        HouseholdCard(
            views[side].frame if side in views else None,
            psel[1] if psel and side in views else None,
            side if session.compare else None,
        )

    with solara.ColumnsResponsive(default=12, medium=4):
        Chart(options["gini"], "gini")
        Chart(options["membership"], "membership")
        Chart(options["fund"], "fund")
    solara.Text(
        "Gini: " + meaning("gini_land") + "; " + meaning("gini_income") + ". Fund: " + meaning("fund_per_member") + ".",
        style={"font-size": "12px", "color": "#555"},
    )


@solara.component
def Page():
    """The app: controls in the sidebar; the map(s), the picked household and the charts."""
    session: Session = solara.use_memo(Session, [])  # one per browser session, never shared
    tick = solara.use_reactive(0)  # bumped when the villages change (a step, a rebuild)
    config = solara.use_reactive(0)  # bumped when the settings change (preset, lever, seed, mode)
    playing = solara.use_reactive(False)
    color_mode = solara.use_reactive("class")
    lever_side = solara.use_reactive("A")
    picked = solara.use_reactive(None)  # (side, household id) of the followed household

    def play_loop(cancel: threading.Event):
        while playing.value and not cancel.is_set():
            t0 = time.perf_counter()
            if session.years_done() >= MAX_YEARS:
                playing.value = False
                break
            if not session.step(1):
                playing.value = False
                config.value += 1  # show the error in the sidebar
                break
            tick.value += 1
            cancel.wait(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - t0)))

    solara.use_thread(play_loop, dependencies=[playing.value])

    solara.Title("huzhu: a village after the land reform")
    with solara.AppBar():
        solara.AppBarTitle("huzhu 互助: a North China village after the land reform, 1951")
    with solara.Sidebar():
        Controls(session, tick, config, playing, lever_side)
    VillageView(session, tick, config, color_mode, picked)
