/**
 * The layer's real collector, built from an open-telemetry/opentelemetry-lambda source tree the
 * person running the tests provides (E2E_UPSTREAM_SRC): `collector/` is copied to a temporary
 * folder, only the changes forced by modules the Go module proxy does not serve are applied (each
 * printed with its reason), and two binaries are built there: `collector` (upstream's own main
 * package, the extension) and `collector-validate` (ours, collector/_upstream/validate: otelcol's
 * `validate` and our `e2e-load` over upstream's component factories, for the corpus). Nothing of
 * the source tree is copied into this repository; the binaries go to the e2e cache.
 *
 * The catalog's pin: the newest collector release of scripts/layer-releases.json (its `tag`, and
 * `collectorVersion`, the otelcol version its collector/go.mod requires).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCollectorVersion } from '../../scripts/layer-watch';

const REPO = path.resolve(__dirname, '..', '..');

export interface CollectorPin {
  readonly version: string;
  /** Upstream tag, `layer-collector/X.Y.Z`. */
  readonly tag: string;
  /** go.opentelemetry.io/collector/otelcol version in collector/go.mod at the tag. */
  readonly collectorVersion: string;
}

/** The newest collector release the catalog lists (scripts/layer-releases.json). */
export function catalogCollectorPin(): CollectorPin {
  const data = JSON.parse(fs.readFileSync(path.join(REPO, 'scripts', 'layer-releases.json'), 'utf8'));
  const num = (v: string) => v.split('.').map(Number);
  const newer = (a: string, b: string) => {
    const [x, y] = [num(a), num(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
    return false;
  };
  let pin: CollectorPin | undefined;
  for (const r of data.releases) {
    if (r.layer === 'collector' && (!pin || newer(r.version, pin.version))) pin = { version: r.version, tag: r.tag, collectorVersion: r.collectorVersion };
  }
  if (!pin) throw new Error('scripts/layer-releases.json lists no collector release');
  return pin;
}

function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Is `src` at the catalog's pin? A git checkout: HEAD against the tag's commit (resolved in that
 * checkout). Any tree: the otelcol version collector/go.mod requires against the catalog's
 * `collectorVersion` (a `git archive` has no commit to compare). Returns what to print, and
 * whether the tree matches.
 */
export function checkSourceTree(src: string, pin: CollectorPin): { readonly ok: boolean; readonly lines: string[] } {
  const goMod = path.join(src, 'collector', 'go.mod');
  if (!fs.existsSync(goMod)) throw new Error(`E2E_UPSTREAM_SRC=${src}: no collector/go.mod there (an open-telemetry/opentelemetry-lambda source tree is expected)`);
  const lines: string[] = [];
  let ok = true;
  const otelcol = parseCollectorVersion(fs.readFileSync(goMod, 'utf8'), src);
  if (otelcol === pin.collectorVersion) {
    lines.push(`collector/go.mod requires otelcol v${otelcol}, as the catalog's ${pin.tag} does`);
  } else {
    ok = false;
    lines.push(`NOT THE CATALOG'S COLLECTOR: collector/go.mod requires otelcol v${otelcol}; the catalog's ${pin.tag} requires v${pin.collectorVersion} (scripts/layer-releases.json)`);
  }
  const head = git(src, 'rev-parse', 'HEAD');
  if (head && fs.existsSync(path.join(src, '.git'))) {
    const tagged = git(src, 'rev-parse', '--verify', '-q', `${pin.tag}^{commit}`);
    if (!tagged) {
      lines.push(`git checkout at ${head}; the tag ${pin.tag} is not in it, so the commit cannot be compared`);
    } else if (tagged === head) {
      lines.push(`git checkout at ${head} = ${pin.tag}, the catalog's collector commit`);
    } else {
      ok = false;
      lines.push(`NOT THE CATALOG'S COLLECTOR COMMIT: HEAD is ${head}, ${pin.tag} is ${tagged}`);
    }
  } else {
    lines.push('not a git checkout (a `git archive`?): the commit itself cannot be checked, only collector/go.mod');
  }
  return { ok, lines };
}

interface ForcedChange {
  readonly what: string;
  readonly reason: string;
  readonly apply: (dir: string) => void;
}

/** Replace `from` by `to` in `file` (under `dir`), failing when `from` is not there. */
function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const p = path.join(dir, file);
  const text = fs.readFileSync(p, 'utf8');
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`forced change no longer applies: ${file} has no ${String(from)} (upstream changed: update test/e2e/upstream.ts)`);
  fs.writeFileSync(p, text.replace(from, to));
}

const S3 = 'github.com/open-telemetry/opentelemetry-collector-contrib/confmap/provider/s3provider';
const SECRETS = 'github.com/open-telemetry/opentelemetry-collector-contrib/confmap/provider/secretsmanagerprovider';
const SIGV4 = 'github.com/open-telemetry/opentelemetry-collector-contrib/extension/sigv4authextension';
const requireLine = (module: string) => new RegExp(`^\\s*${module.replace(/[.]/g, '\\.')} v\\S+( // indirect)?\\n`, 'm');

