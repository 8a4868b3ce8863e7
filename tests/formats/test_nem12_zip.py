import io
import zipfile
from decimal import Decimal

import pytest

from meterbill.formats import nem12
from meterbill.formats.errors import InvalidFormat

TEXT = (
    "100,NEM12,200405011135,MDA1,Ret1\n"
    "200,NMI1,E1,1,E1,N1,SER1,kWh,30,\n"
    "300,20040201," + ",".join(["0.5"] * 48) + ",A,,,,\n"
    "900\n"
)


def zipped(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_it_reads_every_file_in_a_zip():
    data = zipped({"a.csv": TEXT, "b.csv": TEXT.replace("NMI1", "NMI2")})

    totals = nem12.channel_totals(data, "in.zip")

    assert totals == {("NMI1", "E1"): Decimal(24), ("NMI2", "E1"): Decimal(24)}


def test_it_names_the_zipped_file_in_errors():
    data = zipped({"a.csv": TEXT.replace("900\n", "")})

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="in.zip")

    assert caught.value.file == "in.zip/a.csv"


def test_it_rejects_a_broken_zip():
    data = zipped({"a.csv": TEXT})[:40]

    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="in.zip")

    assert caught.value.file == "in.zip"
