"""One browser session's villages: the scenario presets, the villages built from them, and what is done to them.

Every browser tab gets its own `Session`: the page builds it inside its component,
never at import time, so thirty students on one server never step a shared model.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from typing import Any

from analysis.style import scenario_title
from app.views import PlotGrid
from model import VillageModel
from model.params import DEFAULTS, ParameterError, make_params
from scenarios.loader import load, preset_names
from scenarios.schema import MAX_SEED

SIDES = ("A", "B")
DEFAULT_PRESET = "liu_shaoqi_1951"
SCHEMA_DEFAULTS = "(schema defaults)"


def seed_problem(text: str) -> str | None:
    """Why a seed typed in the page is not one, or None when it is (0 to MAX_SEED, as in scenario files).

    >>> seed_problem("7") is None, seed_problem("abc"), seed_problem("-5")
    (True, 'The seed must be a whole number from 0 to 4294967295.', 'The seed must be a whole number from 0 to 4294967295.')
    >>> seed_problem("12345678901234567890")
    'The seed must be a whole number from 0 to 4294967295.'
    """
    text = text.strip()
    if text.isdigit() and len(text) <= len(str(MAX_SEED)) and int(text) <= MAX_SEED:
        return None
    return f"The seed must be a whole number from 0 to {MAX_SEED}."


@dataclass(frozen=True)
class Preset:
    """A scenario preset as the app offers it: its parameters and why each was set."""

    name: str
    title: str
    description: str
    params: dict[str, Any]
    provenance: dict[str, dict[str, Any]]
    seed: int


def _title(name: str) -> str:
    return scenario_title(name) if name != SCHEMA_DEFAULTS else "Schema defaults (no preset)"


def load_presets() -> dict[str, Preset]:
    """The shipped presets (plus the schema defaults), validated by the scenario loader."""
    presets: dict[str, Preset] = {}
    for name in preset_names():
        s = load(name)
        presets[name] = Preset(name, _title(name), s.description.strip(), s.params.model_dump(), s.provenance, s.seed)
    presets[SCHEMA_DEFAULTS] = Preset(
        SCHEMA_DEFAULTS,
        _title(SCHEMA_DEFAULTS),
        "Every parameter at the schema's default: free markets, voluntary teams with portable funds, no co-ops.",
        DEFAULTS.model_dump(),
        {},
        1951,
    )
    return presets


@dataclass
class Village:
    """One simulated village, the preset and lever values it was built from, and its land map."""

    preset: str
    overrides: dict[str, Any] = field(default_factory=dict)
    model: Any = None
    plots: PlotGrid | None = None


class Session:
    """The villages of one browser session, and everything done to them.

    Built inside the page component, so each browser tab has its own. A lock
    guards the models: the play loop steps them in a thread while the page may
    rebuild them (a moved slider) or read them (drawing).
    """

    def __init__(self, presets: dict[str, Preset] | None = None, seed: int | None = None) -> None:
        self.presets = presets or load_presets()
        first = DEFAULT_PRESET if DEFAULT_PRESET in self.presets else next(iter(self.presets))
        self.seed = int(seed if seed is not None else self.presets[first].seed)
        self.compare = False
        self.villages = {"A": Village(first), "B": Village(first)}
        self.lock = threading.RLock()
        self.error: str | None = None
        self.generation = 0  # counts restarts: what was picked in an older village is gone
        self.rebuild()

    @property
    def sides(self) -> tuple[str, ...]:
        """The villages shown: A, or A and B side by side."""
        return SIDES if self.compare else SIDES[:1]

    def params(self, side: str) -> dict[str, Any]:
        """The full parameters of one village: its preset, then the levers moved off it."""
        village = self.villages[side]
        values = {**self.presets[village.preset].params, **village.overrides}
        values["villages"] = 1  # the app shows one village per side
        return values

    def value(self, side: str, name: str) -> Any:
        """One parameter's value in one village."""
        return self.params(side)[name]

    def rebuild(self) -> None:
        """Build the villages afresh (year 0) from the seed and their parameters.

        All shown villages restart together, so side by side they stay in step.
        A parameter the schema rejects leaves the old villages in place and says why.
        """
        with self.lock:
            built = {}
            try:
                for side in self.sides:
                    params = make_params(self.params(side))
                    built[side] = VillageModel(rng=self.seed, **params.model_dump())
            except ParameterError as err:
                self.error = str(err)
                return
            self.error = None
            for side, m in built.items():
                self.villages[side].model = m
                self.villages[side].plots = PlotGrid(m)
            self.generation += 1

    def close(self) -> None:
        """Let go of the villages (the browser has gone): their memory returns to the server."""
        with self.lock:
            for village in self.villages.values():
                village.model = None
                village.plots = None

    def changed_levers(self, side: str) -> dict[str, Any]:
        """The parameters moved off the village's scenario, with their values."""
        preset = self.presets[self.villages[side].preset].params
        return {k: v for k, v in self.villages[side].overrides.items() if preset.get(k) != v}

    def set_preset(self, side: str, name: str) -> None:
        """Switch a village to a preset: its levers return to the preset's values."""
        self.villages[side] = Village(name)
        self.rebuild()

    def set_lever(self, side: str, name: str, value: Any) -> None:
        """Move one lever off the preset; the villages restart with it."""
        self.villages[side].overrides[name] = value
        self.rebuild()

    def set_seed(self, seed: int) -> None:
        """A new seed: a new village (and new luck) for every shown side."""
        if seed_problem(str(seed)):
            raise ValueError(seed_problem(str(seed)))
        self.seed = int(seed)
        self.rebuild()

    def set_compare(self, on: bool) -> None:
        """Show one village, or two side by side; both restart so they stay in step.

        Village B starts as a copy of A (its scenario and its moved levers), so a lever
        then moved in one village is the only difference between the two.
        """
        self.compare = bool(on)
        if self.compare:
            a = self.villages["A"]
            self.villages["B"] = Village(a.preset, dict(a.overrides))
        self.rebuild()

    def step(self, years: int = 1) -> bool:
        """Advance every shown village by `years` (they step together).

        A failure inside the model is shown on the page (and stops play) rather than
        ending the session's thread silently; False says it happened.
        """
        with self.lock:
            try:
                for _ in range(years):
                    for side in self.sides:
                        self.villages[side].model.step()
            except Exception as err:  # shown to the user; the traceback goes to the server log
                traceback.print_exc()
                self.error = f"The model failed in year {self.years_done() + 1}: {err}"
                return False
        return True

    def years_done(self) -> int:
        """Years simulated since the land reform (the same in every shown village)."""
        model = self.villages["A"].model
        if model is None:
            return 0
        # the recorded years (the collector's "year" column): no data frame built just to count its rows
        return len(model.datacollector.model_vars["year"])
