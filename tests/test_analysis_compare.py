"""Comparing scenarios: paired differences by year, rates and cumulative flows, what differs, chart polish."""

from __future__ import annotations

import json
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from analysis import charts, derived, style
from analysis.compare import differing_parameters, pairing_sentence
from analysis.difference_charts import difference, difference_panels
from analysis.report import write_report
from analysis.summary import difference_table, differences, pairing, summarize, t_interval
from analysis.synthetic import PRESETS, write_synthetic
from cli.main import main
from model.errors import InputError
from scenarios.loader import load
from scenarios.results import read_results

matplotlib.use("Agg")

LIU, SHANXI = "liu_shaoqi_1951", "shanxi_committee_1951"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def rewrite_runs(d, change):
    """Apply `change(frame) -> frame` to the runs table of a synthetic results directory (one part file)."""
    parts = sorted((d / "runs").glob("*.parquet"))
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    for p in parts:
        p.unlink()
    change(frame).to_parquet(d / "runs" / "part-0000.parquet", index=False)


def set_manifest(d, **scenario_records):
    """Replace scenario records of the manifest (by name)."""
    m = json.loads((d / "manifest.json").read_text())
    m["scenarios"] = [scenario_records.get(s["name"], s) for s in m["scenarios"]]
    (d / "manifest.json").write_text(json.dumps(m))


@pytest.fixture(scope="module")
def shared_luck(tmp_path_factory):
    """Two scenarios whose runs share their luck: Shanxi's grain per head is Liu's, run by run, minus 10 jin
    plus a little noise of its own, while the runs spread by about 30 jin."""
    d = write_synthetic(
        tmp_path_factory.mktemp("luck"), scenarios=(LIU, SHANXI), reps=8, years=5, households=40, common_seeds=True
    )

    def change(f):
        rng = np.random.default_rng(1)
        liu = f[f["scenario"] == LIU].set_index(["seed", "year"])["grain_per_head"]
        luck = pd.Series(rng.normal(0, 30, len(liu)), index=liu.index)
        liu_new = 330 + luck
        shanxi_new = liu_new - 10 + rng.normal(0, 2, len(liu))
        key = pd.MultiIndex.from_frame(f[["seed", "year"]])
        f["grain_per_head"] = np.where(
            f["scenario"] == LIU, liu_new.reindex(key).to_numpy(), shanxi_new.reindex(key).to_numpy()
        )
        return f

    rewrite_runs(d, change)
    return d


# --- 7. paired differences over time -------------------------------------------------------


def test_paired_difference_finds_what_overlapping_bands_hide(shared_luck):
    res = read_results(shared_luck)
    s = summarize(res, ["grain_per_head"]).query("year == 1955").set_index("scenario")
    # the unpaired intervals of the two means overlap...
    assert s.loc[SHANXI, "hi"] > s.loc[LIU, "lo"]
    # ...while the paired interval of the difference lies well below 0, in every year
    t = difference_table(res, ["grain_per_head"], baseline=LIU)
    assert list(t["year"]) == res.years and set(t["method"]) == {"paired t"}
    assert (t["hi"] < 0).all() and (t["diff"].between(-12, -8)).all()


def test_difference_table_is_the_run_by_run_difference_in_every_year(shared_luck):
    res = read_results(shared_luck)
    t = difference_table(res, ["grain_per_head", "gini_land"], baseline=LIU).set_index(["metric", "year"])
    runs = res.run_table().set_index(["scenario", "seed", "year"])
    for year in res.years:
        for m in ("grain_per_head", "gini_land"):
            by_run = (runs.loc[SHANXI][m] - runs.loc[LIU][m]).xs(year, level="year").to_numpy()
            row = t.loc[(m, year)]
            assert row["diff"] == pytest.approx(by_run.mean())
            assert (row["lo"], row["hi"]) == pytest.approx(t_interval(by_run))
            assert row["n"] == 8
    # the one-year form agrees
    one = differences(res, "grain_per_head", LIU, year=1953).iloc[0]
    assert one["diff"] == pytest.approx(t.loc[("grain_per_head", 1953), "diff"])


