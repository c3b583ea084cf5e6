"""The one typed schema of huzhu's parameters.

Every parameter the model reads is a field of :class:`Params`: its type, default,
unit, allowed range and one-line meaning live here and nowhere else. Scenario
files, the command line, the app and the parameter reference in the docs are all
generated from this class. Policy parameters also carry the document passage they
encode (``source``), so a value can always be traced to its sentence.

>>> p = make_params(fund_levy_rate=0.05)
>>> p.fund_levy_rate, p.households
(0.05, 250)
>>> make_params(fund_levyrate=0.05)
Traceback (most recent call last):
...
model.errors.ParameterError: unknown parameter 'fund_levyrate'; did you mean 'fund_levy_rate'?
"""

from __future__ import annotations

import difflib
import functools
import typing
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# Documents quoted by policy parameters (short names used in `source`).
SHANXI = (
    "Shanxi Provincial Committee, 'Raising the Level of Mutual Aid Organizations in Old Liberated Areas', 17 Apr 1951"
)
NCB = "North China Bureau, reply to the Shanxi Provincial Committee, 4 May 1951"
LIU = "Liu Shaoqi, comment on the Shanxi document, 3 Jul 1951"
DRAFT = "Draft Resolution on Mutual Aid and Cooperation in Agricultural Production, Sep 1951 conference"
DEC51 = "CC draft resolution on mutual aid and cooperation, distributed 15 Dec 1951"
TAX50 = "Provisional Regulations on Agricultural Tax in the New Liberated Areas, Sep 1950"
CLASS50 = (
    "Government Administration Council, Decisions Concerning the Differentiation of Class Status in the Countryside, "
    "4 Aug 1950 (with the 1933 'How to Analyse the Classes in the Rural Areas' they re-issued)"
)
CLASS55 = (
    "CCP CC, Resolution on the Question of Agricultural Co-operation, 11 Oct 1955 (after Mao's report of 31 Jul 1955)"
)
OUTLINE47 = "Outline Land Law of China, CCP CC, 10 Oct 1947 (old liberated areas)"
LAW50 = "Agrarian Reform Law of the People's Republic of China, 28 Jun 1950 (new liberated areas)"
NCTAX = "North China agricultural tax in the old liberated areas, 1950-1952 (county gazetteer; historical_facts.csv row tax_north_china)"
LIN90 = "Lin, J. Y. (1990), 'Collectivization and China's Agricultural Crisis in 1959-1961', J. Political Economy 98(6)"
DATA = "shared historical figures (historical_facts.csv)"
CALIBRATION_COMMAND = (
    "huzhu calibrate --population 1000 --generations 30 --max-simulations 30000 --seed 1951 --out outputs/calibration "
    "--install"
)
CALIBRATED = (
    f"calibrated by ABC against the calibration targets (docs/validation.md): `{CALIBRATION_COMMAND}`, "
    "analysis/calibration_data/posterior_summary.json"
)
NBS_POP = "National Bureau of Statistics, China Statistical Yearbook: total population at year end (million)"
HUKOU58 = "Regulations of the People's Republic of China on Household Registration, NPC Standing Committee, 9 Jan 1958"
MONOPOLY53 = "State Council order on the planned purchase and planned supply of grain, Nov 1953"
ASH06 = "Ash, R. (2006), 'Squeezing the Peasants: Grain Extraction, Food Consumption and Rural Living Standards in Mao's China', China Quarterly 188"


def P(
    default: Any,
    meaning: str,
    unit: str = "",
    group: str = "",
    ge: float | None = None,
    le: float | None = None,
    source: str | None = None,
    passage: str | None = None,
) -> Any:
    """A schema field: default, one-line meaning, unit, range and (for policies) source."""
    extra = {"unit": unit, "group": group}
    if source:
        extra["source"] = source
    if passage:
        extra["passage"] = passage
    return Field(default, description=meaning, ge=ge, le=le, json_schema_extra=extra)


# the years a year-valued parameter may name (`start_year`, the years of `pressure_path`)
YEAR_MIN, YEAR_MAX = 1900, 2100
# the range of a pressure to join (`join_pressure`, the pressures of `pressure_path`): 0 voluntary, 1 compulsory
PRESSURE_MIN, PRESSURE_MAX = 0.0, 1.0


class PressurePath(tuple):
    """The value of `pressure_path`: (year, pressure) pairs in year order, shown as the TOML table one writes.

    >>> str(pressure_path_pairs({"1953": 0.6, 1952: 0.2}))
    '{ 1952 = 0.2, 1953 = 0.6 }'
    >>> str(PressurePath())
    '{}'
    """

    __slots__ = ()

    def __str__(self) -> str:
        return "{ " + ", ".join(f"{year} = {pressure!r}" for year, pressure in self) + " }" if self else "{}"


# the range of a number of co-ops allowed per village in a year (`coops_path`)
COOPS_PATH_MAX = 1000


class PathValues(NamedTuple):
    """What the values of a path of year = value may be (a path parameter's row in PATHS)."""

    noun: str  # what one value is, for messages ("the pressure of 1953 ...")
    plural: str  # the values in the words of `allowed` ("pressures from 0 to 1")
    lo: float
    hi: float
    integer: bool
    example: str  # a path as one writes it in a scenario file


# The parameters that are paths of year = value, and what their values may be.
PATHS = {
    "pressure_path": PathValues(
        "pressure", "pressures", PRESSURE_MIN, PRESSURE_MAX, False, "{ 1953 = 0.6, 1954 = 0.1 }"
    ),
    "coops_path": PathValues("number of co-ops", "whole numbers", 0, COOPS_PATH_MAX, True, "{ 1954 = 1, 1955 = 4 }"),
}


def year_path_pairs(value: Any, v: PathValues = PATHS["pressure_path"]) -> PressurePath:
    """A path of year = value from a table (a TOML table's years are strings) or from (year, value) pairs, each
    value as `v` allows; raises ValueError naming the first year or value out of range.

    >>> year_path_pairs({"1955": 4, 1954: 1}, PATHS["coops_path"])
    ((1954, 1), (1955, 4))
    """
    noun, lo, hi, integer = v.noun, v.lo, v.hi, v.integer
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, (list, tuple)) and all(isinstance(x, (list, tuple)) and len(x) == 2 for x in value):
        items = [tuple(x) for x in value]
    else:
        raise ValueError(f"not a table of year = {noun}")
    pairs = {}
    for key, x in items:
        year = int(key) if isinstance(key, str) and key.strip().isdigit() else key
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise ValueError(f"year {key!r} is not a year")
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValueError(f"year {year} is outside {YEAR_MIN} to {YEAR_MAX}")
        kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
        if isinstance(x, bool) or not isinstance(x, kinds):
            raise ValueError(f"the {noun} of {year} ({x!r}) is not a {'whole ' if integer else ''}number")
        if not lo <= x <= hi:
            raise ValueError(f"the {noun} of {year} ({x!r}) is outside {lo:g} to {hi:g}")
        if int(year) in pairs:
            raise ValueError(f"year {year} is given twice")
        pairs[int(year)] = int(x) if integer else float(x)
    return PressurePath(sorted(pairs.items()))


def pressure_path_pairs(value: Any) -> PressurePath:
    """A `pressure_path` from a table of year = pressure (a TOML table's years are strings) or from
    (year, pressure) pairs; raises ValueError naming the first year or pressure out of range."""
    return year_path_pairs(value, PATHS["pressure_path"])


def path_at(path, default, year: int):
    """The value of a path of (year, value) pairs in `year`: that of the last year it lists up to `year`, else
    `default`.

    >>> path_at(((1954, 1), (1955, 4)), 0, 1953), path_at(((1954, 1), (1955, 4)), 0, 1956)
    (0, 4)
    """
    x = default
    for first, value in path:
        if first > year:
            break
        x = value
    return x


MarketPolicy = Literal["free", "taxed", "capped", "banned"]
RentalPolicy = Literal["free", "capped", "banned"]
CreditPolicy = Literal["free", "capped", "banned"]
AnimalPolicy = Literal["free", "banned"]
LiberatedArea = Literal["old", "new"]
TaxSchedule = Literal["north_china_1950", "new_areas_1950"]

