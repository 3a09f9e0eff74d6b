/**
 * What a synthesized function looks like from inside Lambda, read from the cloud assembly: its
 * resolved environment, its code directory (`/var/task`) and the local layers that make up `/opt`.
 * The local Lambda and the corpus both use it. Template values are resolved with a small
 * evaluator (Ref, Fn::FindInMap, Fn::Join, Fn::Select, Fn::GetAtt, Fn::ImportValue, AWS::*
 * pseudo parameters); a Ref to a parameter or resource takes its value from `refs`, or a
 * placeholder naming it.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface FunctionLayout {
  readonly logicalId: string;
  readonly runtime?: string;
  readonly handler?: string;
  /** The function's environment variables, resolved. */
  readonly environment: Record<string, string>;
  /** The code asset directory in cdk.out (what Lambda unpacks to /var/task). */
  readonly codeDir?: string;
  /** Layers in order: a local layer asset directory, or a layer ARN (not available locally). */
  readonly layers: Array<{ dir: string } | { arn: string }>;
}

export interface ResolveOptions {
  /** Values for Ref (parameters, resources) and Fn::ImportValue names. */
  readonly refs?: Record<string, string>;
  readonly region?: string;
  readonly accountId?: string;
}

export function resolveValue(template: any, value: any, opts: ResolveOptions = {}): any {
  const r = (v: any): any => resolveValue(template, v, opts);
  if (Array.isArray(value)) return value.map(r);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [k] = keys;
    const arg = value[k];
    switch (k) {
      case 'Ref': {
        const pseudo: Record<string, string> = {
          'AWS::Region': opts.region ?? 'eu-west-1',
          'AWS::AccountId': opts.accountId ?? '123456789012',
          'AWS::Partition': 'aws',
          'AWS::URLSuffix': 'amazonaws.com',
          'AWS::StackName': 'e2e',
        };
        if (opts.refs?.[arg] !== undefined) return opts.refs[arg];
        if (pseudo[arg] !== undefined) return pseudo[arg];
        if (template.Parameters?.[arg]?.Default !== undefined) return String(template.Parameters[arg].Default);
        if (template.Resources?.[arg]?.Type === 'AWS::SecretsManager::Secret') {
          return `arn:aws:secretsmanager:${opts.region ?? 'eu-west-1'}:${opts.accountId ?? '123456789012'}:secret:${arg}-AbCdEf`;
        }
        return `ref-${arg}`;
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = r(arg);
        const found = template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new Error(`Fn::FindInMap: no ${map}.${top}.${second}`);
        return r(found);
      }
      case 'Fn::Join': return r(arg[1]).join(arg[0]);
      case 'Fn::Select': return r(arg[1])[Number(r(arg[0]))];
      case 'Fn::Split': return String(r(arg[1])).split(arg[0]);
      case 'Fn::GetAtt': return `getatt-${Array.isArray(arg) ? arg.join('.') : arg}`;
      case 'Fn::ImportValue': return opts.refs?.[r(arg)] ?? `import-${r(arg)}`;
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return String(text).replace(/\$\{([^}!]+)\}/g, (_m: string, name: string) =>
          vars[name] !== undefined ? r(vars[name]) : r(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }));
      }
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, r(v)]));
}

function assetDir(assemblyDir: string, s3Key: unknown): string | undefined {
  if (typeof s3Key !== 'string') return undefined;
  const dir = path.join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`);
  return fs.existsSync(dir) ? dir : undefined;
}

/** Every AWS::Lambda::Function of a synthesized stack template in `assemblyDir`. */
export function functionLayouts(assemblyDir: string, templateFile: string, opts: ResolveOptions = {}): FunctionLayout[] {
  const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, templateFile), 'utf8'));
  const out: FunctionLayout[] = [];
  for (const [logicalId, res] of Object.entries<any>(template.Resources ?? {})) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const p = res.Properties ?? {};
    const environment = resolveValue(template, p.Environment?.Variables ?? {}, opts);
    const layers = (p.Layers ?? []).map((l: any) => {
      if (l && typeof l === 'object' && 'Ref' in l && template.Resources?.[l.Ref]?.Type === 'AWS::Lambda::LayerVersion') {
        const dir = assetDir(assemblyDir, template.Resources[l.Ref].Properties?.Content?.S3Key);
        if (!dir) throw new Error(`layer ${l.Ref} of ${logicalId}: no local asset directory`);
        return { dir };
      }
      return { arn: String(resolveValue(template, l, opts)) };
    });
    out.push({
      logicalId,
      runtime: p.Runtime,
      handler: p.Handler,
      environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])),
      codeDir: assetDir(assemblyDir, p.Code?.S3Key),
      layers,
    });
  }
  return out;
}

/**
 * Lay out `/var/task` and `/opt` of a function under `root` (symlinks and copies), as Lambda would
 * unpack them: the code asset to `<root>/var/task`, each local layer merged into `<root>/opt` in
 * order, and `extensions` (name -> executable) into `<root>/opt/extensions/`. Returns the
 * function's environment with every value that starts with `/opt/` or `/var/task/` moved under
 * `root`, the one difference from Lambda the caller must know about.
 */
export function layOut(fn: FunctionLayout, root: string, extensions: Record<string, string> = {}): Record<string, string> {
  const task = path.join(root, 'var', 'task');
  const opt = path.join(root, 'opt');
  fs.mkdirSync(task, { recursive: true });
  fs.mkdirSync(path.join(opt, 'extensions'), { recursive: true });
  if (fn.codeDir) fs.cpSync(fn.codeDir, task, { recursive: true, dereference: true });
  for (const layer of fn.layers) {
    if ('dir' in layer) fs.cpSync(layer.dir, opt, { recursive: true, dereference: true });
  }
  for (const [name, exe] of Object.entries(extensions)) {
    fs.symlinkSync(exe, path.join(opt, 'extensions', name));
  }
  return rewritePaths(fn.environment, root);
}

export function rewritePaths(env: Record<string, string>, root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) =>
    [k, /^\/(opt|var\/task)(\/|$)/.test(v) ? path.join(root, v) : v]));
}
