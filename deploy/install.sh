#!/bin/bash
# Antrian MPP installer for one box: Debian 12 or Raspberry Pi OS (bookworm), run as root
# from a checkout of the repository:
#
#   sudo ./deploy/install.sh server|kiosk|counter|display [options]
#
# It creates the antrian system user, /etc/antrian/ (the example config is copied only if
# there is none: an existing config is never overwritten), /var/lib/antrian/, a venv in
# /opt/antrian with the package, the systemd units of the role, and enables them.
# docs/INSTALL.md walks through it.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: install.sh server|kiosk|counter|display [options]

  --prefix DIR   where the program goes (default /opt/antrian)
  --root DIR     install into DIR as if it were / (tests, images): no apt-get, no systemctl,
                 the user is created in DIR/etc/passwd only
  --no-venv      skip creating the venv and pip install (everything around it still happens)
  --no-apt       skip apt-get install of the system packages
  --postgres     also install the PostgreSQL driver (server)
  --wheels DIR   install offline from a folder of wheels (pip --no-index --find-links DIR)
EOF
}

die() { echo "install.sh: $*" >&2; exit 2; }
say() { echo "==> $*"; }

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROLE="${1:-}"
case "$ROLE" in
    server|kiosk|counter|display) shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
esac

PREFIX=/opt/antrian
ROOT=""
VENV=1
APT=1
POSTGRES=0
WHEELS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="${2:?--prefix needs a directory}"; shift 2 ;;
        --root) ROOT="$(mkdir -p "${2:?--root needs a directory}" && cd "$2" && pwd)"; shift 2 ;;
        --no-venv) VENV=0; shift ;;
        --no-apt) APT=0; shift ;;
        --postgres) POSTGRES=1; shift ;;
        --wheels) WHEELS="$(cd "${2:?--wheels needs a directory}" && pwd)"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
done
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    die "run as root (sudo $0 $ROLE ...), or use --root DIR to try it in a directory"
fi
[ -f "$SRC/setup.cfg" ] && [ -f "$SRC/shared/sample/jombang.toml" ] \
    || die "run me from a checkout of the repository ($SRC has no setup.cfg)"

GUI=0
[ "$ROLE" != server ] && GUI=1

# -- system packages ----------------------------------------------------------------------
PACKAGES="python3 python3-venv"
if [ "$GUI" = 1 ]; then
    # cage: the kiosk compositor; xwayland: what Kivy's SDL draws through inside it
    PACKAGES="$PACKAGES cage xwayland libmtdev1 libgl1 libegl1 fonts-dejavu-core"
fi
[ "$ROLE" = display ] && PACKAGES="$PACKAGES espeak-ng"
[ "$ROLE" = kiosk ] && PACKAGES="$PACKAGES libusb-1.0-0"
if [ -n "$ROOT" ] || [ "$APT" = 0 ]; then
    say "system packages this role needs (not installed now): $PACKAGES"
else
    say "installing system packages: $PACKAGES"
    apt-get update -q
    # shellcheck disable=SC2086  # a list of package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PACKAGES
fi

# -- the antrian user (systemd-sysusers, so the same file works at every boot) ------------
install -d -m 0755 "$ROOT/usr/lib/sysusers.d" "$ROOT/etc"
install -m 0644 "$SRC/systemd/antrian.sysusers" "$ROOT/usr/lib/sysusers.d/antrian.conf"
if [ -n "$ROOT" ]; then
    if command -v systemd-sysusers >/dev/null; then
        systemd-sysusers --root "$ROOT" 2>&1
    else
        say "systemd-sysusers not found: user antrian not created in $ROOT"
    fi
else
    systemd-sysusers /usr/lib/sysusers.d/antrian.conf
fi
OWNER=""
if [ "$(id -u)" = 0 ]; then
    # numeric ids from the target's own passwd file (under --root the host has no antrian)
    uid="$(awk -F: '$1 == "antrian" {print $3}' "$ROOT/etc/passwd" 2>/dev/null || true)"
    gid="$(awk -F: '$1 == "antrian" {print $3}' "$ROOT/etc/group" 2>/dev/null || true)"
    [ -n "$uid" ] && [ -n "$gid" ] && OWNER="$uid:$gid"
fi
own() { [ -n "$OWNER" ] && chown "$@" || true; }

# -- /etc/antrian: the config (never overwritten) and the environment -------------------
install -d -m 0755 "$ROOT/etc/antrian"
CONFIG="$ROOT/etc/antrian/antrian.toml"
if [ -e "$CONFIG" ]; then
    say "kept the existing $CONFIG"
else
    tmp="$(mktemp)"
    {
        echo "# Antrian MPP: the config of this $ROLE box (written by deploy/install.sh)."
        echo "# The site part comes from the bundled sample (MPP Kabupaten Jombang): edit it"
        echo "# to match your MPP, the same on every box. After a change:"
        echo "#   sudo systemctl restart antrian-$ROLE"
        echo
        # the sample site without its [client] table; the role's own part follows
        awk '/^\[client\][[:space:]]*$/ {skip = 1; next} /^\[/ {skip = 0} !skip' \
            "$SRC/shared/sample/jombang.toml"
        echo
        cat "$SRC/deploy/config/$ROLE.toml"
    } > "$tmp"
    install -m 0640 "$tmp" "$CONFIG"
    rm -f "$tmp"
    say "wrote $CONFIG (example for a $ROLE box: edit it)"
