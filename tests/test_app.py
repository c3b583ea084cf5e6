"""The app renders, steps its own village, resets on a preset switch, and stays fast.

These tests render the Solara page in Python (no browser); tests/test_app_browser.py
drives the served page in headless Chromium.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import time

import ipyvuetify as v
import pytest
import solara
import solara.widgets
from solara.components.echarts import EchartsWidget

from analysis import style
from app import levers, map_widget, state, views
from app.page import Page
from cli import app_command as appcmd
from cli import assets
from cli.main import build_parser
from model.params import field_info


def render():
    """The page as the server shows it (the sidebar lives in the app layout)."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    return rc


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def wait_until(condition, timeout: float = 120.0) -> None:
    """Wait for `condition` to hold (twice, 20 ms apart: the step's thread may still be redrawing)."""

    def holds() -> bool:
        try:
            return bool(condition())
        except ValueError:  # the page is being redrawn by the step's thread
            return False

    deadline = time.monotonic() + timeout
    while True:
        if holds():
            time.sleep(0.02)
            if holds():
                return
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def step(rc, n: int = 1) -> None:
    """Press Step a year n times, each time waiting for the step (it runs in a thread) to finish."""
    for _ in range(n):
        done = int(years_text(rc).split(": ")[1])
        click(rc, "Step a year")

        def finished(done: int = done) -> bool:
            idle = not rc.find(v.Btn, children=["Step a year"]).widget.disabled
            return idle and (years_text(rc).endswith(f" {done + 1}") or bool(rc.find(v.Alert).widgets))

        wait_until(finished)


def number_lever(rc, label: str) -> levers.NumberLeverWidget:
    return rc.find(levers.NumberLeverWidget, label=label).widget


def select_scenario(rc, name: str, label: str = "Scenario") -> None:
    """Choose a scenario in its menu, which lists the scenarios by title."""
    rc.find(v.Select, label=label).widget.v_model = state.load_presets()[name].title


def plots(widget) -> dict:
    """The map's plots as the browser gets them: owners, colours and notes."""
    return json.loads(widget.plots)


def open_levers(rc, title: str) -> None:
    """Open one group of levers in the sidebar (only the open group is built)."""
    index = [t for t, _ in levers.LEVER_GROUPS].index(title)
    rc.find(v.ExpansionPanels).widget.v_model = index


def years_text(rc) -> str:
    return rc.find(v.Html, class_="huzhu-years").widget.children[0]


def test_page_renders_map_charts_and_levers():
    rc = render()
    maps = rc.find(map_widget.VillageMapWidget).widgets
    assert len(maps) == 1
    m, p = maps[0], plots(maps[0])
    assert m.nx * m.ny == len(p["owners"]) and m.nx > 5
    assert max(p["owners"]) < len(p["colors"]) == len(p["tips"]) == 250  # one colour and note per household
    charts = rc.find(EchartsWidget).widgets
    assert {c.option["title"]["text"].split(" (")[0] for c in charts} >= {
        "Households by class",
        "Inequality",
        "Households organised",
        "Public fund per member household",
    }
    # every lever is on the page with its plain label, in its group
    for title, group in levers.LEVER_GROUPS:
        open_levers(rc, title)
        labels = {w.label for w in rc.find(v.Select).widgets + rc.find(v.Switch).widgets}
        labels |= {w.label for w in rc.find(levers.NumberLeverWidget).widgets}
        for _, label in group:
            assert label in labels
    assert years_text(rc) == "Years simulated: 0"


def test_stepping_changes_the_village_and_the_charts():
    rc = render()
    m = rc.find(map_widget.VillageMapWidget).widget
    before = m.plots
    step(rc, 4)
    assert years_text(rc) == "Years simulated: 4"
    assert m.plots != before
    for chart in rc.find(EchartsWidget).widgets:
        assert chart.option["xAxis"]["data"] == ["1951", "1952", "1953", "1954"]
        assert all(len(s["data"]) == 4 for s in chart.option["series"])


