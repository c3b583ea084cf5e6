"""The village's land map: a canvas drawn in the browser (its Vue template is `map.vue`), and its legend.

The server sends the plot owners, one colour and one note per household as one JSON
text per step; the browser draws the plots, shows the owner's note on hover and
reports a click back as the picked household.
"""

from __future__ import annotations

from importlib.resources import files

import ipyvuetify as v
import solara
import traitlets

from analysis.style import NO_OWNER_COLOR
from app.views import MapView

MAP_TEMPLATE = files(__package__).joinpath("map.vue").read_text(encoding="utf-8")


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


def cell_size(nx: int, ny: int, width: int) -> int:
    """Pixels per plot so the map fits `width` pixels (at least 3, at most 24).

    >>> cell_size(20, 20, 440)
    22
    """
    return max(3, min(24, width // max(nx, ny, 1)))


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
        solara.Text(
            "Each square is a plot of land (area shows land); the counts are households:",
            style={"color": "#555"},
            classes=["huzhu-map-legend"],
        )
        for label, color, count in view.legend:
            solara.HTML(
                tag="span",
                unsafe_innerHTML=f'<span style="display:inline-block;width:11px;height:11px;background:{color};'
                f'border:1px solid #999;margin-right:4px;vertical-align:middle"></span>{label}: {count}',
            )
