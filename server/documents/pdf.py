"""HTML to PDF with WeasyPrint, in a child process, one document at a time.

WeasyPrint 70 keeps about 0.45 MB for every document it renders: the server grew from 179
to 259 MB over 200 report PDFs (`python -m bench.report_speed --soak`). A server runs for
months, so the rendering happens in a child process, which returns all of that memory
when it exits. One at a time: ten managers pressing "Unduh PDF" together cost one
renderer's memory, not ten. The price is WeasyPrint's import, about 0.9 s a document.

    python -m server.documents.pdf [BASE_URL] < page.html > page.pdf
"""

from __future__ import annotations

import subprocess
import sys
import threading

TIMEOUT_SECONDS = 120
_ONE_AT_A_TIME = threading.Lock()


class PdfFailed(RuntimeError):
    """The renderer exited without a PDF (its last words are in the message)."""


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF of an HTML page; `base_url` resolves its relative links (images, CSS)."""
    command = [sys.executable, "-m", "server.documents.pdf", *([base_url] if base_url else [])]
    with _ONE_AT_A_TIME:
        try:
            done = subprocess.run(
                command, input=html.encode(), capture_output=True, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfFailed(f"the PDF took over {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        said = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise PdfFailed(f"the PDF renderer failed ({done.returncode}): {' | '.join(said)}")
    return done.stdout


def main(argv: list[str]) -> int:
    from weasyprint import HTML

    html = sys.stdin.buffer.read().decode()
    pdf = HTML(string=html, base_url=argv[0] if argv else None).write_pdf()
    sys.stdout.buffer.write(pdf or b"")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
