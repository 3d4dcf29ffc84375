#!/usr/bin/env bash
# Runs every benchmark (`make bench`). PostgreSQL benchmarks use throwaway databases on the server in
# BENCH_PG_URL (default: the local test server) and drop them afterwards; without PostgreSQL they are skipped.
set -euo pipefail
PY=.venv/bin/python
PG_BASE=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pg_db() {  # pg_db NAME: (re)creates a throwaway database and prints its URL
  $PY - "$PG_BASE" "$1" <<'PYEOF'
import sys, psycopg
base, name = sys.argv[1].replace("postgres://", "postgresql://", 1), sys.argv[2]
with psycopg.connect(base + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.execute(f'CREATE DATABASE "{name}"')
print(f"{sys.argv[1]}/{name}")
PYEOF
}
pg_drop() {
  $PY - "$PG_BASE" "$1" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}"')
PYEOF
}

echo "== Rules engine"
.venv/bin/ajour rules bench
echo "== Yearly allocation and year-end close (SQLite)"
$PY bench/claims_yearly.py --database-url "sqlite:///$TMP/yearly.sqlite3"
echo "== Statistics"
$PY bench/stats_bench.py
if $PY scripts/database_reachable.py "$PG_BASE/postgres"; then
  for name in ajour_bench_catalogue ajour_bench_claims ajour_bench_replay; do url=$(pg_db "$name"); export "URL_$name=$url"; done
  echo "== Catalogue search (PostgreSQL)"
  $PY bench/catalogue_search.py --database-url "$URL_ajour_bench_catalogue"
  echo "== Claim submission through the API (PostgreSQL)"
  $PY bench/claims_api.py --database-url "$URL_ajour_bench_claims"
  echo "== Policy simulator replay: national demo read from PostgreSQL, decided per account (batch path)"
  $PY bench/rules_replay.py --database-url "$URL_ajour_bench_replay"
  for name in ajour_bench_catalogue ajour_bench_claims ajour_bench_replay; do pg_drop "$name"; done
else
  echo "SKIPPED: PostgreSQL benchmarks (no server at $PG_BASE)"
fi
echo "== National demo load and calibration"
$PY bench/demo_calibration.py --keep "$TMP/national"
echo "== Policy simulator: one national year replayed per claim and per account (SQLite)"
$PY bench/simulate.py --data-dir "$TMP/national"
