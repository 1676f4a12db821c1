"""`antrian print-test` and `antrian announce` through the real dispatcher."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hardware.audio import wav_seconds
from shared.cli import main
from shared.config import sample_path


def site_config(tmp_path: Path, printer: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(sample_path().read_text(encoding="utf-8") + "\n" + printer, encoding="utf-8")
    return path


def test_print_test_on_the_virtual_printer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previews = tmp_path / "previews"
    config = site_config(
        tmp_path, f'[printer]\nkind = "virtual"\npaper_mm = 58\npreview_dir = "{previews}"\n'
    )
    assert main(["print-test", "--config", str(config)]) == 0
    pngs = list(previews.glob("*.png"))
    assert len(pngs) == 1 and "preview" in capsys.readouterr().out


def test_print_test_says_why_it_cannot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_config(tmp_path, '[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = 1\n')
    assert main(["print-test", "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "unavailable" in captured.out and "Cannot print" in captured.err


def test_print_test_without_a_printer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print-test"]) == 1
    assert "No printer is configured" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
def test_announce_writes_a_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_config(tmp_path, f'[voice]\ncache_dir = "{tmp_path / "cache"}"\n')
    out = tmp_path / "a.wav"
    assert (
        main(["announce", "A001", "--counter", "L03", "--out", str(out), "--config", str(config)])
        == 0
    )
    assert "A nol nol satu, silakan menuju loket tiga" in capsys.readouterr().out
    assert wav_seconds(out) > 4
