"""The served app in a real browser (headless Chromium), with the outside network blocked.

Checks what a student sees: the page renders from local assets only, a slider
moves, steps redraw the map and every chart (their pixels change), nothing fails
in the page, and two browser sessions step villages of their own.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

# Kept for a person to look at (pytest-playwright empties its own test-results/ on every run).
SCREENSHOTS = Path("outputs") / "screenshots"
CHARTS = ("classes_A", "gini", "membership", "fund")

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
    page.wait_for_selector("canvas.village-map", timeout=60_000)
    for name in CHARTS:
        page.wait_for_selector(f".huzhu-chart-{name} canvas", timeout=60_000)
    return page


def years(page) -> str:
    return page.locator(".huzhu-years").inner_text()


def step(page, n: int) -> None:
    start = int(years(page).split(":")[1])
    target = start + n
    for k in range(1, n + 1):
        page.get_by_role("button", name="Step a year").click()
        page.wait_for_function(
            "(want) => document.querySelector('.huzhu-years').innerText.endsWith(' ' + want)",
            arg=str(start + k),
        )
    assert years(page) == f"Years simulated: {target}"


def pixels(page, settle: float = 0.3) -> dict:
    time.sleep(settle)  # the canvases redraw on the next animation frame after the data arrives
    return page.evaluate(PIXELS_JS)


def test_app_in_the_browser(browser, app_url):
    blocked: list[str] = []
    errors: list[str] = []
    context = offline_context(browser, blocked)
    page = open_app(context, app_url, errors)
    assert years(page) == "Years simulated: 0"

    # a slider: households at the start (in 'The village' panel); arrow keys move it
    page.get_by_text("The village", exact=True).click()
    slider = page.locator(".huzhu-lever", has_text="Households at the start").locator("[role=slider]")
    slider.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.body.innerText.includes('280')")
    first = pixels(page)
    assert first["map"]["ink"] > 1000, "the map drew nothing"

    step(page, 5)
    after = pixels(page)
    for name in ("map", *CHARTS):
        assert name in after, f"{name} is missing from the page"
        assert after[name]["ink"] > 200, f"{name} stayed empty"
        assert after[name]["url"] != first[name]["url"], f"{name} did not change after five steps"

    # a step, timed from the click to the map's new pixels (what a student waits for)
    t0 = time.perf_counter()
    before = page.evaluate("() => document.querySelector('canvas.village-map').toDataURL()")
    page.get_by_role("button", name="Step a year").click()
    page.wait_for_function(
        "(old) => document.querySelector('canvas.village-map').toDataURL() !== old", arg=before, polling=10
    )
    elapsed = time.perf_counter() - t0
    print(f"\nbrowser: click to redrawn map {elapsed * 1000:.0f} ms")

    # play runs on by itself until paused
    now = int(years(page).split(":")[1])
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(
        "(want) => parseInt(document.querySelector('.huzhu-years').innerText.split(':')[1]) >= want",
        arg=now + 2,
        timeout=20_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()

    # a lever's hover note names its document and passage
    page.get_by_text("Markets: the 'four freedoms'", exact=True).click()  # one group is open at a time
    page.locator(".huzhu-lever", has_text="Buying and selling land").hover()
    note = page.get_by_text("Source: Liu Shaoqi, comment on the Shanxi document")
    note.first.wait_for(timeout=5_000)

    # hover and click a plot: the owner's note, then the household card
    box = page.locator("canvas.village-map").bounding_box()
    page.mouse.move(box["x"] + 15, box["y"] + 15)
    page.wait_for_selector(".village-map-tip", timeout=5_000)
    assert page.locator(".village-map-tip").inner_text().startswith("Household ")
    page.mouse.click(box["x"] + 15, box["y"] + 15)
    page.wait_for_selector(".huzhu-household", timeout=10_000)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "app.png"), full_page=True)
    assert not errors, errors
    assert not blocked, f"the page asked for outside addresses: {blocked}"
    context.close()


def test_two_sessions_step_their_own_villages(browser, app_url):
    blocked: list[str] = []
    errors: list[str] = []
    one, two = offline_context(browser, blocked), offline_context(browser, blocked)
    p1, p2 = open_app(one, app_url, errors), open_app(two, app_url, errors)
    start1, start2 = pixels(p1), pixels(p2)
    assert start1["map"]["url"] == start2["map"]["url"]  # same seed: the same village
    step(p1, 3)
    assert years(p2) == "Years simulated: 0"
    assert pixels(p2)["map"]["url"] == start2["map"]["url"]  # the other session's village did not move
    step(p2, 1)
    assert years(p1) == "Years simulated: 3" and years(p2) == "Years simulated: 1"
    assert not errors, errors
    assert not blocked, blocked
    one.close()
    two.close()


def test_side_by_side_in_the_browser(browser, app_url):
    blocked: list[str] = []
    errors: list[str] = []
    context = offline_context(browser, blocked, viewport={"width": 1500, "height": 1600})
    page = open_app(context, app_url, errors)
    page.get_by_text("Side by side: compare with a second scenario").click()
    page.wait_for_selector(".huzhu-village-B canvas.village-map", timeout=30_000)
    page.wait_for_selector(".huzhu-chart-classes_B canvas", timeout=30_000)
    step(page, 4)
    maps = page.locator("canvas.village-map")
    assert maps.count() == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.5)  # let every chart take its last update before the picture
    page.screenshot(path=str(SCREENSHOTS / "app-side-by-side.png"), full_page=True)

    # showing the levers never changes them: a slider that clamped or rounded a preset's
    # value would restart the villages (high_tide_no_exit allows 1000 co-ops)
    page.get_by_role("textbox", name="Scenario of village A").click(force=True)
    page.get_by_role("option", name="high_tide_no_exit").click()
    page.wait_for_function("() => document.querySelector('.huzhu-years').innerText.endsWith(' 0')")
    step(page, 1)
    for title in (
        "Mutual aid teams and their public fund",
        "Producer co-ops",
        "The state",
        "The village",
        "Markets: the 'four freedoms'",
    ):
        page.get_by_text(title, exact=True).click()
        time.sleep(0.4)
    assert years(page) == "Years simulated: 1"
    assert not errors, errors
    assert not blocked, blocked
    context.close()
