"""A complaint the visitor at the counter makes, entered by the officer (pengaduan at the
information desk), with no Kivy: the form's state, what the server said, the words.

The server decides every rule (POST /complaints: the text's length, the contact's form,
that the ticket is this counter's); the form only shows its refusals beside the fields
and keeps what was typed until the complaint is filed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from counter.texts import Say
from shared.errors import ApiError, ServerUnavailable
from shared.models import ComplaintCreated, Ticket

log = logging.getLogger(__name__)

FIELDS = ("text", "contact")  # the form's fields; any other refusal is said above them


@dataclass
class ComplaintForm:
    """One complaint being entered for the visitor of one ticket."""

    ticket_id: int
    ticket_code: str
    service_name: str
    busy: bool = False  # sent, no answer yet
    errors: dict[str, str] = field(default_factory=dict)  # field -> what is wrong with it
    error: str = ""  # a refusal that is no one field's (the ticket, the server gone)
    created: ComplaintCreated | None = None
    # One per form: "simpan lagi" after a lost answer sends the same id, so the server
    # answers with the complaint it may already have filed instead of filing it twice.
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def for_ticket(cls, ticket: Ticket) -> ComplaintForm:
        return cls(ticket.id, ticket.code, ticket.service_name)

    def sending(self) -> bool:
        """Start a send; False when one is in flight or the complaint is filed already."""
        if self.busy or self.created is not None:
            return False
        self.busy, self.errors, self.error = True, {}, ""
        return True

    def answered(
        self, created: ComplaintCreated | None, exc: BaseException | None, say: Say, lang: str
    ) -> None:
        """The server's answer: filed, or each field's refusal in our language."""
        self.busy = False
        if exc is None and created is not None:
            self.created = created
            log.info("complaint %s filed for %s", created.reference, self.ticket_code)
        elif isinstance(exc, ApiError) and exc.status == 422:
            listed = exc.extra.get("errors")
            for item in listed if isinstance(listed, list) else []:
                if not isinstance(item, dict):
                    continue
                text = str(item.get("message_en" if lang == "en" else "message", ""))
                name = str(item.get("field", ""))
                if name in FIELDS:
                    self.errors.setdefault(name, text)
                else:
                    self.error = self.error or text
            if not self.errors and not self.error:
                self.error = say("err_other", message=exc.message)
        elif isinstance(exc, ServerUnavailable):
            # Not known whether it reached the server: nothing is sent again on its own.
            self.error = say("complaint_unsure")
        elif isinstance(exc, ApiError):
            log.info("complaint refused: %s", exc)
            key = {403: "complaint_not_yours", 404: "complaint_no_ticket"}.get(exc.status)
            self.error = (
                say(key, code=self.ticket_code) if key else say("err_other", message=exc.message)
            )
        else:
            log.error("complaint failed unexpectedly", exc_info=exc)
            self.error = say("err_bug")


def follow_up_link(base_url: str, token: str) -> str:
    """The complainant's private follow-up page (the site's public address when it has one)."""
    return f"{base_url.rstrip('/')}/pengaduan/{token}"
