"""What every browser test shares (the `browser` and `page` fixtures are in
conftest.py): Debian's Chromium driven by Playwright against
pytest-django's live server, the login, and screenshots at desktop and tablet width
under test-artifacts/web/ (kept by CI as artefacts, looked at by people)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# .ci/run installs Chromium (scripts/system-deps browser), so CI never skips these.
needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def shoot(page, name: str) -> None:
    """``<name>-1280.png`` and ``<name>-768.png``, whole pages."""
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=SHOTS / f"{name}-768.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
