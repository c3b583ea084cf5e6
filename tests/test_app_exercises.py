"""Each class exercise's app steps, done in the served app as its text says (docs/exercises/0N_*.md).

One test per exercise follows the student's steps literally, with the mouse and the
keyboard: choose the scenario in its menu, type the seed and press Enter, colour the
map, step or play, switch on side by side, pick the village the levers change, open
the lever group, drag a slider and type its exact value, switch a switch, click
plots and read the household card, read the year's figures. Each checks that the
page shows what the exercise asks the student to look at.
"""

from __future__ import annotations

import pytest
from app_browser import (
    choose,
    choose_scenario,
    click_plots,
    colour_by,
    heading,
    key_figure,
    lever,
    levers_of,
    number,
    offline_context,
    open_app,
    open_group,
    play_to,
    screenshot,
    set_number,
    set_seed,
    side_by_side,
    step,
    step_to,
    switch,
    wait_heading,
    wait_years,
    years_done,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {"width": 1366, "height": 768}
CREDIT = "Credit for an animal day (1 = fair exchange)"


@pytest.fixture
def page(browser, app_url):
    errors: list[str] = []
    blocked: list[str] = []
    context = offline_context(browser, blocked, viewport=LAPTOP)
    p = open_app(context, app_url, errors)
    yield p
    assert not errors, errors
    assert not blocked, blocked
    context.close()


def start(page, title: str, seed: str = "7") -> None:
    """Scenario from the menu, seed typed and Enter pressed: the village is at the land reform."""
    choose_scenario(page, title)
    set_seed(page, seed)
    wait_years(page, 0)
    assert page.get_by_label("Seed").input_value() == seed


def both_villages(page) -> None:
    """Side by side: both maps, B a copy of A until a lever moves."""
    side_by_side(page)
    assert heading(page, "A").replace("Village A", "") == heading(page, "B").replace("Village B", "")


def test_exercise_1_spontaneous_drift(page):
    # 1. scenario Liu Shaoqi 1951, seed 7 and Enter
    start(page, "Liu Shaoqi 1951")
    # 2. colour by Class; Step a year five times, noting the Gini of land per head after each
    colour_by(page, "Class")
    ginis = []
    for _ in range(5):
        step(page, 1)
        ginis.append(number(key_figure(page, "Gini of land per head")))
    assert all(0 <= g <= 1 for g in ginis) and len(set(ginis)) > 1, ginis
    # 3. Play to 1980; click a plot and follow its household
    play_to(page, 1980)
    assert years_done(page) >= 30
    card = click_plots(page, 1)[0]
    assert "land (mu)" in card and "class" in card
    # 4. side by side, A kept on Liu Shaoqi 1951; B's four freedoms banned; step both to 1980
    both_villages(page)
    levers_of(page, "B")
    open_group(page, "Markets: the 'four freedoms'")
    for label in ("Buying and selling land", "Renting out land", "Hiring labourers", "Private lending"):
        choose(page, label, "banned")
    assert "Village A: Liu Shaoqi 1951 (levers as the scenario)" == heading(page, "A")
    assert wait_heading(page, "B", "Private lending banned").count("banned") == 4
    step_to(page, 1980)
    a, b = key_figure(page, "Gini of land per head", 1), key_figure(page, "Gini of land per head", 2)
    assert a and b
    # 5. only the seed changes: both villages restart with new luck
    set_seed(page, "8")
    wait_years(page, 0)
    step(page, 1)
    screenshot(page, "exercise-1.png")


def test_exercise_2_demographic_or_class(page):
    # 1. Liu Shaoqi 1951, seed 7, colour by Class, play to 1965, click three plots and read the card
    start(page, "Liu Shaoqi 1951")
    colour_by(page, "Class")
    play_to(page, 1965)
    cards = click_plots(page, 3)
    for card in cards:
        for field in ("workers", "dependants", "land (mu)", "class"):
            assert field in card, card
    assert len(set(cards)) >= 2  # different households


def test_exercise_3_team_disintegration(page):
    # 1. North China Bureau 1951, seed 7, colour by Team, step year by year to 1955
    start(page, "North China Bureau 1951")
    colour_by(page, "Team")
    page.get_by_text("teams (a colour each)").first.wait_for()
    for _ in range(5):
        step(page, 1)
        assert 0 <= number(key_figure(page, "in a team or co-op")) <= 100
    page.get_by_text("After the harvest of 1955").wait_for()
    cards = click_plots(page, 4)
    assert all("draft animals" in c and "workers" in c and "team" in c for c in cards)
    # 2. side by side; levers of B; credit for an animal day 1.5; step both to 1965
    both_villages(page)
    levers_of(page, "B")
    open_group(page, "Mutual aid teams and their public fund")
    set_number(page, CREDIT, 1.5)
    wait_heading(page, "B", "Credit for an animal day (1 = fair exchange) 1.5")
    assert "levers as the scenario" in heading(page, "A")
    step_to(page, 1965)
    screenshot(page, "exercise-3.png")


def test_exercise_4_public_funds(page):
    start(page, "Shanxi Committee 1951")
    both_villages(page)
    assert page.locator(".huzhu-scenario-B").inner_text().endswith("Shanxi Committee 1951")
    levers_of(page, "B")
    open_group(page, "Mutual aid teams and their public fund")
    switch(page, "A leaver takes his share of the fund", True)
    wait_heading(page, "B", "A leaver takes his share of the fund on")
    step_to(page, 1965)
    page.locator(".huzhu-chart-membership canvas").wait_for()
    page.locator(".huzhu-chart-fund canvas").wait_for()


def test_exercise_5_labour_or_land(page):
    start(page, "Shanxi Committee 1951")
    both_villages(page)
    for side in ("A", "B"):
        levers_of(page, side)
        open_group(page, "Producer co-ops")
        set_number(page, "Co-ops allowed in the village", 10)
    levers_of(page, "A")
    set_number(page, "Co-op income paid out by land", 0)
    levers_of(page, "B")
    set_number(page, "Co-op income paid out by land", 0.8)
    switch(page, "Land share never above labour share", False)
    wait_heading(page, "B", "Land share never above labour share off")
    assert "Co-ops allowed in the village 10" in heading(page, "A") and "by land 0" in heading(page, "A")
    assert "Co-ops allowed in the village 10" in heading(page, "B") and "by land 0.8" in heading(page, "B")
    colour_by(page, "Co-op")
    page.get_by_text("in a producer co-op").first.wait_for()
    step_to(page, 1965)
    assert number(key_figure(page, "in a co-op", 1)) >= 0


def test_exercise_6_target_and_pressure(page):
    start(page, "Draft Resolution 1951")
    both_villages(page)
    levers_of(page, "A")
    open_group(page, "The state")
    assert float(lever(page, "Pressure to join").locator(".huzhu-number-box").input_value()) == 0.3
    set_number(page, "Pressure to join (0 voluntary, 1 compulsory)", 0)
    step_to(page, 1952)
    at_40 = [number(key_figure(page, "in a team or co-op", k)) >= 40 for k in (1, 2)]
    assert len(at_40) == 2
    step_to(page, 1960)
    levers_of(page, "A")
    set_number(page, "Pressure to join (0 voluntary, 1 compulsory)", 1)
    wait_heading(page, "A", "Pressure to join (0 voluntary, 1 compulsory) 1")
    step_to(page, 1952)
    step_to(page, 1960)


def test_exercise_7_right_to_exit(page):
    start(page, "High Tide No Exit")
    both_villages(page)
    levers_of(page, "B")
    open_group(page, "The state")
    switch(page, "Members may leave", True)
    wait_heading(page, "B", "Members may leave on")
    step_to(page, 1965)
    for name in ("classes_A", "classes_B", "gini", "membership", "fund"):
        page.locator(f".huzhu-chart-{name} canvas").wait_for()
