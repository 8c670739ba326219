"""HTML -> PDF with WeasyPrint, for the agreement document and the monthly report.

Nothing is fetched while rendering: only `data:` URLs are allowed, so a page that names a
remote stylesheet, font or image renders without it. Fonts are those installed (DejaVu is the
house fallback). Takes finished HTML; it decides no content.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from accord.reports.html import render_html as render_report_html
from accord.services.reports import ComplianceReport

__all__ = ["PRINT_FONTS", "REPORT_PRINT_CSS", "page_count", "render_pdf", "report_pdf"]

# The font stack of printed pages: installed fonts only, never a web font.
PRINT_FONTS = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif'

# What the monthly report (accord.reports.html, made for screens) needs on paper: A4 pages,
# page numbers, no card shadows, tables and charts not split across pages.
REPORT_PRINT_CSS = f"""
@page {{ size: A4; margin: 16mm 14mm 18mm;
  @bottom-center {{ content: "page " counter(page) " of " counter(pages);
    font: 8pt {PRINT_FONTS}; color: #5c6773; }} }}
body {{ background: #fff; font-family: {PRINT_FONTS}; font-size: 9pt; }}
header, section, footer, .note {{ max-width: none; }}
.card {{ border: none; padding: 0; margin: 0 0 6mm; }}
.target {{ margin-top: 6pt; padding-top: 2pt; }}
h3 {{ margin: 6pt 0 2pt; }}
table {{ font-size: 7.5pt; margin: 2pt 0 4pt; }}
th, td {{ padding: 1pt 4pt; }}
figure, tr, .target-head {{ break-inside: avoid; }}
svg {{ max-height: 45mm; }}
details:not([open]) > *:not(summary) {{ display: none; }}
"""


def _weasyprint() -> ModuleType:
    """WeasyPrint, loaded when a PDF is first made: importing it (Pango, fonts, HarfBuzz) takes
    half a second, which every `accord` command would otherwise pay at start-up."""
    return importlib.import_module("weasyprint")


def _fetcher() -> Any:
    urls = importlib.import_module("weasyprint.urls")
    return urls.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def _document(html: str, extra_css: str | None) -> Any:
    weasyprint = _weasyprint()
    fetcher = _fetcher()
    stylesheets = (
        [] if extra_css is None else [weasyprint.CSS(string=extra_css, url_fetcher=fetcher)]
    )
    page = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return page.render(stylesheets=stylesheets)


def render_pdf(html: str, *, extra_css: str | None = None) -> bytes:
    """The HTML laid out on pages as a PDF file's bytes; `extra_css` adds print rules.

    The document's own `@page` rules decide the page size and margins (A4 by default in
    WeasyPrint); a PDF is a few hundred milliseconds of layout for a document of a few pages.
    """
    pdf: bytes = _document(html, extra_css).write_pdf()
    return pdf


def report_pdf(report: ComplianceReport) -> bytes:
    """The monthly report (`accord.reports.html`) as a PDF: A4, page numbers, print rules."""
    return render_pdf(render_report_html(report), extra_css=REPORT_PRINT_CSS)


def page_count(html: str, *, extra_css: str | None = None) -> int:
    """How many pages the HTML takes when printed (a layout, no PDF is written)."""
    return len(_document(html, extra_css).pages)
