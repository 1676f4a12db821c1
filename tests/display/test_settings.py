"""The TV's config: validated by shared/config.py in a child process, read back as plain data."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.settings import from_config, load_settings
from shared.config import load_config
from shared.errors import ConfigError
from tests.display.conftest import SAMPLE


def test_the_child_s_answer_is_the_config_itself() -> None:
    assert load_settings(None) == from_config(load_config(None))
    settings = load_settings(SAMPLE)
    assert settings.site.name == "MPP Kabupaten Jombang"
    assert settings.site.tz.key == "Asia/Jakarta"
    assert len(settings.counters) == len(load_config(SAMPLE).counters) > 0
    assert all(a.services for a in settings.agencies)
    assert settings.display.video_volume == 0.6 and settings.voice.repeat == 2


def test_a_bad_file_is_refused_with_the_field_named(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    text = SAMPLE.read_text(encoding="utf-8") + "\n[display]\nrecent_calls = 99\n"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    assert "display.recent_calls" in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "missing.toml")
