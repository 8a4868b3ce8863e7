"""The upload form of a reading import: branch, format, file, column map."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from meterbill.jobs.steps import DEVICE_FORMAT
from meterbill.metering.imports import FORMATS
from meterbill.metering.models import ColumnMap
from meterbill.orgs.models import Branch

from .fields import model_choice

LABELS = {
    "csv": _("CSV readings (meter, date, value …)"),
    "xlsx": _("Excel readings (.xlsx)"),
    "nem12": _("NEM12 / NEM13 (Australian interval data)"),
    "wmbus": _("Wireless M-Bus telegrams"),
    "greenbutton": _("Green Button (ESPI XML)"),
    "mscons": _("EDIFACT MSCONS"),
    DEVICE_FORMAT: _("Result file of a mobile reading device"),
}

# File name endings each format accepts.
SUFFIXES = {
    "csv": (".csv", ".txt"),
    "xlsx": (".xlsx",),
    "nem12": (".csv", ".txt", ".zip", ".dat", ".nem12", ".nem13"),
    "wmbus": (".txt", ".hex", ".log", ".csv"),
    "greenbutton": (".xml",),
    "mscons": (".edi", ".txt", ".mscons"),
    DEVICE_FORMAT: (".json", ".csv"),
}

ZIP = b"PK\x03\x04"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def upload_formats() -> list[str]:
    """The formats the import knows today, and the device result."""
    return [*FORMATS, DEVICE_FORMAT]


def looks_like(fmt: str, head: bytes) -> bool:
    """A first look at the file's first bytes, so that an obviously wrong file is
    refused in the form; the format's reader checks the rest in the job."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if fmt == "csv" and head.startswith(UTF16_BOMS):
        # formats.csv_readings.decode reads UTF-16 by its byte order mark, as the
        # CLI import does; the 512 bytes may end inside a character
        return "\x00" not in head.decode("utf-16", errors="ignore")
    if fmt == "xlsx":
        return head.startswith(ZIP)
    if fmt == "nem12":
        return head.startswith(ZIP) or start.startswith(b"100")
    if head.startswith(ZIP) or b"\x00" in head:
        return False  # every other format is text
    if fmt == "greenbutton":
        return start.startswith(b"<")
    if fmt == "mscons":
        return start.startswith((b"UNA", b"UNB"))
    return True


class ImportForm(forms.Form):
    # The choices are the user's subtree, set in __init__.
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Branch.objects.none(), label=_("Branch"), empty_label=None
    )
    format = forms.ChoiceField(label=_("Format"))
    file = forms.FileField(label=_("File"))
    column_map = forms.CharField(
        max_length=64,
        required=False,
        label=_("Column map (CSV, Excel)"),
        help_text=_("A saved column map of the branch; empty: our own headers."),
    )
    again = forms.BooleanField(
        required=False, label=_("Import it even if this file was imported before")
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "branch", branches.order_by("path"))
        fmt = self.fields["format"]
        assert isinstance(fmt, forms.ChoiceField)
        fmt.choices = [(f, LABELS.get(f, f)) for f in upload_formats()]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
                }
            )
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fmt, upload = data.get("format"), data.get("file")
        if fmt and upload:
            self._check_type(fmt, upload)
        name = data.get("column_map", "")
        if name and fmt not in ("csv", "xlsx"):
            self.add_error(
                "column_map", _("Only CSV and Excel files use a column map.")
            )
        elif name and data.get("branch") is not None:
            maps = ColumnMap.objects.filter(branch=data["branch"], name=name)
            if not maps.exists():
                self.add_error(
                    "column_map",
                    _("Branch %(branch)s has no column map %(name)s.")
                    % {"branch": data["branch"].code, "name": name},
                )
        return data

    def _check_type(self, fmt: str, upload: Any) -> None:
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in SUFFIXES.get(fmt, (suffix,)):
            self.add_error(
                "file",
                _("A %(format)s file ends in %(suffixes)s, not %(suffix)s.")
                % {
                    "format": fmt,
                    "suffixes": ", ".join(SUFFIXES[fmt]),
                    "suffix": suffix or _("(no ending)"),
                },
            )
            return
        upload.seek(0)
        head = upload.read(512)
        upload.seek(0)
        if not looks_like(fmt, head):
            self.add_error(
                "file",
                _("%(name)s does not look like a %(format)s file.")
                % {"name": upload.name, "format": LABELS.get(fmt, fmt)},
            )