def test_preset_switch_resets_the_village_to_the_presets_levers():
    rc = render()
    step(rc, 3)
    assert years_text(rc) == "Years simulated: 3"
    open_levers(rc, "Mutual aid teams and their public fund")
    portable = rc.find(v.Switch, label="A leaver takes his share of the fund").widget
    assert portable.v_model is True  # Liu Shaoqi: portable funds
    select_scenario(rc, "shanxi_committee_1951")
    assert years_text(rc) == "Years simulated: 0"
    assert rc.find(v.Switch, label="A leaver takes his share of the fund").widget.v_model is False
    assert all(c.option["xAxis"]["data"] == [] for c in rc.find(EchartsWidget).widgets)


def test_sliders_hold_a_presets_value_outside_the_classroom_range():
    rc = render()
    select_scenario(rc, "high_tide_no_exit")
    open_levers(rc, "Producer co-ops")
    slider = number_lever(rc, "Co-ops allowed in the village")
    assert slider.value == 1000 and slider.max >= 1000 and slider.hi == field_info("coops_max")["max"]


def test_slider_steps_hold_every_presets_values():
    assert levers.slider_step(0, 1, 0.3) == 0.02
    assert levers.slider_step(0, 1, 0.025) == 0.005
    assert levers.slider_step(0.2, 5, 1.5) == 0.1  # exercise 3's 1.5 is on the grid, an arrow key moves 0.1
    for preset in state.load_presets().values():
        for name in levers.LEVERS:
            i = field_info(name)
            value = preset.params[name]
            if i["type"] == "float":
                lo, hi = levers.SLIDER_RANGE.get(name, (i["min"], i["max"]))
                step = levers.slider_step(lo, hi, value)
                assert abs(round((value - lo) / step) * step - (value - lo)) < 1e-9, (preset.name, name)


def test_a_lever_rebuilds_the_village_with_its_value():
    rc = render()
    step(rc)
    rc.find(v.Select, label="Buying and selling land").widget.v_model = "banned"
    assert years_text(rc) == "Years simulated: 0"
    assert rc.find(v.Select, label="Buying and selling land").widget.v_model == "banned"
    session = state.Session()
    session.set_lever("A", "land_sale_policy", "banned")
    assert session.villages["A"].model.p.land_sale_policy == "banned"


def test_same_seed_same_village_and_sessions_are_separate():
    a, b = render(), render()
    step(a, 2)
    assert years_text(a) == "Years simulated: 2" and years_text(b) == "Years simulated: 0"
    step(b, 2)
    ma, mb = a.find(map_widget.VillageMapWidget).widget, b.find(map_widget.VillageMapWidget).widget
    assert ma.plots == mb.plots  # same seed: the same village
    seed = a.find(v.TextField, label="Seed").widget
    seed.v_model = "7"
    seed.fire_event("keyup.enter", "7")  # the seed box commits on Enter or leaving it
    assert years_text(a) == "Years simulated: 0"
    step(a, 2)
    assert plots(a.find(map_widget.VillageMapWidget).widget)["tips"] != plots(mb)["tips"]


def test_side_by_side_steps_two_villages_together():
    rc = render()
    rc.find(v.Switch, label="Side by side: a second village B, first a copy of A").widget.v_model = True
    maps = rc.find(map_widget.VillageMapWidget).widgets
    assert len(maps) == 2
    assert maps[0].plots == maps[1].plots  # B starts as a copy of A: the same village
    step(rc, 3)
    charts = {c.option["title"]["text"]: c.option for c in rc.find(EchartsWidget).widgets}
    gini = charts["Inequality (Gini, 0 = equal)"]
    names = [s["name"] for s in gini["series"]]
    assert "land per head, village A" in names and "land per head, village B" in names
    assert [s["lineStyle"]["type"] for s in gini["series"]] == ["solid", "solid", "dashed", "dashed"]
    assert gini["title"]["subtext"] == "village A solid line, village B dashed"
    assert "icon" not in gini["legend"]  # line samples in the legend: dashed for B
    assert all(len(s["data"]) == 3 for s in gini["series"])
    assert "Households by class (village B)" in charts


def test_clicking_a_plot_shows_its_household():
    rc = render()
    m = rc.find(map_widget.VillageMapWidget).widget
    row = plots(m)["owners"][0]
    m.picked = {"row": row, "n": 1}
    hid = plots(m)["tips"][row].split(" ·")[0]  # "Household 17"
    assert rc.find(v.Html, class_="huzhu-household").widget.children == [hid]
    assert m.selected_row == row


