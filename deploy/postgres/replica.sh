#!/bin/bash
# The streaming replica: cloned from the primary with pg_basebackup on first start (-R makes it
# a standby that follows the primary), then plain PostgreSQL. Runs in the official image.
set -euo pipefail
mkdir -p "$PGDATA" && chown postgres "$PGDATA" && chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until gosu postgres pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -R -X stream -c fast; do
        echo "waiting for the primary at $PRIMARY_HOST"; sleep 2
    done
fi
exec gosu postgres postgres
