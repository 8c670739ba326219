"""The agreement as a document people sign: Markdown, self-contained HTML (print CSS) and PDF.

Renders what `accord.reports.document_words` says; adds only markup. The HTML inlines its CSS,
has no script and references nothing outside itself, so its PDF (WeasyPrint) fetches nothing.
Every piece of text is escaped (HTML) or has its Markdown syntax characters escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from accord.domain.agreements import Agreement
from accord.domain.lifecycle import AgreementState, Approval
from accord.reports import pdf
from accord.reports.document_words import (
    BLANK,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Signature,
    Table,
    Terms,
    build_document,
)
from accord.reports.html import Html, el, join
from accord.reports.words import Catalog

__all__ = ["page_count", "render_html", "render_markdown", "render_pdf"]

_CSS_SAFE = frozenset(" .,:;-_()·'")  # what a CSS string may hold as is; the rest is escaped
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def render_markdown(
    agreement: Agreement,
    *,
    catalog: Catalog | None = None,
    version: int | None = None,
    state: AgreementState | None = None,
    approvals: Sequence[Approval] = (),
) -> str:
    """The document as Markdown (CommonMark with GitHub tables), for review in a repository.

    `catalog` adds the services' titles and owners; `version` and `state` go in the header;
    `approvals` fill the signature blocks (else there are blank lines to sign on).
    """
    document = build_document(
        agreement, catalog=catalog, version=version, state=state, approvals=approvals
    )
    lines = [f"# {_md(document.title)}", "", f"*{_md(document.subtitle)}*", ""]
    lines += [f"- **{_md(k)}:** {_md(v)}" for k, v in document.facts]
    for number, section in enumerate(document.sections, start=1):
        lines += ["", f"## {number}. {_md(section.title)}"]
        for block in section.blocks:
            lines += ["", *_md_block(block)]
    return "\n".join(lines) + "\n"


def render_html(
    agreement: Agreement,
    *,
    catalog: Catalog | None = None,
    version: int | None = None,
    state: AgreementState | None = None,
    approvals: Sequence[Approval] = (),
) -> str:
    """The document as one self-contained HTML page: inline CSS, A4 print rules, no script.

    Printed (or rendered to PDF) each page carries the title and the version in its header and
    `page X of Y` in its footer.
    """
    document = build_document(
        agreement, catalog=catalog, version=version, state=state, approvals=approvals
    )
    running = document.title + (f" · {document.status}" if document.status else "")
    facts = el("dl", *(join([el("dt", k), el("dd", v)]) for k, v in document.facts))
    header = el(
        "header",
        el("h1", document.title),
        el("p", document.subtitle, class_="subtitle"),
        facts,
    )
    sections = [
        el("section", el("h2", f"{number}. {section.title}"), *map(_html_block, section.blocks))
        for number, section in enumerate(document.sections, start=1)
    ]
    head = join(
        [
            Html('<meta charset="utf-8">'),
            Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            el("title", document.title),
            Html(f"<style>{_css(running)}</style>"),
        ]
    )
    body = el("body", header, el("main", *sections))
    return "<!DOCTYPE html>\n" + el("html", el("head", head), body, lang="en") + "\n"


def render_pdf(
    agreement: Agreement,
    *,
    catalog: Catalog | None = None,
    version: int | None = None,
    state: AgreementState | None = None,
    approvals: Sequence[Approval] = (),
) -> bytes:
    """The document as a PDF file's bytes (A4, page numbers), laid out from `render_html`."""
    return pdf.render_pdf(
        render_html(agreement, catalog=catalog, version=version, state=state, approvals=approvals)
    )


def page_count(
    agreement: Agreement,
    *,
    catalog: Catalog | None = None,
    version: int | None = None,
    state: AgreementState | None = None,
    approvals: Sequence[Approval] = (),
) -> int:
    """How many A4 pages the document takes (a layout of the HTML; no file is written)."""
    return pdf.page_count(
        render_html(agreement, catalog=catalog, version=version, state=state, approvals=approvals)
    )


