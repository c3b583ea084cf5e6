"""What a student does in the served app, as Playwright calls: the browser tests' shared steps.

Each helper does what a person does, with the mouse or the keyboard (a slider is
dragged, a box typed into and confirmed with Enter, a menu opened and an entry
clicked), then waits for the page to show the result.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

# Kept for a person to look at (pytest-playwright empties its own test-results/ on every run).
SCREENSHOTS = Path("outputs") / "screenshots"
CHARTS = ("classes_A", "gini", "membership", "fund")
START_YEAR = 1951

# Each drawing as pixels: the map's canvas and each chart's canvas, as PNG data URLs,
# with a count of the pixels that are not background (an empty canvas counts none).
PIXELS_JS = """
() => {
  const ink = (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
    }
    return n;
  };
  const out = {};
  const map = document.querySelector('canvas.village-map');
  if (map) out.map = {url: map.toDataURL(), ink: ink(map)};
  for (const div of document.querySelectorAll('.huzhu-chart')) {
    const name = [...div.classList].find((c) => c.startsWith('huzhu-chart-')).slice('huzhu-chart-'.length);
    const c = div.querySelector('canvas');
    if (c) out[name] = {url: c.toDataURL(), ink: ink(c)};
  }
  return out;
}
"""


def offline_context(browser, blocked: list[str], viewport=None):
    """A browser context in which every request off this machine is aborted (and noted)."""
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1500})

    def route(r):
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


def open_app(context, url: str, errors: list[str]):
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("canvas.village-map", timeout=120_000)
    for name in CHARTS:
        page.wait_for_selector(f".huzhu-chart-{name} canvas", timeout=60_000)
    return page


def years(page) -> str:
    return page.locator(".huzhu-years").inner_text()


def years_done(page) -> int:
    return int(years(page).split(":")[1])


def wait_years(page, n: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "(want) => { const e = document.querySelector('.huzhu-years'); return e && e.innerText.endsWith(' ' + want); }",
        arg=str(n),
        timeout=timeout,
    )


def step(page, n: int = 1) -> None:
    """Press Step a year n times, each time waiting for the year to be shown (Step is disabled meanwhile)."""
    start = years_done(page)
    for k in range(1, n + 1):
        button = page.get_by_role("button", name="Step a year")
        button.click()
        wait_years(page, start + k)
        page.wait_for_selector(".huzhu-step:not([disabled])")
    assert years(page) == f"Years simulated: {start + n}"


def step_to(page, year: int) -> None:
    """Step until the harvest of `year` is shown."""
    step(page, year - (START_YEAR - 1) - years_done(page))
    page.get_by_text(f"After the harvest of {year}").first.wait_for()


def play_to(page, year: int) -> None:
    """Press Play and pause once the harvest of `year` is in (one more year may slip in before the pause lands)."""
    target = year - (START_YEAR - 1)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "(want) => parseInt(document.querySelector('.huzhu-years').innerText.split(':')[1]) >= want",
        arg=target,
        timeout=120_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()


def pixels(page, settle: float = 0.3) -> dict:
    time.sleep(settle)  # the canvases redraw on the next animation frame after the data arrives
    return page.evaluate(PIXELS_JS)


def choose_scenario(page, title: str, side: str = "A") -> None:
    """Open a village's scenario menu and click the scenario by its title; the village restarts."""
    page.locator(f".huzhu-scenario-{side}").click()
    page.get_by_role("option", name=title, exact=True).click()
    page.locator(f".huzhu-scenario-{side}").get_by_text(title, exact=True).wait_for()
    wait_years(page, 0)


def set_seed(page, seed: str) -> None:
    """Type a seed in the Seed box and press Enter."""
    box = page.get_by_label("Seed")
    box.fill(seed)
    box.press("Enter")


def colour_by(page, mode: str) -> None:
    page.locator(".huzhu-color-mode").get_by_role("button", name=mode, exact=False).click()
    time.sleep(0.3)


def side_by_side(page) -> None:
    page.get_by_text("Side by side", exact=False).first.click()
    page.wait_for_selector(".huzhu-village-B canvas.village-map", timeout=30_000)
    page.wait_for_selector(".huzhu-chart-classes_B canvas", timeout=30_000)


def levers_of(page, side: str) -> None:
    """Choose which village the levers change (side by side)."""
    page.locator(".huzhu-lever-side").get_by_role("button", name=side, exact=True).click()
    time.sleep(0.3)


