"""deploy/install.sh into a clean directory tree, and the units under systemd-analyze verify."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import load_config, parse_config
from tests.deploy.conftest import REPO

INSTALL = REPO / "deploy" / "install.sh"
ROLES = ("server", "kiosk", "counter", "display")


def install(role: str, root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), role, "--root", str(root), "--no-venv", *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _ids(root: Path) -> tuple[int, int] | None:
    passwd = root / "etc" / "passwd"
    if not passwd.exists():
        return None
    for line in passwd.read_text().splitlines():
        fields = line.split(":")
        if fields[0] == "antrian":
            assert fields[5] == "/var/lib/antrian" and fields[6].endswith("nologin")
            return int(fields[2]), int(fields[3])
    raise AssertionError(f"no antrian user in {passwd}")


def test_server_install_tree(tmp_path: Path) -> None:
    done = install("server", tmp_path)
    assert done.returncode == 0, done.stderr
    units = tmp_path / "etc/systemd/system"
    assert sorted(p.name for p in units.glob("antrian*")) == [
        "antrian-backup.service",
        "antrian-backup.timer",
        "antrian-server.service",
    ]
    server = (units / "antrian-server.service").read_text()
    assert "ExecStart=/opt/antrian/bin/antrian server --config /etc/antrian/antrian.toml" in server
    for link, unit in [
        ("multi-user.target.wants", "antrian-server.service"),
        ("timers.target.wants", "antrian-backup.timer"),
    ]:
        assert os.readlink(units / link / unit) == f"/etc/systemd/system/{unit}"

    config = parse_config((tmp_path / "etc/antrian/antrian.toml").read_text())
    sample = load_config(None)
    assert config.agencies == sample.agencies and config.counters == sample.counters
    assert config.server.port == 8765 and config.server.backup_keep_days == 14
    assert (tmp_path / "etc/antrian/antrian.env").exists()
    assert (tmp_path / "usr/lib/sysusers.d/antrian.conf").read_text().startswith("#")
    data = tmp_path / "var/lib/antrian"
    assert (data / "backups").is_dir() and (data.stat().st_mode & 0o777) == 0o750
    assert (tmp_path / "etc/antrian/antrian.toml").stat().st_mode & 0o777 == 0o640
    command = tmp_path / "usr/local/bin/antrian"
    assert os.access(command, os.X_OK) and "/opt/antrian/bin/antrian" in command.read_text()
    ids = _ids(tmp_path)
    if shutil.which("systemd-sysusers"):
        assert ids is not None
        if os.getuid() == 0:
            assert (data.stat().st_uid, data.stat().st_gid) == ids
    if shutil.which("systemctl"):
        enabled = subprocess.run(
            ["systemctl", "--root", str(tmp_path), "is-enabled", "antrian-server.service"],
            capture_output=True,
            text=True,
        )
        assert enabled.stdout.strip() == "enabled", enabled.stdout + enabled.stderr


def test_existing_config_is_never_overwritten(tmp_path: Path) -> None:
    assert install("server", tmp_path).returncode == 0
    config = tmp_path / "etc/antrian/antrian.toml"
    config.write_text(config.read_text().replace("port = 8765", "port = 9000"))
    again = install("server", tmp_path)
    assert again.returncode == 0 and "kept the existing" in again.stdout
    assert parse_config(config.read_text()).server.port == 9000


@pytest.mark.parametrize("role", ["kiosk", "counter", "display"])
def test_app_install_tree(tmp_path: Path, role: str) -> None:
    done = install(role, tmp_path, "--prefix", "/srv/antrian")
    assert done.returncode == 0, done.stderr
    units = tmp_path / "etc/systemd/system"
    assert [p.name for p in units.glob("antrian*")] == [f"antrian-{role}.service"]
    unit = (units / f"antrian-{role}.service").read_text()
    assert (
        f"ExecStart=/usr/bin/cage -- /srv/antrian/bin/antrian {role} "
        "--config /etc/antrian/antrian.toml" in unit
    )
    assert "PAMName=antrian" in unit and "TTYPath=/dev/tty1" in unit
    assert (units / "multi-user.target.wants" / f"antrian-{role}.service").is_symlink()
    assert "pam_systemd.so" in (tmp_path / "etc/pam.d/antrian").read_text()
    config = parse_config((tmp_path / "etc/antrian/antrian.toml").read_text())
    assert config.client.token == "" and config.client.site == config.site.name
    if role == "kiosk":
        assert config.printer.kind == "usb" and config.printer.usb_vendor_id == 0x04B8
        assert (tmp_path / "etc/udev/rules.d/60-antrian-printer.rules").exists()
        assert "SupplementaryGroups=lp dialout" in unit
    if role == "counter":
        assert config.counter_config(config.counter.counter) is not None
        assert "dialout" in unit
    if role == "display":
        assert config.voice.enabled and "audio" in unit
    assert "/srv/antrian/bin/antrian" in (tmp_path / "usr/local/bin/antrian").read_text()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    assert install("toaster", tmp_path).returncode == 2
    bad = install("server", tmp_path, "--prefix", "relative/path")
    assert bad.returncode == 2 and "absolute" in bad.stderr
    assert not (tmp_path / "etc").exists()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
@pytest.mark.parametrize("role", ROLES)
def test_installed_units_pass_systemd_analyze_verify(tmp_path: Path, role: str) -> None:
    # --prefix: the venv running this test, so ExecStart's antrian really exists here.
    assert install(role, tmp_path, "--prefix", sys.prefix).returncode == 0
    units = sorted((tmp_path / "etc/systemd/system").glob("antrian*"))
    assert Path(sys.prefix, "bin", "antrian").exists()
    done = subprocess.run(
        ["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True
    )
    complaints = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    if role != "server" and not Path("/usr/bin/cage").exists():
        # The only acceptable complaint on a machine without the compositor.
        complaints = [ln for ln in complaints if "/usr/bin/cage is not executable" not in ln]
    assert complaints == [], "\n".join(complaints)
    if role == "server" or Path("/usr/bin/cage").exists():
        assert done.returncode == 0
