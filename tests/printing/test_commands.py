"""meterbill print-batch and payment-list: files written, one-line errors."""

import subprocess

import pytest
from django.core.management import CommandError, call_command


def page_size(path) -> str:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return next(ln for ln in info.splitlines() if ln.startswith("Page size:"))


def test_it_writes_the_payment_list_as_an_a4_landscape_pdf(
    billed_building, tmp_path, capsys
):
    call_command(
        "payment_list",
        branch="N",
        period="2026-11",
        residence="R1",
        out=str(tmp_path),
    )

    path = tmp_path / "payment-list-R1-2026-11.pdf"
    assert "841.89 x 595.276 pts (A4)" in page_size(path)
    assert "total 493.96 RON" in capsys.readouterr().out


def test_it_prints_the_batch_and_its_rate(billed_building, tmp_path, capsys):
    call_command("print_batch", branch="N", period="2026-11", out=str(tmp_path))

    out = capsys.readouterr().out
    assert "N-2026-11-R1.pdf: 3 invoice(s), 4 pages" in out
    assert "invoices/s" in out


def test_it_refuses_an_unknown_residence_in_one_line(billed_building, tmp_path):
    with pytest.raises(CommandError, match="--residence: no residence 'R9'"):
        call_command(
            "print_batch",
            branch="N",
            period="2026-11",
            residence="R9",
            out=str(tmp_path),
        )
