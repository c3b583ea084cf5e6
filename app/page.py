"""huzhu's interactive village: watch a North China village after the land reform, year by year.

Serve it with ``huzhu app`` (loopback only, http://127.0.0.1:8765/ by default) or
``solara run app.page``. The page is a Solara app in the style of Mesa's SolaraViz,
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

import ctypes
import gc
import os
import threading

import solara

from app.components import Controls, VillageView
from app.state import Session

# reacton's fast renderer (opt-in by this variable, read each time a page's render context is made):
# a redraw walks only the parts of the page whose state changed, so a step redraws the buttons and
# the village, not the sidebar's levers. An explicit REACTON_FAST=0 is respected.
os.environ.setdefault("REACTON_FAST", "1")


TRIM_DELAY_S = 3.0  # after a session closes: Solara collects closed sessions' widgets about a second later

_trim_lock = threading.Lock()
_trim_timer: threading.Timer | None = None


def _give_back_memory() -> None:
    """Collect the let-go villages and hand freed heap pages back to the system (glibc keeps them otherwise)."""
    global _trim_timer
    with _trim_lock:
        _trim_timer = None
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused by the next sessions instead
        pass


def give_back_memory_soon() -> None:
    """`_give_back_memory` once, a few seconds after the last of a burst of closing sessions.

    A closed session's widgets are reference cycles that Solara collects about a second
    after the close; a trim made at once would miss them. One timer for a burst: a class
    leaving at once costs one collection, not thirty.
    """
    global _trim_timer
    with _trim_lock:
        if _trim_timer is not None:
            _trim_timer.cancel()
        _trim_timer = threading.Timer(TRIM_DELAY_S, _give_back_memory)
        _trim_timer.daemon = True
        # Solara's threads take the creating session's context; this one must not keep the closing session alive
        _trim_timer.current_context = None  # type: ignore[attr-defined]
        _trim_timer.start()


@solara.component
def Page():
    """The app: controls in the sidebar; the map(s), the picked household, the year's figures and the charts."""
    session: Session = solara.use_memo(Session, [])  # one per browser session, never shared
    tick = solara.use_reactive(0)  # bumped when the villages change (a step, a rebuild)
    config = solara.use_reactive(0)  # bumped when the settings change (preset, lever, seed, mode)
    # "idle", "step" (a year under way) or "play": a reactive value of its own, not use_reactive, so that
    # its changes redraw the buttons that read it, not the whole page
    running = solara.use_memo(lambda: solara.reactive("idle"), [])
    color_mode = solara.use_reactive("class")
    lever_side = solara.use_reactive("A")
    picked = solara.use_reactive(None)  # (restart count, side, household id) of the followed household

    def release():
        # the browser has gone (its session closed): free the villages now, not when the server stops
        def cleanup():
            session.close()
            give_back_memory_soon()

        return cleanup

    solara.use_effect(release, [])

    solara.Title("huzhu: a village after the land reform")
    with solara.AppBar():
        solara.AppBarTitle("huzhu 互助: a North China village after the land reform, 1951")
    with solara.Sidebar():
        Controls(session, tick, config, running, lever_side)
    VillageView(session, tick, config, color_mode, picked)
