#!/usr/bin/env bash
# Builds the Python wheel, the Java jar (a Maven repository) and the Go module of this library with
# jsii-pacmak, installs each the way a user does into the small app of its language
# (test/bindings/<language>/), synthesizes it, and compares each cloud assembly with the
# TypeScript app's (test/bindings/compare.ts: asset hashes normalised, nothing else).
#
#   bash test/bindings/run.sh            # local: reuses ~/.m2/repository, the pip cache and the Go caches
#   bash test/bindings/run.sh --cold     # every cache fresh (a temporary folder, removed after): what CI on a new machine does
#   bash test/bindings/run.sh --no-build # reuse dist/python, dist/java, dist/go from an earlier run
#
# Needs `npx projen build` first (.jsii, lib/, the rosetta tablet), node on PATH, python3 (venv,
# pip), mvn with a JDK 17, go, and the registries (PyPI, Maven Central, the Go module proxy).
# The three languages run in parallel. One line per check, "PASS|FAIL <language>: <check>";
# the last line is "N passed, N failed"; the exit code is 1 when any check failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/test/bindings
stack=BindingsApp
cold=0
build=1
for arg in "$@"; do
  case $arg in
    --cold) cold=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: run.sh [--cold] [--no-build]" >&2; exit 2 ;;
  esac
done

work=$root/.cache/bindings           # outputs, logs, the virtual environment (ignored by git)
rm -rf "$work" && mkdir -p "$work/out" "$work/logs" "$work/results"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1

if [[ $cold -eq 1 ]]; then
  caches=$(mktemp -d "${TMPDIR:-/tmp}/clickstack-bindings-cold.XXXXXX")
  trap 'chmod -R u+w "$caches" 2>/dev/null; rm -rf "$caches"' EXIT
  m2=$caches/m2
  export PIP_CACHE_DIR=$caches/pip GOMODCACHE=$caches/gomod GOCACHE=$caches/gocache GOPATH=$caches/gopath
else
  m2=${BINDINGS_M2_REPOSITORY:-$HOME/.m2/repository}
fi
mkdir -p "$m2"

version=$(node -p "require('$root/package.json').version")
if [[ ! -f $root/.jsii || ! -f $root/lib/index.js || ! -f $root/.jsii.tabl.json ]]; then
  echo "FAIL setup: no .jsii, lib/ or .jsii.tabl.json in $root: run \`npx projen build\` first"
  echo "0 passed, 1 failed"
  exit 1
fi

