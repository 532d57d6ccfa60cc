#!/usr/bin/env bash
# Before/after on one machine, alternating: builds two revisions in git worktrees (sharing this
# checkout's node_modules when their lock files match) and runs the given suites of each, one round at a time, in turns.
#   bench/compare-revisions.sh BEFORE_REV AFTER_REV TURNS suite [suite ...]
# Prints each turn's "median" lines; compare the medians of the turns. Needs BENCH_DATABASE_URL
# (or DATABASE_URL) like `npm run bench`. Writes nothing into this checkout.
set -euo pipefail
before=$1 after=$2 turns=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/before" >/dev/null 2>&1 || true; git -C "$root" worktree remove --force "$work/after" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for side in before after; do
  rev=${!side}
  git -C "$root" worktree add --detach "$work/$side" "$rev" >/dev/null
  # The same lock file shares this checkout's node_modules; another one gets its own install.
  if cmp -s "$root/package-lock.json" "$work/$side/package-lock.json"; then
    ln -s "$root/node_modules" "$work/$side/node_modules"
  else
    (cd "$work/$side" && npm ci --no-audit --no-fund >/dev/null)
  fi
  (cd "$work/$side" && npx tsc -p tsconfig.build.json)
done
for turn in $(seq 1 "$turns"); do
  for side in before after; do
    echo "== turn $turn $side ($(git -C "$work/$side" rev-parse --short HEAD)) load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$work/$side" && BENCH_ROUNDS=1 node dist/bench/run.js "$@" 2>&1 | grep -E 'median' || true)
  done
done
