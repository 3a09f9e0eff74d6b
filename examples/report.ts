/**
 * The main job: synthesize the example app into examples/cdk.out and print, per function,
 * what was added (layers, wrapper, where the config lives) and what the library said.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createApp } from './app';

const outdir = path.join(__dirname, 'cdk.out');
const assembly = createApp(outdir).synth();

const show = (v: unknown): string => {
  if (typeof v === 'string') return v.replace(/^arn:aws:lambda:([a-z0-9-]+):184161586896:layer:/, 'otel:$1:');
  const find = (v as any)?.['Fn::FindInMap'];
  if (find) return `per-region map ${find[2]} (resolved at deploy)`;
  if ((v as any)?.Ref) return `{Ref: ${(v as any).Ref}}`;
  return JSON.stringify(v);
};

let instrumented = 0;
// Stacks of the App, then of every nested Stage (CDK Pipelines deploys those).
const stacks = (a: typeof assembly): typeof assembly.stacks => [...a.stacks, ...a.nestedAssemblies.flatMap(n => stacks(n.nestedAssembly))];
for (const stack of stacks(assembly)) {
  console.log(`\n== ${stack.stackName} (${stack.environment.region === 'unknown-region' ? 'environment-agnostic' : stack.environment.region})`);
  const resources = stack.template.Resources as Record<string, any>;
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const p = res.Properties;
    const vars = p.Environment?.Variables ?? {};
    const arch = (p.Architectures ?? ['x86_64'])[0];
    const runtime = p.Runtime ?? 'container image';
    const path_ = res.Metadata?.['aws:cdk:path'] ?? id;
    console.log(`- ${path_.replace(/\/Resource$/, '')}  [${typeof runtime === 'string' ? runtime : 'token'}, ${arch}]`);
    if (!vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI) {
      console.log('    not instrumented');
      continue;
    }
    instrumented++;
    for (const layer of p.Layers ?? []) console.log(`    layer    ${show(layer)}`);
    console.log(`    wrapper  ${vars.AWS_LAMBDA_EXEC_WRAPPER ?? '(none: collector only)'}`);
    console.log(`    config   ${vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI}${vars.OPENTELEMETRY_COLLECTOR_CONFIG_URI.startsWith('/var/task') ? ' (bundled into the code asset)' : ' (config layer)'}`);
    const otel = Object.entries(vars).filter(([k]) => k.startsWith('OTEL_') || k.startsWith('CLICKSTACK_')).map(([k, v]) => `${k}=${show(v)}`);
    console.log(`    env      ${otel.join(' ')}`);
  }
  if (stack.stackName.includes('AllOptions')) {
    // Show each distinct collector.yaml of this stack once.
    const shown = new Set<string>();
    for (const res of Object.values(resources)) {
      const key = res.Type === 'AWS::Lambda::Function' ? res.Properties.Code?.S3Key : res.Type === 'AWS::Lambda::LayerVersion' ? res.Properties.Content?.S3Key : undefined;
      if (typeof key !== 'string') continue;
      const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      for (const file of [path.join(dir, 'collector.yaml'), path.join(dir, 'clickstack', 'collector.yaml')]) {
        if (!fs.existsSync(file)) continue;
        const yaml = fs.readFileSync(file, 'utf8');
        if (shown.has(yaml)) continue;
        shown.add(yaml);
        console.log(`  collector.yaml (${path.relative(dir, file)} in ${path.basename(dir)}):\n${yaml.replace(/^/gm, '    | ')}`);
      }
    }
  }
  const messages = stack.messages.filter(m => m.level !== 'info' || String(m.entry.data).includes('clickstack'));
  for (const m of messages) {
    console.log(`  [${m.level}] ${m.id}: ${String(m.entry.data).split('\n').join('\n      ')}`);
  }
}
console.log(`\n${instrumented} function(s) instrumented; cloud assembly in ${path.relative(process.cwd(), outdir)}`);
