"""`Household`: a Mesa agent that is a view on one household's entry in the model's arrays.

The yearly step works on the arrays, never through these objects; they exist so users
(and the app) can inspect a household the Mesa way. `model.agents` (and
`model.households`) hold exactly the current households: views are made on first use
and, from then on, kept current each step (new households get a view, the views of
those that divided away or died out are removed). Attributes are read from the arrays
each time, so a view always shows the current state.
"""

from __future__ import annotations

import mesa

from .metrics import CLASS_NAMES, ORIGIN_NAMES

# the attributes a user can read off a household (its state as the model describes it)
VIEW_FIELDS = (
    "workers",
    "dependents",
    "land",
    "land_rented_in",
    "land_rented_out",
    "animals",
    "capital",
    "grain",
    "debt",
    "skill",
    "origin_class",
    "social_class",
    "village",
)


class Household(mesa.Agent):
    """One peasant household. ``household.land``, ``household.social_class`` ... read the model's arrays."""

    def __init__(self, model, village: int, hid: int):
        super().__init__(model)
        self.key = (village, hid)

    @property
    def _row(self) -> int:
        return self.model._row(self.key)

    @property
    def alive(self) -> bool:
        return self.model._row(self.key, missing_ok=True) >= 0

    def _get(self, name):
        return getattr(self.model.state, name)[self._row]

    village = property(lambda self: self.key[0])
    hid = property(lambda self: self.key[1])
    workers = property(lambda self: int(self._get("workers")))
    children = property(lambda self: int(self._get("children")))
    elders = property(lambda self: int(self._get("elders")))
    dependents = property(lambda self: int(self._get("children") + self._get("elders")))
    land = property(lambda self: float(self._get("land")))
    land_rented_in = property(lambda self: float(self._get("land_rented_in")))
    land_rented_out = property(lambda self: float(self._get("land_rented_out")))
    animals = property(lambda self: float(self._get("animals")))
    capital = property(lambda self: float(self._get("capital")))
    grain = property(lambda self: float(self._get("grain")))
    debt = property(lambda self: float(self._get("debt") + self._get("state_debt")))
    skill = property(lambda self: float(self._get("skill")))
    income = property(lambda self: float(self._get("income")))
    origin_class = property(lambda self: ORIGIN_NAMES[self._get("origin_class")])
    social_class = property(lambda self: CLASS_NAMES[self._get("social_class")])
    in_team = property(lambda self: bool(self._get("in_team")))

    def __repr__(self) -> str:
        if not self.alive:
            return f"<Household {self.key} (no longer exists)>"
        return (
            f"<Household village={self.village} id={self.hid} {self.social_class} "
            f"workers={self.workers} dependents={self.dependents} land={self.land:.1f} mu animals={self.animals:.2f}>"
        )
