"""Fixtures of the job tests: an operator's CSV upload kept as the web form keeps it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")
