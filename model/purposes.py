"""Purpose numbers that key the random draws (see model.rng): one per use, never reused."""

INIT = 1
DEMOGRAPHY = 2
DIVISION = 3
SHOCKS = 4
WEATHER = 5
CHOICE = 6
EFFORT = 7
MIGRATION = 8
SEASON = 9
