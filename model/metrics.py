"""Names, units and meanings of the yearly metrics (one row per village and year).

The model computes them in `model.observe`; this module only names them, so the
batch runner, the charts, the app and the docs agree on one list.
"""

from __future__ import annotations

# name: (unit, meaning)
METRICS: dict[str, tuple[str, str]] = {
    "households": ("households", "households alive at the end of the year"),
    "population": ("persons", "people in those households"),
    "total_land": ("mu", "cultivated land owned in the village (never changes)"),
    "gini_land": ("Gini", "inequality of owned land per head across households"),
    "gini_land_household": (
        "Gini",
        "inequality of owned land per household (as county records give it: a household of many persons holds more)",
    ),
    "gini_income": ("Gini", "inequality of the year's net income per head across households"),
    "gini_wealth": ("Gini", "inequality of net wealth per head (land, animals, capital, grain, less debt)"),
    "top10_land_share": ("share", "share of the village's land owned by its 10% largest landholders"),
    "share_hired_labourer": ("share of households", "households classed as hired labourers"),
    "share_poor": ("share of households", "households classed as poor peasants"),
    "share_lower_middle": ("share of households", "households classed as lower-middle peasants (the 1955 category)"),
    "share_middle": ("share of households", "households classed as middle peasants"),
    "share_well_off_middle": ("share of households", "households classed as well-off middle peasants"),
    "share_rich": ("share of households", "households classed as rich peasants"),
    "grain_per_head": ("jin/person", "grain harvested per person"),
    "poverty_rate": ("share of persons", "people in households that ate less than subsistence"),
    "land_sold": ("mu", "land sold this year"),
    "distress_sales": ("households", "households that sold land in distress this year"),
    "land_foreclosed": ("mu", "land that passed from debtors to lenders this year"),
    "hired_labour_share": ("share", "share of farm labour used that was hired"),
    "debt_total": ("jin", "private and state debt outstanding at the end of the year"),
    "land_rented": ("mu", "land rented out this year"),
    "divisions": ("households", "household divisions this year (demographic differentiation)"),
    "animals_per_household": ("animals/household", "draft animals per household"),
    # institutions
    "team_membership_rate": ("share of households", "households in a mutual aid team or a co-op"),
    "teams": ("teams", "mutual aid teams"),
    "team_joins": ("households", "households that joined a team this year"),
    "team_exits": ("households", "households that left a team this year"),
    "teams_disbanded": ("teams", "teams disbanded this year"),
    "manor_teams": (
        "teams",
        "teams where one household owns most draft power and draws a net inflow of others' labour",
    ),
    "coop_membership_rate": ("share of households", "households in a producer co-op"),
    "coops": ("co-ops", "producer co-ops"),
    "public_fund_total": ("jin", "public funds held by teams and co-ops"),
    "fund_per_member": ("jin/household", "public fund per member household"),
    "fund_forfeited": ("jin", "fund shares forfeited by leavers this year (non-portable funds)"),
    "welfare_paid": ("jin", "relief paid from public funds this year"),
    "effort_mean": ("ratio", "mean work effort of members (1 = full effort)"),
    "grain_per_head_team": ("jin/person", "grain harvested per person in team households"),
    "grain_per_head_coop": ("jin/person", "grain harvested per person in co-op households"),
    "grain_per_head_alone": ("jin/person", "grain harvested per person in unorganised households"),
    # land sales and tenancy, ways out of the village, the grain monopoly
    "land_sold_share": ("share of land", "share of the village's land sold this year"),
    "sellers_cumulative": (
        "share of households",
        "households that have sold land since the start (or divided from one that had)",
    ),
    "tenancy_share": ("share of land", "share of the village's land rented out this year"),
    "migrants": (
        "share of persons",
        "workers who left this year for work in towns, mines and factories, as a share of the village's people",
    ),
    "procurement": (
        "share of harvest",
        "grain bought by the state under the grain monopoly, as a share of the harvest",
    ),
    "tax_share": ("share of harvest", "agricultural tax paid (in grain), as a share of the harvest"),
    # the class shares counted in persons, as the sources of 1955 count them ("of the rural population")
    "persons_share_hired_labourer": ("share of persons", "persons in hired-labourer households"),
    "persons_share_poor": ("share of persons", "persons in poor-peasant households"),
    "persons_share_lower_middle": ("share of persons", "persons in lower-middle-peasant households"),
    "persons_share_middle": ("share of persons", "persons in middle-peasant households"),
    "persons_share_well_off_middle": ("share of persons", "persons in well-off middle-peasant households"),
    "persons_share_rich": ("share of persons", "persons in rich-peasant households"),
    "teams_formed": ("teams", "mutual aid teams formed this year (a seasonal team anew each season)"),
    "teams_lasting_year": (
        "teams",
        "teams of the year before still standing this year (renewed after their season, or year-round), as teams "
        "or as the co-ops they became",
    ),
    "coop_size_mean": ("households/co-op", "member households per producer co-op (0 where there is none)"),
    "coop_exit_rate": (
        "share of co-op members",
        "co-op members who withdrew this spring, as a share of the co-ops' members before it (0 where there is none)",
    ),
}

CLASS_NAMES: tuple[str, ...] = ("hired_labourer", "poor", "lower_middle", "middle", "well_off_middle", "rich")
CLASS_SHARES: tuple[str, ...] = tuple(f"share_{c}" for c in CLASS_NAMES)
ORIGIN_NAMES: tuple[str, ...] = ("landlord", "rich", "middle", "poor", "hired_labourer")

NAMES: tuple[str, ...] = tuple(METRICS)


def unit(name: str) -> str:
    return METRICS[name][0]


def meaning(name: str) -> str:
    return METRICS[name][1]