def test_the_map_is_a_mesa_grid_of_plots():
    session = state.Session()
    session.step(2)
    village = session.villages["A"]
    view = views.map_view(village.model, "class", village.plots)
    grid = village.plots.grid
    assert grid.owner.data.shape == (view.ny, view.nx)
    cell = grid._cells[(0, 0)]
    assert cell.owner == view.owners[0]
    assert len(cell.neighborhood) == 3  # a corner plot has three neighbours


def test_a_failing_step_is_shown_not_lost(monkeypatch):
    def broken(self):
        raise RuntimeError("no grain left to count")

    monkeypatch.setattr(state.VillageModel, "step", broken)  # before the model is built: Mesa wraps step then
    rc = render()
    step(rc)
    assert "The model failed in year 1: no grain left to count" in rc.find(v.Alert).widget.children[0]
    assert years_text(rc) == "Years simulated: 0"


def test_colour_modes_give_a_legend_for_each():
    session = state.Session()
    session.step(3)
    for mode in views.COLOR_MODES:
        view = views.map_view(session.villages["A"].model, mode)
        assert len(view.colors) == len(view.frame)
        assert sum(count for _, _, count in view.legend) >= len(view.frame) - 1


def test_colours_and_class_names_are_the_house_style():
    """The map, its legend and the class chart use the colours and class names of `analysis.style`."""
    session = state.Session()
    view = views.map_view(session.villages["A"].model, "class")
    assert [(label, color) for label, color, _ in view.legend] == [
        (style.CLASS_LABELS_SINGULAR[c], style.CLASS_COLORS[c]) for c in style.CLASS_NAMES
    ]
    assert set(view.colors) <= set(style.CLASS_COLORS.values())
    frames = {"A": session.villages["A"].model.datacollector.get_model_vars_dataframe()}
    classes = views.chart_options(frames, 1951)["classes_A"]
    assert [s["itemStyle"]["color"] for s in classes["series"]] == [style.CLASS_COLORS[c] for c in style.CLASS_NAMES]
    assert map_widget.VillageMapWidget().empty_color == style.NO_OWNER_COLOR
    assert "<canvas" in map_widget.MAP_TEMPLATE  # the template, read from the package's map.vue


def test_hover_notes_name_the_document_and_passage():
    presets = state.load_presets()
    note = levers.hover_note("fund_portable", presets["shanxi_committee_1951"])
    info = field_info("fund_portable")
    assert info["source"] in note and info["passage"] in note
    assert "Not portable upon leaving the group" in note  # the preset's own provenance
    assert "modelling assumption" in levers.hover_note("households")
    for name in levers.LEVERS:
        assert levers.hover_note(name)


