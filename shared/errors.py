"""The project's exceptions: one base, flat subclasses."""

from __future__ import annotations


class AntrianError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(AntrianError):
    """The configuration file is missing, unreadable or invalid."""


class ServerUnavailable(AntrianError):
    """The queue server cannot be reached."""


class ApiError(AntrianError):
    """The server answered a request with an error."""

    def __init__(
        self, status: int, code: str, message: str, extra: dict[str, object] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        # The answer's other fields, e.g. `minutes` of a lock-out or `opens_at` of a closed service.
        self.extra = extra or {}


class HardwareError(AntrianError):
    """A device failed; subclasses in hardware/ say which and how."""
