#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server (Debian's package), exporting
# LOCALIAM_TEST_POSTGRES_URL for it; the server is stopped and removed afterwards.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]   (used by `make test-postgres`)
set -euo pipefail

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "with-postgres: installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi

workdir="$(mktemp -d /tmp/localiam-pg.XXXXXX)"
chmod 755 "$workdir"
run_as=()
if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$workdir"
    run_as=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

cleanup() {
    "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$workdir/data" -U localiam --auth=trust >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w \
    -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U localiam localiam_test

export LOCALIAM_TEST_POSTGRES_URL="postgresql+psycopg://localiam@127.0.0.1:$port/localiam_test"
"$@"
