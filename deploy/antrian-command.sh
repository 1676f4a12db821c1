#!/bin/sh
# /usr/local/bin/antrian: the technician's `antrian` command on an installed box.
# It reads the same config and environment as the services, and runs as the antrian user
# when started by root, so files in /var/lib/antrian keep their owner.
set -e
if [ -r /etc/antrian/antrian.env ]; then
    set -a
    . /etc/antrian/antrian.env
    set +a
fi
: "${ANTRIAN_CONFIG:=/etc/antrian/antrian.toml}"
: "${ANTRIAN_DATA_DIR:=/var/lib/antrian}"
export ANTRIAN_CONFIG ANTRIAN_DATA_DIR
if [ "$(id -u)" = 0 ]; then
    cd /var/lib/antrian
    exec runuser -u antrian -- /opt/antrian/bin/antrian "$@"
fi
exec /opt/antrian/bin/antrian "$@"
