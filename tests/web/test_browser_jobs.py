"""Background jobs in Chromium (Playwright): an operator uploads a CSV file with one
bad row, watches the job, and reads the result naming the bad line; a bill run
launched in the browser finishes in the background and its page shows the summary.
Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import pytest

from .browser import SHOTS, login, needs_chromium
from .job_worker import background_worker

pytestmark = needs_chromium

CSV = (
    "meter,date,value\n"
    "W1,2026-12-01,111.5\n"  # line 2: good
    "W2,2026-12-01,oops\n"  # line 3: not a number
    "W3,2026-12-01,331\n"  # line 4: good
)


@pytest.fixture
def job_worker(live_server):
    """Starts the job worker when called (tests/web/job_worker.py)."""
    with background_worker() as start:
        yield start


@pytest.fixture
def page(browser, settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"
    return browser.new_page(viewport={"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_an_operator_imports_a_file_and_reads_the_rejected_line(
    page, live_server, job_worker, small_building, alice, tmp_path
):
    from meterbill.jobs.models import Job

    base = live_server.url
    upload = tmp_path / "december.csv"
    upload.write_text(CSV)
    login(page, base, "alice", "pw-alice")
    page.wait_for_url(f"{base}/dashboard/")

    page.click("header nav a[href='/imports/']")
    page.select_option("select[name=format]", "csv")
    page.set_input_files("input[name=file]", str(upload))
    page.screenshot(path=SHOTS / "import-form-1280.png", full_page=True)
    page.click("#upload")
    page.wait_for_url(f"{base}/jobs/*/")
    page.locator("#job-state", has_text="Queued").wait_for()
    page.screenshot(path=SHOTS / "import-queued-1280.png", full_page=True)
    job_worker()
    page.locator("#result").wait_for(timeout=60_000)
    page.screenshot(path=SHOTS / "import-result-1280.png", full_page=True)

    rows = page.locator("#rejected tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == [
        "december.csv",
        "3",
        "value",
        "'oops' is not a number",
    ]
    assert Job.objects.get().state == "done"


@pytest.mark.django_db(transaction=True)
def test_a_bill_run_launched_in_the_browser_finishes_in_the_background(
    page, live_server, job_worker, small_building, alice, out_dir, settings
):
    from billing.conftest import add_building

    settings.BILLRUN_CHUNK_SIZE = 1
    add_building(small_building, "R2", 4)
    period = small_building["period"]
    base = live_server.url
    login(page, base, "alice", "pw-alice")
    page.wait_for_url(f"{base}/dashboard/")

    page.goto(f"{base}/periods/{period.pk}/billrun/")
    page.click("#launch")
    page.wait_for_url(f"{base}/jobs/*/")
    job_worker()
    # The progress bar, or already the result when the worker beat the first poll.
    page.locator("progress[value], #result").first.wait_for(timeout=60_000)
    page.screenshot(path=SHOTS / "billrun-progress-1280.png", full_page=True)
    page.locator("#result").wait_for(timeout=120_000)
    page.screenshot(path=SHOTS / "billrun-result-1280.png", full_page=True)

    # 3 apartments of R1 and 4 of R2: 7 invoices, each with its documents.
    assert page.locator("#issued").inner_text() == "7"
    assert (
        "7 documents written (PDF and XML)." in page.locator("#documents").inner_text()
    )
    assert page.locator("a", has_text="PDF").count() == 7
    page.set_viewport_size({"width": 768, "height": 1024})
    page.screenshot(path=SHOTS / "billrun-result-768.png", full_page=True)