def test_app_command_serves_on_loopback_by_default():
    args = build_parser().parse_args(["app"])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    cmd = appcmd.server_command(args.host, args.port)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[1:3] == ["-m", "app.serve"] and appcmd.app_path().parts[-2:] == ("app", "page.py")
    env = appcmd.server_env({})
    assert appcmd.CODE_ENV not in env
    assert appcmd.server_env({}, class_code="K7QXM4")[appcmd.CODE_ENV] == "K7QXM4"
    assert env[assets.ENV_VAR] == str(assets.cache_dir())
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    args = build_parser().parse_args(["app", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


@pytest.mark.parametrize("port", ["70000", "-1", "0", "http"])
def test_app_command_refuses_a_port_out_of_range(port, capsys):
    with pytest.raises(SystemExit) as exit:
        build_parser().parse_args(["app", f"--port={port}"])
    assert exit.value.code == 2
    assert "port must be a whole number from 1 to 65535" in capsys.readouterr().err


def test_assets_lists_what_the_page_loads():
    specs = assets.required_packages()
    names = {s.rsplit("@", 1)[0] for s in specs}
    assert {"@widgetti/solara-vuetify-app", "requirejs", "font-awesome", "echarts"} <= names
    assert all("@" in s[1:] for s in specs)


def test_assets_unpacks_an_npm_tarball(tmp_path, monkeypatch):
    """Unpacking (without the network): the package folder appears whole, and a second run does nothing."""
    spec = "requirejs@2.3.6"
    monkeypatch.setattr(assets, "required_packages", lambda: [spec])
    tgz = tmp_path / "requirejs-2.3.6.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        for name, data in {"package/require.js": b"var requirejs;", "package/package.json": b"{}"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        packed = [{"name": "requirejs", "version": "2.3.6", "filename": tgz.name}]
        dest = cmd[cmd.index("--pack-destination") + 1]
        (tmp_path / "dest").mkdir(exist_ok=True)
        import shutil

        shutil.copy(tgz, dest)
        return type("P", (), {"returncode": 0, "stdout": json.dumps(packed), "stderr": ""})()

    monkeypatch.setattr(assets.subprocess, "run", fake_run)
    monkeypatch.setattr(assets.shutil, "which", lambda _: "npm")
    target = tmp_path / "cdn"
    assert assets.install(target, quiet=True) == [spec]
    assert (target / spec / "require.js").read_bytes() == b"var requirejs;"
    assert assets.missing(target) == []
    assert assets.install(target, quiet=True) == [] and len(calls) == 1


@pytest.mark.parametrize("value", [None, -1, float("nan"), False])
def test_non_members_have_no_group(value):
    assert views.member_id(value) is None
    assert views.member_id(3) == "3"


def test_side_by_side_starts_b_as_a_copy_of_a():
    session = state.Session()
    session.set_preset("A", "north_china_bureau_1951")
    session.set_lever("A", "land_sale_policy", "banned")
    session.set_compare(True)
    assert session.villages["B"].preset == "north_china_bureau_1951"
    assert session.params("A") == session.params("B")
    session.set_lever("B", "team_equivalence_rate", 1.5)
    assert session.changed_levers("B") == {"land_sale_policy": "banned", "team_equivalence_rate": 1.5}
    assert session.changed_levers("A") == {"land_sale_policy": "banned"}


def test_seeds_out_of_range_are_refused():
    for bad in ("12345678901234567890", "abc", "-5", "4294967296", "", "1e5"):
        assert state.seed_problem(bad) == "The seed must be a whole number from 0 to 4294967295."
    assert state.seed_problem("4294967295") is None
    session = state.Session()
    with pytest.raises(ValueError):
        session.set_seed(10**20)
    rc = render()
    seed = rc.find(v.TextField, label="Seed").widget
    seed.v_model = "12345678901234567890"
    seed.fire_event("keyup.enter", seed.v_model)
    box = rc.find(v.TextField, label="Seed").widget
    assert box.error and "from 0 to 4294967295" in str(box.messages)  # shown under the box
    assert years_text(rc) == "Years simulated: 0"


def test_scenarios_are_shown_by_title():
    rc = render()
    menu = rc.find(v.Select, label="Scenario").widget
    assert "Liu Shaoqi 1951" in menu.items and "liu_shaoqi_1951" not in menu.items
    assert menu.v_model == "Liu Shaoqi 1951"


def test_key_figures_and_a_restart_empties_the_household_card():
    rc = render()
    step(rc, 2)
    table = next(w for w in rc.find(solara.widgets.HTML).widgets if "huzhu-key-figures" in str(w.attributes))
    table = table.unsafe_innerHTML
    assert "Gini of land per head" in table and "in a team or co-op" in table and "poor peasants" in table
    m = rc.find(map_widget.VillageMapWidget).widget
    m.picked = {"row": plots(m)["owners"][0], "n": 1}
    assert rc.find(v.Html, class_="huzhu-household").widgets
    click(rc, "Reset")
    assert not rc.find(v.Html, class_="huzhu-household").widgets
    assert rc.find(map_widget.VillageMapWidget).widget.selected_row == -1


def test_a_closed_session_lets_its_villages_go():
    session = state.Session()
    session.step(1)
    session.close()
    assert all(v.model is None and v.plots is None for v in session.villages.values())
    assert session.years_done() == 0


def test_warmup_says_what_it_does(capsys):
    from cli import warmup

    seconds = warmup.warm(sys.stdout)
    out = capsys.readouterr().out
    assert "compiling the model's kernels, once (about a minute the first time" in out
    assert "kernels are ready" in out and seconds >= 0
