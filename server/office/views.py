"""What the office's pages and its API show of people and devices (view models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PersonAnswer(BaseModel):
    username: str
    name: str
    role: str
    counters: list[str]
    active: bool
    has_pin: bool
    has_password: bool


class DeviceAnswer(BaseModel):
    id: int
    name: str
    role: str
    counter: str | None
    created_at: datetime
    last_seen_at: datetime | None
    last_address: str | None
    printer: str | None
    revoked: bool
    revoked_at: datetime | None


class DeviceRegistered(DeviceAnswer):
    token: str = Field(description="The device's token: shown only in this answer")
