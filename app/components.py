"""The page's parts: the sidebar (scenario, seed, step and play, the levers) and the village view
(map, followed household, live charts).

The sidebar re-renders when the settings change, the village view after every step:
a step redraws the village, not the levers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import reacton.core
import solara

from analysis.style import CLASS_LABELS_SINGULAR
from app.levers import LEVER_GROUPS, LEVER_LABELS, Lever
from app.map_widget import VillageMap
from app.state import SIDES, Session, seed_problem
from app.views import COLOR_MODES, chart_options, class_name, key_figures, map_view, member_id
from model.metrics import meaning

PLAY_INTERVAL_S = 0.4  # pause between years while playing: slow enough to watch the map change
MAX_YEARS = 60  # playing stops here; a village run longer says little about the 1950s

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
                val = CLASS_LABELS_SINGULAR.get(class_name(val), str(val))
            elif col in ("team", "coop"):
                val = member_id(val) or "none"
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
def Buttons(
    session: Session,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    running: solara.Reactive[str],
    on_reset,
):
    """Step, Play / Pause and Reset, and what the village is doing; a running step disables Step and Play.

    The step (or play) runs in a thread of this component, so the page can show that a
    year is under way, and a change of `running` redraws these buttons alone.
    """
    busy = running.value == "step"

    # the worker threads are plain threads, not solara.use_thread: its own bookkeeping would
    # redraw the page three more times per step (starting, running, finished)
    stop = solara.use_memo(threading.Event, [])  # set when the page goes: a playing thread ends
    loop = solara.use_ref(0)  # which play loop is current (a pause and a new play start a new one)

    # the page's render context: changes made inside `with render_context:` are drawn in one redraw
    render_context = reacton.core.get_render_context()

    def leave():
        return stop.set

    solara.use_effect(leave, [])

    def work(mode: str, token: int) -> None:
        """One step, or play (in a thread, so the page shows that a step runs and ignores extra clicks)."""
        if mode == "step":
            ok = session.step(1)
            # Step enabled again and the new year: one redraw of the page, not one each. Step is
            # enabled in the same update that brings the new year, so a click that comes with the
            # new year is never refused as "still stepping"
            with render_context:
                running.value = "idle"
                tick.value += 1
                if not ok:
                    config.value += 1  # show the error in the sidebar
            return
        while not stop.is_set() and loop.current == token and running.value == "play":
            t0 = time.perf_counter()
            if session.years_done() >= MAX_YEARS or not session.step(1):
                with render_context:
                    running.value = "idle"
                    config.value += 1  # the error, if any, in the sidebar
                break
            tick.value += 1
            stop.wait(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - t0)))

    def start(mode: str) -> None:
        loop.current += 1
        running.set(mode)
        # a year is never interrupted half-way (the village would be corrupt): a pause is seen between years
        threading.Thread(target=work, args=(mode, loop.current), daemon=True).start()

    def step_once():
        if running.value == "idle":  # a click while a step runs is not queued
            start("step")

    def play_or_pause():
        if running.value == "play":
            running.set("idle")
        elif running.value == "idle":
            start("play")

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            "Step a year", on_click=step_once, disabled=running.value != "idle", color="primary", classes=["huzhu-step"]
        )
        solara.Button(
            "Pause" if running.value == "play" else "Play",
            on_click=play_or_pause,
            disabled=busy,
            color="primary",
            classes=["huzhu-play"],
        )
        solara.Button("Reset", on_click=on_reset, disabled=busy, classes=["huzhu-reset"])
    with solara.Row(style={"align-items": "center", "min-height": "24px"}):
        YearsText(session, tick)
        # always on the page, shown while a year runs: a step then updates two widgets' style
        # instead of creating and closing two widgets (each a message to open, one to close)
        hidden = {} if busy else {"display": "none"}
        solara.v.ProgressCircular(
            indeterminate=busy,
            size=18,
            width=2,
            color="primary",
            style_=";".join(f"{k}:{v}" for k, v in hidden.items()),
        )
        solara.Text("stepping a year...", classes=["huzhu-busy"] if busy else [], style={"color": "#555", **hidden})


def scenario_choice(session: Session, side: str, on_value):
    """The scenario menu of one village: scenarios by their titles."""
    by_title = {p.title: name for name, p in session.presets.items()}
    solara.Select(
        label="Scenario" if not session.compare else f"Scenario of village {side}",
        values=list(by_title),
        value=session.presets[session.villages[side].preset].title,
        on_value=lambda title: on_value(by_title[title]),
        classes=[f"huzhu-scenario-{side}"],
    )


@solara.component
def SeedBox(session: Session, on_seed):
    """The seed, checked as typed: a number out of range says so under the box and changes nothing."""
    text = solara.use_reactive(str(session.seed))
    problem = seed_problem(text.value)
    if not problem and int(text.value) != session.seed:
        text.value = str(session.seed)  # the seed changed elsewhere (a reset of the page's state)

    def typed(value: str):
        text.set(value.strip())
        if not seed_problem(value):
            on_seed(int(value.strip()))

    with solara.Tooltip("The same seed gives the same village and the same luck: a class sees one village."):
        with solara.Column(classes=["huzhu-seed"]):
            solara.InputText("Seed", value=text.value, on_value=typed, error=problem or False, continuous_update=False)


@solara.component
def Controls(
    session: Session,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    running: solara.Reactive[str],
    lever_side: solara.Reactive[str],
):
    """The sidebar: step/play/reset first (always in view), the scenario, the seed and the policy levers.

    It reads `config`, not `tick`: a step redraws the village, not the levers, which
    keeps a step well under the time a classroom notices.
    """
    _ = config.value
    open_group = solara.use_reactive(0)  # index of the lever group shown open

    render_context = reacton.core.get_render_context()

    def do(action, *args):
        def run(*more):
            with render_context:  # the village restarted and the settings changed: one redraw
                running.set("idle")
                action(*args, *more)
                config.value += 1
                tick.value += 1

        return run

    # the buttons stay at the top of the sidebar while the levers scroll under them
    with solara.Div(
        classes=["huzhu-buttons"],
        style={
            "position": "sticky",
            "top": "0",
            "z-index": "5",
            "background": "white",
            "padding": "8px 12px 4px",
            "box-shadow": "0 2px 4px rgba(0,0,0,0.12)",
        },
    ):
        Buttons(session, tick, config, running, do(session.rebuild))
        if session.error:
            solara.Error(session.error)
    with solara.Card("Village", margin=0):
        for side in session.sides:
            scenario_choice(session, side, do(session.set_preset, side))
        if not session.compare:
            preset = session.presets[session.villages["A"].preset]
            solara.Text(preset.description, style={"font-size": "12px", "color": "#555"})
        solara.Switch(
            label="Side by side: a second village B, first a copy of A",
            value=session.compare,
            on_value=do(session.set_compare),
        )
        SeedBox(session, do(session.set_seed))
    with solara.Card("Policy levers", margin=0):
        solara.Text(
            "A lever restarts the village from the land reform with the same seed once its value is set "
            "(a drag let go, the box confirmed with Enter).",
            style={"font-size": "12px", "color": "#555"},
        )
        if session.compare:
            with solara.Row(style={"align-items": "center"}):
                solara.Text("Levers of village")
                solara.ToggleButtonsSingle(value=lever_side, values=list(SIDES), classes=["huzhu-lever-side"])
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


def village_heading(session: Session, side: str) -> str:
    """Which scenario a village follows and which levers were moved off it."""
    title = session.presets[session.villages[side].preset].title
    moved = session.changed_levers(side)
    what = (
        "levers as the scenario"
        if not moved
        else "changed: " + "; ".join(f"{LEVER_LABELS.get(k, k)} {lever_value(v)}" for k, v in moved.items())
    )
    return (f"Village {side}: " if session.compare else "") + f"{title} ({what})"


def lever_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@solara.component
def KeyFigures(frames: dict[str, pd.DataFrame], compare: bool):
    """This year's key figures as numbers: inequality, organised households and class shares."""
    rows = key_figures(frames)
    if rows is None:
        solara.Text("Key figures appear after the first year.", style={"font-size": "13px", "color": "#555"})
        return
    sides = list(frames)
    head = "".join(f"<th style='padding:1px 8px;text-align:right'>village {s}</th>" for s in sides) if compare else ""
    body = "".join(
        f"<tr><td style='padding:1px 10px 1px 0;color:#444'>{label}</td>"
        + "".join(f"<td style='padding:1px 8px;text-align:right'><b>{vals[s]}</b></td>" for s in sides)
        + "</tr>"
        for label, vals in rows
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=(f"<tr><th></th>{head}</tr>" if head else "") + body,
        style={"font-size": "13px"},
        classes=["huzhu-key-figures"],
    )


