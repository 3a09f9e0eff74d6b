#!/usr/bin/env bash
# The versions the release workflow's `npx projen release` would publish, from projen's own bump
# task (.projen/tasks.json of this checkout), in a throwaway clone of HEAD:
#   1. no release tag yet (the first release)        -> 0.1.0, never 0.0.0
#   2. after v0.1.0, a `fix:` commit                 -> 0.1.1
#   3. then a `feat:` commit                         -> 0.1.2 (while 0.x a feature bumps the patch)
#   4. then a `feat!:` commit (breaking)             -> 0.2.0 (while 0.x a breaking change bumps the minor)
#   5. control: the bump without our next-version    -> refused ("refusing to release 0.0.0")
# Prints one line per case and "N passed, N failed"; exit 1 when a case fails.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/clickstack-release-version.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() { # name expected actual
  if [[ $2 == "$3" ]]; then echo "release version: PASS $1: $3"; passed=$((passed + 1));
  else echo "release version: FAIL $1: expected $2, got $3"; failed=$((failed + 1)); fi
}
git clone -q --no-tags "$root" "$work/repo" || { echo "0 passed, 1 failed"; exit 1; }
cd "$work/repo" || exit 1
git checkout -q -B main
git config user.name ci; git config user.email ci@localhost
# The bump configuration of the working tree (it may not be committed yet while developing).
cp "$root/.projen/tasks.json" .projen/tasks.json; cp "$root/package.json" package.json
ln -s "$root/node_modules" node_modules
git add -A .projen package.json && git commit -q --allow-empty -m "feat: the working tree's release configuration"
bump() { rm -rf dist; npx projen bump >"$work/bump.log" 2>&1 && cat dist/version.txt || { echo "bump failed: $(grep -m1 -E '^(refusing|Error)' "$work/bump.log")"; }; git checkout -q -- package.json; }

check "first release" 0.1.0 "$(bump)"
git tag v0.1.0
git commit -q --allow-empty -m "fix: a fix"
check "v0.1.0 + fix" 0.1.1 "$(bump)"
git tag v0.1.1
git commit -q --allow-empty -m "feat: a feature"
check "v0.1.1 + feat" 0.1.2 "$(bump)"
git tag v0.1.2
git commit -q --allow-empty -m "feat!: a breaking change"
check "v0.1.2 + feat!" 0.2.0 "$(bump)"

# Control: projen's default (no next-version command) on a repository without tags would release
# the seed version 0.0.0; the bump's last step refuses it.
git tag -d v0.1.0 v0.1.1 v0.1.2 >/dev/null
node -e "const f='.projen/tasks.json'; const t=JSON.parse(require('fs').readFileSync(f,'utf8')); t.tasks['bump:next-version'].steps=[{exec:'true'}]; require('fs').writeFileSync(f, JSON.stringify(t))"
check "control: without the next-version command" "bump failed: refusing to release 0.0.0" "$(bump)"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
