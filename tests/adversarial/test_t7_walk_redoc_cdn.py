"""T7 (new user's walk): /api/redoc/ fetches an image from Redocly's CDN.

docs/web.md: "/api/docs/, /api/redoc/ — the REST API's schema as Swagger UI and
Redoc (local static files, login needed)", and "no CDN". The page's scripts are
ours (tests/api/test_docs_ui.py checks the HTML), but the Redoc bundle it serves
renders the sidebar's "API docs by Redocly" logo from
https://cdn.redoc.ly/redoc/logo-mini.svg: the walk's browser asked that host for it
on opening the page. Here every request to another host is stopped (route abort)
and recorded, so the test reaches nothing outside this machine.

Since fixed: both schema pages send a Content-Security-Policy of our own sources
only, so the browser does not fetch the logo (and both pages still render)."""

from __future__ import annotations

import os

from django.db import connections

from web.browser import ARGS, CHROMIUM, login, needs_chromium

pytestmark = needs_chromium


def test_the_redoc_page_asks_no_other_host_for_anything(live_server, alice):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    base = live_server.url
    elsewhere: list[str] = []

    def only_here(route):
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_here)
            login(page, base, "alice", "pw-alice")
            page.wait_for_load_state("networkidle")

            page.goto(f"{base}/api/redoc/")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)
            # the policy that keeps the logo away leaves Redoc working
            redoc_title = page.locator("h1").first.inner_text()
            redoc_text = page.locator("body").inner_text()
            page.goto(f"{base}/api/docs/")
            page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
            swagger_blocks = page.locator(".swagger-ui .opblock").count()
            browser.close()
    finally:
        connections.close_all()

    assert elsewhere == []
    assert redoc_title.startswith("meterbill API")
    assert "/api/invoices/" in redoc_text
    assert swagger_blocks > 10