# check LANGUAGE NAME COMMAND...: runs COMMAND (its output to a log), records PASS or FAIL with
# the time taken and the command's own "versions: ..." or "same ..." line, if it printed one.
check() {
  local lang=$1 name=$2; shift 2
  local log=$work/logs/$lang-${name//[^A-Za-z0-9]/-}.log
  local start=$SECONDS
  if "$@" >"$log" 2>&1; then
    local info; info=$(grep -E '^(versions: |same |package: |[0-9]+ difference)' "$log" | head -n 1)
    echo "PASS $lang: $name ($((SECONDS - start)) s)${info:+: $info}" >>"$work/results/$lang"
    return 0
  fi
  {
    echo "FAIL $lang: $name ($((SECONDS - start)) s)"
    grep -v '^!!' "$log" | tail -n 25 | sed 's/^/    /'
  } >>"$work/results/$lang"
  return 1
}
not() { ! "$@"; }

pacmak() {
  local target=$1; shift
  rm -rf "$root/dist/$target"
  (cd "$root" && npx jsii-pacmak --force --no-npmignore --rosetta-unknown-snippets=fail --target "$target" "$@")
}

# The jsii tarball inside a package must carry the bundled `yaml` (the kernel loads it from there).
tarball_has_yaml() {
  echo "package: $2 ($(wc -c <"$3") bytes)"
  tar -tzf "$1" | grep -x 'package/node_modules/yaml/package.json'
}
zipped_tarball_has_yaml() {
  local archive=$1 entry=$2 tmp
  tmp=$(mktemp) && unzip -p "$archive" "$entry" >"$tmp" && tarball_has_yaml "$tmp" "$(basename "$archive")" "$archive"
  local rc=$?; rm -f "$tmp"; return $rc
}

# compare LANGUAGE [STACK]: the stack (BindingsApp by default) against the TypeScript app's.
compare() { (cd "$root" && npx ts-node --transpile-only --project test/tsconfig.json test/bindings/compare.ts "$work/out/typescript" "$work/out/$1" "${2:-$stack}"); }

synth_ok() { [[ -f $work/out/$1/$stack.template.json ]]; }

# --- TypeScript: the reference ----------------------------------------------------------------
run_typescript() {
  check typescript "reference app synthesized" env CDK_OUTDIR="$work/out/typescript" \
    npx ts-node --transpile-only --project "$root/test/tsconfig.json" "$here/typescript/app.ts"
}

# --- Python: wheel, fresh venv, aws-cdk-lib from PyPI ------------------------------------------
run_python() {
  local venv=$work/python-venv wheel
  if [[ $build -eq 1 ]]; then check python "wheel built (jsii-pacmak --target python)" pacmak python || return; fi
  wheel=$(ls "$root"/dist/python/*.whl 2>/dev/null | head -n 1)
  check python "bundled yaml in the wheel's jsii tarball" \
    zipped_tarball_has_yaml "$wheel" "cdk_clickstack_lambda/_jsii/cdk-clickstack-lambda@$version.jsii.tgz"
  check python "wheel installed into a fresh venv with aws-cdk-lib from PyPI" bash -c "
    python3 -m venv '$venv' &&
    '$venv/bin/pip' install --disable-pip-version-check --no-input -r '$here/python/requirements.txt' '$wheel'" || return
  check python "app synthesized" bash -c "cd '$here/python' && CDK_OUTDIR='$work/out/python' '$venv/bin/python' app.py" || return
  check python "same cloud assembly as TypeScript" compare python
  check python "the README's Python block (stack Readme) synthesizes the same as the TypeScript one" compare python Readme
  # The jsii runtime runs the library in node: without node on PATH the app fails, naming it.
  check python "fails without node on PATH (the jsii runtime needs it)" bash -c "
    cd '$here/python' && ! env -i HOME='$HOME' PATH='$venv/bin' CDK_OUTDIR='$work/out/python-no-node' '$venv/bin/python' app.py >'$work/logs/python-no-node.out' 2>&1 &&
    grep \"No such file or directory: 'node'\" '$work/logs/python-no-node.out'"
}

# --- Java: jar in a Maven repository, aws-cdk-lib from Maven Central -------------------------
run_java() {
  local jar=$root/dist/java/io/github/clickstack/cdk-clickstack-lambda/$version/cdk-clickstack-lambda-$version.jar
  if [[ $build -eq 1 ]]; then
    check java "jar built and deployed to the file repository dist/java (jsii-pacmak --target java)" \
      pacmak java --maven-local-repository "$m2" || return
  fi
  check java "bundled yaml in the jar's jsii tarball" \
    zipped_tarball_has_yaml "$jar" "io/github/clickstack/cdkclickstacklambda/cdk-clickstack-lambda@$version.jsii.tgz"
  # Maven keeps a release it resolved once: drop our own artifact so that dist/java's is taken.
  rm -rf "$m2/io/github/clickstack/cdk-clickstack-lambda"
  local mvn=(mvn -B -q "-Dmaven.repo.local=$m2" "-Dclickstack.version=$version" "-Dclickstack.repo=$root/dist/java")
  check java "app compiled against the jar from dist/java and aws-cdk-lib from Maven Central" \
    bash -c "cd '$here/java' && ${mvn[*]} compile" || return
  check java "app synthesized (mvn exec:java)" bash -c "cd '$here/java' && CDK_OUTDIR='$work/out/java' ${mvn[*]} exec:java" || return
  check java "same cloud assembly as TypeScript" compare java
  check java "the README's Java block (stack Readme) synthesizes the same as the TypeScript one" compare java Readme
}

# --- Go: generated module through a replace, aws-cdk-go from the Go module proxy -------------
run_go() {
  if [[ $build -eq 1 ]]; then check go "module generated and compiled (jsii-pacmak --target go)" pacmak go || return; fi
  local tgz=$root/dist/go/cdkclickstacklambda/jsii/cdk-clickstack-lambda-$version.tgz
  check go "bundled yaml in the module's jsii tarball" tarball_has_yaml "$tgz" "dist/go/cdkclickstacklambda" "$tgz"
  # go.mod and go.sum are committed: the build must not need to change them (-mod=readonly).
  check go "app built with the module through replace and aws-cdk-go from the proxy" \
    bash -c "cd '$here/go' && go build -mod=readonly -o '$work/go-app' ." || return
  check go "app synthesized" bash -c "cd '$here/go' && CDK_OUTDIR='$work/out/go' '$work/go-app'" || return
  check go "same cloud assembly as TypeScript" compare go
  check go "the README's Go block (stack Readme) synthesizes the same as the TypeScript one" compare go Readme
}

# --- the comparator's negative controls -------------------------------------------------------
run_controls() {
  local ref=$work/out/typescript neg=$work/out/control
  synth_ok typescript || return
  rm -rf "$neg" && cp -r "$ref" "$neg"
  node -e '
    const fs = require("fs"); const f = process.argv[1]; const t = JSON.parse(fs.readFileSync(f, "utf8"));
    const fn = Object.values(t.Resources).find(r => r.Type === "AWS::Lambda::Function");
    fn.Properties.Environment.Variables.OTEL_SERVICE_NAME = "Api";
    fs.writeFileSync(f, JSON.stringify(t));' "$neg/$stack.template.json"
  check control "comparator fails on a template with one changed value" not compare control
  rm -rf "$neg" && cp -r "$ref" "$neg"
  local yaml; yaml=$(ls "$neg"/asset.*/collector.yaml | head -n 1)
  printf ' ' >>"$yaml"
  check control "comparator fails on a collector.yaml one byte longer" not compare control
}

started=$SECONDS
run_typescript &
ts_pid=$!
pids=()
for lang in python java go; do
  ( "run_$lang"; echo "$((SECONDS - started))" >"$work/results/$lang.seconds" ) &
  pids+=($!)
done
wait "$ts_pid"
run_controls
for pid in "${pids[@]}"; do wait "$pid"; done

passed=0 failed=0
for lang in typescript python java go control; do
  [[ -f $work/results/$lang ]] || continue
  cat "$work/results/$lang"
  passed=$((passed + $(grep -c '^PASS' "$work/results/$lang")))
  failed=$((failed + $(grep -c '^FAIL' "$work/results/$lang")))
done
# Each language runs a fixed number of checks; fewer means one stopped early (counted as a failure).
expected=$((1 + 6 + 5 + 5 + 2 + (build == 1 ? 3 : 0)))
if [[ $((passed + failed)) -lt $expected ]]; then
  echo "FAIL bindings: $((expected - passed - failed)) check(s) did not run (a step before them failed)"
  failed=$((failed + expected - passed - failed))
fi
timing="total $((SECONDS - started)) s"
for lang in python java go; do [[ -f $work/results/$lang.seconds ]] && timing+=", $lang $(cat "$work/results/$lang.seconds") s"; done
echo "bindings: $timing$([[ $cold -eq 1 ]] && echo ' (cold caches)'); logs in ${work#"$root/"}/logs"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
