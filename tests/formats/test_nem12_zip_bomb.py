"""A zip bomb is refused from its headers, and again while it is inflated."""

import io
import struct
import zipfile

import pytest

from meterbill.formats import nem12
from meterbill.formats.errors import InvalidFormat


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def understated(data: bytes, size: int) -> bytes:
    """The archive with every central directory entry claiming ``size`` bytes."""
    patched = bytearray(data)
    start = patched.find(b"PK\x01\x02")
    while start != -1:
        struct.pack_into("<I", patched, start + 24, size)  # uncompressed size
        start = patched.find(b"PK\x01\x02", start + 4)
    return bytes(patched)


def test_it_refuses_more_members_than_the_limit(monkeypatch):
    monkeypatch.setattr(nem12, "MAX_MEMBERS", 2)
    data = zipped({"a.csv": b"100", "b.csv": b"100", "c.csv": b"100"})

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="bomb.zip")

    assert caught.value.file == "bomb.zip"
    assert "3 files, more than 2" in caught.value.message


def test_it_refuses_members_whose_headers_add_up_past_the_limit(monkeypatch):
    monkeypatch.setattr(nem12, "MAX_UNZIPPED_BYTES", 1500)
    data = zipped({"a.csv": bytes(1000), "b.csv": bytes(1000)})

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="bomb.zip")

    assert caught.value.file == "bomb.zip/b.csv"
    assert "more than 1500 bytes" in caught.value.message


def test_it_stops_inflating_past_the_limit_when_the_headers_lie(monkeypatch):
    monkeypatch.setattr(nem12, "MAX_UNZIPPED_BYTES", 1500)
    monkeypatch.setattr(nem12, "_CHUNK_BYTES", 100)
    monkeypatch.setattr(nem12, "_check_sizes", lambda infos, filename: None)
    data = zipped({"a.csv": bytes(1000), "b.csv": bytes(1000)})

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="bomb.zip")

    assert caught.value.file == "bomb.zip/b.csv"
    assert "more than 1500 bytes" in caught.value.message


def test_it_refuses_a_member_larger_than_its_header_says():
    data = understated(zipped({"a.csv": bytes(100_000)}), 10)

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="bomb.zip")

    assert caught.value.file == "bomb.zip"
    assert "not a readable zip archive" in caught.value.message
