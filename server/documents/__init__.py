"""Documents: PDFs from HTML (one Jinja environment, one letterhead and signature block)."""

from server.documents.download import MEDIA, Download
from server.documents.render import TEMPLATES, Letterhead, id_day, render, to_pdf

__all__ = ["MEDIA", "TEMPLATES", "Download", "Letterhead", "id_day", "render", "to_pdf"]
