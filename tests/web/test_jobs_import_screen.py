"""The import screen: an upload is checked (size, type, column map) in the form,
imported by a job, and the job's page lists exactly the rejected rows."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meterbill.jobs.models import Job
from meterbill.jobs.worker import run_queued

CSV = (
    "meter,date,value\n"
    "W1,2026-12-01,111.5\n"  # line 2: good
    "W2,2026-12-01,oops\n"  # line 3: not a number
    "W3,2026-12-01,331\n"  # line 4: good
)


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"


def post(client, branch, name, content: bytes, fmt="csv", **extra):
    return client.post(
        "/imports/",
        {
            "branch": branch.pk,
            "format": fmt,
            "file": SimpleUploadedFile(name, content),
            **extra,
        },
    )


@pytest.mark.django_db
def test_it_imports_an_upload_in_the_background_and_lists_the_rejected_row(
    small_building, alice, branches, client_for
):
    client = client_for(alice)

    response = post(client, branches["north"], "dec.csv", CSV.encode())
    run_queued()
    job = Job.objects.get()
    page = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert job.state == "done", job.message
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(\d+)</td>", page)
    # One rejected row: dec.csv, line 3, field value.
    assert rows == [("dec.csv", "3")]
    assert "&#x27;oops&#x27; is not a number" in page
    assert "<dt>Imported</dt><dd>2</dd>" in page


@pytest.mark.django_db
def test_it_refuses_a_file_over_the_limit(branches, alice, client_for, settings):
    settings.IMPORT_MAX_BYTES = 10

    response = post(client_for(alice), branches["north"], "dec.csv", CSV.encode())

    assert response.status_code == 400
    assert b'id="error-file"' in response.content
    assert b"the limit is 10" in response.content
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_body_larger_than_the_limit_before_reading_it(
    branches, alice, client_for, settings
):
    settings.IMPORT_MAX_BYTES = 10
    big = b"x" * (80 * 1024)

    response = post(client_for(alice), branches["north"], "dec.csv", big)

    assert response.status_code == 413
    assert b"larger than the upload limit" in response.content
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "content", "error"),
    [
        ("xlsx", "dec.xlsx", b"meter,date\n", b"does not look like a Excel readings"),
        ("csv", "dec.pdf", b"meter,date\n", b"A csv file ends in .csv, .txt, not .pdf"),
        ("csv", "dec.csv", b"PK\x03\x04zip", b"does not look like a CSV readings"),
        ("nem12", "n.csv", b"200,NMI\n", b"does not look like a NEM12"),
    ],
)
def test_it_refuses_a_file_of_another_type(
    branches, alice, client_for, fmt, name, content, error
):
    response = post(client_for(alice), branches["north"], name, content, fmt=fmt)

    assert response.status_code == 400
    assert error in response.content
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_column_map(branches, alice, client_for):
    response = post(
        client_for(alice),
        branches["north"],
        "dec.csv",
        CSV.encode(),
        column_map="theirs",
    )

    assert response.status_code == 400
    assert b"Branch N has no column map theirs." in response.content


@pytest.mark.django_db
def test_it_refuses_a_branch_outside_the_users_subtree(branches, alice, client_for):
    response = post(client_for(alice), branches["south"], "dec.csv", CSV.encode())

    assert response.status_code == 400
    assert b'id="error-branch"' in response.content
    assert not Job.objects.exists()