@solara.component
def VillageView(
    session: Session,
    tick: solara.Reactive[int],
    config: solara.Reactive[int],
    color_mode: solara.Reactive[str],
    picked: solara.Reactive[Any],
):
    """The map(s), the picked household, this year's figures and the live charts: redrawn after every step."""

    def compute():
        with session.lock:
            if session.villages["A"].model is None:
                return None  # the browser has gone and the villages were let go
            views = {
                side: map_view(session.villages[side].model, color_mode.value, session.villages[side].plots)
                for side in session.sides
            }
            frames = {
                side: session.villages[side].model.datacollector.get_model_vars_dataframe() for side in session.sides
            }
            years, generation = session.years_done(), session.generation
        start_year = int(session.value("A", "start_year"))
        return views, frames, years, generation, start_year, chart_options(frames, start_year)

    # the page redraws for other reasons too (the step buttons' state): the village's drawing
    # is computed once per step, restart or colour mode
    computed = solara.use_memo(compute, [tick.value, config.value, color_mode.value, session.generation])
    if computed is None:
        return
    views, frames, years, generation, start_year, options = computed

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text("Colour the plots by:")
        by_label = {label: mode for mode, label in COLOR_MODES.items()}
        solara.ToggleButtonsSingle(
            value=COLOR_MODES[color_mode.value],
            values=list(by_label),
            on_value=lambda label: color_mode.set(by_label[label]),
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
                picked.value = (generation, side, frame.iloc[row]["household"])

        return pick

    # a household picked in a village since restarted is not this village's: the card starts empty
    psel = picked.value[1:] if picked.value and picked.value[0] == generation else None
    with solara.Row(style={"flex-wrap": "wrap", "gap": "16px"}):
        for side in session.sides:
            view = views[side]
            sel_row = -1
            if psel and psel[0] == side:
                hits = np.flatnonzero(view.frame["household"].to_numpy() == psel[1])
                sel_row = int(hits[0]) if len(hits) else -1
            with solara.Column(gap="4px", style={"width": "460px"}, classes=[f"huzhu-village-{side}"]):
                solara.Text(village_heading(session, side), style={"font-weight": "bold"}, classes=["huzhu-heading"])
                VillageMap(view, sel_row, on_pick(side), width=440)
                Chart(options[f"classes_{side}"], f"classes_{side}")
        with solara.Column(style={"min-width": "230px", "align-self": "flex-start"}):
            with solara.Card("This year", style={"min-width": "230px"}):
                KeyFigures(frames, session.compare)
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