def test_difference_chart_draws_the_paired_band_for_any_metric(shared_luck):
    res = read_results(shared_luck)
    fig = difference(res, "grain_per_head", baseline=LIU)
    ax = fig.axes[0]
    line = [ln for ln in ax.get_lines() if ln.get_label() == "Shanxi Committee 1951"][0]
    assert list(line.get_xdata()) == res.years
    band = [c for c in ax.collections if isinstance(c, PolyCollection)][0]
    assert band.get_paths()[0].vertices[:, 1].max() < 0  # the band excludes 0 in every year
    text = style.caption_of(fig)
    assert "paired t-interval" in text and "share a seed" in text
    assert "Liu Shaoqi 1951" in fig.get_suptitle()
    # derived measures too
    fig = difference(res, "team_exit_rate", baseline=LIU)
    assert "Exits per member" in fig.get_suptitle()
    fig = difference_panels(res, ["gini_land", "land_sold_cum_share"], baseline=SHANXI)
    assert [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()] == [
        "Gini of land",
        "Land sold so far, share",
    ]


def test_unpaired_runs_get_a_welch_interval_and_say_so(tmp_path):
    d = write_synthetic(tmp_path, scenarios=(LIU, SHANXI), reps=4, years=3, households=20)  # seeds all differ
    set_manifest(d, **{LIU: {"name": LIU, "seed": 1951}, SHANXI: {"name": SHANXI, "seed": 7}})
    res = read_results(d)
    how = pairing(res, SHANXI, LIU)
    assert how["method"] == "Welch t" and "master seeds differ (7 and 1951)" in how["why"]
    assert set(difference_table(res, ["gini_land"], LIU)["method"]) == {"Welch t"}
    assert "Welch" in style.caption_of(difference(res, "gini_land"))
    assert "independent" in pairing_sentence(res, SHANXI, LIU)


def test_runs_pair_only_where_the_design_pairs_them(tmp_path):
    d = write_synthetic(tmp_path, scenarios=(LIU, SHANXI), reps=6, years=3, households=20, common_seeds=True)
    # two of Shanxi's runs are lost: the other four still pair with Liu's runs of the same seeds
    rewrite_runs(d, lambda f: f[~((f["scenario"] == SHANXI) & (f["replicate"] >= 4))])
    res = read_results(d)
    how = pairing(res, SHANXI, LIU)
    assert how["method"] == "paired t" and how["pairs"] == 4
    assert set(difference_table(res, ["gini_land"], LIU)["n"]) == {4}
    assert "2 runs without a partner left out" in pairing_sentence(res, SHANXI, LIU)


def test_report_compares_every_charted_measure_over_the_years(shared_luck, tmp_path):
    html = write_report(shared_luck, tmp_path / "r.html", baseline=LIU).read_text(encoding="utf-8")
    comparison = html[html.index('id="comparison"') : html.index('id="charts"')]
    assert 'id="differences"' in comparison and "data:image/png;base64," in comparison
    assert "paired" in comparison and "starts from the same seed" in comparison
    # the years as columns (first and last among them), and rows for every charted measure
    header = re.search(r"<th>measure</th><th>unit</th>(.*?)</tr>", comparison).group(1)
    assert re.findall(r"<th>(\d{4})</th>", header) == ["1951", "1952", "1953", "1954", "1955"]
    for name in ("Grain per head", "Exits per member", "Disbanded per group", "Land sold so far, share",
                 "Fund forfeited so far", "Hired labourer households", "Teams disbanded"):  # fmt: skip
        assert f">{name}</td>" in comparison, name
    # the paired difference in grain per head is marked as larger than the noise
    row = re.search(r">Grain per head</td>.*?</tr>", comparison).group(0)
    assert row.count("<strong>") == 5


def test_plot_draws_the_differences_from_a_chosen_baseline(shared_luck, tmp_path, capsys):
    out = tmp_path / "charts"
    assert main(["plot", str(shared_luck), "--out", str(out), "--baseline", SHANXI, "--metric", "grain_per_head"]) == 0
    assert (out / "differences.png").is_file()
    assert main(["plot", str(shared_luck), "--out", str(out), "--baseline", "nobody"]) == 2
    assert "baseline scenario 'nobody'" in capsys.readouterr().err


# --- 8. rates and cumulative flows ---------------------------------------------------------


