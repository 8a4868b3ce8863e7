"""``import-readings`` refuses a directory, and a zip bomb, in one line."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from meterbill.formats import nem12
from meterbill.metering.models import ImportBatch


def test_it_says_a_directory_is_a_directory(branches, tmp_path):
    folder = tmp_path / "readings"
    folder.mkdir()

    with pytest.raises(CommandError) as failed:
        call_command("import_readings", str(folder), "--format", "csv", "--branch", "N")

    assert str(failed.value) == (
        f"refused, nothing imported: {folder}: is a directory, not a file"
    )


def test_it_refuses_a_zip_that_inflates_past_the_limit(branches, tmp_path, monkeypatch):
    monkeypatch.setattr(nem12, "MAX_UNZIPPED_BYTES", 1500)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", bytes(1000))
        archive.writestr("b.csv", bytes(1000))
    path = tmp_path / "bomb.zip"
    path.write_bytes(buffer.getvalue())

    with pytest.raises(CommandError) as failed:
        call_command("import_readings", str(path), "--format", "nem12", "--branch", "N")

    assert str(failed.value) == (
        "refused, nothing imported: bomb.zip/b.csv: "
        "the zip archive inflates to more than 1500 bytes"
    )
    assert not ImportBatch.objects.exists()
