"""PDFs read back with pypdf: the four templates render, the service desk's fits on 5 pages,
the text holds the title, the parties and the targets' sentences; nothing is fetched.

Each PDF is rendered once per module (WeasyPrint takes a few tenths of a second per page).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from accord.reports.document import page_count, render_pdf
from accord.reports.pdf import render_pdf as html_to_pdf
from accord.spec import load_agreement_text
from accord.spec.templates import TEMPLATE_NAMES, template_text

A4 = (595, 842)  # points, rounded


def _text(reader: pypdf.PdfReader) -> str:
    """All pages' text on one line: the layout breaks lines where it likes."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, pypdf.PdfReader]:
    """Each template's document as a PDF, read back."""
    return {
        name: pypdf.PdfReader(io.BytesIO(render_pdf(load_agreement_text(template_text(name)))))
        for name in TEMPLATE_NAMES
    }


def test_every_template_renders_to_an_a4_pdf_with_page_numbers(
    pdfs: dict[str, pypdf.PdfReader],
) -> None:
    assert set(pdfs) == {"service-desk", "web-hosting", "network", "sales-marketing"}
    for name, reader in pdfs.items():
        pages = len(reader.pages)
        assert 1 <= pages <= 5, name
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4
        text = _text(reader)
        assert f"page 1 of {pages}" in text, name
        assert f"page {pages} of {pages}" in text, name


def test_the_service_desk_pdf_has_at_most_5_pages_and_says_what_was_agreed(
    pdfs: dict[str, pypdf.PdfReader],
) -> None:
    reader = pdfs["service-desk"]
    assert len(reader.pages) <= 5
    text = _text(reader)
    assert "IT service desk for Sales" in text
    assert "Service level agreement between it and sales" in text
    assert "Provider it" in text
    assert "Customer sales" in text
    assert (
        "95% of P1 incidents get a first response within 30 business minutes, Mon-Fri "
        "09:00-17:00 Berlin time, public holidays in Berlin (DE-BE) excepted." in text
    )
    assert "For it (provider)" in text
    assert "For sales (customer)" in text


def test_the_page_count_is_the_pdf_s(pdfs: dict[str, pypdf.PdfReader]) -> None:
    desk = load_agreement_text(template_text("service-desk"))
    assert page_count(desk) == len(pdfs["service-desk"].pages)


def test_the_other_templates_say_their_own_targets(pdfs: dict[str, pypdf.PdfReader]) -> None:
    assert "At least 90 hot leads a month." in _text(pdfs["sales-marketing"])
    assert "The pipeline report is delivered every Monday by 10:00 Berlin time" in _text(
        pdfs["sales-marketing"]
    )
    assert "is available 99.9% of the service window" in _text(pdfs["web-hosting"])


def test_rendering_fetches_nothing_a_page_names(tmp_path: Path) -> None:
    stylesheet = tmp_path / "a5.css"
    stylesheet.write_text("@page { size: A5 }", encoding="utf-8")
    html = (
        f'<html><head><link rel="stylesheet" href="{stylesheet.as_uri()}">'
        '<style>@import url("http://192.0.2.1/x.css");</style></head>'
        f'<body><p>Hello</p><img src="{stylesheet.as_uri()}"></body></html>'
    )
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(html)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4  # not the file's A5
    assert re.sub(r"\s+", " ", _text(reader)).strip() == "Hello"
