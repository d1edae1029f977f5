#!/usr/bin/env bash
# Smoke check of one installed gongkai: .ci/smoke.sh VENV
# The core commands work on a seed and the sample whatever is installed; a command of an extra works
# when its extra is installed and otherwise answers with the one line naming the extra.
set -euo pipefail
unset PYTHONDONTWRITEBYTECODE  # the venv is installed --no-compile: each command's imports compile once
venv="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
gongkai="$venv/bin/gongkai"
python="$venv/bin/python"
seed="$root/tests/data/corpus/seeds/002_2581eebe3519dac9.txt"  # 2019 tables in a 2024 report: a warning
pdf="$root/tests/data/corpus/real/hongze-2024.pdf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"  # nothing written into the checkout

fail() { echo "smoke $(basename "$venv"): $*" >&2; exit 1; }
# run CMD… expecting exit status STATUS: expect STATUS CMD…
expect() {
  local want="$1"; shift
  local got=0
  "$@" >"$work/out" 2>"$work/err" || got=$?
  [ "$got" = "$want" ] || { cat "$work/out" "$work/err" >&2; fail "'${*#"$venv/bin/"}' exited $got, not $want"; }
}
has() { "$python" -c "import sys; from gongkai.cli import _missing_for; sys.exit(1 if _missing_for('$1') else 0)"; }
# the one line a command of a missing extra answers with
needs() {
  local extra="$1"; shift
  expect 2 "$gongkai" "$@"
  [ "$(wc -l <"$work/err")" = 1 ] || fail "'$*' without [$extra] printed more than one line: $(cat "$work/err")"
  grep -q "gongkai\[$extra\]" "$work/err" || fail "'$*' without [$extra] did not name it: $(cat "$work/err")"
}

expect 0 "$gongkai" --help
for command in parse check eval render template ingest export serve; do
  grep -qE "^  $command " "$work/out" || fail "gongkai --help does not list $command"
done
expect 0 "$gongkai" parse "$seed"
"$python" -c "import json, sys; assert json.load(open('$work/out'))['schema'] == 'gongkai.report/1'" \
  || fail "parse did not print a report JSON"
expect 0 "$gongkai" check "$seed"
expect 1 "$gongkai" check --sample  # two deliberate errors
expect 0 "$gongkai" check --sample --fail-on never
grep -q "T3-BALANCE" "$work/out" || fail "check --sample did not show the sample's findings"
expect 0 "$gongkai" eval "$root/tests/data/corpus/seeds"
expect 0 "$gongkai" render "$seed" --to md -o r.md
expect 0 "$gongkai" render "$seed" --to html -o r.html
expect 0 "$gongkai" template --to md -o form.md
expect 0 "$gongkai" template --to html -o form.html
"$python" -c "import gongkai; assert gongkai.__version__ != '0+unknown'; print(gongkai.PARSER_VERSION)" >/dev/null

if has formats; then
  expect 0 "$gongkai" render "$seed" --to docx -o r.docx
  expect 0 "$gongkai" template --to xlsx -o form.xlsx
  expect 0 "$gongkai" parse "$pdf"
else
  needs formats render "$seed" --to docx -o r.docx
  needs formats template --to xlsx -o form.xlsx
fi
if has store; then
  expect 0 "$gongkai" ingest "$seed" --db g.db --workers 1 --no-progress
  expect 0 "$gongkai" export --db g.db --format csv -o cells.csv
else
  needs store ingest "$seed" --db g.db
  needs store export --db g.db --lang en
  grep -q "this command needs gongkai\[store\]" "$work/err" || fail "--lang en did not answer in English"
  needs store user add someone  # the accounts live in the store
fi
if has web; then
  expect 0 "$gongkai" serve --help
else
  needs web serve
  GONGKAI_LANG=en needs web serve --port 8001
  grep -q "this command needs gongkai\[web\]" "$work/err" || fail "GONGKAI_LANG=en did not answer in English"
fi
echo "smoke $(basename "$venv"): ok"
