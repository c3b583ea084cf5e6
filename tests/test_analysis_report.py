"""`huzhu plot`, `huzhu report` and `analysis.report.write_report`: outputs and bad input."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pandas as pd
import pytest

from analysis.report import write_report
from analysis.synthetic import write_synthetic
from cli.main import main


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    return write_synthetic(d, scenarios=("liu_shaoqi_1951", "shanxi_committee_1951"), reps=3, years=5, households=40)


class Page(HTMLParser):
    """Collects tags, their attributes and the text of an HTML page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("small")
    return write_synthetic(d, scenarios=("liu_shaoqi_1951",), reps=2, years=3, households=20)


def test_report_is_one_self_contained_html_file(batch, tmp_path):
    path = write_report(batch, tmp_path / "sub" / "report.html")
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    tags = [t for t, _ in page.tags]
    assert tags[0] == "html" and "title" in tags and "table" in tags
    imgs = [a for t, a in page.tags if t == "img"]
    assert len(imgs) >= 8
    for a in imgs:
        assert a["src"].startswith("data:image/png;base64,")
        assert a.get("alt")
    # nothing fetched from files or the network: no external scripts, styles, frames or links to resources
    for tag, attrs in page.tags:
        for key in ("src", "href"):
            if key in attrs:
                assert attrs[key].startswith(("data:", "#")), (tag, attrs[key])
        assert tag not in ("script", "link", "iframe")
    text = " ".join(page.text)
    assert "Synthetic stand-in for the scenario 'liu_shaoqi_1951'" in text
    assert "End state in 1955" in text and "Comparing the scenarios with Liu Shaoqi 1951" in text
    assert "95% t-interval" in text
    assert "Provenance" in text and "3 done" not in text and "6 done" in text


def test_report_command_writes_the_file(small, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(small), "-o", str(out), "--metric", "gini_land"]) == 0
    assert out.stat().st_size > 10_000
    assert str(out) in capsys.readouterr().out


def test_plot_command_writes_the_standard_set(small, tmp_path, capsys):
    out = tmp_path / "charts"
    assert main(["plot", str(small), "--out", str(out), "--format", "svg", "--metric", "gini_land"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "timeseries_gini_land.svg" in names and "class_composition.svg" in names
    assert "timeseries_share_rich.svg" not in names  # only the metric asked for
    assert "charts (svg, page)" in capsys.readouterr().out


def run_bad(args, capsys):
    code = main(args)
    return code, capsys.readouterr().err


def test_not_a_results_directory_exits_2(tmp_path, capsys):
    code, err = run_bad(["plot", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and "is not a directory" in err
    code, err = run_bad(["report", str(tmp_path)], capsys)
    assert code == 2 and "not a results directory" in err and "manifest.json" in err


def test_unknown_metric_exits_2_naming_the_closest(batch, capsys):
    code, err = run_bad(["plot", str(batch), "--metric", "gini_lnd"], capsys)
    assert code == 2
    assert "unknown metric 'gini_lnd'; did you mean 'gini_land'?" in err


def test_empty_batch_exits_2(batch, tmp_path, capsys):
    empty = tmp_path / "empty"
    (empty / "runs").mkdir(parents=True)
    (empty / "manifest.json").write_text(json.dumps({"scenarios": [], "runs": []}))
    frame = pd.read_parquet(next((batch / "runs").glob("*.parquet"))).iloc[:0]
    frame.to_parquet(empty / "runs" / "part-0000.parquet")
    code, err = run_bad(["report", str(empty), "-o", str(tmp_path / "x.html")], capsys)
    assert code == 2 and "no finished runs" in err
    assert not (tmp_path / "x.html").exists()


def test_report_tables_of_inequality_and_sobol_indices(tmp_path):
    from analysis.report import _inequality_table, _sobol_tables
    from analysis.summary import household_inequality
    from scenarios.results import read_results

    problem = {"num_vars": 2, "names": ["land_price_years", "fund_levy_rate"], "bounds": [[1.0, 20.0], [0.0, 0.2]]}
    d = write_synthetic(
        tmp_path, scenarios=("a",), reps=1, years=3, sweep={"kind": "sobol", "problem": problem, "N": 8}
    )
    res = read_results(d)
    html = "".join(_inequality_table(res))
    gini_last = household_inequality(res.households, by=("scenario", "year")).query("year == 1953")["gini_land"]
    assert "Inequality among households" in html and f"{gini_last.iloc[0]:.3f}" in html
    html = "".join(_sobol_tables(res, ["gini_land"]))
    assert "Sobol indices" in html and "<code>land_price_years</code>" in html and "±" in html
