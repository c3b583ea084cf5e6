"""The policy levers a class plays with: their groups and plain labels, hover notes, and the lever itself.

Each lever is a parameter of the schema (`model.params`); its hover note carries the
schema's meaning, unit, range and source, and the passage the chosen preset follows.
"""

from __future__ import annotations

import math
from importlib.resources import files
from typing import Any

import ipyvuetify as v
import solara
import traitlets

from app.state import Preset
from model.params import field_info

# The levers a class plays with, grouped by the question each group answers in the
# documents. Labels are plain words; the hover note carries the schema's meaning and source.
LEVER_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Markets: the 'four freedoms'",
        [
            ("land_sale_policy", "Buying and selling land"),
            ("land_rental_policy", "Renting out land"),
            ("hired_labour_policy", "Hiring labourers"),
            ("credit_policy", "Private lending"),
            ("accumulation_stigma", "Risk of getting rich (buying land, hiring, lending)"),
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
            ("team_season", "Teams for the busy season or the whole year"),
            ("seasonal_renewal", "Chance a seasonal team is renewed next year"),
        ],
    ),
    (
        "Producer co-ops",
        [
            ("coops_max", "Co-ops allowed in the village"),
            ("coop_land_share", "Co-op income paid out by land"),
            ("coop_land_share_cap_at_labour", "Land share never above labour share"),
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
            ("tax_schedule", "Agricultural tax"),
            ("grain_monopoly_year", "Grain monopoly from (0 never)"),
        ],
    ),
    (
        "The village",
        [
            ("households", "Households at the start"),
            ("liberated_area", "Old or new liberated area"),
            ("yield_trend", "Yearly growth of yields after recovery"),
            ("off_farm_jobs", "Spare workers finding jobs in town each year"),
            ("migration_closed_year", "Household registration closes the towns (0 never)"),
        ],
    ),
]
LEVERS = [name for _, group in LEVER_GROUPS for name, _ in group]
LEVER_LABELS = {name: label for _, group in LEVER_GROUPS for name, label in group}

# Slider ranges narrower than the schema's where the schema allows far more than a
# classroom village needs (the schema's range still bounds them).
SLIDER_RANGE = {
    "households": (20, 400),
    "coops_max": (0, 10),
    "grain_monopoly_year": (0, 1960),
    "migration_closed_year": (0, 1980),
    "yield_trend": (-0.05, 0.05),
}
# Arrow keys commit the value once they pause this long: one restart for several presses.
KEY_COMMIT_DELAY_MS = 600
NUMBER_TEMPLATE = files(__package__).joinpath("number_lever.vue").read_text(encoding="utf-8")


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


def slider_step(lo: float, hi: float, value: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) of about a fiftieth of the range (at most 1.5 fiftieths), fine enough to hold `value`.

    An arrow key moves the slider one step, so the step is coarse enough to get
    somewhere in a few presses; the browser's slider rounds its value to the grid
    ``lo + k * step``, so a step too coarse for a preset's value would round it and
    quietly change the preset: the step is made finer until the value is on the grid.

    >>> slider_step(0.2, 5, 1.0), slider_step(0, 1, 0.7), slider_step(0, 0.5, 0.03)
    (0.1, 0.02, 0.01)
    >>> slider_step(0, 1, 0.123)
    0.001
    """
    if hi <= lo:
        return 0.01
    target = (hi - lo) / 50
    top = math.floor(math.log10(target))
    for k in range(top + 1, -7, -1):
        for m in (5, 2, 1):
            step = float(f"{m}e{k}")
            if step <= target * 1.5 and abs(round((value - lo) / step) * step - (value - lo)) <= 1e-9:
                return step
    return 1e-6


class NumberLeverWidget(v.VuetifyTemplate):
    """A numeric lever: a full-width slider and an exact number box beside it (`number_lever.vue`).

    The browser sends the value back only when it is committed: at the end of a drag or
    a click on the track, after arrow keys pause, or when the box is confirmed (Enter or
    leaving it). Each commit restarts the village once; a box out of range says so inline.
    """

    template = traitlets.Unicode(NUMBER_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)  # the slider's ends
    max = traitlets.Float(1.0).tag(sync=True)
    lo = traitlets.Float(0.0).tag(sync=True)  # what the box accepts (the schema's range)
    hi = traitlets.Float(1.0).tag(sync=True)
    step = traitlets.Float(0.01).tag(sync=True)
    integer = traitlets.Bool(False).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    key_delay_ms = traitlets.Int(KEY_COMMIT_DELAY_MS).tag(sync=True)


@solara.component
def Lever(name: str, label: str, value: Any, on_value, preset: Preset | None):
    """One lever: a slider with a number box, a switch or a choice, with its hover note."""
    i = field_info(name)
    with solara.Column(gap="0px", classes=["huzhu-lever"], style={"width": "100%", "padding": "4px 0"}):
        with solara.Tooltip(hover_note(name, preset)):
            with solara.Div(style={"width": "100%"}):
                if i["type"] == "bool":
                    solara.Switch(label=label, value=bool(value), on_value=on_value)
                elif i["choices"]:
                    solara.Select(label=label, values=list(i["choices"]), value=value, on_value=on_value)
                else:
                    NumberLever(name, label, value, on_value)


@solara.component
def NumberLever(name: str, label: str, value: Any, on_value):
    """A numeric lever: slider over the classroom range, box over the schema's whole range."""
    i = field_info(name)
    integer = i["type"] == "int"
    lo, hi = SLIDER_RANGE.get(name, (i["min"], i["max"]))
    # a preset may set a value outside the classroom range (high_tide_no_exit allows 1000
    # co-ops): widen the slider, or it would clamp the value and quietly change the preset
    lo, hi = min(lo, value), max(hi, value)
    cast = int if integer else float

    def commit(v):
        on_value(cast(round(v)) if integer else cast(v))

    NumberLeverWidget.element(
        label=label,
        value=float(value),
        min=float(lo),
        max=float(hi),
        lo=float(i["min"]),
        hi=float(i["max"]),
        step=1.0 if integer else slider_step(lo, hi, float(value)),
        integer=integer,
        on_value=commit,
    )
