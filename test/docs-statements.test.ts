/**
 * Statements of the user documentation checked against the code they describe: each test
 * failed on the documentation (or the code) it was written for, and passes since the fix.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ts from 'typescript';
import { COLLECTOR_SUPPORT } from '../src/layers/language-support';
import { runtimeSupport } from '../src/runtimes';

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const userDocs = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

/** The property names of exported interfaces in a source file. */
function propsOf(file: string, interfaceName: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  source.forEachChild(node => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === interfaceName) {
      for (const m of node.members) if (ts.isPropertySignature(m)) names.push(m.name.getText(source));
    }
  });
  if (names.length === 0) throw new Error(`no interface ${interfaceName} in ${file}`);
  return names;
}

describe('the user documentation says what the code does', () => {
  test('docs/options.md names every option of the construct and the aspect (the aspect\'s `name` and `verboseSummary` were missing)', () => {
    const options = read('docs/options.md');
    const all = [
      ...propsOf('src/options.ts', 'ClickStackOptions'),
      ...propsOf('src/instrumentation.ts', 'ClickStackInstrumentationProps'),
      ...propsOf('src/aspect.ts', 'ClickStackAspectProps'),
    ];
    expect(all).toEqual(expect.arrayContaining(['endpoint', 'functions', 'name', 'verboseSummary']));
    expect(all.filter(name => !options.includes(`\`${name}\``))).toEqual([]);
  });

  test('docs/variables.md lists exactly the collector releases whose exporter is `otlp_http` (0.22.0 was missing)', () => {
    const m = /The exporter is `otlp_http` for collector layers ([^,]+(?:, [^,]+)*?),\s+`otlphttp`/.exec(read('docs/variables.md').replace(/\n/g, ' '));
    expect(m).not.toBeNull();
    const listed = m![1].split(/, | and /).map(v => v.trim()).sort();
    const actual = Object.entries(COLLECTOR_SUPPORT).filter(([, s]) => s.otlpHttpExporter === 'otlp_http').map(([v]) => v).sort();
    expect(listed).toEqual(actual);
  });

  test('every retired runtime docs/runtime-support.md lists is refused with a message that names its replacement (dotnetcore* got the generic one)', () => {
    const row = read('docs/runtime-support.md').split('\n').find(l => l.includes('`dotnetcore*`'))!;
    expect(row).toMatch(/the message names the replacement/);
    const retired = [lambda.Runtime.GO_1_X, lambda.Runtime.PROVIDED, lambda.Runtime.DOTNET_6,
      lambda.Runtime.DOTNET_CORE_1, lambda.Runtime.DOTNET_CORE_2, lambda.Runtime.DOTNET_CORE_2_1, lambda.Runtime.DOTNET_CORE_3_1];
    for (const runtime of retired) {
      const support = runtimeSupport(runtime, 'x86_64', () => false);
      expect(support.kind).toBe('refused');
      const reason = (support as { reason: string }).reason;
      expect(reason).not.toMatch(/use a current runtime of its language/);
      expect(reason).toMatch(runtime.name.startsWith('dotnet') ? /use dotnet8 or later/ : /use provided\.al2023|build for provided\.al2023/);
    }
  });

  test('docs/performance.md: a ratio that the medians beside it do not support (beyond the stated ±0.05) is marked as noise', () => {
    const text = read('docs/performance.md');
    const offenders: string[] = [];
    let header: string[] | undefined;
    let baseline: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith('|')) { header = undefined; continue; }
      const cells = line.split('|').slice(1, -1).map(c => c.trim());
      if (!header) { header = cells; continue; }
      if (cells[0].startsWith('---')) continue;
      const medianCol = header.findIndex(h => /^median (synth|process) s$/.test(h));
      if (medianCol < 0) continue;
      const median = Number(cells[medianCol]);
      const ratioCell = cells[medianCol + 1];
      if (cells.includes('baseline')) { baseline = median; continue; }
      const quotient = median / baseline!;
      if (Math.abs(quotient - parseFloat(ratioCell)) > 0.05 && !/noisy/.test(ratioCell)) {
        offenders.push(`${line} (medians give ${quotient.toFixed(3)})`);
      }
    }
    expect(offenders).toEqual([]);
    expect(text).toMatch(/median of the ratios/);
  });

  test('the user docs speak of features, not of the project\'s issue numbers; upstream issues are named with their repository', () => {
    const found: string[] = [];
    for (const file of userDocs) {
      read(file).split('\n').forEach((line, i) => {
        const prose = line.replace(/`[^`]*`/g, '');
        if (/\bissues? \d+/i.test(prose) || /(^|[\s(,;])#\d+\b/.test(prose)) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe('which key for which ClickStack', () => {
  // The three deployments and what each expects, with the page that says so.
  const SOURCES = {
    openSource: 'https://clickhouse.com/docs/use-cases/observability/clickstack/ingesting-data/opentelemetry',
    gateway: 'https://clickhouse.com/docs/use-cases/observability/clickstack/setting-up-your-opentelemetry-collector',
    managedEndpoint: 'https://clickhouse.com/docs/clickstack/observability/ingesting-data/opentelemetry',
  };

  test.each(['README.md', 'docs/security.md'])('%s names each deployment, the header form it needs and the source (no longer "Managed ClickStack: none")', file => {
    const text = read(file);
    expect(text).not.toMatch(/Managed ClickStack\*?\*?: none/);
    for (const url of Object.values(SOURCES)) expect(text).toContain(url);
    expect(text).toContain('OTLP_AUTH_TOKEN');
    expect(text).toContain('asBearerToken()');
    expect(text).toMatch(/Managed Telemetry/);
  });
});

describe('cold start: the docs hold what `npx projen bench:coldstart` prints', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const report = require('./e2e/coldstart/report') as typeof import('./e2e/coldstart/report');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;

  test('docs/performance.md has the bench\'s method, limits and table headers (a table pasted from another version of the tool fails)', () => {
    const perf = read('docs/performance.md');
    expect(perf).toContain(report.method(10, 10, 1));
    expect(perf).toContain(report.LIMITS);
    expect(perf.split('\n').filter(l => l === line(report.TABLE_HEADER))).toHaveLength(2); // the stand-in and the real collector
    expect(perf.split('\n').filter(l => l === line(report.COMPARISON_HEADER))).toHaveLength(2);
  });

  test('every cold-start figure borrowed from upstream in docs/options.md and src/options.ts names its source (the Java agent\'s 6384 ms, botocore\'s 350–400 ms, telemetryapi\'s 3.5–4 s were bare)', () => {
    const borrowed = /6,?384|2,?590|350–400|3\.5–4 s|750–1000/;
    const cited = /opentelemetry-lambda(#\d+|\/pull\/\d+|\/issues\/\d+| PR \d+)/;
    // One statement each: a line of docs/options.md (a table row, a sentence), a doc comment of src/options.ts.
    const statements = [
      ...read('docs/options.md').split('\n').map(text => ({ file: 'docs/options.md', text })),
      ...read('src/options.ts').split('/**').map(text => ({ file: 'src/options.ts', text: text.split('*/')[0] })),
    ];
    const bare = statements.filter(st => borrowed.test(st.text) && !cited.test(st.text.replace(/\s*\n\s*\*?\s*/g, ' ')));
    expect(bare.map(st => `${st.file}: ${st.text.trim().slice(0, 200)}`)).toEqual([]);
    // Ours are marked as ours, with the machine and the date.
    const section = read('docs/options.md').split('## Cold start')[1].split('\n## ')[0];
    expect(section).toMatch(/\*\*Source\*\*: ours, \*\*(preliminary|measured)\*\*: \d{4}-\d{2}-\d{2}, \d+ cores/);
    expect(section).toContain('./performance.md#cold-start');
  });
});