# What `liberated_area` selects: the value of each of these parameters that a scenario does not give
# itself (explicit values win). The fields' own defaults are those of the old areas (the default area).
AREA_DEFAULTS: dict[str, dict[str, Any]] = {
    "old": {
        "origin_rich_land_ratio": 1.0,
        "origin_poor_land_ratio": 0.95,
        "initial_team_share": 0.5,
        "tax_schedule": "north_china_1950",
    },
    "new": {
        "origin_rich_land_ratio": 3.2,
        "origin_poor_land_ratio": 0.85,
        "initial_team_share": 0.15,
        "tax_schedule": "new_areas_1950",
    },
}
DEFAULT_AREA = "old"


class Params(BaseModel):
    """All parameters of a huzhu village model (one source of truth)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=True)

    # --- size and time -------------------------------------------------------------
    households: int = P(250, "households per village at the start", "households", "size", ge=2, le=100_000)
    villages: int = P(1, "villages in the model (a county is many villages)", "villages", "size", ge=1, le=100_000)
    start_year: int = P(
        1951, "calendar year the first simulated step describes", "year", "size", ge=YEAR_MIN, le=YEAR_MAX
    )

    # --- the land reform outcome (initial state) ------------------------------------
    liberated_area: LiberatedArea = P(
        "old",
        "old liberated areas (land reform under the 1947 Outline Land Law: rich peasants' surplus land, animals and "
        "tools taken, holdings nearly equal per head, many teams already) or new ones (the 1950 Agrarian Reform Law "
        "kept the rich-peasant economy: a less equal start, few households organised); it selects the defaults of "
        "origin_rich_land_ratio, origin_poor_land_ratio, initial_team_share and tax_schedule (values a scenario "
        "gives itself win) and the rich-origin households' animals and tools",
        "",
        "land_reform",
        source=OUTLINE47 + "; " + LAW50,
        passage="Outline Land Law art. 6: all land ... distributed equally per head, the surplus of those with much "
        "taken to make up those with little; art. 8: the surplus animals, implements, houses and grain of rich "
        "peasants requisitioned. 1950 law art. 6: land owned by rich peasants and cultivated by themselves or by "
        "hired labour, and their other properties, shall be protected from infringement",
    )
    land_per_head: float = P(
        3.5,
        "cultivated land per person after land reform (between the Hebei village's 2.9 and the about 4 that Shanxi's 1950 harvest implies)",
        "mu/person",
        "land_reform",
        ge=0.5,
        le=30,
        source=DATA,
        passage="land_per_person_hebei_1946: 2.9 mu per person, Liluohou village, Hebei; grain_yield_shanxi_1950: 5.2 billion jin at 102 jin per mu",
    )
    land_per_head_cv: float = P(
        0.10,
        "spread (coefficient of variation) of land per head around the equal share",
        "",
        "land_reform",
        ge=0,
        le=1,
    )
    household_size_mean: float = P(
        4.6, "mean persons per household at the start", "persons", "land_reform", ge=1.5, le=12
    )
    origin_rich_share: float = P(
        0.027,
        "share of households of rich-peasant origin (they kept part of their land)",
        "share",
        "land_reform",
        ge=0,
        le=0.5,
        source=DATA,
        passage="classes_after_reform_hebei_1946: rich peasants 2.7% of households held 8.7% of land",
    )
    origin_rich_land_ratio: float = P(
        1.0,
        "land per head of a rich-origin household relative to the average (by liberated_area: 1.0 in old areas, "
        "where the Outline Land Law took rich peasants' surplus land; 3.2 in new areas, where the 1950 law kept it)",
        "ratio",
        "land_reform",
        ge=1,
        le=10,
        source=DATA,
        passage="classes_after_reform_hebei_1946: 8.7% of land / 2.7% of households = 3.2 (the new areas' value; "
        "Hebei in 1946 had not yet applied the Outline Land Law); old areas: equal share per head (Outline Land Law "
        "art. 6)",
    )
    origin_landlord_share: float = P(
        0.038,
        "share of households that were landlords (given an equal share of land)",
        "share",
        "land_reform",
        ge=0,
        le=0.5,
        source=DATA,
        passage="land_before_reform: landlords were 3.79% of households",
    )
    origin_poor_share: float = P(
        0.273,
        "share of households of poor-peasant origin after the reform",
        "share",
        "land_reform",
        ge=0,
        le=0.9,
        source=DATA,
        passage="classes_after_reform_hebei_1946: poor peasants 27.3% of households held 11.9% of land",
    )
    origin_poor_land_ratio: float = P(
        0.95,
        "land per head of a poor-origin household relative to the average (0.44 in Hebei in 1946, before the 1947 "
        "Outline Land Law's equal share per head; by liberated_area: 0.95 in old areas, 0.85 in new ones, both "
        "assumptions: equalisation nearly complete where the Outline Land Law was applied, less where the 1950 law "
        "distributed on the basis of the land each tilled)",
        "ratio",
        "land_reform",
        ge=0.05,
        le=1,
        source=DATA,
        passage="classes_after_reform_hebei_1946: 11.9% of land / 27.3% of households = 0.44 after the first round; "
        "assumed 0.95 (old areas) and 0.85 (new areas) after equalisation; land_gini_after_reform: Gini 0.10 after "
        "the reform",
    )
    animals_per_household: float = P(
        0.30,
        "draft animals per household at the start (scarce and unequal)",
        "animals/household",
        "land_reform",
        ge=0,
        le=5,
        source=DATA,
        passage="draft_animals_hebei_1948: 2.7 to 6.3 households per draft animal by class",
    )
    initial_grain_months: float = P(
        4.0, "grain stock at the start, in months of the household's subsistence", "months", "land_reform", ge=0, le=36
    )
    initial_capital_per_mu: float = P(
        15.0, "farm capital (tools, carts, manure) at the start", "jin/mu", "land_reform", ge=0, le=500
    )
    skill_sd: float = P(
        0.177,
        "spread of households' farming skill (log-normal, inherited on division; calibrated)",
        "log sd",
        "land_reform",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.0669 to 0.28; uniform prior 0.05 to 0.3)",
    )

    # --- demography (Chayanov's demographic differentiation) ------------------------
    birth_rate: float = P(0.085, "births per adult per year", "1/year", "demography", ge=0, le=0.3)
    child_mortality: float = P(0.02, "deaths per child per year", "1/year", "demography", ge=0, le=0.5)
    worker_mortality: float = P(0.008, "deaths per working adult per year", "1/year", "demography", ge=0, le=0.5)
    elder_mortality: float = P(0.06, "deaths per elder per year", "1/year", "demography", ge=0, le=1)
    famine_mortality: float = P(
        0.05,
        "extra deaths per person per year at zero consumption (scaled by the shortfall)",
        "1/year",
        "demography",
        ge=0,
        le=1,
    )
    years_as_child: float = P(
        15.0, "mean years before a child becomes a working adult", "years", "demography", ge=5, le=25
    )
    years_as_worker: float = P(
        40.0, "mean years an adult works before becoming an elder dependent", "years", "demography", ge=10, le=70
    )
    division_workers: int = P(
        4, "workers at which a household may divide (two couples under one roof)", "workers", "demography", ge=2, le=20
    )
    division_rate: float = P(
        0.286,
        "yearly chance that a household at or above the threshold divides (calibrated)",
        "1/year",
        "demography",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.088 to 0.472; uniform prior 0.05 to 0.5)",
    )
    child_consumer_weight: float = P(
        0.6, "consumption of a child relative to a working adult", "consumer units", "demography", ge=0.1, le=1
    )
    elder_consumer_weight: float = P(
        0.8, "consumption of an elder relative to a working adult", "consumer units", "demography", ge=0.1, le=1
    )
    elder_work: float = P(0.3, "work an elder still does relative to an adult", "workers", "demography", ge=0, le=1)

    # --- production ------------------------------------------------------------------
    normal_yield: float = P(
        125.0,
        "normal grain yield of well-worked, ploughed land, net of seed (calibrated so the village average at the start is near 102 jin/mu)",
        "jin/mu",
        "production",
        ge=10,
        le=1000,
        source=DATA,
        passage="grain_yield_shanxi_1950: 102 jin per mu",
    )
    mu_per_worker: float = P(10.0, "land one worker can farm in a year", "mu/worker", "production", ge=1, le=100)
    mu_per_animal: float = P(
        30.0, "land one draft animal can plough in the season", "mu/animal", "production", ge=1, le=200
    )
    no_draft_yield_factor: float = P(
        0.7,
        "yield of land dug by hand (no draft animal) relative to ploughed land",
        "ratio",
        "production",
        ge=0.1,
        le=1,
    )
    capital_yield_gain: float = P(
        0.3, "largest yield gain from farm capital (tools, manure, wells)", "ratio", "production", ge=0, le=3
    )
    capital_half_saturation: float = P(
        40.0, "capital per mu that gives half the largest gain", "jin/mu", "production", ge=1, le=1000
    )
    capital_depreciation: float = P(0.1, "share of farm capital worn out each year", "1/year", "production", ge=0, le=1)
    weather_sd: float = P(
        0.15, "year-to-year spread of a village's harvest (log-normal)", "log sd", "production", ge=0, le=1
    )
    disaster_prob: float = P(
        0.08, "yearly chance of a village-wide disaster (drought, flood, locusts)", "1/year", "production", ge=0, le=1
    )
    disaster_yield_factor: float = P(
        0.55, "harvest in a disaster year relative to normal", "ratio", "production", ge=0, le=1
    )
    illness_prob: float = P(0.08, "yearly chance that illness strikes a household", "1/year", "production", ge=0, le=1)
    illness_labour_loss: float = P(
        0.4, "share of the household's labour lost in an illness year", "share", "production", ge=0, le=1
    )
    animal_death_prob: float = P(0.06, "yearly chance that a draft animal dies", "1/year", "production", ge=0, le=1)
    sideline_income: float = P(
        150.0,
        "grain-equivalent earned by a worker-year not used in farming (crafts, carting, odd jobs)",
        "jin/worker-year",
        "production",
        ge=0,
        le=2000,
    )

    # --- consumption and saving ------------------------------------------------------
    subsistence_grain: float = P(
        300.0, "grain a working adult needs per year to live", "jin/consumer-year", "consumption", ge=50, le=2000
    )
    surplus_consumption: float = P(
        0.386,
        "share of income above subsistence that is consumed rather than saved (calibrated)",
        "share",
        "consumption",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.221 to 0.632; uniform prior 0.2 to 0.7)",
    )
    reserve_months: float = P(
        6.0, "grain a household keeps in reserve before buying land or animals", "months", "consumption", ge=0, le=60
    )
    grain_storage_loss: float = P(0.05, "share of stored grain lost each year", "1/year", "consumption", ge=0, le=1)
    capital_investment_share: float = P(
        0.3, "share of yearly saving put into farm capital", "share", "consumption", ge=0, le=1
    )

    # --- markets (the 'four freedoms') -----------------------------------------------
    land_sale_policy: MarketPolicy = P(
        "free",
        "land sales: free, taxed, capped (holding cap) or banned",
        "",
        "markets",
        source=LIU,
        passage="Spontaneous forces among peasants and class differentiation have already begun to emerge",
    )
    land_price_years: float = P(3.0, "land price in years of normal yield", "years", "markets", ge=0.5, le=30)
    distress_discount: float = P(0.3, "price cut a distressed seller accepts", "share", "markets", ge=0, le=0.9)
    land_sale_tax: float = P(
        0.1, "deed tax on land purchases when land sales are taxed", "share of price", "markets", ge=0, le=1
    )
    land_holding_cap: float = P(
        2.0,
        "largest holding per head, as a multiple of the village mean, when sales are capped",
        "ratio",
        "markets",
        ge=1,
        le=20,
    )
    land_purchase_share: float = P(
        0.474,
        "share of its grain above need and reserve a household not short of grain offers for land sold in distress "
        "(the rest is kept for animals, capital and a bad year) (calibrated)",
        "share",
        "markets",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.233 to 0.758; uniform prior 0.2 to 0.8)",
    )
    land_rental_policy: RentalPolicy = P(
        "free",
        "land rental: free, capped (rent ceiling) or banned",
        "",
        "markets",
        source=LIU,
        passage="free land, labour and credit markets",
    )
    rent_share: float = P(0.45, "rent as a share of the land's normal yield", "share", "markets", ge=0, le=0.9)
    rent_cap: float = P(
        0.375, "rent ceiling when rents are capped (the 'reduce rent by 25%' rule)", "share", "markets", ge=0, le=0.9
    )
    hired_labour_policy: MarketPolicy = P(
        "free",
        "hiring labour: free, taxed, capped (per household) or banned",
        "",
        "markets",
        source=LIU,
        passage="free land, labour and credit markets",
    )
    wage: float = P(
        450.0, "pay of a hired worker-year, board included, in grain", "jin/worker-year", "markets", ge=0, le=5000
    )
    hired_labour_tax: float = P(
        0.2, "tax on the wage bill when hiring is taxed", "share of wages", "markets", ge=0, le=1
    )
    advance_need_share: float = P(
        0.5,
        "share of its subsistence need a farm keeps back before advancing board and wages to hired hands (assumption: half, the grain to reach the harvest)",
        "share",
        "markets",
        ge=0,
        le=2,
    )
    advance_wage_share: float = P(
        0.25,
        "share of a hired worker-year's wage (board included) an employer advances from its stores before the harvest (assumption: about the spring season's board; the rest is paid from the harvest)",
        "share",
        "markets",
        ge=0.01,
        le=1,
    )
    hired_labour_cap: float = P(
        1.0, "most worker-years a household may hire when hiring is capped", "worker-years", "markets", ge=0, le=50
    )
    long_term_hire: float = P(
        0.75,
        "hired worker-years in one household from which a hired hand counts as long-term (year-round)",
        "worker-years",
        "markets",
        ge=0.1,
        le=5,
    )
    credit_policy: CreditPolicy = P(
        "free",
        "private lending: free, capped (interest ceiling) or banned",
        "",
        "markets",
        source=LIU,
        passage="free land, labour and credit markets",
    )
    interest_rate: float = P(0.36, "yearly interest on private loans (3 fen a month)", "1/year", "markets", ge=0, le=3)
    interest_cap: float = P(0.15, "interest ceiling when lending is capped", "1/year", "markets", ge=0, le=3)
    borrow_limit: float = P(
        0.595,
        "largest debt as a share of the value of land and animals (calibrated)",
        "share",
        "markets",
        ge=0,
        le=2,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.234 to 0.938; uniform prior 0.2 to 1)",
    )
    lend_share: float = P(
        0.508,
        "share of grain above reserve a household is willing to lend (calibrated)",
        "share",
        "markets",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.221 to 0.759; uniform prior 0.2 to 0.8)",
    )
    animal_market_policy: AnimalPolicy = P(
        "free", "buying, selling and hiring out draft animals: free or banned", "", "markets"
    )
    animal_price: float = P(600.0, "price of a draft animal", "jin/animal", "markets", ge=1, le=10_000)
    animal_share_min: float = P(
        0.25,
        "smallest share of a draft animal a household buys (assumption: smaller shares of an animal are not traded)",
        "animals",
        "markets",
        ge=0,
        le=1,
    )
    plough_hire_fee: float = P(
        0.5,
        "fee for ploughing with another household's animal outside a team, as a share of the yield ploughing adds",
        "share",
        "markets",
        ge=0,
        le=1,
    )
    plough_hire_timeliness: float = P(
        0.7,
        "share of ploughing's yield gain achieved when it is hired outside a team (the owner ploughs his own fields first, so hired ploughing comes late)",
        "share",
        "markets",
        ge=0,
        le=1,
    )

    accumulation_stigma: float = P(
        0.0,
        "political risk of getting rich: the share of their planned land purchases, hiring beyond short-term hands "
        "and lending that households with grain to spare forgo (0: none; 1: none of it); the size is an "
        "assumption, the risk is documented",
        "share",
        "markets",
        ge=0,
        le=1,
        source=DEC51,
        passage="the debate over the 'four freedoms' (to buy and sell land, hire labour, lend and trade) in 1951, and "
        "the campaigns against new rich peasants: buying land, hiring long-term hands and lending marked a household "
        "as one",
    )

    # --- the state's agricultural tax ------------------------------------------------
    tax_schedule: TaxSchedule = P(
        "north_china_1950",
        "the agricultural tax: the nearly proportional tax of the old liberated areas of North China "
        "(north_china_1950: tax_exempt_standard_mu per head exempt, then tax_per_standard_mu) or the progressive "
        "schedule of the new areas (new_areas_1950: tax_exemption_per_head, then tax_rate_min to tax_rate_max); "
        "by liberated_area unless given",
        "",
        "tax",
        source=NCTAX + "; " + TAX50,
        passage="tax_north_china: one standard mu per person exempt, then about 22 jin of millet per taxable standard "
        "mu (nearly proportional, not the 3-42% progressive schedule of the new areas)",
    )
    tax_standard_mu_yield: float = P(
        150.0,
        "normal yield of one standard mu, the unit of the North China tax (my reading of the North China rules: "
        "land of a normal yield of 10 shi dou of millet, about 150 jin; to be checked against the 1950 rules); "
        "millet counted as grain",
        "jin/standard mu",
        "tax",
        ge=1,
        le=2000,
        source=NCTAX,
        passage="tax_north_china: per taxable standard mu",
    )
    tax_exempt_standard_mu: float = P(
        1.0,
        "standard mu per person exempt from the North China tax",
        "standard mu/person",
        "tax",
        ge=0,
        le=20,
        source=NCTAX,
        passage="tax_north_china: one standard mu per person exempt",
    )
    tax_per_standard_mu: float = P(
        22.0,
        "North China tax per taxable standard mu (millet counted as grain)",
        "jin/standard mu",
        "tax",
        ge=0,
        le=500,
        source=NCTAX,
        passage="tax_north_china: about 22 jin of millet per taxable standard mu",
    )
    tax_exemption_per_head: float = P(
        150.0,
        "normal yield per head exempt from the agricultural tax (new_areas_1950 schedule)",
        "jin/person",
        "tax",
        ge=0,
        le=2000,
        source=TAX50,
        passage="per-capita exemption of 150 jin of agricultural income",
    )
    tax_rate_min: float = P(
        0.03,
        "tax rate on the first taxable jin",
        "share",
        "tax",
        ge=0,
        le=1,
        source=TAX50,
        passage="progressive rates from 3%",
    )
    tax_rate_max: float = P(0.42, "highest tax rate", "share", "tax", ge=0, le=1, source=TAX50, passage="to 42%")
    tax_progression_span: float = P(
        600.0,
        "taxable normal yield per head over which the rate rises from lowest to highest",
        "jin/person",
        "tax",
        ge=1,
        le=10_000,
    )

    # --- classification (the 1950 rules) ---------------------------------------------
    rich_exploitation_share: float = P(
        0.25,
        "exploitation income (hired labour, rent, interest) above this share of income makes a rich peasant",
        "share",
        "classification",
        ge=0,
        le=1,
        source=CLASS50,
        passage="exploitation income exceeding 25% of total income: rich peasant",
    )
    small_lessor_land_ratio: float = P(
        2.0,
        "rent received is not exploitation income for a household whose land per head is at most this multiple "
        "of its village's (a small land lessor, who rents out what its own labour cannot work)",
        "ratio",
        "classification",
        ge=0,
        le=100,
        source=LAW50,
        passage="those who rent out small portions of land because they are engaged in other occupations or because "
        "they lack labour power shall not be classified as landlords ... if their land per head does not exceed "
        "200 per cent of the average land per head in the locality (art. 5, abridged)",
    )
    well_off_exploitation_share: float = P(
        0.05,
        "exploitation income above this share (but not above the rich line) makes a well-off middle peasant (the "
        "text gives no lower bound: 5% is an assumption)",
        "share",
        "classification",
        ge=0,
        le=1,
        source=CLASS50,
        passage="well-to-do middle peasants with slight exploitation",
    )
    labourer_wage_share: float = P(
        0.5,
        "labour sold (wages and side work) above this share of income, with own land not enough, makes a hired "
        "labourer ('mainly' read as more than half)",
        "share",
        "classification",
        ge=0,
        le=1,
        source=CLASS50,
        passage="workers (farm labourers included) generally have no land or tools ... they live wholly or mainly by "
        "selling their labour power",
    )
    poor_land_need_ratio: float = P(
        1.0,
        "own land is not enough when its normal yield is below this multiple of the household's subsistence need "
        "(an absolute test: 1 = it cannot feed the household in a normal year; my reading of the criterion)",
        "ratio",
        "classification",
        ge=0,
        le=5,
        source=CLASS50,
        passage="poor peasants: some own part of the land and incomplete tools, some own no land ... in general they "
        "must rent land to farm and sell part of their labour",
    )
    poor_dependence_share: float = P(
        0.15,
        "rent paid plus labour sold (wages and side work) above this share of income marks a household that lives "
        "partly by renting land or selling labour (the share is an assumption: the text says middle peasants may "
        "suffer 'a small part' of such exploitation)",
        "share",
        "classification",
        ge=0,
        le=1,
        source=CLASS50,
        passage="middle peasants live wholly or mainly by their own labour ... many middle peasants are themselves "
        "exploited to a small extent by others, through rent and interest",
    )
    lower_middle_land_need_ratio: float = P(
        1.25,
        "a middle peasant whose own land's normal yield is below this multiple of its subsistence need (no margin "
        "for a bad year) is a lower-middle peasant (assumption: a quarter above need)",
        "ratio",
        "classification",
        ge=0,
        le=5,
        source=CLASS55,
        passage="the poor peasants and the lower strata of the new and old middle peasants (lower-middle peasants), "
        "whose economic position is still difficult",
    )

    # --- mutual aid teams --------------------------------------------------------------
    teams_enabled: bool = P(
        True,
        "households may form mutual aid teams",
        "",
        "teams",
        source=NCB,
        passage="the task of further organizing the peasantry must be placed on the agenda",
    )
    team_equivalence_rate: float = P(
        1.0,
        "work days credited for an animal day, relative to the fair rate (1 = equal exchange; above 1 favours animal owners)",
        "ratio",
        "teams",
        ge=0.2,
        le=5,
        source=SHANXI,
        passage="public funds cannot maintain equivalent production relations within the group",
    )
    team_size: int = P(
        8, "households a team aims for when it forms among neighbours", "households", "teams", ge=2, le=40
    )
    team_min_size: int = P(3, "a team with fewer members disbands", "households", "teams", ge=2, le=40)
    initial_team_share: float = P(
        0.5,
        "share of households that belong to a mutual aid team at the start (by liberated_area: 0.5 in old areas, "
        "which had teams before 1951; 0.15 in new ones, their 1952 share scaled back to 1951 by the national growth)",
        "share of households",
        "teams",
        ge=0,
        le=1,
        source=NCB + "; " + DATA,
        passage="55% of all households in Shanxi Province are participating in mutual aid groups ... Whether this "
        "figure is too high requires scrutiny; org_old_areas_1952: over 0.65; org_new_areas_1952: 0.25; "
        "organised_share_china: 0.25 in 1951, 0.36-0.40 in 1952 (0.25 x 0.25 / 0.38 = 0.16)",
    )
    team_season: Literal["seasonal", "year_round"] = P(
        "year_round",
        "seasonal teams (临时) exchange hands only at ploughing and harvest; year-round teams (常年) all year",
        "",
        "teams",
        source=DATA,
        passage="team_types_northeast_1951: seasonal ploughing / three main seasons / year-round teams",
    )
    seasonal_labour_share: float = P(
        0.35,
        "share of a year's work done in the peak seasons, the only work a seasonal team exchanges",
        "share",
        "teams",
        ge=0,
        le=1,
    )
    seasonal_renewal: float = P(
        0.01,
        "chance that a seasonal team's members renew it for another year once its busy season is over (else it "
        "lapses, and its neighbours weigh forming a team anew the next spring); assumption: most seasonal teams "
        "lasted only their season (of 355 teams formed in one county in the summer of 1950, 3 are reported to have "
        "lasted the year: about 0.01; no source row here holds that figure)",
        "1/year",
        "teams",
        ge=0,
        le=1,
        source=DATA,
        passage="team_types_northeast_1951: seasonal ploughing 0.25 / three main seasons 0.50 / year-round "
        "0.20-0.25 / co-op-like 0.05 of organised households",
    )
    team_pooling_efficiency: float = P(
        0.855,
        "share of pooled labour and animal capacity that reaches other members' fields (calibrated)",
        "share",
        "teams",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.717 to 0.991; uniform prior 0.7 to 1)",
    )
    team_ban_long_term_hire: bool = P(
        False,
        "members of teams may not hire long-term labourers",
        "",
        "teams",
        source=DEC51,
        passage="no long-term hired labour inside teams",
    )
    membership_revision: float = P(
        0.559,
        "share of households that reconsider joining or leaving in a year (inertia; calibrated)",
        "1/year",
        "teams",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.185 to 0.784; uniform prior 0.1 to 0.8)",
    )
    choice_noise: float = P(
        0.189,
        "spread of households' join/leave decisions (logit scale, as a share of subsistence; calibrated)",
        "share",
        "teams",
        ge=0.001,
        le=10,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.0649 to 0.417; uniform prior 0.05 to 0.5)",
    )
    farming_alone_value: float = P(
        0.0497,
        "value of running one's own farm alone (autonomy), as a share of subsistence (calibrated)",
        "share",
        "teams",
        ge=0,
        le=1,
        source=CALIBRATED,
        passage="posterior median (90% interval 0.00309 to 0.0964; uniform prior 0 to 0.1)",
    )
    state_preference: float = P(
        0.0,
        "extra value the state's favour gives to members, as a share of subsistence",
        "share",
        "teams",
        ge=0,
        le=1,
        source=SHANXI,
        passage="The state should grant preferential treatment to agricultural cooperatives",
    )
    join_pressure_base: float = P(
        0.5,
        "administrative pressure felt in a village already at its target, as a share of the pressure's strength "
        "(the gap to the target adds to it); assumption: the pressure never lets up wholly while it is on",
        "share",
        "teams",
        ge=0,
        le=5,
    )
    team_fair_fee_share: float = P(
        0.5,
        "fair fee for ploughing a mu with another member's animal, as a share of the yield ploughing adds (the "
        "ledger's animal-day rate before team_equivalence_rate); assumption: the gain is split evenly between "
        "the animal's owner and the land's",
        "share",
        "teams",
        ge=0,
        le=1,
    )
    manor_animal_share: float = P(
        0.5,
        "share of a team's draft animals that one member must own (more than) for the team to count as a 'manor' "
        "when he also draws others' labour; assumption: 'most of its draft animals' read as more than half",
        "share",
        "teams",
        ge=0.5,
        le=1,
    )

    # --- public funds ---------------------------------------------------------------------
    fund_levy_rate: float = P(
        0.03,
        "yearly levy into the group's public fund, as a share of members' normal yield",
        "share",
        "funds",
        ge=0,
        le=0.5,
        source=SHANXI,
        passage="Collected based on land productivity",
    )
    fund_portable: bool = P(
        True,
        "a leaver takes his share of the public fund",
        "",
        "funds",
        source=DEC51,
        passage="leavers may withdraw investment and accumulation",
    )
    fund_ownership: Literal["equal", "by_contribution"] = P(
        "by_contribution",
        "who owns the fund: members equally, or by what each paid in",
        "",
        "funds",
        source=SHANXI,
        passage="Owned collectively by all members (regardless of original land productivity contributions)",
    )
    fund_voting: Literal["one_person_one_vote", "by_land"] = P(
        "by_land",
        "how members vote on the yearly use of the fund",
        "",
        "funds",
        source=SHANXI,
        passage="each member having equal voting rights - one person, one vote",
    )
    fund_reproduction_share: float = P(
        0.7,
        "share of fund spending on expanded reproduction (animals, tools, land improvement); the rest is welfare",
        "share",
        "funds",
        ge=0,
        le=1,
        source=SHANXI,
        passage="The portion used for expanded reproduction should be relatively large; public welfare expenditures should be limited",
    )
    fund_spending_rate: float = P(0.5, "share of the fund balance spent each year", "share", "funds", ge=0, le=1)
    entry_share: float = P(
        0.5,
        "share of the per-member fund a newcomer pays in (below 1 is preferential)",
        "share",
        "funds",
        ge=0,
        le=2,
        source=SHANXI,
        passage="New members joining mutual aid groups with existing public funds should receive preferential treatment, but also be required to contribute a share",
    )
    fund_animal_share: float = P(
        0.5,
        "share of the fund's spending on expanded reproduction that buys draft animals; the rest buys tools and "
        "land improvement; assumption: an even split, the Shanxi document naming both",
        "share",
        "funds",
        ge=0,
        le=1,
    )
    fund_forfeitable_claim_value: float = P(
        0.5,
        "worth, to a member weighing membership, of a fund claim he would forfeit on leaving (a fund that is not "
        "portable), as a share of the claim; a portable claim is worth all of it; assumption: an uncertain "
        "claim counts half",
        "share",
        "funds",
        ge=0,
        le=1,
    )
    fund_cost_horizon: float = P(
        3.0,
        "years over which a household spreads one-off costs (the entry fee, a claim forfeited on leaving) when it "
        "weighs them against yearly gains; assumption: peasants looked a few seasons ahead",
        "years",
        "funds",
        ge=0.5,
        le=30,
    )
    fund_insurance_weight_short: float = P(
        1.5,
        "weight a household short of grain (below its need) puts on each jin of its group's welfare spending per "
        "member, when it weighs membership; assumption: relief is worth more to the vulnerable",
        "ratio",
        "funds",
        ge=0,
        le=10,
    )
    fund_insurance_weight_secure: float = P(
        0.5,
        "weight a household with grain enough for its need puts on each jin of its group's welfare spending per "
        "member, when it weighs membership; assumption: relief it may need some year is worth less than grain now",
        "ratio",
        "funds",
        ge=0,
        le=10,
    )

    # --- producer co-operatives -------------------------------------------------------------
    coops_max: int = P(
        0,
        "most lower-stage producer co-ops per village (a pilot cap; 0 means none)",
        "co-ops/village",
        "coops",
        ge=0,
        le=1000,
        source=NCB,
        passage="Agricultural production cooperatives may be established on a trial basis in only a few places",
    )
    coop_households_max: int = P(
        30,
        "most households in a lower-stage co-op: a co-op grows by taking in neighbouring teams whose members vote "
        "to join it, and newcomers, up to this size; assumption: lower co-ops averaged about 26 households in 1955",
        "households",
        "coops",
        ge=2,
        le=100_000,
        source=DATA,
        passage="coop_size_1955: about 26 households per lower-stage co-op (16.9 million households in about 650 "
        "thousand co-ops)",
    )
    advanced_coop_households_max: int = P(
        250,
        "most households in an advanced co-op: from `advanced_coop_year` an advanced co-op takes in the groups and "
        "lanes of its village, up to this size; assumption: advanced co-ops had about 150-250 households, often a "
        "whole village",
        "households",
        "coops",
        ge=2,
        le=100_000,
        source=DATA,
        passage="advanced_coop_size: about 150-250 households per advanced co-op, 1956-1957",
    )
    villages_per_county: int = P(
        1,
        "villages of a county: a run's villages form counties of this many consecutive villages (the last may be "
        "smaller), which share the county's pilot cap `coops_per_county`; a county then had a few hundred villages",
        "villages",
        "coops",
        ge=1,
        le=100_000,
    )
    coops_per_county: int = P(
        0,
        "most lower-stage producer co-ops per county (a pilot cap shared by its villages, the oldest eligible "
        "teams first; 0 means no county cap, only `coops_max` per village)",
        "co-ops/county",
        "coops",
        ge=0,
        le=100_000,
        source="Mao Zedong, talks on mutual aid and co-operation, Oct 1953 (historical_facts.csv row "
        "coops_per_county_new_areas); North China Bureau reply, May 1951 (7 pilot co-ops in Changzhi prefecture)",
        passage="new areas: 1-3 producer co-ops per county as pilots",
    )
    coops_path: tuple[tuple[int, int], ...] = Field(
        PressurePath(),
        description="most lower-stage producer co-ops per village year by year, for pilots approved a few at a "
        "time and the spread of 1954-55: a table of year = co-ops (each holds from its year until the next year "
        "listed; before the first, coops_max); empty: coops_max every year. A lower cap in a later year turns the "
        "youngest lower co-ops beyond it back into mutual aid teams (the cut-back of spring 1955)",
        json_schema_extra={
            "unit": "co-ops/village",
            "group": "coops",
            "type": "path",
            "source": DATA,
            "passage": "teams_coops_1952: 3663 producer co-ops in 1952; coop_share_1955: 14.2% of households in "
            "co-ops by July 1955 (Shanxi 41%)",
        },
    )
    coop_animal_rent: float = P(
        0.0,
        "yearly rent a co-op pays members for each draft animal put in, as a share of the animal's price",
        "share/year",
        "coops",
        ge=0,
        le=1,
        source=SHANXI,
        passage="Adopt a dual standard - by labor and by land",
    )
    coop_min_team_years: int = P(
        2, "years a team must have existed before it may become a co-op", "years", "coops", ge=0, le=50
    )
    coop_vote_majority: float = P(
        0.5,
        "share of a team's members who must expect to gain from a co-op for the team to vote to become one "
        "(unless pressed into it); assumption: a simple majority, the voluntary principle read as consent",
        "share",
        "coops",
        ge=0,
        le=1,
    )
    coop_management_gain: float = P(
        0.1, "output gain from unified management of pooled land", "ratio", "coops", ge=0, le=1
    )
    coop_land_share: float = P(
        0.4,
        "share of a co-op's distributed income paid as dividend on land put in",
        "share",
        "coops",
        ge=0,
        le=1,
        source=SHANXI,
        passage="Adopt a dual standard - by labor and by land",
    )
    coop_land_share_cap_at_labour: bool = P(
        False,
        "the land share may never exceed the labour share",
        "",
        "coops",
        source=SHANXI,
        passage="the portion distributed by land should never exceed that distributed by labor",
    )
    coop_land_share_decline: float = P(
        0.0,
        "yearly fall of the land share",
        "share/year",
        "coops",
        ge=0,
        le=1,
        source=SHANXI,
        passage="Over time, the share based on labor should gradually increase",
    )
    advanced_coop_year: int = P(
        0,
        "year co-ops become advanced (no land dividend); 0 means never",
        "year",
        "coops",
        ge=0,
        le=2100,
        source=DRAFT,
        passage="end up with more advanced agricultural producers' cooperatives",
    )
    effort_loss_per_doubling: float = P(
        0.08,
        "fall of effort each time a co-op's membership doubles, where work is hard to monitor (a co-op of 26 loses "
        "4.7 times this, one of 200 7.6 times); assumption: the loss grows with the logarithm of size, as each "
        "member's share of his own extra work shrinks and watching one another gets harder, and 0.08 gives a co-op "
        "of 10 the loss (0.27) of earlier versions' rule of 0.03 per member; the source argues the loss, not its size",
        "share/doubling",
        "coops",
        ge=0,
        le=0.5,
        source=LIN90,
        passage="without the right to exit, the self-enforcing agreement breaks down",
    )
    coop_effort_floor: float = P(
        0.2,
        "lowest effort of co-op members however large the co-op and poor its monitoring (1 = full effort); "
        "assumption: members still work their own share of the harvest",
        "share",
        "coops",
        ge=0,
        le=1,
    )
    exit_threat_effort: float = P(
        0.8,
        "share of the effort loss that the threat of exit restores while exit is allowed",
        "share",
        "coops",
        ge=0,
        le=1,
        source=LIN90,
    )

    # --- state policy ---------------------------------------------------------------------------
    join_pressure: float = P(
        0.0,
        "administrative pressure to join: 0 voluntary, 1 compulsory",
        "",
        "state",
        ge=0,
        le=1,
        source=NCB,
        passage="must arise from the voluntary will of the masses and must not be forcefully implemented",
    )
    pressure_path: tuple[tuple[int, float], ...] = Field(
        PressurePath(),
        description="administrative pressure to join year by year, for campaigns that come and go: a table of "
        "year = pressure (each pressure holds from its year until the next year listed; before the first, "
        "join_pressure); empty: join_pressure every year",
        json_schema_extra={
            "unit": "",
            "group": "state",
            "type": "path",
            "source": DATA,
            "passage": "stop_go_campaigns: expansion winter 1952, contraction spring 1953; expansion winter 1954, "
            "co-ops cut back spring 1955; high tide autumn 1955",
        },
    )
    target_membership: float = P(
        0.4,
        "share of households the state wants organised by the target year",
        "share",
        "state",
        ge=0,
        le=1,
        source=DRAFT,
        passage="40% of the rural population organized largely into mutual aid teams by the end 1952",
    )
    target_year: int = P(
        1952, "year by which the target share should be reached", "year", "state", ge=1900, le=2100, source=DRAFT
    )
    exit_allowed: bool = P(
        True,
        "members may leave teams and co-ops",
        "",
        "state",
        source=NCB,
        passage="must arise from the voluntary will of the masses",
    )
    coop_tax_rebate: float = P(
        0.0,
        "share of the agricultural tax remitted to co-op members",
        "share",
        "state",
        ge=0,
        le=1,
        source=SHANXI,
        passage="The state should grant preferential treatment to agricultural cooperatives",
    )
    coop_credit: bool = P(
        False,
        "co-op members borrow from the state at the supply-and-marketing rate",
        "",
        "state",
        source=SHANXI,
        passage="The state should grant preferential treatment to agricultural cooperatives",
    )
    supply_marketing_coop: bool = P(
        False,
        "a supply-and-marketing co-op lends cheaply and buys grain at a fair price",
        "",
        "state",
        source=LIU,
        passage="through the use of mutual aid teams and supply and marketing cooperatives, they can achieve the goal of halting or avoiding this trend",
    )
    merchant_margin: float = P(
        0.15,
        "share of the value of produce sold that private merchants keep; a supply-and-marketing co-op pays a fair price instead",
        "share",
        "state",
        ge=0,
        le=0.9,
        source=LIU,
        passage="mutual aid teams and supply and marketing cooperatives",
    )
    smc_interest_rate: float = P(
        0.12, "yearly interest of supply-and-marketing co-op (state) credit", "1/year", "state", ge=0, le=3
    )
    smc_credit_per_household: float = P(
        150.0, "most a household may owe the supply-and-marketing co-op", "jin/household", "state", ge=0, le=10_000
    )

    # --- recovery and growth of yields ----------------------------------------------------------
    yield_recovery_gain: float = P(
        0.131,
        "rise of normal yields from the start year to their recovered (pre-war peak) level in `recovery_year`, "
        "reached in equal steps; the national output rose from 145 to 164 million tonnes from 1951 to 1952 "
        "(all of it counted as yield: the village's land is fixed)",
        "share",
        "growth",
        ge=0,
        le=2,
        source=DATA,
        passage="grain_output_china: 113; 132; 145; 164; 167; 170; 184 million tonnes, 1949..1955 (164 / 145 - 1 = 0.131)",
    )
    recovery_year: int = P(
        1952,
        "year by which normal yields have recovered to the pre-war peak (national output passed it in 1952)",
        "year",
        "growth",
        ge=1900,
        le=2100,
        source=DATA,
        passage="grain_output_china: 164 million tonnes in 1952",
    )
    yield_trend: float = P(
        0.01,
        "yearly growth of normal yields after `recovery_year` (irrigation, seed, fertiliser); calibrated: with "
        "it (and the village's own saving in farm capital) a default village without weather shocks has grain "
        "per head 1.11, 1.12, 1.14, 1.16 times its 1951 level in 1952-1955, the national series 1.11, 1.10, "
        "1.10, 1.16, and 1.20 times in 1980 (national 1.24 in 1978)",
        "1/year",
        "growth",
        ge=-0.2,
        le=0.2,
        source=DATA + "; " + NBS_POP,
        passage="grain_output_china: 145, 164, 167, 170, 184 million tonnes, 1951..1955; population 563.0, "
        "574.8, 588.0, 602.7, 614.7 million, 1951..1955; 1978: 304.8 million tonnes, 962.6 million people",
    )

    # --- ways out of the village ---------------------------------------------------------------
    off_farm_jobs: float = P(
        0.05,
        "share of a household's spare workers (beyond one and beyond those its own land needs) who find work "
        "in towns, mines and factories each year and leave, sending remittances home; assumption: the towns "
        "grew from 57.7 to 99.5 million people from 1949 to 1957, 5 million a year, some 3 million of it from "
        "the countryside, 1-2% of rural workers a year; in the default village this value has about 1% of "
        "workers leave a year",
        "1/year",
        "migration",
        ge=0,
        le=1,
        source=NBS_POP,
        passage="urban population 57.65 million (1949), 99.49 million (1957)",
    )
    migration_closed_year: int = P(
        1958,
        "year from which household registration keeps peasants in the village (no new departures; 0: never closed)",
        "year",
        "migration",
        ge=0,
        le=2100,
        source=HUKOU58,
        passage="citizens moving from the countryside to the towns must hold a labour recruitment certificate "
        "from an urban labour department, a school's admission certificate or an urban household "
        "registration office's permit to move in",
    )
    remittance: float = P(
        100.0,
        "grain-equivalent a migrant sends home each year; assumption: a third of a worker's subsistence",
        "jin/migrant-year",
        "migration",
        ge=0,
        le=2000,
    )
    remitting_years: float = P(
        10.0,
        "mean years a migrant keeps sending remittances (until he settles with a family of his own in town); "
        "assumption",
        "years",
        "migration",
        ge=1,
        le=100,
    )

    # --- the grain monopoly (unified purchase and sale) ------------------------------------------
    grain_monopoly_year: int = P(
        0,
        "year the state monopoly of grain purchase and sale begins (1953 historically); 0 means never "
        "(none in the 1951 positions)",
        "year",
        "grain_monopoly",
        ge=0,
        le=2100,
        source=MONOPOLY53 + "; " + DATA,
        passage="unified_purchase_1953: state monopoly of grain purchase and sale from November 1953: quotas "
        "bought at state prices; private grain trade closed; resales to deficit households",
    )
    procurement_quota: float = P(
        0.7,
        "share of a surplus household's grain above its need and reserve that the state buys each year (from "
        "`three_fixes_year` on: of its normal output, assessed once, above need and reserve); assumption: the "
        "order had surplus households sell most of their surplus",
        "share",
        "grain_monopoly",
        ge=0,
        le=1,
        source=MONOPOLY53,
        passage="surplus-grain households sell their surplus grain to the state at the state's prices, in the "
        "planned quantities",
    )
    state_grain_price: float = P(
        0.85,
        "state purchase (and resale) price of grain relative to the free-market price; assumption: state "
        "prices below market prices were the means of extraction Ash describes",
        "ratio",
        "grain_monopoly",
        ge=0,
        le=2,
        source=ASH06,
    )
    resale_share: float = P(
        0.3,
        "most the state resells to the village's deficit households in a year, as a share of what it bought "
        "there; resale is on credit (state debt) at the state price; assumption",
        "share",
        "grain_monopoly",
        ge=0,
        le=5,
        source=DATA,
        passage="unified_purchase_1953: resales to deficit households",
    )
    three_fixes_year: int = P(
        1955,
        "year from which quotas are fixed on assessed normal output ('three fixes': output, purchase, sale), so "
        "that grain above the normal harvest stays with the household (only under the monopoly)",
        "year",
        "grain_monopoly",
        ge=1900,
        le=2100,
        source=DATA,
        passage="unified_purchase_1953: 'three fixes' (output, purchase, sale) from 1955",
    )
    monopoly_lending: float = P(
        0.5,
        "share of private grain lending that goes on once private grain trade is closed; assumption: lending "
        "went underground and shrank",
        "share",
        "grain_monopoly",
        ge=0,
        le=1,
        source=DATA,
        passage="unified_purchase_1953: private grain trade closed",
    )

    @field_validator(*PATHS, mode="before")
    @classmethod
    def _path_pairs(cls, value, info):
        """A table of year = value (or pairs) into the pairs the field holds, checked as PATHS says."""
        return year_path_pairs(value, PATHS[info.field_name])

    @field_validator(*PATHS, mode="after")
    @classmethod
    def _path(cls, value):
        return PressurePath(value)

    @model_validator(mode="before")
    @classmethod
    def _area_defaults(cls, data: Any) -> Any:
        """The parameters `liberated_area` selects, where the values given do not set them (see AREA_DEFAULTS)."""
        if isinstance(data, dict):
            area = data.get("liberated_area", DEFAULT_AREA)
            missing = {k: v for k, v in AREA_DEFAULTS.get(area, {}).items() if k not in data}
            if missing:
                data = {**data, **missing}
        return data

    @model_validator(mode="after")
    def _consistent(self):
        """Rules between fields (each field's own range is checked by its Field)."""
        for problem in cross_field_problems(self):
            raise ValueError(problem)
        return self


# (smaller, larger, why): the first may not exceed the second
ORDERED_PAIRS = (
    ("team_min_size", "team_size", "a team cannot need more members to survive than it aims for"),
    ("tax_rate_min", "tax_rate_max", "the lowest tax rate cannot exceed the highest"),
)
# shares of one population that cannot add up to more than all of it
ORIGIN_SHARES = ("origin_rich_share", "origin_landlord_share", "origin_poor_share")


def cross_field_problems(p) -> list[str]:
    """What breaks the rules between fields, one sentence each naming the fields and values.

    >>> cross_field_problems(Params.model_construct(team_size=4, team_min_size=5))
    ['team_min_size = 5 is above team_size = 4: a team cannot need more members to survive than it aims for']
    """
    out = []
    for low, high, why in ORDERED_PAIRS:
        if getattr(p, low) > getattr(p, high):
            out.append(f"{low} = {getattr(p, low)!r} is above {high} = {getattr(p, high)!r}: {why}")
    total = sum(getattr(p, name) for name in ORIGIN_SHARES)
    if total > 1:
        names = " + ".join(f"{n} ({getattr(p, n)!r})" for n in ORIGIN_SHARES)
        out.append(f"{names} = {total:.3g} is above 1: they are shares of the same households")
    return out


# Defined with the project's other errors (model/errors.py); importable from here as before.
from model.errors import ParameterError  # noqa: E402

FIELDS = Params.model_fields
NAMES: tuple[str, ...] = tuple(FIELDS)


def field_info(name: str) -> dict[str, Any]:
    """Everything the schema says of one parameter, as a plain dict (for docs, CLI, app)."""
    f = FIELDS[name]
    extra = f.json_schema_extra or {}
    lo = hi = None
    choices = None
    for m in f.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    ann = f.annotation
    if getattr(ann, "__origin__", None) is Literal:
        choices = list(ann.__args__)
        type_name = "choice"
    else:
        type_name = extra.get("type") or (ann.__name__ if isinstance(ann, type) else str(ann))
    return {
        "name": name,
        "type": type_name,
        "default": f.default,
        "unit": extra.get("unit", ""),
        "group": extra.get("group", ""),
        "min": lo,
        "max": hi,
        "choices": choices,
        "meaning": f.description,
        "source": extra.get("source"),
        "passage": extra.get("passage"),
    }


def allowed(name: str) -> str:
    """Words for what a parameter accepts, e.g. 'a number from 0 to 1'."""
    i = field_info(name)
    if i["choices"]:
        return "one of " + ", ".join(repr(c) for c in i["choices"])
    if i["type"] == "bool":
        return "true or false"
    if i["type"] == "path":
        v = PATHS[name]
        return (
            f"a table of year = {v.noun}, years from {YEAR_MIN} to {YEAR_MAX}, {v.plural} from {v.lo:g} to "
            f"{v.hi:g} (e.g. {v.example}; {{}}: none)"
        )
    kind = "a whole number" if i["type"] == "int" else "a number"
    if i["min"] is not None and i["max"] is not None:
        return f"{kind} from {i['min']} to {i['max']}"
    return kind


def closest(name: str, names: tuple[str, ...] | list[str] = NAMES) -> str | None:
    """The valid name most like `name`, or None when nothing is close."""
    hits = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return hits[0] if hits else None


# parameters renamed (one spelling of labour; a household's working members are its workers): old -> new
RENAMED = {
    "hired_labor_policy": "hired_labour_policy",
    "hired_labor_tax": "hired_labour_tax",
    "hired_labor_cap": "hired_labour_cap",
    "illness_labor_loss": "illness_labour_loss",
    "coop_land_share_cap_at_labor": "coop_land_share_cap_at_labour",
    "laborer_wage_share": "labourer_wage_share",
    "division_adults": "division_workers",
    "adult_mortality": "worker_mortality",
}


# parameters replaced by one of another meaning: old -> (new, what changed)
REPLACED = {
    "effort_monitoring": (
        "effort_loss_per_doubling",
        "effort now falls with each doubling of a co-op's members, not by a share per member",
    ),
}


def unknown_name_message(name: str, names: tuple[str, ...] | list[str] = NAMES, what: str = "parameter") -> str:
    """
    >>> unknown_name_message("division_adults")
    "unknown parameter 'division_adults': it was renamed 'division_workers'"
    """
    if what == "parameter" and name in REPLACED and REPLACED[name][0] in names:
        return f"unknown {what} '{name}': it was replaced by '{REPLACED[name][0]}' ({REPLACED[name][1]})"
    if what == "parameter" and RENAMED.get(name) in names:
        return f"unknown {what} '{name}': it was renamed '{RENAMED[name]}'"
    near = closest(name, names)
    hint = f"; did you mean '{near}'?" if near else f"; see 'huzhu params' for the {len(names)} valid names"
    return f"unknown {what} '{name}'{hint}"


def check_names(values: dict[str, Any]) -> None:
    """Raise ParameterError for the first name that is not a parameter."""
    for key in values:
        if key not in FIELDS:
            raise ParameterError(unknown_name_message(key))


def describe_validation_error(err: ValidationError, prefix: str = "") -> str:
    """One line per problem, naming the parameter, the value given and what is allowed."""
    lines = []
    for e in err.errors():
        loc = [str(x) for x in e["loc"]]
        name = loc[0] if loc else ""
        path = prefix + ".".join(loc)
        value = e.get("input")
        if e["type"] == "extra_forbidden":
            lines.append(unknown_name_message(name))
            continue
        if not loc and e["type"] == "value_error":  # a rule between fields: its own sentence
            lines.append(prefix.rstrip(".") + (": " if prefix else "") + str(e["ctx"]["error"]))
            continue
        what = allowed(name) if name in FIELDS else e["msg"]
        if e["type"] == "value_error" and name in FIELDS and field_info(name)["type"] == "path":
            what = f"{what}; {e['ctx']['error']}"  # which year or pressure is wrong
        lines.append(f"{path} = {value!r} is not allowed: expected {what}")
    return "\n".join(lines)


def make_params(params: Params | dict[str, Any] | None = None, /, **values: Any) -> Params:
    """Validate parameter values against the schema and return a frozen Params.

    Unknown names fail naming the closest valid one; a wrong type or an
    out-of-range value fails naming the parameter, the value and the allowed range.
    Nothing is clamped.
    """
    if isinstance(params, Params):
        if not values:
            return params
        base = params.model_dump()
    elif params is None or isinstance(params, dict):
        base = dict(params or {})
    else:
        raise ParameterError(
            f"params = {params!r} is not allowed: expected a Params, a dict of parameter values or None "
            f"(got {type(params).__name__})"
        )
    for key in (*base, *values):
        if not isinstance(key, str):
            raise ParameterError(f"parameter name {key!r} is not allowed: expected a name (text)")
    check_names(values)
    check_names(base)
    if isinstance(params, Params) and values.get("liberated_area", params.liberated_area) != params.liberated_area:
        # another area: what the old one selected gives way to the new one's defaults (values that differ from
        # the old area's defaults were set on purpose and stay)
        for k, v in AREA_DEFAULTS[params.liberated_area].items():
            if base.get(k) == v:
                del base[k]
    base.update(values)
    # numpy scalars come in from sweeps: turn them into Python numbers first
    base = {k: (v.item() if hasattr(v, "item") and not isinstance(v, (str, bytes)) else v) for k, v in base.items()}
    try:
        return Params(**base)
    except ValidationError as err:
        raise ParameterError(describe_validation_error(err)) from None


DEFAULTS = Params()


def reference_markdown() -> str:
    """The parameter reference (docs/parameters.md) generated from the schema."""
    out = [
        "# Parameter reference",
        "",
        "Generated from `model/params.py` (`huzhu params --markdown`); do not edit by hand.",
        "Every scenario file, the command line and the app take these names.",
        "",
    ]
    group = None
    for name in NAMES:
        i = field_info(name)
        if i["group"] != group:
            group = i["group"]
            out += [
                "",
                f"## {group.replace('_', ' ')}",
                "",
                "| name | default | unit | allowed | meaning | source |",
                "|---|---|---|---|---|---|",
            ]
        src = ""
        if i["source"]:
            src = i["source"] + (f': "{i["passage"]}"' if i["passage"] else "")
        default = str(i["default"]).lower() if isinstance(i["default"], bool) else str(i["default"])
        out.append(f"| `{name}` | {default} | {i['unit']} | {allowed(name)} | {i['meaning']} | {src} |")
    return "\n".join(out) + "\n"


# What each `once_per_params` function derived, per Params: found by the object's id, or else by its value
# (an equal Params made anew, as each model run makes its own, finds what an earlier one derived). An entry
# holds its Params itself, so no other object can have its id while it is kept.
_DERIVED_BY_ID: dict[int, tuple[Params, dict]] = {}
_DERIVED_BY_VALUE: dict[Params, dict] = {}
_KEPT = 64  # Params kept at most (then the caches start again)


def _derived(p: Params) -> dict:
    """The store of what was derived from `p` (and from any Params equal to it), for a `p` not yet known by
    its id."""
    if len(_DERIVED_BY_ID) >= _KEPT:
        _DERIVED_BY_ID.clear()
    if len(_DERIVED_BY_VALUE) >= _KEPT:
        _DERIVED_BY_VALUE.clear()
    store = _DERIVED_BY_VALUE.setdefault(p, {})
    _DERIVED_BY_ID[id(p)] = (p, store)
    return store


def once_per_params(derive):
    """`derive(p)` computed once per Params (Params is immutable, and a model asks for the numbers it
    derives every year) and kept, also for any Params equal to `p`.

    When `derive` returns a bundle (a `typing.NamedTuple` of numbers and bundles), `derive.record(p)`
    is the same bundle as a record for the compiled kernels (see `as_record`), also made once per Params.
    """
    as_bundle = ("bundle", derive)
    as_record_ = ("record", derive)

    # (the stores' lookup by id is written out here: these are called some twenty times a year)
    @functools.wraps(derive)
    def cached(p: Params):
        hit = _DERIVED_BY_ID.get(id(p))
        store = hit[1] if hit is not None else _derived(p)
        value = store.get(as_bundle)
        if value is None:
            value = store[as_bundle] = derive(p)
        return value

    def record(p: Params) -> np.ndarray:
        hit = _DERIVED_BY_ID.get(id(p))
        store = hit[1] if hit is not None else _derived(p)
        value = store.get(as_record_)
        if value is None:
            value = store[as_record_] = as_record(cached(p))
        return value

    cached.record = record
    return cached


# --- bundles as records ---------------------------------------------------------------------------
# A kernel reads its parameters from one bundle, a NamedTuple declared in its phase's module. Numba
# types a NamedTuple argument field by field on every call (about a microsecond for ten numbers, more
# when nested), but a NumPy array by its dtype alone: so kernels get the bundle as a 1-element
# structured array with one field per field of the NamedTuple (nested bundles as nested records), and
# begin with `c = bundle[0]`, a record whose fields are read by name (`c.mu_per_animal`) as before.

_RECORD_KINDS = {float: np.float64, int: np.int64, bool: np.bool_}
# the types of value each kind of field takes
_RECORD_VALUES = {float: (float, np.float64), int: (int, np.int64), bool: (bool, np.bool_)}


def _is_bundle(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")


@functools.cache
def _kinds(bundle_class: type) -> tuple:
    """Each field's annotation, resolved."""
    hints = typing.get_type_hints(bundle_class)
    return tuple(hints[name] for name in bundle_class._fields)


@functools.cache
def record_dtype(bundle_class: type) -> np.dtype:
    """The structured dtype of a bundle class: float64, int64 and bool fields, nested bundles nested.

    >>> from typing import NamedTuple
    >>> class Rules(NamedTuple):
    ...     rate: float
    ...     years: int
    ...     banned: bool
    >>> record_dtype(Rules).names
    ('rate', 'years', 'banned')
    """
    fields = []
    for name, kind in zip(bundle_class._fields, _kinds(bundle_class), strict=True):
        if kind in _RECORD_KINDS:
            fields.append((name, _RECORD_KINDS[kind]))
        elif _is_bundle(kind):
            fields.append((name, record_dtype(kind)))
        else:
            raise TypeError(f"{bundle_class.__name__}.{name}: a record holds float, int, bool or bundles, not {kind}")
    return np.dtype(fields, align=True)


def _plain(bundle, cls) -> tuple:
    """The values of `bundle` as nested plain tuples, each checked against its annotation (a record
    stores every value as its field's type: an int in a float field would no longer compile as an int)."""
    values = []
    for name, kind, value in zip(cls._fields, _kinds(cls), bundle, strict=True):
        if kind in _RECORD_VALUES:
            if type(value) not in _RECORD_VALUES[kind]:
                raise TypeError(f"{cls.__name__}.{name} is {kind.__name__}, not {type(value).__name__} ({value!r})")
            values.append(value)
        else:
            values.append(_plain(value, kind))
    return tuple(values)


def as_record(bundle) -> np.ndarray:
    """`bundle` (a NamedTuple of numbers and bundles) as a 1-element structured array for the kernels.

    >>> from typing import NamedTuple
    >>> class Rules(NamedTuple):
    ...     rate: float
    ...     years: int
    >>> r = as_record(Rules(rate=0.05, years=3))
    >>> float(r[0]["rate"]), int(r[0]["years"])
    (0.05, 3)
    """
    cls = type(bundle)
    out = np.zeros(1, dtype=record_dtype(cls))
    out[0] = _plain(bundle, cls)
    return out
