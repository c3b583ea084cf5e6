"""One chart style: colour-blind-safe colours, a fixed colour per scenario and class, page and slide sizes.

Colours are the Okabe-Ito palette. The five 1951 positions always get the same
colour; other scenario names take the remaining colours in sorted order, so a
scenario keeps its colour in every chart of a batch.

>>> scenario_colors(["liu_shaoqi_1951", "my_variant"])["liu_shaoqi_1951"]
'#009E73'
>>> metric_label("gini_land")
'Inequality of owned land per head across households (Gini)'
"""

from __future__ import annotations

import math
import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.derived import DERIVED
from model.metrics import CLASS_NAMES, METRICS
from model.params import FIELDS, field_info

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PRESET_COLORS = {
    "shanxi_committee_1951": OKABE_ITO["vermillion"],
    "north_china_bureau_1951": OKABE_ITO["blue"],
    "liu_shaoqi_1951": OKABE_ITO["bluish_green"],
    "draft_resolution_1951": OKABE_ITO["orange"],
    "high_tide_no_exit": OKABE_ITO["reddish_purple"],
}
# For other scenario names, in this order; yellow last because thin yellow lines are hard to see on white.
_OTHER_COLORS = [OKABE_ITO[k] for k in ("sky_blue", "black", "yellow")]
_LINESTYLES = ["-", "--", ":", "-."]

# Ordered from the bottom of the village to the top: warm for the poor, blue for the rich.
CLASS_COLORS = {
    "hired_labourer": OKABE_ITO["vermillion"],
    "poor": OKABE_ITO["orange"],
    # between orange and yellow in hue and lightness (Okabe-Ito has no colour there)
    "lower_middle": "#EBC15F",
    "middle": OKABE_ITO["yellow"],
    "well_off_middle": OKABE_ITO["sky_blue"],
    "rich": OKABE_ITO["blue"],
}
CLASS_LABELS = {
    "hired_labourer": "hired labourers",
    "poor": "poor peasants",
    "lower_middle": "lower-middle peasants",
    "middle": "middle peasants",
    "well_off_middle": "well-off middle peasants",
    "rich": "rich peasants",
}
NO_OWNER_COLOR = "#DDDDDD"

# The app (drawn in the browser) names one household's class in the singular: map notes and household card.
CLASS_LABELS_SINGULAR = {
    "hired_labourer": "hired labourer",
    "poor": "poor peasant",
    "lower_middle": "lower-middle peasant",
    "middle": "middle peasant",
    "well_off_middle": "well-off middle peasant",
    "rich": "rich peasant",
}
# Lines of one chart, a colour per measure (the app draws village B dashed in the same colours).
SERIES_COLORS = tuple(OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "reddish_purple"))
# A colour per mutual aid team on the app's map: more teams than Okabe-Ito has colours, so
# ColorBrewer's Dark2 then Paired; a colour repeats only beyond fourteen teams.
TEAM_COLORS = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#1f78b4", "#b15928", "#6a3d9a", "#33a02c", "#fb9a99", "#cab2d6", "#fdbf6f",
)  # fmt: skip
NON_MEMBER_COLOR = "#D9D9D9"  # households in no team and no co-op
# Households by membership: a producer co-op (dark green), a mutual aid team (light green), neither.
MEMBERSHIP_COLORS = {"coop": "#1b7837", "team": "#a6dba0", "alone": NON_MEMBER_COLOR}

# Figure sizes in inches and base font sizes: a page (text width of A4/letter) and a 16:9 slide.
SIZES = {"page": ((6.5, 4.0), 8.5), "slide": ((11.0, 6.0), 13.0)}
DPI = 150


