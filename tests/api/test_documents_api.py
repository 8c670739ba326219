"""`GET /v1/agreements/{id}/document` (HTML, PDF, Markdown of a stored version, with its state
and approvals) and `POST /v1/lint` (findings as JSON, the too-long document included)."""

from __future__ import annotations

import io

import pypdf

from accord.spec.templates import template_text
from tests.api.conftest import DESK, Api

YAML = {"Content-Type": "application/yaml"}


def test_the_document_comes_as_markdown_html_or_pdf_with_the_version_and_state(api: Api) -> None:
    markdown = api.get(f"/v1/agreements/{DESK}/document", "bob", params={"format": "md"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    latest = api.get(f"/v1/agreements/{DESK}", "bob").json()["version"]
    assert f"- **Version:** {latest}\n" in markdown.text
    assert "- **State:** " in markdown.text
    assert "### For it (provider)" in markdown.text
    html = api.get(f"/v1/agreements/{DESK}/document", "alice")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "<h2>1. Parties and services</h2>" in html.text
    pdf = api.get(f"/v1/agreements/{DESK}/document", "alice", params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 1
    assert "For sales (customer)" in " ".join(p.extract_text() for p in reader.pages)


def test_a_version_that_does_not_exist_is_404_and_an_outsider_learns_nothing(api: Api) -> None:
    missing = api.get(f"/v1/agreements/{DESK}/document", "alice", params={"version": 999})
    assert missing.status_code == 404
    outsider = api.get(f"/v1/agreements/{DESK}/document", "charlie")
    nothing = api.get("/v1/agreements/no-such-agreement/document", "charlie")
    assert outsider.status_code == nothing.status_code == 404


def test_version_1_of_the_document_is_version_1(api: Api) -> None:
    first = api.get(
        f"/v1/agreements/{DESK}/document", "alice", params={"format": "md", "version": 1}
    )
    assert first.status_code == 200
    assert "- **Version:** 1\n" in first.text


def test_lint_answers_the_findings_of_a_file_as_json(api: Api) -> None:
    response = api.client.post(
        "/v1/lint",
        content=template_text("service-desk"),
        headers={**api.auth("alice-read"), **YAML},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["counts"] == {"error": 0, "warning": 0, "info": 1}
    assert [f["code"] for f in body["findings"]] == ["no-catalog"]
    assert body["findings"][0]["file"] == "body.yaml"


def test_lint_finds_a_document_over_5_pages_and_an_invalid_file(api: Api) -> None:
    meaning = "A term the parties argued about at length and wrote down in full. " * 6
    extra = "".join(f"    term {n}: {meaning.strip()}\n" for n in range(40))
    padded = template_text("service-desk").replace("  definitions:\n", "  definitions:\n" + extra)
    body = api.client.post("/v1/lint", content=padded, headers={**api.auth("bob"), **YAML}).json()
    assert body["ok"] is False
    assert [f["code"] for f in body["findings"] if f["severity"] == "warning"] == ["too-long"]
    invalid = api.client.post(
        "/v1/lint", content="kind: Agreement\n", headers={**api.auth("bob"), **YAML}
    ).json()
    assert invalid["ok"] is False
    assert invalid["counts"]["error"] >= 1


def test_the_monthly_report_comes_as_a_pdf_too(api: Api) -> None:
    response = api.get("/v1/reports/2026-03", "alice", params={"format": "pdf"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert "Compliance report – March 2026" in reader.pages[0].extract_text()