fi
own "0:${OWNER#*:}" "$CONFIG"  # tokens live here: root writes, the antrian group reads
if [ ! -e "$ROOT/etc/antrian/antrian.env" ]; then
    install -m 0640 "$SRC/deploy/etc/antrian.env" "$ROOT/etc/antrian/antrian.env"
    own "0:${OWNER#*:}" "$ROOT/etc/antrian/antrian.env"
fi

# -- /var/lib/antrian: the data ------------------------------------------------------------
install -d -m 0750 "$ROOT/var/lib/antrian"
[ "$ROLE" = server ] && install -d -m 0750 "$ROOT/var/lib/antrian/backups"
own -R "$OWNER" "$ROOT/var/lib/antrian"

# -- the program: a venv with the package ------------------------------------------------
if [ "$VENV" = 1 ]; then
    extras=""
    [ "$GUI" = 1 ] && extras="gui"
    [ "$ROLE" = kiosk ] && extras="gui,usb"
    [ "$POSTGRES" = 1 ] && extras="${extras:+$extras,}postgres"
    say "creating the venv $ROOT$PREFIX${extras:+ (extras: $extras)}"
    python3 -m venv "$ROOT$PREFIX"
    if [ -n "$WHEELS" ]; then
        # offline: the wheelhouse holds antrian-mpp itself and every dependency
        "$ROOT$PREFIX/bin/pip" install -q --no-index --find-links "$WHEELS" \
            "antrian-mpp${extras:+[$extras]}"
    else
        "$ROOT$PREFIX/bin/pip" install -q "$SRC${extras:+[$extras]}"
    fi
else
    say "skipped the venv (--no-venv): $PREFIX/bin/antrian must come from elsewhere"
fi
# the technician's `antrian` command: same config and user as the services
install -d -m 0755 "$ROOT/usr/local/bin"
sed "s#/opt/antrian#$PREFIX#g" "$SRC/deploy/antrian-command.sh" > "$ROOT/usr/local/bin/antrian"
chmod 0755 "$ROOT/usr/local/bin/antrian"

# -- systemd units ---------------------------------------------------------------------
UNITDIR="$ROOT/etc/systemd/system"
install -d -m 0755 "$UNITDIR"
if [ "$ROLE" = server ]; then
    UNITS="antrian-server.service antrian-backup.service antrian-backup.timer"
    ENABLE="antrian-server.service antrian-backup.timer"
else
    UNITS="antrian-$ROLE.service"
    ENABLE="antrian-$ROLE.service"
    install -d -m 0755 "$ROOT/etc/pam.d"
    install -m 0644 "$SRC/deploy/pam.d/antrian" "$ROOT/etc/pam.d/antrian"
fi
if [ "$ROLE" = kiosk ] && [ ! -e "$ROOT/etc/udev/rules.d/60-antrian-printer.rules" ]; then
    install -d -m 0755 "$ROOT/etc/udev/rules.d"
    install -m 0644 "$SRC/deploy/udev/60-antrian-printer.rules" "$ROOT/etc/udev/rules.d/"
fi
for unit in $UNITS; do
    sed "s#/opt/antrian#$PREFIX#g" "$SRC/systemd/$unit" > "$UNITDIR/$unit"
    chmod 0644 "$UNITDIR/$unit"
done
if [ -n "$ROOT" ]; then
    # what `systemctl enable` does: a link from the [Install] target's .wants folder
    for unit in $ENABLE; do
        target="$(awk -F= '$1 == "WantedBy" {print $2}' "$UNITDIR/$unit")"
        install -d -m 0755 "$UNITDIR/$target.wants"
        ln -sfn "/etc/systemd/system/$unit" "$UNITDIR/$target.wants/$unit"
    done
    say "installed into $ROOT (enabled there: $ENABLE)"
else
    systemctl daemon-reload
    if [ "$ROLE" = server ]; then
        # shellcheck disable=SC2086
        systemctl enable --now $ENABLE
    else
        # shellcheck disable=SC2086
        systemctl enable $ENABLE
    fi
    say "enabled: $ENABLE"
fi

# -- what is left to do --------------------------------------------------------------------
echo
case "$ROLE" in
    server)
        echo "Next: edit /etc/antrian/antrian.toml (agencies, services, counters, hours),"
        echo "then: sudo systemctl restart antrian-server; sudo antrian status"
        echo "Add boxes: sudo antrian device add kiosk-1 --role kiosk (its token goes into"
        echo "that kiosk's config); officers: sudo antrian officer add USER --name ... --pin ..." ;;
    kiosk)
        echo "Next: on the server, sudo antrian device add kiosk-1 --role kiosk; put the token"
        echo "into [client] token in /etc/antrian/antrian.toml here; set [printer]; then"
        echo "sudo antrian print-test; sudo systemctl start antrian-kiosk (or reboot)." ;;
    counter)
        echo "Next: set [counter] counter in /etc/antrian/antrian.toml (and [sign]/[buttons]),"
        echo "then sudo systemctl start antrian-counter (or reboot)." ;;
    display)
        echo "Next: check /etc/antrian/antrian.toml ([client], [display], [voice]),"
        echo "then sudo systemctl start antrian-display (or reboot)." ;;
esac
