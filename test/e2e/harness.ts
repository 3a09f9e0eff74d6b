/** Paths and small helpers shared by the e2e tests. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { FunctionLayout } from './lambda/layout';

export const REPO = path.resolve(__dirname, '..', '..');
/** Every cache of the e2e run (Go module and build caches, the binary): one ignored folder. */
export const CACHE = process.env.E2E_CACHE ?? path.join(REPO, '.cache', 'e2e');
/** The collector under test: `run.ts` sets E2E_COLLECTOR_BIN (default: the stand-in build). */
export const COLLECTOR_BIN = process.env.E2E_COLLECTOR_BIN ?? path.join(CACHE, 'bin', 'collector');
/** What the corpus loads configurations with (`e2e-load`): the stand-in itself, or upstream's validate tool. */
export const VALIDATE_BIN = process.env.E2E_VALIDATE_BIN ?? COLLECTOR_BIN;

function existing(file: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`no collector at ${file}: run \`npx projen e2e\` (it builds the collector first; test/e2e/README.md)`);
  }
  return file;
}

export function collectorBinary(): string {
  return existing(COLLECTOR_BIN);
}

export function validatorBinary(): string {
  return existing(VALIDATE_BIN);
}

/** True when the collector under test is the stand-in build (the default). */
export function isStandIn(): boolean {
  return path.resolve(COLLECTOR_BIN) === path.resolve(CACHE, 'bin', 'collector');
}

/** Secrets the test secretsmanager provider answers with (never AWS). */
export function testSecretsEnv(secrets: Record<string, string>, fallback?: string): Record<string, string> {
  return { E2E_SECRETS: JSON.stringify(secrets), ...(fallback !== undefined ? { E2E_SECRETS_DEFAULT: fallback } : {}) };
}

/** A file of the function as Lambda would see it: /var/task/X in the code, /opt/X in the layers (last layer wins). */
export function fileInLayout(layout: FunctionLayout, p: string): string | undefined {
  if (p.startsWith('/var/task/') && layout.codeDir) return path.join(layout.codeDir, p.slice('/var/task/'.length));
  if (p.startsWith('/opt/')) {
    const rel = p.slice('/opt/'.length);
    for (const layer of [...layout.layers].reverse()) {
      if ('dir' in layer && fs.existsSync(path.join(layer.dir, rel))) return path.join(layer.dir, rel);
    }
  }
  return undefined;
}

export interface ValidateResult { readonly ok: boolean; readonly output: string }

/** `collector validate --config=<uri>` with the given environment; bounded by `timeoutMs`. */
export function validateConfig(uri: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ValidateResult> {
  return new Promise(resolve => {
    execFile(validatorBinary(), ['validate', `--config=${uri}`], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 4 * 1024 * 1024,
    }, (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}`.trim() }));
  });
}

export interface PrintConfigResult extends ValidateResult { readonly config?: any }

/**
 * `collector print-config --mode=unredacted --format=json --config=<uri>`: loads and validates
 * the configuration like `validate` (otelcol's print-config validates first) and prints it
 * resolved, with every `${env:…}` and `${secretsmanager:…}` replaced.
 */
export function printConfig(uri: string, env: Record<string, string>, timeoutMs = 60_000): Promise<PrintConfigResult> {
  return resolvedConfig(['print-config', '--mode=unredacted', '--format=json', `--config=${uri}`], env, timeoutMs);
}

/**
 * `e2e-load --config=<uri>` (test/e2e/collector/load.go): validates like `validate` (every component
 * config, then service.Validate: the pipeline graph built, every component created) and prints the
 * configuration resolved, as `print-config --mode=unredacted --format=json` does, in one process.
 */
export function loadConfig(uri: string, env: Record<string, string>, timeoutMs = 60_000): Promise<PrintConfigResult> {
  return resolvedConfig(['e2e-load', `--config=${uri}`], env, timeoutMs);
}

/** Run the validator with `args`; its stdout is the resolved configuration as JSON. */
function resolvedConfig(args: string[], env: Record<string, string>, timeoutMs: number): Promise<PrintConfigResult> {
  return new Promise(resolve => {
    execFile(validatorBinary(), args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 4 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      let config: any;
      try { config = err ? undefined : JSON.parse(stdout); } catch { config = undefined; }
      resolve({ ok: !err && config !== undefined, output: `${err ? stdout : ''}${stderr}`.trim(), config });
    });
  });
}

/** Fail fast with a clear message when a fixed port the collector config binds is busy. */
export async function assertPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', (e: NodeJS.ErrnoException) => reject(new Error(
        `port ${port} on localhost is busy (${e.code}): the collector configuration binds localhost:4317 and localhost:4318 as in Lambda; stop whatever listens there (another e2e run?) and run again`)));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  }
}
