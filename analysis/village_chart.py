"""The village map as a chart: one village's land plots coloured by the owner's class.

The same picture the teaching app draws (`model.villagemap` lays out the plots), made
from a results directory's household snapshots. `analysis.charts` offers it with the
other charts.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis import style
from model import villagemap
from model.errors import InputError
from model.metrics import CLASS_NAMES
from scenarios.results import Results


def village_map(
    res: Results,
    run_id=None,
    year: int | None = None,
    village: int | None = None,
    size: str = "page",
    **kw,
) -> Figure:
    """Land plots of one village in one year coloured by the owner's class (the app's map).

    `kw` goes to `model.villagemap.plot_owners`. Defaults: the first run with
    snapshots, its last snapshot year, its first village.
    """
    hh = res.households
    if hh.empty:
        raise InputError(f"'{res.path}' has no household snapshots (households/*.parquet) for a village map")
    run_id = hh["run_id"].iloc[0] if run_id is None else run_id
    mine = hh[hh["run_id"] == run_id]
    if mine.empty:
        raise InputError(
            f"run {run_id} has no household snapshots (only the first 10 replicates of each point have them)"
        )
    year = int(mine["year"].max()) if year is None else int(year)
    village = int(mine["village"].min()) if village is None else int(village)
    frame = mine[(mine["year"] == year) & (mine["village"] == village)].reset_index(drop=True)
    if frame.empty:
        raise InputError(f"run {run_id} has no snapshot of village {village} in {year}")
    owners = np.asarray(villagemap.plot_owners(frame, **kw))
    codes = {c: i for i, c in enumerate(CLASS_NAMES)}
    cls = frame["social_class"].map(codes).fillna(-1).to_numpy(dtype=int)
    grid = np.where(owners >= 0, cls[np.clip(owners, 0, None)], -1)
    cmap = ListedColormap([style.NO_OWNER_COLOR] + [style.CLASS_COLORS[c] for c in CLASS_NAMES])
    scenario = style.scenario_titles(res.scenarios, res.scenario_info).get(str(frame["scenario"].iloc[0]))
    with style.styled(size):
        fig, axes = style.new_figure(size)
        ax = axes[0, 0]
        ax.imshow(grid + 1, cmap=cmap, vmin=0, vmax=len(CLASS_NAMES), interpolation="nearest")
        # thin white borders between different owners, so each household's holding reads as one patch
        ax.add_collection(LineCollection(_owner_borders(owners), colors="white", linewidths=0.6))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        counts = frame["social_class"].value_counts()
        handles = [
            Patch(color=style.CLASS_COLORS[c], label=f"{style.CLASS_LABELS[c]} ({counts.get(c, 0)})")
            for c in reversed(CLASS_NAMES)
        ] + [Patch(color=style.NO_OWNER_COLOR, label="no owner")]
        style.legend_outside(fig, handles, [h.get_label() for h in handles], title="Owner's class (households)")
        style.title(fig, f"Village {village} in {year}: land plots by owner's class, {scenario} run {run_id}")
        shows = "Shows: who owns which land; each cell is a plot, coloured by its owner's class, with white lines "
        style.caption(fig, f"{shows}between holdings. {len(frame)} households.")
    return fig


def _owner_borders(owners: np.ndarray) -> list[list[tuple[float, float]]]:
    """Line segments along cell edges where the owner changes (for imshow's pixel-centred grid)."""
    segs = []
    ii, jj = np.nonzero(owners[:, 1:] != owners[:, :-1])
    segs += [[(j + 0.5, i - 0.5), (j + 0.5, i + 0.5)] for i, j in zip(ii, jj, strict=True)]
    ii, jj = np.nonzero(owners[1:, :] != owners[:-1, :])
    segs += [[(j - 0.5, i + 0.5), (j + 0.5, i + 0.5)] for i, j in zip(ii, jj, strict=True)]
    return segs
