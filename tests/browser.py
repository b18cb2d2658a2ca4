"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Nothing downloads a browser build: scripts/setup installs Debian's ``chromium`` with apt and
Playwright for Python from requirements-dev.txt, and every launch names the system browser.

``watched(page)`` collects what a student would see in the browser's console (errors, failed
requests, uncaught exceptions). ``show_in_guide`` keeps the screenshot in docs/labs/img/ beside
the text of what the page shows (its accessibility tree): the test fails when the page shows
something else than the committed text, so the picture in the guide is never stale; run with
``WEEK5_UPDATE_SCREENSHOTS=1`` to draw both again.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "labs" / "img"
CHROMIUM = Path("/usr/bin/chromium")
UPDATE = os.environ.get("WEEK5_UPDATE_SCREENSHOTS") == "1"

#: As the machine's notes say: root needs --no-sandbox, and without the background-networking
#: flags Chromium keeps dialling Google's hosts, which this closed network refuses.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",  # the same glyph shapes on every machine, for the pictures
]

#: The screenshots' window: a laptop screen, as a student sees the lab.
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Console:
    """What went wrong in the page, as lines a failing assertion can print."""

    problems: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __str__(self) -> str:
        return "\n".join(self.problems)


@contextlib.contextmanager
def watched(page) -> Iterator[Console]:
    """Record console errors, uncaught exceptions and failed or 4xx/5xx requests of ``page``."""
    console = Console()

    def on_console(message) -> None:
        if message.type == "error":
            console.problems.append(f"console error: {message.text}")

    def on_response(response) -> None:
        if response.status >= 400:
            console.problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.problems.append(f"uncaught: {error}"))
    page.on(
        "requestfailed",
        lambda request: console.problems.append(
            f"request failed: {request.url} ({request.failure})"
        ),
    )
    page.on("response", on_response)
    yield console


def page_text(page) -> str:
    """What the page shows a screen reader: Playwright's ARIA snapshot of the body."""
    return page.locator("body").aria_snapshot() + "\n"


def _test_file() -> str:
    """The running test's file, for the redraw command (pytest names it in the environment)."""
    return os.environ.get("PYTEST_CURRENT_TEST", "tests").split("::")[0]


def show_in_guide(page, lab_id: str, slug: str, caption: str) -> None:
    """Keep ``docs/labs/img/<lab>-<slug>.png`` (a screenshot) and ``<lab>-<slug>.page.txt``
    (``# caption``, then the page's ARIA snapshot) current; fail when the page no longer shows
    what the committed text says. The lab's guide shows the picture under the caption
    (``scripts/docs`` writes it; its own staleness test catches a new picture)."""
    name = f"{lab_id}-{slug}"
    redraw = f"WEEK5_UPDATE_SCREENSHOTS=1 scripts/test {_test_file()}"
    picture, text = IMAGES / f"{name}.png", IMAGES / f"{name}.page.txt"
    shown = f"# {caption}\n" + page_text(page)
    if UPDATE or not text.is_file():
        if not UPDATE:
            raise AssertionError(
                f"{text.relative_to(ROOT)} is missing: draw it with {redraw}"
            )
        page.screenshot(path=str(picture), full_page=True)
        text.write_text(shown, encoding="utf-8")
        return
    assert picture.is_file(), f"{picture.relative_to(ROOT)} is missing"
    assert shown == text.read_text(encoding="utf-8"), (
        f"the page no longer shows what {text.relative_to(ROOT)} says, so its screenshot is "
        f"stale: draw both again with {redraw}, then scripts/docs"
    )
