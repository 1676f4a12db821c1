"""PDFs are rendered in a child process (server/documents/pdf.py): the page comes back as a PDF,
and a renderer that dies is an error that says so, never an empty download."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from server.documents.pdf import PdfFailed, html_to_pdf


def test_a_page_comes_back_as_a_pdf() -> None:
    pdf = html_to_pdf("<h1>Laporan kinerja pelayanan</h1><p>Jumlah 1.234</p>")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "Laporan kinerja pelayanan" in text and "1.234" in text


def test_a_renderer_that_dies_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The child is a real process that exits 1 with nothing on its stdout.
    monkeypatch.setattr(sys, "executable", shutil.which("false") or "/bin/false")
    with pytest.raises(PdfFailed, match="failed"):
        html_to_pdf("<p>x</p>")
