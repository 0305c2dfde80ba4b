"""The dashboard in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

A heavier tier, marked ``browser``: it fails, never skips, when Chromium is missing
(apt-get install -y chromium). Screenshots go to artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect

from tocsin.settings import Settings
from tocsin.store.base import open_store
from tocsin.web.app import create_app
from web.seed import SEED_EVENTS, XSS_IMG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded_db: Path) -> Iterator[str]:
    """The dashboard on 127.0.0.1 (a free port), served by uvicorn in a thread."""
    port = free_port()
    app = create_app(open_store, Settings(db=str(seeded_db)))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with 'apt-get install -y chromium'")
    from playwright.sync_api import sync_playwright  # imported here: only this tier needs it

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_dashboard_map_filters_and_evidence(server: str, browser) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))

    page.goto(server + "/")
    page.wait_for_selector("body[data-loaded=true]", timeout=TIMEOUT_MS)
    markers = page.locator("path.tocsin-marker")
    assert markers.count() == SEED_EVENTS - 1  # one event has no place
    page.wait_for_selector("path.country", timeout=TIMEOUT_MS)  # outlines arrive on their own request
    assert page.locator("path.country").count() > 150  # the offline basemap
    assert re.match(rf"{SEED_EVENTS} events", page.locator("#status").inner_text())
    assert page.locator("#timeline svg rect.bar").count() >= 2

    # filter by country
    page.select_option("#f-country", "KAZ")
    expect(page.locator("#status")).to_have_text(re.compile(r"^3 events"), timeout=TIMEOUT_MS)
    assert markers.count() == 3
    assert page.locator("#dl-csv").get_attribute("href") == "/api/events.csv?country=KAZ"
    page.screenshot(path=str(ARTIFACTS / "dashboard-kaz.png"))

    # open an event from the map: its evidence is highlighted in the article text
    page.locator("path.tocsin-marker").nth(0).click(force=True)
    page.wait_for_selector("#event-panel:not([hidden]) mark.this-event", timeout=TIMEOUT_MS)
    opened = page.locator("#event-panel").get_attribute("data-event-id")
    assert opened in {"ev-kz-1", "ev-kz-2", "ev-kz-3"}
    mark = page.locator("mark.this-event").first.inner_text()
    assert mark and mark in page.locator(".document-text").first.inner_text()

    # the article with markup: shown as text, nothing runs, no image loads
    page.click("#f-reset")
    expect(page.locator("#status")).to_have_text(re.compile(rf"^{SEED_EVENTS} events"), timeout=TIMEOUT_MS)
    page.click("button.event-link[data-event-id='ev-ke-1']")
    page.wait_for_selector("#event-panel[data-event-id='ev-ke-1'] mark.this-event", timeout=TIMEOUT_MS)
    marks = page.locator("mark.this-event").all_inner_texts()
    assert any(XSS_IMG in m for m in marks)
    text = page.locator(".document-text").first.inner_text()
    assert "<script>document.body.dataset.pwned='script'</script>" in text
    assert page.locator("#ev-documents h4").first.inner_text().startswith("<script>alert('title')</script>")
    assert page.locator("#ev-documents img, #ev-documents script, #ev-sources a").count() == 0
    assert page.locator("body").get_attribute("data-pwned") is None
    page.screenshot(path=str(ARTIFACTS / "dashboard-event.png"))

    assert not outside, f"the dashboard fetched from elsewhere: {outside}"
    assert not problems, problems
    page.close()


def test_api_docs_page_renders_offline(server: str, browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server + "/docs")
    expect(page.get_by_text("/api/events.geojson", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    assert not problems, problems
    page.close()
