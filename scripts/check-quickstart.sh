#!/usr/bin/env bash
# The README's quick start, pasted as a user would: a new project from the CDK CLI's own template
# (`cdk init app --language typescript`, the template ships inside the aws-cdk npm package, so no
# GitHub download), with its own dependencies as the template declares them plus the packed
# tarball of this library, then
#   1. the quick start (the README's `nofixture` block) as lib/api-stack.ts, the one-line aspect
#      (its `fixture=stack` block) in a stack's constructor as lib/all-stack.ts (with a function
#      for it to find), both stacks added to bin/app.ts, and the project's own build (`tsc`, the
#      template's `npm run build`);
#   2. the app synthesized (`tsx bin/app.ts`, what the template's cdk.json runs): the quick
#      start's function and the aspect's have the language and collector layers and the wrapper;
#   3. control: the quick start without its `cdk-clickstack-lambda` import must not compile.
#
#   bash scripts/check-quickstart.sh            # packs lib/ and .jsii of this checkout (after a build)
#   bash scripts/check-quickstart.sh dist/js/cdk-clickstack-lambda-*.tgz
#
# One line per check and "N passed, N failed"; exit 1 when one fails. Needs the npm registry.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/clickstack-quickstart.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
pass() { echo "quickstart: PASS $*"; passed=$((passed + 1)); }
fail() { echo "quickstart: FAIL $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]]; exit $?; }

if [[ $# -ge 1 ]]; then
  tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
  [[ -f $root/.jsii && -f $root/lib/index.js ]] || { fail "no lib/ or .jsii: run \`npx projen build\` first"; finish; }
  (cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" >/dev/null) || { fail "npm pack"; finish; }
  tarball=$(ls "$work"/*.tgz)
fi

# The README's blocks: the quick start (```ts nofixture) and the one-line aspect (```ts fixture=stack).
block() { awk -v fence="$1" '$0 == fence { on = 1; next } on && $0 == "```" { exit } on { print }' "$root/README.md"; }
quickstart=$(block '```ts nofixture')
aspect=$(block '```ts fixture=stack')
if [[ -n $quickstart && -n $aspect ]] && grep -q 'export class ApiStack' <<<"$quickstart"; then
  pass "README: the quick start (export class ApiStack, $(wc -l <<<"$quickstart") lines) and the one-line aspect found"
else
  fail "README: no \`\`\`ts nofixture block exporting ApiStack, or no \`\`\`ts fixture=stack block"; finish
fi

app=$work/app
mkdir -p "$app"
if ! (cd "$app" && npx -y aws-cdk@2 init app --language typescript --generate-only) >"$work/init.log" 2>&1; then
  fail "cdk init app --language typescript"; tail -n 20 "$work/init.log"; finish
fi
cli=$(grep -m1 -oE '"aws-cdk": "[^"]+"' "$app/package.json")
printf '%s\n' "$quickstart" >"$app/lib/api-stack.ts"
# The one-line aspect where the README puts it: in a stack's constructor (rosetta/stack.ts-fixture),
# its imports first, after a Python function for it to instrument.
{
  grep -E '^import ' <<<"$aspect"
  echo "import { Stack, StackProps } from 'aws-cdk-lib';"
  echo "import * as lambda from 'aws-cdk-lib/aws-lambda';"
  echo "import { Construct } from 'constructs';"
  echo "export class AllStack extends Stack {"
  echo "  constructor(scope: Construct, id: string, props?: StackProps) {"
  echo "    super(scope, id, props);"
  echo "    new lambda.Function(this, 'Worker', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code: lambda.Code.fromInline('def handler(event, context):\\n    return 1\\n') });"
  grep -vE '^import ' <<<"$aspect" | sed 's/^/    /'
  echo "  }"
  echo "}"
} >"$app/lib/all-stack.ts"
{
  echo; echo "import { ApiStack } from '../lib/api-stack';"; echo "new ApiStack(app, 'ApiStack');"
  echo "import { AllStack } from '../lib/all-stack';"; echo "new AllStack(app, 'AllStack');"
} >>"$app/bin/app.ts"
if ! (cd "$app" && npm install --no-audit --no-fund --loglevel=error "$tarball") >"$work/install.log" 2>&1; then
  fail "npm install of the template's dependencies and the tarball"; tail -n 20 "$work/install.log"; finish
fi
versions=$(cd "$app" && node -p "'aws-cdk-lib ' + require('aws-cdk-lib/package.json').version + ', typescript ' + require('typescript/package.json').version + ', ' + process.argv[1]" "$cli")
if (cd "$app" && npm run --silent build) >"$work/tsc.log" 2>&1; then
  pass "compiles in a new cdk init app ($versions)"
else
  fail "does not compile in a new cdk init app ($versions)"; sed 's/^/    /' "$work/tsc.log" | head -n 30
fi

if (cd "$app" && CDK_OUTDIR=cdk.out npx tsx bin/app.ts) >"$work/synth.log" 2>&1 && [[ -f $app/cdk.out/ApiStack.template.json && -f $app/cdk.out/AllStack.template.json ]]; then
  result=$(node -e '
    const t = require(process.argv[1]);
    const fns = Object.entries(t.Resources).filter(([id, r]) => r.Type === "AWS::Lambda::Function" && id.startsWith("Handler"));
    const p = fns.length === 1 ? fns[0][1].Properties : {};
    const layers = (p.Layers || []).length, wrapper = p.Environment && p.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER;
    console.log(fns.length === 1 && layers >= 2 && wrapper === "/opt/otel-handler" ? `GOOD ${layers} layers, AWS_LAMBDA_EXEC_WRAPPER=${wrapper}` : `BAD ${fns.length} Handler functions, ${layers} layers, wrapper ${wrapper}`);
  ' "$app/cdk.out/ApiStack.template.json")
  if [[ $result == GOOD* ]]; then pass "synthesizes: the quick start's function has ${result#GOOD }"; else fail "synthesized, but ${result#BAD }"; fi
  secret=$(node -e '
    const t = require(process.argv[1]);
    const fn = Object.entries(t.Resources).find(([id, r]) => r.Type === "AWS::Lambda::Function" && id.startsWith("Worker"));
    const p = fn ? fn[1].Properties : {};
    const vars = (p.Environment || {}).Variables || {};
    const policy = JSON.stringify(Object.values(t.Resources).filter(r => r.Type === "AWS::IAM::Policy"));
    console.log((p.Layers || []).length >= 2 && vars.AWS_LAMBDA_EXEC_WRAPPER === "/opt/otel-handler" && policy.includes("secretsmanager:GetSecretValue") && policy.includes("clickstack/ingestion-key-??????") ? "GOOD" : `BAD ${JSON.stringify(vars)}`);
  ' "$app/cdk.out/AllStack.template.json")
  if [[ $secret == GOOD ]]; then pass "synthesizes: the one-line aspect instrumented its stack's function, with read access to the key"; else fail "the one-line aspect: ${secret#BAD }"; fi
else
  fail "tsx bin/app.ts did not synthesize ApiStack"; sed 's/^/    /' "$work/synth.log" | head -n 30
fi

# Control: the quick start as the old README had it, without its import of the library.
grep -v "from 'cdk-clickstack-lambda'" <<<"$quickstart" >"$app/lib/api-stack.ts"
if (cd "$app" && npm run --silent build) >"$work/control.log" 2>&1; then
  fail "control: the quick start without its cdk-clickstack-lambda import compiled"
else
  pass "control: without its cdk-clickstack-lambda import it does not compile ($(grep -c 'error' "$work/control.log") errors)"
fi
finish
