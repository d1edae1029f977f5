#!/usr/bin/env bash
# Make sure a PostgreSQL server binary (initdb, pg_ctl) is available for tests/test_store_postgres.py,
# which starts its own throwaway server. Called by .ci/run; safe to run twice.
set -euo pipefail

find_initdb() {
    command -v initdb 2>/dev/null && return 0
    ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | grep . && return 0
    return 1
}

if ! find_initdb >/dev/null; then
    echo "postgres.sh: no initdb found, installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi
echo "postgres.sh: using $(find_initdb)"