def open_group(page, title: str) -> None:
    """Open a group of levers (one is open at a time); a group already open stays open."""
    if not page.locator(".v-expansion-panel--active", has_text=title).count():
        page.locator(".v-expansion-panel-header", has_text=title).click()
    page.locator(".v-expansion-panel--active", has_text=title).wait_for()
    time.sleep(0.4)  # the panel's opening animation


def lever(page, label: str):
    return page.locator(".huzhu-lever", has_text=label)


def box_value(page, label: str) -> float:
    return float(lever(page, label).locator(".huzhu-number-box").input_value())


def drag_slider(page, label: str, value: float) -> float:
    """Drag a lever's slider thumb with the mouse to where `value` lies; the value the box then shows."""
    slider = lever(page, label).locator(".v-slider")
    thumb = lever(page, label).locator("[role=slider]")
    lo, hi = float(thumb.get_attribute("aria-valuemin")), float(thumb.get_attribute("aria-valuemax"))
    lever(page, label).scroll_into_view_if_needed()
    time.sleep(0.2)
    track = slider.bounding_box()
    knob = thumb.bounding_box()
    page.mouse.move(knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2)
    page.mouse.down()
    x = track["x"] + track["width"] * (value - lo) / (hi - lo)
    page.mouse.move(x, knob["y"] + knob["height"] / 2, steps=8)
    page.mouse.up()
    time.sleep(0.3)
    return box_value(page, label)


def type_value(page, label: str, value: str) -> None:
    """Type an exact value in a lever's number box and press Enter."""
    box = lever(page, label).locator(".huzhu-number-box")
    box.click()
    box.fill(value)
    box.press("Enter")


def set_number(page, label: str, value: float) -> None:
    """Drag the slider near `value` with the mouse, then type it exactly: the lever reads `value`."""
    drag_slider(page, label, value)
    type_value(page, label, f"{value:g}")
    page.wait_for_function(
        "([label, want]) => [...document.querySelectorAll('.huzhu-lever')].some((e) => e.innerText.includes(label)"
        " && parseFloat(e.querySelector('.huzhu-number-box').value) === want)",
        arg=[label, value],
    )
    wait_years(page, 0)  # the village restarted with the new value


def choose(page, label: str, option: str) -> None:
    """Open a lever's menu and click one of its options."""
    lever(page, label).locator(".v-select").click()
    page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()
    lever(page, label).get_by_text(option, exact=True).wait_for()
    wait_years(page, 0)


def switch(page, label: str, on: bool) -> None:
    """Turn a lever's switch on or off by clicking it."""
    box = lever(page, label).locator("input[role=switch], input[type=checkbox]").first
    if box.is_checked() != on:
        lever(page, label).get_by_text(label, exact=True).click()
        page.wait_for_function(
            "([label, on]) => [...document.querySelectorAll('.huzhu-lever')].some((e) => e.innerText.includes(label)"
            " && e.querySelector('input').checked === on)",
            arg=[label, on],
        )
        wait_years(page, 0)


def wait_heading(page, side: str, text: str) -> str:
    """Wait until a village's heading includes `text` (the server has applied the lever); the heading."""
    page.wait_for_function(
        "([side, text]) => { const e = document.querySelector(`.huzhu-village-${side} .huzhu-heading`);"
        " return e && e.innerText.includes(text); }",
        arg=[side, text],
        timeout=30_000,
    )
    return heading(page, side)


def heading(page, side: str = "A") -> str:
    return page.locator(f".huzhu-village-{side} .huzhu-heading").inner_text()


def key_figure(page, label: str, column: int = 1) -> str:
    """A figure of the 'This year' table: its row by label, its column by village (1 = A)."""
    row = page.locator(".huzhu-key-figures tr", has=page.get_by_text(label, exact=True))
    return row.locator("td").nth(column).inner_text()


def click_plots(page, n: int, side: str = "A") -> list[str]:
    """Click n plots spread over a village's map; the household card's text after each click."""
    canvas = page.locator(f".huzhu-village-{side} canvas.village-map")
    box = canvas.bounding_box()
    cards = []
    for k in range(n):
        x = box["x"] + box["width"] * (0.15 + 0.7 * k / max(n - 1, 1))
        y = box["y"] + box["height"] * (0.2 + 0.6 * ((k * 7) % n) / max(n, 1))
        page.mouse.click(x, y)
        page.wait_for_selector(".huzhu-household", timeout=10_000)
        time.sleep(0.3)
        cards.append(page.locator(".huzhu-household").locator("xpath=..").inner_text())
    return cards


def number(text: str) -> float:
    """The first number in a text ('40%' -> 40.0)."""
    found = re.search(r"-?\d+(\.\d+)?", text)
    assert found, text
    return float(found.group())


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