/**
 * The only changes made to upstream's collector/: modules the Go module proxy does not serve at
 * the versions 0.23.0 pins (each answered 404/410 there), and a secrets provider that must not
 * call AWS. `go mod tidy` is not run (it would pull newer contrib modules for other build tags).
 */
export const FORCED_CHANGES: readonly ForcedChange[] = [
  {
    what: 'drop the `s3` config provider (internal/collector/collector.go, go.mod)',
    reason: `${S3} v0.157.0 is not served by the Go module proxy; the library never emits an s3: config URI`,
    apply: dir => {
      edit(dir, 'internal/collector/collector.go', `\t"${S3}"\n`, '');
      edit(dir, 'internal/collector/collector.go', 's3provider.NewFactory(), ', '');
      edit(dir, 'go.mod', requireLine(S3), '');
    },
  },
  {
    what: 'drop the `sigv4auth` extension (lambdacomponents/extension/sigv4auth.go, lambdacomponents/default.go, both go.mod)',
    reason: `${SIGV4} v0.157.0 is not served by the Go module proxy; the library never emits it`,
    apply: dir => {
      const file = path.join(dir, 'lambdacomponents', 'extension', 'sigv4auth.go');
      if (!fs.existsSync(file)) throw new Error('forced change no longer applies: lambdacomponents/extension/sigv4auth.go is gone (update test/e2e/upstream.ts)');
      fs.rmSync(file);
      edit(dir, 'lambdacomponents/default.go', `\t"${SIGV4}"\n`, '');
      edit(dir, 'lambdacomponents/default.go', /\n\t\tsigv4authextension\.NewFactory\(\),/, '');
      edit(dir, 'go.mod', requireLine(SIGV4), '');
      edit(dir, 'lambdacomponents/go.mod', requireLine(SIGV4), '');
    },
  },
  {
    what: 'replace the `secretsmanager` config provider by the test provider (internal/testsecrets, a copy of test/e2e/collector/testsecrets)',
    reason: `${SECRETS} v0.157.0 is not served by the Go module proxy, and it would call AWS Secrets Manager: the test provider answers \${secretsmanager:ID[#field]} from E2E_SECRETS, with the same URI form`,
    apply: dir => {
      const to = path.join(dir, 'internal', 'testsecrets');
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(path.join(__dirname, 'collector', 'testsecrets', 'provider.go'), path.join(to, 'provider.go'));
      edit(dir, 'internal/collector/collector.go', `\t"${SECRETS}"\n`, '\t"github.com/open-telemetry/opentelemetry-lambda/collector/internal/testsecrets"\n');
      edit(dir, 'internal/collector/collector.go', 'secretsmanagerprovider.NewFactory()', 'testsecrets.NewFactory()');
      edit(dir, 'go.mod', requireLine(SECRETS), '');
    },
  },
];

/** What is added beside upstream's code (ours; upstream's files stay as they are). */
const ADDITIONS = 'add cmd/e2e-validate (ours: test/e2e/collector/_upstream/validate/main.go and test/e2e/collector/load.go): the corpus\'s `validate`/`e2e-load` over upstream\'s components; upstream\'s main parses -v only';

export interface UpstreamBuild { readonly collector: string; readonly validator: string }

/** Copy `src`/collector to a temporary folder, apply the forced changes, build both binaries into `binDir`. */
export function buildUpstream(src: string, binDir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): UpstreamBuild {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-upstream-'));
  try {
    const dir = path.join(work, 'collector');
    fs.cpSync(path.join(src, 'collector'), dir, { recursive: true, dereference: false, filter: p => path.basename(p) !== '.git' });
    log(`e2e: copied ${path.join(src, 'collector')} to ${dir}; changes forced by the registries:`);
    FORCED_CHANGES.forEach((c, i) => {
      c.apply(dir);
      log(`  ${i + 1}. ${c.what}\n     because: ${c.reason}`);
    });
    const tool = path.join(dir, 'cmd', 'e2e-validate');
    fs.mkdirSync(tool, { recursive: true });
    fs.copyFileSync(path.join(__dirname, 'collector', '_upstream', 'validate', 'main.go'), path.join(tool, 'main.go'));
    fs.copyFileSync(path.join(__dirname, 'collector', 'load.go'), path.join(tool, 'load.go'));
    log(`  +  ${ADDITIONS}`);
    fs.mkdirSync(binDir, { recursive: true });
    const out = { collector: path.join(binDir, 'collector'), validator: path.join(binDir, 'collector-validate') };
    for (const [bin, pkg] of [[out.collector, '.'], [out.validator, './cmd/e2e-validate']]) {
      execFileSync('go', ['build', '-trimpath', '-o', bin, pkg], { cwd: dir, env, stdio: 'inherit', timeout: 40 * 60_000 });
    }
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // `ts-node test/e2e/upstream.ts tag`: the catalog's collector tag (the GitHub job checks it out).
  const pin = catalogCollectorPin();
  console.log(process.argv[2] === 'tag' ? pin.tag : JSON.stringify(pin));
}
