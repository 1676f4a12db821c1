"""A small Indonesian status page for a ticket, for a visitor who scans the QR code."""

from __future__ import annotations

from html import escape

from shared.models import Ticket, TicketStatus

STATUS_ID = {
    TicketStatus.WAITING: "Menunggu dipanggil",
    TicketStatus.CALLED: "Dipanggil! Silakan menuju {counter}",
    TicketStatus.SERVING: "Sedang dilayani di {counter}",
    TicketStatus.DONE: "Selesai. Terima kasih atas kunjungan Anda",
    TicketStatus.NO_SHOW: "Terlewat. Silakan hubungi petugas loket",
    TicketStatus.TRANSFERRED: "Dialihkan ke layanan lain",
    TicketStatus.CANCELLED: "Dibatalkan",
}


def render(ticket: Ticket, site: str) -> str:
    status = STATUS_ID[ticket.status].format(counter=escape(ticket.counter_name or "loket"))
    lines = [f"<p class=status>{status}</p>"]
    if ticket.status == TicketStatus.WAITING:
        lines.append(f"<p>Di depan Anda: <b>{ticket.ahead}</b> orang</p>")
        if ticket.counters_open == 0:
            lines.append("<p>Belum ada loket yang buka untuk layanan ini</p>")
        elif ticket.estimated_wait_minutes is not None:
            lines.append(
                f"<p>Perkiraan waktu tunggu: <b>{ticket.estimated_wait_minutes}</b> menit</p>"
            )
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>{escape(ticket.code)} - {escape(site)}</title>
<style>body{{font-family:sans-serif;text-align:center;margin:2em;font-size:1.3em}}
.code{{font-size:4em;font-weight:bold;margin:.2em}}.status{{font-size:1.3em}}</style>
</head><body>
<p>{escape(site)}</p>
<p>{escape(ticket.agency_name)} &middot; {escape(ticket.service_name)}</p>
<p class=code>{escape(ticket.code)}</p>
{"".join(lines)}
<p><small>Halaman ini diperbarui setiap 30 detik.</small></p>
</body></html>"""