def _md(text: str) -> str:
    """Text with Markdown's syntax characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [_md(block.text)]
    if isinstance(block, Bullets):
        return [f"- {_md(item)}" for item in block.items]
    if isinstance(block, Terms):
        return [f"- **{_md(term)}:** {_md(meaning)}" for term, meaning in block.items]
    if isinstance(block, Table):
        rows = [block.header, tuple("---" for _ in block.header), *block.rows]
        return ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    if isinstance(block, Heading):
        return [f"### {_md(block.text)}"]
    return _md_signature(block)


def _md_signature(block: Signature) -> list[str]:
    lines = [f"### For {_md(block.party)} ({block.role})", ""]
    if block.approvals:
        return lines + [f"- {_md(text)}" for text in block.approvals]
    # A run of underscores between a space and the line's end is no emphasis: left as is.
    return [*lines, f"Name: {BLANK}  ", f"Signature: {BLANK}  ", f"Date: {BLANK}"]


def _html_block(block: Block) -> Html:
    if isinstance(block, Paragraph):
        return el("p", block.text)
    if isinstance(block, Bullets):
        return el("ul", *(el("li", item) for item in block.items))
    if isinstance(block, Terms):
        return el("dl", *(join([el("dt", t), el("dd", m)]) for t, m in block.items))
    if isinstance(block, Table):
        head = el("tr", *(el("th", cell) for cell in block.header))
        rows = (el("tr", *(el("td", cell) for cell in row)) for row in block.rows)
        return el("table", el("thead", head), el("tbody", *rows))
    if isinstance(block, Heading):
        return el("h3", block.text)
    return _html_signature(block)


def _html_signature(block: Signature) -> Html:
    title = el("h3", f"For {block.party} ({block.role})")
    if block.approvals:
        return el(
            "div", title, el("ul", *(el("li", a) for a in block.approvals)), class_="signature"
        )
    lines = (
        el("p", label, el("span", "", class_="line")) for label in ("Name", "Signature", "Date")
    )
    return el("div", title, *lines, class_="signature")


def _css(running: str) -> str:
    """The page's style; `running` is the printed page header's text, every character but
    letters, digits and a few safe ones written as a CSS escape: it can never end the style."""
    header = "".join(c if c.isalnum() or c in _CSS_SAFE else f"\\{ord(c):x} " for c in running)
    return f"""
@page {{ size: A4; margin: 20mm 18mm 20mm;
  @top-left {{ content: "{header}"; font: 8pt {pdf.PRINT_FONTS}; color: #5c6773; }}
  @bottom-center {{ content: "page " counter(page) " of " counter(pages);
    font: 8pt {pdf.PRINT_FONTS}; color: #5c6773; }} }}
* {{ box-sizing: border-box; }}
body {{ margin: 0 auto; max-width: 820px; padding: 24px; color: #1f2933;
  font: 10pt/1.45 {pdf.PRINT_FONTS}; }}
h1 {{ font-size: 20pt; margin: 0 0 2pt; color: #1d3557; }}
h2 {{ font-size: 13pt; margin: 14pt 0 4pt; color: #1d3557; break-after: avoid; }}
h3 {{ font-size: 10.5pt; margin: 9pt 0 2pt; break-after: avoid; }}
p {{ margin: 3pt 0; }}
ul {{ margin: 2pt 0 4pt; padding-left: 16pt; }}
li {{ margin: 1pt 0; }}
.subtitle {{ color: #5c6773; margin: 0 0 4pt; }}
.status {{ font-weight: bold; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 4pt 0; }}
dt {{ font-weight: bold; }}
dd {{ margin: 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 4pt 0; font-size: 9pt; }}
th, td {{ text-align: left; padding: 2pt 5pt; border-bottom: 0.5pt solid #c9d0d8;
  vertical-align: top; }}
th {{ color: #5c6773; }}
tr, li, .signature {{ break-inside: avoid; }}
.signature {{ display: inline-block; width: 48%; margin: 6pt 3% 0 0; vertical-align: top; }}
.signature p {{ margin: 12pt 0 0; }}
.signature .line {{ display: inline-block; width: 60%; margin-left: 6pt;
  border-bottom: 0.5pt solid #1f2933; }}
@media print {{ body {{ max-width: none; padding: 0; }} }}
"""
