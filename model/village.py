"""`VillageModel`: one or many villages after the land reform, as a Mesa model.

>>> m = VillageModel(households=60, rng=1)
>>> m.run_for(3)
>>> df = m.datacollector.get_model_vars_dataframe()
>>> df["year"].tolist()
[1951, 1952, 1953]
>>> round(df[["share_hired_labourer", "share_poor", "share_lower_middle", "share_middle", "share_well_off_middle",
...           "share_rich"]].sum(axis=1), 9).tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np
import pandas as pd

from . import observe
from . import year as yearly
from .household import Household
from .land_reform import initial_teams, land_reform
from .metrics import CLASS_NAMES, NAMES, ORIGIN_NAMES
from .params import ParameterError, Params, make_params
from .rng import Draws, village_keys
from .teams import Teams, groups

MAX_SEED = 2**64 - 1  # seeds key 64-bit counter-based draws (model.rng)


def check_seed(name: str, value, alternatives: str = "") -> None:
    """Raise ParameterError unless `value` is a whole number a seed can be (bools are not seeds)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) <= MAX_SEED:
        extra = f" {alternatives}" if alternatives else ""
        raise ParameterError(f"{name} = {value!r} is not allowed: expected a whole number from 0 to 2**64 - 1{extra}")


def check_seeds(seeds) -> None:
    """`village_seeds`: a non-empty list of seeds."""
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__len__") or len(seeds) == 0:
        raise ParameterError(f"village_seeds = {seeds!r} is not allowed: expected a non-empty list of seeds")
    for i, s in enumerate(seeds):
        check_seed(f"village_seeds[{i}]", s)


def _metric(model: VillageModel, name: str):
    return model.metrics[name]


