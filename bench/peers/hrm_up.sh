#!/usr/bin/env bash
# Bring Aselo's HRM (techmatters/hrm) up beside hotline on the local PostgreSQL, for
# bench/hrm_side_by_side.py. Nothing of HRM is changed or committed here: HRM_DIR is a work tree
# of its public repository made outside this project, e.g.
#     git clone https://github.com/techmatters/hrm /work/peers/hrm && git -C /work/peers/hrm checkout 37098338
#
#     bench/peers/hrm_up.sh HRM_DIR [PEER_DIR]     build (once), database (once), start; pid files in PEER_DIR
#     bench/peers/hrm_up.sh --stop [PEER_DIR]      stop what the start left running
#     HRM_DB=bench_hrm (default) names the database; --fresh as a third argument drops it first.
#
# The steps are those of /work/shared/peers/hrm/README.md (2026-12-02):
# 1. npm ci --ignore-scripts; tsc -b on HRM's own tsconfig.build.json (copied to the root, as its
#    Dockerfile does).
# 2. roles and schema from HRM's test-support/db-init/dump.sql, into a database of our own name
#    (the dump names "hrmdb" in its GRANT/ALTER DATABASE lines: rewritten to HRM_DB on the way in).
# 3. HRM's migrations (node ./db-migrate) with two of them recorded as done instead of run: the
#    pgaudit one (the extension is not installed here) and the hrm_service role one, whose
#    GRANT names "hrmdb": its statements are run here with HRM_DB.
# 4. fake-aws.js (local SSM + SNS; HRM awaits its SNS publishes) and 5. HRM's dist/www.js with
#    stub-twilio.js preloaded (one fixed Flex token instead of a call to twilio.com).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hrm/env.sh"
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -qAt)

stop() {
  local peer=$1
  for name in hrm fake-aws; do
    if [ -f "$peer/$name.pid" ]; then
      local pid; pid=$(cat "$peer/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then kill "$pid"; echo "stopped $name ($pid)"; fi
      rm -f "$peer/$name.pid"
    fi
  done
}

if [ "${1:-}" = "--stop" ]; then stop "${2:-/tmp/hotline-bench-peer}"; exit 0; fi
[ $# -ge 1 ] || { sed -n 2,10p "$0"; exit 2; }
HRM_DIR=$(realpath "$1"); PEER_DIR=${2:-/tmp/hotline-bench-peer}; FRESH=${3:-}
export HRM_DIR
mkdir -p "$PEER_DIR"
stop "$PEER_DIR"

# 1. build
if [ ! -d "$HRM_DIR/node_modules" ]; then
  (cd "$HRM_DIR" && npm ci --no-audit --no-fund --ignore-scripts)
fi
if [ ! -f "$HRM_DIR/hrm-domain/hrm-service/dist/www.js" ]; then
  (cd "$HRM_DIR" && cp hrm-domain/hrm-service/tsconfig.build.json . && npx tsc -b tsconfig.build.json)
fi

# 2. database
if [ "$FRESH" = "--fresh" ]; then
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$HRM_DB\" WITH (FORCE)"
fi
if [ -z "$("${PSQL[@]}" -d postgres -c "select 1 from pg_database where datname = '$HRM_DB'")" ]; then
  "${PSQL[@]}" -d postgres -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rdsadmin')
                                THEN CREATE ROLE rdsadmin; END IF; END\$\$"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE \"$HRM_DB\""
  # The dump creates roles (rds_*, hrm, read_only_user) that a former run may have left: the
  # CREATE ROLE lines of existing ones are skipped; the rest must apply cleanly.
  existing=$("${PSQL[@]}" -d postgres -c "select string_agg(rolname, '|') from pg_roles")
  sed -e "s/DATABASE hrmdb/DATABASE \"$HRM_DB\"/g" "$HRM_DIR/test-support/db-init/dump.sql" \
    | grep -v -E "^CREATE ROLE ($existing);" \
    | "${PSQL[@]}" -d "$HRM_DB" >/dev/null
  # 3. migrations
  "${PSQL[@]}" -d "$HRM_DB" <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hrm_service') THEN CREATE ROLE hrm_service; END IF; END\$\$;
GRANT CONNECT ON DATABASE "$HRM_DB" TO hrm_service;
GRANT USAGE ON SCHEMA public TO hrm_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT, UPDATE, DELETE, SELECT ON TABLES TO hrm_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO hrm_service;
INSERT INTO "SequelizeMeta" (name) VALUES ('20250401103500-add_hrm_service_role.js'),
  ('20260105104900-pg_audit_plugin_enable.js') ON CONFLICT DO NOTHING;
SQL
  (cd "$HRM_DIR/hrm-domain/hrm-service" && CI=true node ./db-migrate > "$PEER_DIR/hrm-migrate.log" 2>&1) \
    || { tail -30 "$PEER_DIR/hrm-migrate.log"; exit 1; }
  "${PSQL[@]}" -d "$HRM_DB" -c "GRANT INSERT, UPDATE, DELETE, SELECT ON ALL TABLES IN SCHEMA public TO hrm_service" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO hrm_service"
  echo "database $HRM_DB ready ($("${PSQL[@]}" -d "$HRM_DB" -c 'select count(*) from "SequelizeMeta"') migrations)"
fi

# 4. local SSM + SNS
node "$HERE/hrm/fake-aws.js" > "$PEER_DIR/fake-aws.log" 2>&1 &
echo $! > "$PEER_DIR/fake-aws.pid"
# 5. HRM
(cd "$HRM_DIR/hrm-domain/hrm-service/dist" && exec node -r "$HERE/hrm/stub-twilio.js" ./www) \
  > "$PEER_DIR/hrm.log" 2>&1 &
echo $! > "$PEER_DIR/hrm.pid"
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$HRM_PORT/" 2>/dev/null \
     || curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HRM_PORT/" 2>/dev/null | grep -qv '^000$'; then
    echo "HRM on 127.0.0.1:$HRM_PORT (pid $(cat "$PEER_DIR/hrm.pid"), database $HRM_DB), fake AWS on :$FAKE_AWS_PORT"
    exit 0
  fi
  kill -0 "$(cat "$PEER_DIR/hrm.pid")" 2>/dev/null || { tail -30 "$PEER_DIR/hrm.log"; exit 1; }
  sleep 0.5
done
tail -30 "$PEER_DIR/hrm.log"; exit 1