def test_rates_divide_by_the_members_and_groups_at_the_start_of_the_year():
    runs = pd.DataFrame(
        {
            "run_id": 0,
            "village": [0, 0, 0, 1, 1, 1],
            "year": [1951, 1952, 1953] * 2,
            "households": [100.0, 100.0, 100.0, 50.0, 50.0, 50.0],
            "team_membership_rate": [0.2, 0.4, 0.5, 0.4, 0.4, 0.4],
            "team_joins": [20.0, 25.0, 12.0, 20.0, 4.0, 6.0],
            "team_exits": [0.0, 5.0, 10.0, 0.0, 3.0, 2.0],
            "teams": [4.0, 6.0, 6.0, 3.0, 3.0, 2.0],
            "coops": [0.0, 0.0, 1.0, 0.0, 1.0, 1.0],
            "teams_disbanded": [0.0, 1.0, 2.0, 0.0, 0.0, 1.0],
            "land_sold": [1.0, 2.0, 3.0, 0.0, 4.0, 0.0],
            "total_land": [400.0] * 3 + [200.0] * 3,
        }
    )
    t = derived.add_derived(runs).set_index("year")
    assert np.isnan(t.loc[1951, "team_exit_rate"])  # nobody known at the start of the first year
    # 1952: villages pooled: (5 + 3) exits over (20 + 20) members at the end of 1951
    assert t.loc[1952, "team_exit_rate"] == pytest.approx(8 / 40)
    assert t.loc[1953, "team_exit_rate"] == pytest.approx(12 / (40 + 20))
    # joins per household outside teams and co-ops at the start: 1952 (25 + 4) over (80 + 30)
    assert t.loc[1952, "team_join_rate"] == pytest.approx(29 / 110)
    # disbandings per team or co-op at the start: 1953 (2 + 1) over (6 + 0) + (3 + 1)
    assert t.loc[1953, "team_disband_rate"] == pytest.approx(3 / 10)
    # running totals, averaged over villages; and as a share of the land
    assert t["land_sold_cum"].tolist() == pytest.approx([0.5, 3.5, 5.0])
    assert t.loc[1953, "land_sold_cum_share"] == pytest.approx(5.0 / 300)


def test_rate_and_flow_charts_alongside_the_counts(shared_luck):
    res = read_results(shared_luck)
    names = [n for n, _ in charts.standard_set(res)]
    assert names.index("team_rates") == names.index("team_dynamics") + 1
    assert names.index("cumulative_flows") == names.index("coops_funds") + 1
    fig = charts.team_rates(res)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == [style.metric_short(m) for m in derived.RATE_METRICS]
    assert panels[1].get_ylabel() == "per member household"
    line = panels[1].get_lines()[0]
    assert line.get_xdata()[0] == 1952  # a rate needs the year before
    fig = charts.cumulative_flows(res)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(derived.FLOW_METRICS)
    table = derived.run_table(res)
    liu = table[table["scenario"] == LIU].groupby("year")["fund_forfeited_cum"].mean()
    drawn = [ln for ln in panels[2].get_lines() if ln.get_label() == "Liu Shaoqi 1951"][0]
    assert drawn.get_ydata() == pytest.approx(liu.to_numpy())
    # any chart takes a derived measure, and a misspelt one names the closest
    assert "per member household" in charts.timeseries(res, "team_exit_rate").axes[0].get_ylabel()
    with pytest.raises(InputError, match="did you mean 'team_exit_rate'"):
        charts.timeseries(res, "team_exit_rte")


# --- 9. say what differs ------------------------------------------------------------------


def test_report_lists_the_parameters_that_differ_before_any_outcome(tmp_path):
    d = write_synthetic(tmp_path, scenarios=(LIU, SHANXI), reps=3, years=3, households=20, common_seeds=True)
    liu, shanxi = load(LIU), load(SHANXI)
    set_manifest(d, **{LIU: liu.to_dict(), SHANXI: shanxi.to_dict()})
    res = read_results(d)
    table = differing_parameters(res)
    a, b = liu.params.model_dump(), shanxi.params.model_dump()
    want = [n for n in a if a[n] != b[n]]
    assert sorted(table.index) == sorted(want) and len(want) >= 8
    assert table.loc["fund_portable", LIU] is True and table.loc["fund_portable", SHANXI] is False
    html = write_report(d, tmp_path / "r.html").read_text(encoding="utf-8")
    lead = f"Shanxi Committee 1951 and Liu Shaoqi 1951 differ in {len(want)} parameters"
    assert lead in html
    assert html.index(lead) < html.index("Differences year by year") < html.index('id="charts"')
    for name in want:
        assert f"<code>{name}</code>" in html
    assert f"differ in {len(want)} parameters" in style.caption_of(difference(res, "gini_land"))


def test_swept_parameters_count_as_differing(tmp_path):
    sweep = {"kind": "grid", "parameters": {"fund_levy_rate": [0.0, 0.1]}}
    d = write_synthetic(tmp_path, scenarios=("a", "b"), reps=2, years=3, households=20, sweep=sweep)
    assert differing_parameters(read_results(d)).loc["fund_levy_rate"].tolist() == ["swept", "swept"]


# --- 10. chart polish ----------------------------------------------------------------------