# the `villages` table's metric columns and their rows in observe.metrics_table
_COLUMNS = tuple((name, observe.ROWS.index(name)) for name in NAMES)


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector, taking the model reporters' values from `model.metrics` in one pass.

    Mesa's `collect` calls every model reporter and deep-copies what it returns. The
    model's reporters each return one entry of `model.metrics`, which holds Python numbers
    (immutable), so here the entries are appended as they are: the same values, at a
    fraction of the cost. With any other reporter added, Mesa collects as usual.
    """

    def __init__(self, model_reporters=None, agent_reporters=None, agenttype_reporters=None, tables=None):
        super().__init__(model_reporters, agent_reporters, agenttype_reporters, tables)
        self._own = {
            name: r for name, r in self.model_reporters.items() if isinstance(r, partial) and r.func is _metric
        }

    def collect(self, model):
        if self.agent_reporters or self.agenttype_reporters or self.model_reporters != self._own:
            super().collect(model)
            return
        self._collection_steps.append(model.time)
        self._validated = True
        metrics = model.metrics
        for name, values in self.model_vars.items():
            values.append(metrics[name])


class VillageModel(mesa.Model):
    """Villages of peasant households after the land reform; one step is one agricultural year.

    Parameters are the fields of `model.params.Params` (plain keywords, validated:
    unknown names, wrong types and out-of-range values raise `ParameterError`).
    `rng` seeds the model as in Mesa. `village_seeds` (a list of seeds) packs one
    replicate of `villages` villages per seed into one model, as the batch runner does;
    each replicate's results equal those of a model run alone with that seed.
    With many villages the yearly row pools them (e.g. one Gini over all households);
    `pooled_metrics=False` skips that (the row is then NaN) when only the per-village
    `villages` table is wanted, as in batches.
    """

    def __init__(
        self,
        *,
        rng=None,
        params: Params | dict | None = None,
        village_seeds=None,
        pooled_metrics: bool = True,
        **values,
    ):
        self.p = make_params(params, **values)
        if not (rng is None or isinstance(rng, np.random.Generator)):
            check_seed("rng", rng, "or None for a fresh seed, or a numpy Generator")
            rng = int(rng)  # Mesa seeds Python's random too, which takes no numpy integers
        if village_seeds is not None:
            check_seeds(village_seeds)
        super().__init__(rng=rng)
        p = self.p
        self.seeds = list(village_seeds) if village_seeds is not None else [int(self._seed)]
        self.n_villages = len(self.seeds) * p.villages
        self.draws = Draws(village_keys(self.seeds, p.villages))
        self.lanes = -(-p.households // p.team_size)
        self.state = land_reform(p, self.draws, self.n_villages)
        self.teams = Teams.empty(self.n_villages * self.lanes)
        initial_teams(self.state, p, self.teams, self.lanes)
        self.next_hid = np.full(self.n_villages, p.households, dtype=np.int64)
        self.year = p.start_year
        self.pooled_metrics = pooled_metrics
        self.metrics: dict = {}  # the yearly row: Python numbers by name
        self._table: tuple[int, np.ndarray] | None = None  # the last year and its observe.metrics_table
        self._keys: np.ndarray | None = None  # (village, hid) keys for household views, made on demand
        self._views: dict[tuple[int, int], Household] = {}
        self._agents_synced = False  # Mesa's agent sets match the arrays (see _sync_agents)
        self.datacollector = MetricsCollector(
            model_reporters={name: partial(_metric, name=name) for name in ("year", *NAMES)},
            tables={"villages": ["year", "village", *NAMES]},
        )

    # --- running ----------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one agricultural year (the calendar year `self.year`) and record its metrics."""
        self.state, events = yearly.step(
            self.state, self.teams, self.p, self.draws, self.year, self.next_hid, self.lanes
        )
        self._keys = None
        self._agents_synced = False
        if self._views or self.datacollector.agent_reporters or self.datacollector.agenttype_reporters:
            self._sync_agents()  # views already in use (or reporters that read them) follow the year at once
        table = observe.metrics_table(self.state, self.teams, self.p, events, self.lanes)
        self._table = self.year, table
        V = table.shape[1]
        if V == 1:
            values, village = table[:, 0].tolist(), 0
        elif not self.pooled_metrics:
            values, village = [np.nan] * len(observe.ROWS), np.nan
        else:
            pooled = observe.metrics_table(self.state, self.teams, self.p, events, self.lanes, pooled=True)
            values, village = pooled[:, 0].tolist(), 0
        self.metrics = {"year": self.year, "village": village}
        self.metrics.update(zip(observe.ROWS, values, strict=True))
        self.datacollector.collect(self)
        columns = self.datacollector.tables["villages"]
        columns["year"].extend([self.year] * V)
        columns["village"].extend(range(V))
        if V == 1:  # one village: its column is the yearly row's values
            for name, row in _COLUMNS:
                columns[name].append(values[row])
        else:
            rows = table.tolist()
            for name, row in _COLUMNS:
                columns[name].extend(rows[row])
        self.year += 1

    @property
    def village_metrics(self) -> dict[str, np.ndarray]:
        """The last year's metrics, one array per metric over villages (empty before the first step)."""
        if self._table is None:
            return {}
        year, table = self._table
        V = table.shape[1]
        m = {"year": np.full(V, year), "village": np.arange(V)}
        m.update(zip(observe.ROWS, table, strict=True))
        return m

    # --- households as Mesa agents ------------------------------------------------------------
    def _make_keys(self) -> np.ndarray:
        return self.state.village * (1 << 32) + self.state.hid

    def _row(self, key: tuple[int, int], missing_ok: bool = False) -> int:
        if self._keys is None:
            self._keys = self._make_keys()
        k = key[0] * (1 << 32) + key[1]
        i = int(np.searchsorted(self._keys, k))
        if i < len(self._keys) and self._keys[i] == k:
            return i
        if missing_ok:
            return -1
        raise LookupError(f"household {key} no longer exists (it divided away or died out)")

    @property
    def agents(self) -> mesa.AgentSet:
        """Every current household as a Mesa agent (Mesa's own AgentSet, kept in step with the arrays)."""
        self._sync_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        """Mesa's agents by type: here `{Household: the current households}` (empty before first use)."""
        self._sync_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._sync_agents()
        return super().agent_types

    @property
    def households(self) -> mesa.AgentSet:
        """The current households as Mesa agents (views on the arrays)."""
        return self.agents_by_type.get(Household) or mesa.AgentSet([], random=self.random)

    def _sync_agents(self) -> None:
        """Make Mesa's agent sets hold exactly the current households: a view for each new one, and
        the views of households that divided away or died out removed.

        Views are made on first use (a batch that never looks at households never pays for them);
        once made, every step keeps them current, so an AgentSet a user holds stays right too.
        """
        if getattr(self, "_agents_synced", True):  # True too while Mesa's __init__ runs, before any state
            return
        self._agents_synced = True  # before creating agents: Mesa's registration reads nothing here
        keys = set(zip(self.state.village.tolist(), self.state.hid.tolist(), strict=True))
        for key in [k for k in self._views if k not in keys]:
            self._views.pop(key).remove()
        for key in sorted(keys - self._views.keys()):
            self._views[key] = Household(self, *key)

    def household_frame(self, village: int | None = None) -> pd.DataFrame:
        """Current households as a table (one row each), optionally of one village."""
        h = self.state if village is None else self.state.take(self.state.village == village)
        team = groups(h.village, h.neighbourhood, self.lanes, self.teams)
        coop = h.in_team & self.teams.is_coop[team]
        return pd.DataFrame(
            {
                "village": h.village,
                "household": h.hid,
                "position": h.position,
                "neighbourhood": h.neighbourhood,
                "workers": h.workers,
                "dependents": h.dependents,
                "land": h.land,
                "land_rented_in": h.land_rented_in,
                "land_rented_out": h.land_rented_out,
                "animals": h.animals,
                "capital": h.capital,
                "grain": h.grain,
                "debt": h.debt + h.state_debt,
                "income": h.income,
                "wealth": observe.wealth(h, self.p),
                "skill": h.skill,
                "origin_class": np.array(ORIGIN_NAMES)[h.origin_class],
                "social_class": np.array(CLASS_NAMES)[h.social_class],
                "team": np.where(h.in_team & ~coop, team, -1),
                "coop": np.where(coop, team, -1),
            }
        )
