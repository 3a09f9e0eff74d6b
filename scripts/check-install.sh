#!/usr/bin/env bash
# Installs the packed npm tarball the way a user does, into fresh throwaway apps, and synthesizes
# a function instrumented with ClickStackInstrumentation in each:
#   (a) aws-cdk-lib and constructs pinned to the oldest versions we support: the minimum of each
#       peer range in package.json (`^2.189.0` -> 2.189.0, `^10.0.0` -> 10.0.0);
#   (b) the newest aws-cdk-lib (and the newest constructs 10.x, which npm picks for it).
# Each app is TypeScript (strict, type-checked with tsc against our .d.ts), installed with a plain
# `npm install` (a peer range that does not fit fails here with ERESOLVE), and checks that the
# synthesized function has the Node.js and collector layers and the exec wrapper.
#
#   bash scripts/check-install.sh             # packs lib/ and .jsii of this checkout (after `npx projen build`)
#   bash scripts/check-install.sh dist/js/cdk-clickstack-lambda-*.tgz   # an already packed tarball
#
# One line per case: "install check: PASS|FAIL <case> ..."; the last line says OK or FAILED, and
# the exit code is 1 when either case fails. Needs the npm registry (or a warm npm cache).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pkg_field() { node -p "require('$root/package.json').$1"; }
# The minimum of a caret peer range; anything else is refused rather than guessed.
peer_min() {
  local range
  range=$(pkg_field "peerDependencies['$1']")
  [[ $range =~ ^\^([0-9]+\.[0-9]+\.[0-9]+)$ ]] || { echo "install check: FAILED (peer range of $1 is '$range', not ^X.Y.Z)" >&2; exit 1; }
  echo "${BASH_REMATCH[1]}"
}
min_cdk=$(peer_min aws-cdk-lib) || exit 1
min_constructs=$(peer_min constructs) || exit 1
types_node=$(pkg_field "devDependencies['@types/node']")
# The TypeScript of this checkout when it is installed, else the newest.
ts_version=$(node -p "try { require('$root/node_modules/typescript/package.json').version } catch { 'latest' }")

work=$(mktemp -d "${TMPDIR:-/tmp}/clickstack-install-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ $# -ge 1 ]]; then
  tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  [[ -f $tarball ]] || { echo "install check: FAILED (no tarball at $1)"; exit 1; }
else
  if [[ ! -f $root/.jsii || ! -f $root/lib/index.js ]]; then
    echo "install check: FAILED (no lib/ or .jsii in $root: run \`npx projen build\` first)"
    exit 1
  fi
  (cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null) || {
    echo "install check: FAILED (npm pack failed in $root)"; exit 1; }
  tarball=$(ls "$work"/*.tgz)
fi
echo "tarball: $(basename "$tarball") ($(wc -c <"$tarball") bytes); node $(node --version), npm $(npm --version), typescript $ts_version"

write_app() {
  local dir=$1
  mkdir -p "$dir"
  cat >"$dir/package.json" <<'JSON'
{ "name": "clickstack-install-check", "version": "0.0.0", "private": true, "license": "UNLICENSED" }
JSON
  cat >"$dir/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["es2022"], "module": "node16", "moduleResolution": "node16",
    "strict": true, "skipLibCheck": true, "outDir": "out", "rootDir": ".", "types": ["node"]
  },
  "files": ["app.ts"]
}
JSON
  cat >"$dir/app.ts" <<'TS'
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClickStackInstrumentation } from 'cdk-clickstack-lambda';

const app = new App();
const stack = new Stack(app, 'InstallCheck', { env: { account: '123456789012', region: 'eu-west-1' } });
const handler = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
});
new ClickStackInstrumentation(stack, 'ClickStack', {
  endpoint: 'https://clickstack.example.com:4318',
  functions: [handler],
});

const template = app.synth().getStackByName('InstallCheck').template;
const functions = Object.values(template.Resources as Record<string, any>).filter(r => r.Type === 'AWS::Lambda::Function');
const layers: unknown[] = functions[0]?.Properties?.Layers ?? [];
const names = layers.filter((l): l is string => typeof l === 'string').map(arn => arn.split(':layer:')[1]);
const wrapper = functions[0]?.Properties?.Environment?.Variables?.AWS_LAMBDA_EXEC_WRAPPER;
const problems = [
  functions.length === 1 ? '' : `${functions.length} functions in the template, expected 1`,
  names.some(n => n.startsWith('opentelemetry-nodejs-')) ? '' : 'no opentelemetry-nodejs layer',
  names.some(n => n.startsWith('opentelemetry-collector-amd64-')) ? '' : 'no opentelemetry-collector-amd64 layer',
  wrapper === '/opt/otel-handler' ? '' : `AWS_LAMBDA_EXEC_WRAPPER is ${wrapper}`,
].filter(Boolean);
const others = layers.length - names.length;
console.log(`${problems.length ? 'BAD' : 'GOOD'} layers ${names.join(', ')}${others ? ` (+${others} config layer)` : ''}` +
  `${problems.length ? `; ${problems.join('; ')}` : ''}`);
process.exitCode = problems.length ? 1 : 0;
TS
}

# run_case NAME AWS_CDK_LIB_SPEC CONSTRUCTS_SPEC
run_case() {
  local name=$1 cdk=$2 constructs=$3 dir="$work/$1" log="$work/$1.log"
  write_app "$dir"
  if ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
      "$tarball" "aws-cdk-lib@$cdk" "constructs@$constructs" "typescript@$ts_version" "@types/node@$types_node") >"$log" 2>&1; then
    echo "install check: FAIL  $name (aws-cdk-lib@$cdk, constructs@$constructs): npm install failed"
    tail -n 25 "$log" | sed 's/^/    /'
    return 1
  fi
  local versions
  versions=$(cd "$dir" && node -p "'aws-cdk-lib ' + require('aws-cdk-lib/package.json').version + ', constructs ' + require('constructs/package.json').version + ', cdk-clickstack-lambda ' + require('cdk-clickstack-lambda/package.json').version")
  if ! (cd "$dir" && node node_modules/typescript/bin/tsc -p tsconfig.json) >"$log" 2>&1; then
    echo "install check: FAIL  $name ($versions): the app does not type-check against the installed package"
    tail -n 25 "$log" | sed 's/^/    /'
    return 1
  fi
  local result
  if ! result=$(cd "$dir" && node out/app.js 2>"$log"); then
    echo "install check: FAIL  $name ($versions): ${result#BAD }"
    tail -n 25 "$log" | sed 's/^/    /'
    return 1
  fi
  echo "install check: PASS  $name ($versions): ${result#GOOD }"
}

failed=0
run_case oldest "$min_cdk" "$min_constructs" || failed=$((failed + 1))
run_case newest latest '^10' || failed=$((failed + 1))
if [[ $failed -eq 0 ]]; then
  echo "install check: OK (2 of 2 cases)"
else
  echo "install check: FAILED ($failed of 2 cases)"
  exit 1
fi
