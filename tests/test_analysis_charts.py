"""Each chart, drawn from a small synthetic batch and checked through matplotlib's objects."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex

from analysis import charts, style
from analysis.synthetic import PRESETS, write_synthetic
from model.errors import InputError
from scenarios.results import read_results

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    return read_results(
        write_synthetic(tmp_path_factory.mktemp("presets"), scenarios=PRESETS, reps=3, years=6, households=40)
    )


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    sweep = {"kind": "grid", "parameters": {"fund_levy_rate": [0.0, 0.05, 0.1], "join_pressure": [0.0, 0.5]}}
    d = write_synthetic(tmp_path_factory.mktemp("grid"), scenarios=("liu_shaoqi_1951",), reps=2, years=4, sweep=sweep)
    return read_results(d)


@pytest.fixture(scope="module")
def sobol(tmp_path_factory):
    problem = {"num_vars": 2, "names": ["land_price_years", "fund_levy_rate"], "bounds": [[1.0, 20.0], [0.0, 0.2]]}
    sweep = {"kind": "sobol", "problem": problem, "N": 16}
    d = write_synthetic(tmp_path_factory.mktemp("sobol"), scenarios=("liu_shaoqi_1951",), reps=1, years=4, sweep=sweep)
    return read_results(d)


def legend_texts(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def line_colors(ax):
    return {ln.get_label(): to_hex(ln.get_color()) for ln in ax.get_lines()}


def test_timeseries_one_line_and_band_per_scenario(res):
    fig = charts.timeseries(res, "gini_land")
    ax = fig.axes[0]
    assert fig.get_suptitle().startswith("Inequality of owned land per head")
    assert "1951–1956" in fig.get_suptitle() and "5 scenarios" in fig.get_suptitle()
    assert ax.get_xlabel() == "Year"
    assert "(Gini)" in ax.get_ylabel().replace("\n", " ")
    assert len(ax.get_lines()) == 5
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 5
    assert legend_texts(fig) == [style.PRESET_TITLES[s] for s in sorted(PRESETS)]
    # calendar years, whole numbers
    ticks = [t for t in ax.get_xticks() if 1951 <= t <= 1956]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert "95% t-interval" in style.caption_of(fig)


def test_same_colour_for_a_scenario_in_every_chart(res):
    want = style.PRESET_COLORS["liu_shaoqi_1951"]
    ts = charts.timeseries(res, "gini_land", scenarios=["liu_shaoqi_1951", "high_tide_no_exit"])
    assert line_colors(ts.axes[0])["Liu Shaoqi 1951"] == want.lower()
    teams = charts.team_dynamics(res)
    for ax in teams.axes:
        if ax.get_visible():
            assert line_colors(ax)["Liu Shaoqi 1951"] == want.lower()


def test_other_scenario_names_get_stable_distinct_colours():
    names = ["zeta", "alpha", "liu_shaoqi_1951", "beta"]
    colors = style.scenario_colors(names)
    assert colors == style.scenario_colors(list(reversed(names)))
    assert len(set(colors.values())) == 4
    assert colors["liu_shaoqi_1951"] == style.PRESET_COLORS["liu_shaoqi_1951"]


def test_class_composition_stacks_every_class_per_scenario(res):
    fig = charts.class_composition(res)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 5
    assert [ax.get_title(loc="left") for ax in panels] == [style.PRESET_TITLES[s] for s in sorted(PRESETS)]
    for ax in panels:
        assert len(ax.collections) == len(style.CLASS_NAMES)  # one area per class
        assert ax.get_ylim() == (0.0, 1.0)
    assert legend_texts(fig) == [style.CLASS_LABELS[c] for c in style.CLASS_NAMES]
    assert "Households by class" in fig.get_suptitle()
    assert panels[0].get_ylabel() == "Share of households"


def test_lorenz_curves_for_land_and_income(res):
    fig = charts.lorenz_curves(res, years=[1951, 1956], scenarios=["liu_shaoqi_1951", "shanxi_committee_1951"])
    assert len(fig.axes) == 4
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Land per head, 1951", "Income per head, 1951", "Land per head, 1956", "Income per head, 1956"]
    for ax in fig.axes:
        assert len(ax.get_lines()) == 3  # equality line and two scenarios
        x, y = ax.get_lines()[1].get_data()
        assert x[0] == 0 and y[-1] == pytest.approx(1.0)
        assert np.all(np.diff(y) >= -1e-12)
    assert "equal shares" in legend_texts(fig)
    with pytest.raises(InputError, match="no household snapshots for 1952"):
        charts.lorenz_curves(res, years=[1952])


def test_team_and_fund_panels(res):
    fig = charts.team_dynamics(res)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == [style.metric_short(m) for m in charts.TEAM_METRICS]
    assert all(len(ax.get_lines()) == 5 for ax in panels)
    assert panels[0].get_ylabel() == "share of households"
    fig = charts.coops_funds(res)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(charts.FUND_METRICS)
    assert "Co-ops and public funds" in fig.get_suptitle()
    assert "jin/household" in [ax.get_ylabel() for ax in panels]


def test_end_state_points_with_intervals(res):
    fig = charts.end_state(res, ["gini_land", "share_rich"])
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2
    assert fig.get_suptitle().startswith("End state in 1956")
    ax = panels[0]
    # per scenario: an interval segment and a point
    assert len(ax.get_lines()) == 10
    assert [t.get_text() for t in ax.get_yticklabels()] == [style.PRESET_TITLES[s] for s in sorted(PRESETS)][::-1]
    assert ax.get_xlabel() == "Gini"


def test_sweep_heatmap_and_line(grid):
    fig = charts.sweep_heatmap(grid, "fund_levy_rate", "join_pressure", "gini_land")
    ax = fig.axes[0]
    img = ax.get_images()[0].get_array()
    assert img.shape == (2, 3)
    assert "fund_levy_rate" in ax.get_xlabel() and "join_pressure" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.05", "0.1"]
    assert "(Gini)" in fig.axes[1].get_ylabel()  # the colour bar
    fig = charts.sweep_line(grid, "fund_levy_rate", "gini_land")
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0.0, 0.05, 0.1]
    with pytest.raises(InputError, match="not swept"):
        charts.sweep_line(grid, "wage", "gini_land")


def test_sobol_indices(sobol):
    table = charts.sobol_table(sobol, "gini_land")
    assert table["parameter"].tolist() == ["land_price_years", "fund_levy_rate"]
    assert np.isfinite(table[["S1", "ST"]].to_numpy()).all()
    fig = charts.sobol_indices(sobol, ["gini_land", "share_rich"])
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2
    assert len(panels[0].patches) == 4  # S1 and ST bars for two parameters
    assert legend_texts(fig) == ["first-order S1", "total ST"]


def test_sobol_needs_a_sobol_batch(res):
    with pytest.raises(InputError, match="not a Sobol sample"):
        charts.sobol_table(res, "gini_land")


def test_village_map_colours_plots_by_class(res):
    pytest.importorskip("model.villagemap")
    fig = charts.village_map(res, year=1956)
    ax = fig.axes[0]
    grid = ax.get_images()[0].get_array()
    assert grid.ndim == 2 and grid.min() >= 0 and grid.max() <= 5
    assert "land plots by owner's class" in fig.get_suptitle()
    texts = legend_texts(fig)
    assert any(t.startswith("rich peasants") for t in texts) and "no owner" in texts


def test_standard_set_fits_the_batch(res, grid, sobol):
    names = [n for n, _ in charts.standard_set(res)]
    assert "class_composition" in names and "lorenz" in names and "end_state" in names
    assert not any(n.startswith(("heatmap", "sobol")) for n in names)
    assert any(n.startswith("heatmap") for n, _ in charts.standard_set(grid))
    assert any(n.startswith("sobol") for n, _ in charts.standard_set(sobol))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_save_formats_and_sizes(res, tmp_path, fmt):
    page = charts.timeseries(res, "gini_land", size="page")
    slide = charts.timeseries(res, "gini_land", size="slide")
    assert tuple(page.get_size_inches()) == style.SIZES["page"][0]
    assert tuple(slide.get_size_inches()) == style.SIZES["slide"][0]
    path = style.save(page, tmp_path / "chart", fmt)
    head = path.read_bytes()[:8]
    assert path.suffix == "." + fmt
    assert {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[fmt] in head
    style.save(slide, tmp_path / "slide", fmt)


def test_sampled_sweep_heatmap_bins_the_values(tmp_path):
    problem = {"num_vars": 2, "names": ["fund_levy_rate", "join_pressure"], "bounds": [[0.0, 0.2], [0.0, 1.0]]}
    d = write_synthetic(
        tmp_path, scenarios=("a",), reps=1, years=3, sweep={"kind": "latin", "problem": problem, "N": 40}
    )
    res = read_results(d)
    assert res.sweep_kind == "latin"
    fig = charts.sweep_heatmap(res, "fund_levy_rate", "join_pressure", "gini_land")
    assert fig.axes[0].get_images()[0].get_array().shape == (6, 6)
    assert "equal bins" in fig._supxlabel.get_text()
