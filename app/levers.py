"""The policy levers a class plays with: their groups and plain labels, hover notes, and the lever itself.

Each lever is a parameter of the schema (`model.params`); its hover note carries the
schema's meaning, unit, range and source, and the passage the chosen preset follows.
"""

from __future__ import annotations

import math
from typing import Any

import solara

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
        ],
    ),
    ("The village", [("households", "Households at the start")]),
]
LEVERS = [name for _, group in LEVER_GROUPS for name, _ in group]

# Slider ranges narrower than the schema's where the schema allows far more than a
# classroom village needs (the schema's range still bounds them).
SLIDER_RANGE = {"households": (20, 400), "coops_max": (0, 10)}


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
    """About a hundredth of the range, and fine enough to hold `value` exactly.

    The browser's slider rounds its value to the step; a step too coarse for a
    preset's value would round it and quietly change the preset.
    """
    step = 10.0 ** math.floor(math.log10((hi - lo) / 100)) if hi > lo else 0.01
    while step > 1e-6 and abs(round(value / step) * step - value) > 1e-9:
        step /= 10
    return step


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
