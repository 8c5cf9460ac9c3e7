"""The What's new tab in a real browser: the events table, and a click on the timeline sets the as-of date."""

from __future__ import annotations

import io
import os

import pytest

from .browser import ARTIFACTS, wait_for, wait_idle

pytestmark = pytest.mark.browser

ROZE_COLOUR = (0x00, 0x9E, 0x73)  # the "context" phase colour of the only event after 2026-06-20


def _open_whats_new(page, server):
    page.goto(server.url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="What's new").wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_role("tab", name="What's new").click()
    page.get_by_text("change(s) since").first.wait_for(timeout=30_000)


def _point_of_colour(png: bytes, colour: tuple[int, int, int]) -> tuple[int, int] | None:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    px = img.load()
    hits = [
        (x, y)
        for y in range(0, h, 2)
        for x in range(0, int(w * 0.8), 2)  # the legend, on the right, has dots of the same colour
        if all(abs(a - b) < 40 for a, b in zip(px[x, y], colour, strict=True))
    ]
    if not hits:
        return None
    xs, ys = zip(*hits, strict=True)
    return sum(xs) // len(xs), sum(ys) // len(ys)


def test_whats_new_lists_changes_and_a_timeline_click_sets_the_as_of_date(chromium, server):
    ctx = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    try:
        _open_whats_new(page, server)
        page.get_by_text("record(s) with no update found in the last 180 days").wait_for(timeout=30_000)
        field = page.get_by_role("textbox", name="Changes since")
        field.fill("")
        field.type("2026-06-20")
        page.keyboard.press("Enter")  # Enter alone applies it
        wait_idle(page)
        page.get_by_text("1 change(s) since 2026-06-20").wait_for(timeout=30_000)
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        chart.locator("canvas, svg").first.wait_for(timeout=30_000)
        wait_idle(page)
        spot = wait_for(lambda: _point_of_colour(chart.screenshot(), ROZE_COLOUR), what="the timeline point")
        box = chart.bounding_box()
        page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
        wait_for(lambda: "asof=2026-06-24" in page.evaluate("location.href"), timeout=30, what="as-of in the URL")
        page.get_by_text("As reported on 2026-06-24").first.wait_for(timeout=30_000)
        if os.environ.get("ATLAS_SCREENSHOTS"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "whats-new-1440.png"), full_page=False)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "whats-new-failure.png"), full_page=True)
        raise
    finally:
        ctx.close()