def test_scenario_titles():
    assert style.scenario_title(SHANXI) == "Shanxi Committee 1951"
    assert style.scenario_title("x", {"title": "My own title"}) == "My own title"
    assert style.scenario_title("liu_shaoqi_1951_no_market") == "Liu Shaoqi 1951, no market"
    titles = style.scenario_titles(["a_b", "a-b"])
    assert len(set(titles.values())) == 2  # two names that read alike keep their names


def test_every_chart_uses_titles_and_has_a_caption_saying_what_it_shows(shared_luck, tmp_path):
    res = read_results(shared_luck)
    for name, make in charts.standard_set(res):
        fig = make()
        text = style.caption_of(fig)
        assert text.startswith("Shows:"), name
        shown = fig.get_suptitle() + " " + " ".join(t.get_text() for leg in fig.legends for t in leg.get_texts())
        assert LIU not in shown and SHANXI not in shown, name
        plt.close(fig)
    grid = {"kind": "grid", "parameters": {"fund_levy_rate": [0.0, 0.1], "join_pressure": [0.0, 0.5]}}
    problem = {"num_vars": 2, "names": ["land_price_years", "fund_levy_rate"], "bounds": [[1.0, 20.0], [0.0, 0.2]]}
    sobol = {"kind": "sobol", "problem": problem, "N": 16}
    for i, sweep in enumerate((grid, sobol)):
        d = write_synthetic(tmp_path / str(i), scenarios=(LIU,), reps=1, years=3, households=20, sweep=sweep)
        for name, make in charts.standard_set(read_results(d)):
            fig = make()
            assert style.caption_of(fig).startswith("Shows:"), name
            plt.close(fig)


def test_bands_of_a_measure_that_cannot_be_negative_stay_at_or_above_zero(tmp_path):
    d = write_synthetic(tmp_path, scenarios=(LIU, SHANXI), reps=4, years=4, households=20)
    # mostly no team disbanded, now and then one: a t-interval of the mean reaches below 0
    rewrite_runs(d, lambda f: f.assign(teams_disbanded=np.where(f["replicate"] == 0, 1.0, 0.0)))
    res = read_results(d)
    assert (summarize(res, ["teams_disbanded"])["lo"] < 0).all()
    for fig in (charts.timeseries(res, "teams_disbanded"), charts.team_dynamics(res)):
        for ax in fig.axes:
            for band in (c for c in ax.collections if isinstance(c, PolyCollection)):
                assert band.get_paths()[0].vertices[:, 1].min() >= 0
    fig = charts.end_state(res, ["teams_disbanded", "share_rich"])
    for ax in fig.axes:
        for ln in ax.get_lines():
            assert min(ln.get_xdata()) >= 0
    # differences may be negative: they are not cut
    assert (difference_table(res, ["teams_disbanded"], LIU)["lo"] < 0).any()


def test_lorenz_curves_pool_every_run_with_snapshots(tmp_path):
    from model.inequality import gini

    d = write_synthetic(tmp_path, scenarios=(LIU,), reps=3, years=3, households=30)
    hh = pd.concat([pd.read_parquet(p) for p in sorted((d / "households").glob("*.parquet"))], ignore_index=True)
    # the snapshots of replicates 1 and 2 as well, with other land holdings
    more = []
    for rep in (1, 2):
        h = hh.copy()
        h["run_id"], h["replicate"] = rep, rep
        h["land"] = h["land"] * np.linspace(0.2, 3.0, len(h)) ** rep
        more.append(h)
    pd.concat(more, ignore_index=True).to_parquet(d / "households" / "part-0009.parquet", index=False)
    res = read_results(d)
    fig = charts.lorenz_curves(res, years=[1953])
    assert "Households of 3 runs per scenario pooled" in style.caption_of(fig)
    at = res.households[res.households["year"] == 1953]
    pooled = (at["land"] / (at["workers"] + at["dependents"]).clip(lower=1)).to_numpy()
    assert fig.axes[0].texts[0].get_text() == f"Gini {gini(pooled):.2f}"
    # a batch that kept one run per scenario says so
    one = write_synthetic(tmp_path / "one", scenarios=(LIU,), reps=3, years=3, households=30)
    text = style.caption_of(charts.lorenz_curves(read_results(one)))
    assert "Households of 1 run per scenario pooled" in text and "1 of its 3 runs" in text


def test_presets_in_order(tmp_path):
    d = write_synthetic(tmp_path, scenarios=PRESETS, reps=2, years=3, households=20)
    fig = charts.end_state(read_results(d), ["gini_land"])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [style.PRESET_TITLES[s] for s in sorted(PRESETS)][::-1]
