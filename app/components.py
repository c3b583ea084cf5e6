"""The page's parts: the sidebar (scenario, seed, step and play, the levers) and the village view
(map, followed household, live charts).

The sidebar re-renders when the settings change, the village view after every step:
a step redraws the village, not the levers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import solara

from analysis.style import CLASS_LABELS_SINGULAR
from app.levers import LEVER_GROUPS, Lever
from app.map_widget import VillageMap
from app.state import SIDES, Session
from app.views import COLOR_MODES, chart_options, class_name, map_view, member_id
from model.metrics import meaning

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
