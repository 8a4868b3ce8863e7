"""Jobs are seen only inside their branch's subtree and by the roles that may see
their kind; only the roles that may launch a kind may launch or resume it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meterbill.jobs.models import Job
from meterbill.jobs.services import launch_bill_run, launch_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def south_job(south, bob):
    job = launch_bill_run(south["period"], bob)
    Job.objects.filter(pk=job.pk).update(state="failed", message="south failure")
    return job


def test_alice_gets_404_for_every_url_of_a_south_job(alice, client_for, south_job):
    client = client_for(alice)
    pk = south_job.pk

    statuses = [
        client.get(f"/jobs/{pk}/").status_code,
        client.get(f"/jobs/{pk}/progress/").status_code,
        client.post(f"/jobs/{pk}/resume/").status_code,
    ]
    listing = client.get("/jobs/")

    assert statuses == [404, 404, 404]
    assert f'href="/jobs/{pk}/"'.encode() not in listing.content
    assert Job.objects.get(pk=pk).state == "failed"


def test_alice_cannot_write_the_documents_of_a_south_period(alice, client_for, south):
    response = client_for(alice).post(f"/periods/{south['period'].pk}/documents/")

    assert response.status_code == 404
    assert not Job.objects.exists()


@pytest.fixture
def north_jobs(small_building, alice, branches):
    billrun = launch_bill_run(small_building["period"], alice)
    upload = SimpleUploadedFile("r.csv", b"meter,date,value\nW1,2026-12-01,111\n")
    imported = launch_import(branches["north"], alice, upload, fmt="csv")
    for job in (billrun, imported):
        Job.objects.filter(pk=job.pk).update(state="failed", message="stopped")
    return {"billrun": billrun, "import": imported}


# role → (sees the bill run job, sees the import job, may upload a file)
SEES = {
    "administrator": (True, True, False),
    "branch_manager": (True, True, True),
    "billing_operator": (True, True, True),
    "meter_reader": (False, True, True),
    "auditor": (True, True, False),
    "customer": (False, False, False),
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_sees_and_launches_what_it_may(
    role, role_user, client_for, north_jobs
):
    client = client_for(role_user(role))
    sees_billrun, sees_import, uploads = SEES[role]

    billrun = client.get(f"/jobs/{north_jobs['billrun'].pk}/").status_code
    imported = client.get(f"/jobs/{north_jobs['import'].pk}/").status_code
    upload_page = client.get("/imports/").status_code

    assert billrun == (200 if sees_billrun else 403 if role == "customer" else 404)
    assert imported == (200 if sees_import else 403)
    assert upload_page == (200 if uploads else 403)


@pytest.mark.parametrize(
    ("role", "kind", "status"),
    [
        ("auditor", "billrun", 403),
        ("auditor", "import", 403),
        ("administrator", "billrun", 403),
        ("meter_reader", "import", 302),
        ("billing_operator", "billrun", 302),
    ],
)
def test_only_a_role_that_may_launch_a_kind_may_run_it_again(
    role, kind, status, role_user, client_for, north_jobs
):
    job = north_jobs[kind]

    response = client_for(role_user(role)).post(f"/jobs/{job.pk}/resume/")

    assert response.status_code == status
    expected = "queued" if status == 302 else "failed"
    assert Job.objects.get(pk=job.pk).state == expected
