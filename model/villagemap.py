"""The village map: land as a grid of plots, each owned by a household.

Households sit along the village lane in order of `position` (kin who divided live
next door); each one's land is laid out as a run of plots along the rows of the
grid, so a household's holding is one contiguous patch and land concentration shows
as large patches of one colour. A plot is `plot_mu` mu.

>>> import pandas as pd
>>> f = pd.DataFrame({"position": [0.0, 1.0, 2.0], "land": [2.0, 1.0, 3.0]})
>>> plot_owners(f, width=3, plot_mu=1.0).tolist()
[[0, 0, 1], [2, 2, 2]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_owners(households: pd.DataFrame, width: int | None = None, plot_mu: float | None = None) -> np.ndarray:
    """2D array (rows x width) of row indices into `households` (one village), -1 for no owner.

    `households` needs columns `position` and `land`. By default plots are sized so the
    village has about 400 of them, on a square-ish grid.
    """
    land = households["land"].to_numpy(dtype=float)
    total = land.sum()
    if plot_mu is None:
        plot_mu = max(total / 400.0, 1e-9)
    n_plots = int(np.ceil(total / plot_mu - 1e-9)) if total > 0 else 0
    if width is None:
        width = max(int(np.ceil(np.sqrt(max(n_plots, 1)))), 1)
    order = np.argsort(households["position"].to_numpy(), kind="stable")
    # the plot whose centre falls in a household's stretch of the lane belongs to it
    edges = np.cumsum(land[order])
    centres = (np.arange(n_plots) + 0.5) * plot_mu
    owner = (
        order[np.minimum(np.searchsorted(edges, centres, side="right"), len(order) - 1)]
        if len(order)
        else np.zeros(0, int)
    )
    rows = max(int(np.ceil(n_plots / width)), 1)
    grid = np.full(rows * width, -1, dtype=np.int64)
    grid[:n_plots] = owner
    return grid.reshape(rows, width)


def model_plot_owners(
    model, village: int = 0, width: int | None = None, plot_mu: float | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """The map of one village of a running model: (owner grid of row indices, the village's household frame)."""
    frame = model.household_frame(village).reset_index(drop=True)
    return plot_owners(frame, width, plot_mu), frame