def scenario_colors(scenarios: list[str]) -> dict[str, str]:
    """A colour for every scenario: fixed for the five presets, by sorted name for the rest."""
    out = {s: PRESET_COLORS[s] for s in scenarios if s in PRESET_COLORS}
    others = sorted(s for s in scenarios if s not in PRESET_COLORS)
    # sky blue and black first, then preset colours no preset in this batch uses, yellow last
    unused = [c for c in PRESET_COLORS.values() if c not in out.values()]
    free = _OTHER_COLORS[:2] + unused + _OTHER_COLORS[2:]
    for i, s in enumerate(others):
        out[s] = free[i % len(free)]
    return out


def scenario_linestyles(scenarios: list[str]) -> dict[str, str]:
    """Solid lines, except that names beyond the palette's length get dashes to stay distinct."""
    colors = scenario_colors(scenarios)
    seen: dict[str, int] = {}
    out = {}
    for s in sorted(scenarios):
        k = seen.get(colors[s], 0)
        out[s] = _LINESTYLES[k % len(_LINESTYLES)]
        seen[colors[s]] = k + 1
    return out


def metric_title(name: str) -> str:
    """The metric's meaning, capitalised (from `model.metrics`)."""
    meaning = METRICS[name][1] if name in METRICS else DERIVED[name][1] if name in DERIVED else name.replace("_", " ")
    return meaning[:1].upper() + meaning[1:]


def metric_unit(name: str) -> str:
    return METRICS[name][0] if name in METRICS else DERIVED[name][0] if name in DERIVED else ""


def metric_label(name: str, width: int | None = None) -> str:
    """Axis label: meaning and unit, wrapped to `width` characters if given."""
    unit = metric_unit(name)
    text = metric_title(name) + (f" ({unit})" if unit else "")
    return textwrap.fill(text, width) if width else text


def param_label(name: str, width: int | None = None) -> str:
    """Axis label of a swept parameter: its meaning and unit from the schema, and its name."""
    if name not in FIELDS:
        return name
    info = field_info(name)
    meaning = info["meaning"][:1].upper() + info["meaning"][1:]
    text = f"{meaning} ({info['unit']})" if info["unit"] else meaning
    text = f"{text} [{name}]"
    return textwrap.fill(text, width) if width else text


def scenarios_phrase(scenarios: list[str], limit: int = 3) -> str:
    """Which scenarios a chart shows, in words short enough for a title."""
    if len(scenarios) == 1:
        return scenarios[0]
    if len(scenarios) <= limit:
        return ", ".join(scenarios[:-1]) + " and " + scenarios[-1]
    return f"{len(scenarios)} scenarios"


def rc(size: str = "page") -> dict:
    """matplotlib settings for the house style at a size."""
    _, font = SIZES[size]
    return {
        "font.size": font,
        "axes.titlesize": font * 1.1,
        "axes.labelsize": font,
        "figure.titlesize": font * 1.2,
        "legend.fontsize": font * 0.9,
        "legend.title_fontsize": font * 0.9,
        "xtick.labelsize": font * 0.9,
        "ytick.labelsize": font * 0.9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#E5E5E5",
        "grid.linewidth": 0.6,
        "lines.linewidth": 1.8 if size == "page" else 2.6,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "font.family": "DejaVu Sans",
    }


@contextmanager
def styled(size: str = "page"):
    """Apply the house style inside a `with` block."""
    if size not in SIZES:
        raise ValueError(f"size must be 'page' or 'slide', not {size!r}")
    with mpl.rc_context(rc(size)):
        yield


def grid_shape(n: int, size: str = "page") -> tuple[int, int]:
    """Rows and columns for `n` panels: two columns on a (portrait) page, three on a slide."""
    ncols = min(n, 2 if size == "page" else 3)
    return math.ceil(n / ncols), ncols


def new_figure(size: str = "page", nrows: int = 1, ncols: int = 1, **kw) -> tuple[Figure, object]:
    """A figure with constrained layout at the page or slide size.

    One row of panels gets the base size; more rows grow a page figure downwards
    (a page has room), while a slide keeps its 16:9 height.
    """
    (w, h), _ = SIZES[size]
    if nrows > 1 and size == "page":
        h = 1.3 + 2.5 * nrows
    # Made through pyplot so `plt.show()` displays it in a notebook; `save` closes it.
    # The backend is left alone here: `huzhu plot` and `huzhu report` select Agg.
    fig = plt.figure(figsize=(w, h), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def year_axis(ax, label: bool = True, nbins: int = 8) -> None:
    """Calendar years as whole numbers on the x axis (fewer ticks for narrow panels)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=nbins))
    if label:
        ax.set_xlabel("Year")


def legend_outside(fig: Figure, handles=None, labels=None, title: str | None = None, where: str = "right"):
    """A figure legend outside the panels, so it never covers data: to the right, or below across the width
    (`where="caption"`: below, with the chart's caption as its heading)."""
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    if where == "caption":
        # below the panels, led by the caption (a caption and a legend both at the foot would overlap)
        small = mpl.rcParams["font.size"] * 0.833
        leg = fig.legend(
            handles, labels, loc="outside lower center", title=_wrap(fig, title, small), frameon=False,
            ncols=min(len(handles), 3), alignment="center",
        )  # fmt: skip
        leg.get_title().set_fontsize(small)
        leg.get_title().set_color("#555555")
        return leg
    if where == "bottom":
        title = _wrap(fig, title, mpl.rcParams["legend.title_fontsize"]) if title else title
        return fig.legend(
            handles, labels, loc="outside lower center", title=title, ncols=min(len(handles), 3), frameon=False
        )
    return fig.legend(handles, labels, loc="outside right center", title=title, frameon=False)


def caption(fig: Figure, text: str) -> None:
    """A small grey note at the foot of the figure saying what the lines, points and bands are."""
    small = mpl.rcParams["font.size"] * 0.833  # matplotlib's "small"
    fig.supxlabel(_wrap(fig, text, small), fontsize="small", color="#555555")


def caption_of(fig: Figure) -> str:
    """The caption of a chart made here: the note at its foot, or the heading of a legend placed there."""
    label = getattr(fig, "_supxlabel", None)
    if label is not None and label.get_text():
        return label.get_text().replace("\n", " ")
    for leg in fig.legends:
        text = leg.get_title().get_text()
        if text.startswith("Shows:"):
            return text.replace("\n", " ")
    return ""


def save(fig: Figure, path: str | Path, fmt: str | None = None) -> Path:
    """Save as PNG, SVG or PDF (from the suffix unless `fmt` is given), close the figure, return the path."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "png").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"format must be png, svg or pdf, not {fmt!r}")
    path = path.with_suffix("." + fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, metadata=_metadata(fmt))
    plt.close(fig)
    return path


def _metadata(fmt: str) -> dict:
    # No creation dates, so the same batch gives the same SVG/PDF bytes.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return {}


__all__ = [
    "CLASS_COLORS",
    "CLASS_LABELS",
    "CLASS_NAMES",
    "PRESET_COLORS",
    "SIZES",
    "caption",
    "legend_outside",
    "metric_label",
    "new_figure",
    "param_label",
    "save",
    "scenario_colors",
    "styled",
    "year_axis",
]

# Short names for panel titles, where a metric's full meaning is too long to fit.
SHORT = {
    "gini_land": "Gini of land",
    "gini_land_household": "Gini of land per household",
    "gini_income": "Gini of income",
    "gini_wealth": "Gini of wealth",
    "top10_land_share": "Top-10% land share",
    "grain_per_head": "Grain per head",
    "poverty_rate": "Poverty rate",
    "team_membership_rate": "Team or co-op membership",
    "teams": "Mutual aid teams",
    "team_joins": "Households joining teams",
    "team_exits": "Households leaving teams",
    "teams_disbanded": "Teams disbanded",
    "manor_teams": "'Manor' teams",
    "coop_membership_rate": "Co-op membership",
    "coops": "Producer co-ops",
    "public_fund_total": "Public funds held",
    "fund_per_member": "Public fund per member",
    "fund_forfeited": "Fund shares forfeited by leavers",
    "welfare_paid": "Welfare paid from funds",
    "effort_mean": "Work effort of members",
    "share_rich": "Rich peasant households",
    "share_poor": "Poor peasant households",
    "share_hired_labourer": "Hired labourer households",
    "share_lower_middle": "Lower-middle peasant households",
    "share_middle": "Middle peasant households",
    "share_well_off_middle": "Well-off middle peasant households",
    "hired_labour_share": "Hired share of farm labour",
    "land_sold": "Land sold",
    "distress_sales": "Distress land sales",
    "debt_total": "Debt outstanding",
}


def metric_short(name: str) -> str:
    """A short name for panel titles (falls back to the metric's meaning)."""
    return SHORT.get(name) or (DERIVED[name][2] if name in DERIVED else metric_title(name))


def ylabel_wrapped(fig: Figure, ax, text: str) -> None:
    """A y-axis label wrapped to the axis' height, so a long metric name is not cut at the figure's edge."""
    size = mpl.rcParams["axes.labelsize"]
    size = size if isinstance(size, (int, float)) else mpl.rcParams["font.size"]
    chars = int(ax.get_position().height * fig.get_figheight() * 72 / (0.58 * size))
    ax.set_ylabel(textwrap.fill(text, max(chars, 20)))


def _wrap(fig: Figure, text: str, size) -> str:
    """Text wrapped to the figure's width at a font size in points (about 0.58 em a character)."""
    size = size if isinstance(size, (int, float)) else mpl.rcParams["font.size"]
    chars = int(fig.get_figwidth() * 72 / (0.58 * size))
    return textwrap.fill(text, chars)


def title(fig: Figure, text: str) -> None:
    """The figure's title, wrapped to the figure's width so long scenario names never run off the edge."""
    fig.suptitle(_wrap(fig, text, mpl.rcParams["figure.titlesize"]))


# Titles of the presets for legends and headings (the names stay the files' and the results' keys).
PRESET_TITLES = {
    "shanxi_committee_1951": "Shanxi Committee 1951",
    "north_china_bureau_1951": "North China Bureau 1951",
    "liu_shaoqi_1951": "Liu Shaoqi 1951",
    "draft_resolution_1951": "Draft Resolution 1951",
    "high_tide_no_exit": "High Tide No Exit",
    "historical_path_1951_1957": "Historical path 1951-1957",
}


def scenario_title(name: str, record: dict | None = None) -> str:
    """A scenario's title for readers: the record's `title` if it has one, a preset's title, a variant of a
    preset named after it ("liu_shaoqi_1951_high_levy" -> "Liu Shaoqi 1951, high levy"), else the name in words.

    >>> scenario_title("liu_shaoqi_1951"), scenario_title("liu_shaoqi_1951_no_sales"), scenario_title("my_variant")
    ('Liu Shaoqi 1951', 'Liu Shaoqi 1951, no sales', 'My variant')
    """
    if record and isinstance(record.get("title"), str) and record["title"].strip():
        return record["title"].strip()
    if name.endswith(".toml"):  # a scenario file: its stem
        name = Path(name).stem
    if name in PRESET_TITLES:
        return PRESET_TITLES[name]
    for preset in sorted(PRESET_TITLES, key=len, reverse=True):
        if name.startswith(preset + "_") or name.startswith(preset + "-"):
            return f"{PRESET_TITLES[preset]}, {name[len(preset) + 1 :].replace('_', ' ').replace('-', ' ')}"
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def scenario_titles(names: list[str], records: dict[str, dict] | None = None) -> dict[str, str]:
    """Titles of the scenarios of a batch, one per name; two that would read alike keep their names too."""
    records = records or {}
    titles = {n: scenario_title(n, records.get(n)) for n in names}
    counts: dict[str, int] = {}
    for t in titles.values():
        counts[t] = counts.get(t, 0) + 1
    return {n: (f"{t} ({n})" if counts[t] > 1 else t) for n, t in titles.items()}
