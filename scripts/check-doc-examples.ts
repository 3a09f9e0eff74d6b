/**
 * The TypeScript examples of docs/*.md compile, as the README's do (jsii-rosetta compiles only the
 * README and the doc comments, from the .jsii assembly; docs/ is not in it). Each ```ts or
 * ```typescript block is put into its rosetta fixture the way jsii-rosetta does it (the example's
 * imports and `declare` statements hoisted above the fixture, the rest at `/// here`;
 * `nofixture` compiles the block as it is; `fixture=<name>` picks rosetta/<name>.ts-fixture), and
 * every block is type-checked in one strict TypeScript program against src/ (the import
 * 'cdk-clickstack-lambda' resolves to src/index.ts).
 *
 *   npx projen check:docs        # one PASS/FAIL line per example, then "N passed, N failed"
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export interface DocExample {
  /** `<file>:<line of the opening fence>` */
  readonly where: string;
  readonly code: string;
  /** Fixture name, or undefined for `nofixture`. */
  readonly fixture: string | undefined;
}

/** The ```ts / ```typescript blocks of a Markdown text, with the fixture each names. */
export function extractExamples(file: string, markdown: string): DocExample[] {
  const examples: DocExample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s.*)?$/.exec(lines[i]);
    if (!open) {
      if (lines[i].startsWith('```')) { // another language: skip to its closing fence
        for (i++; i < lines.length && lines[i].trim() !== '```'; i++);
      }
      continue;
    }
    const flags = (open[2] ?? '').trim().split(/\s+/).filter(Boolean);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    const named = flags.find(f => f.startsWith('fixture='));
    examples.push({
      where: `${file}:${start + 1}`,
      code: body.join('\n'),
      fixture: flags.includes('nofixture') ? undefined : named ? named.slice('fixture='.length) : 'default',
    });
  }
  return examples;
}

/** The example inside its fixture, as jsii-rosetta assembles it. */
export function inFixture(example: DocExample, fixtureText: (name: string) => string): string {
  if (example.fixture === undefined) return example.code;
  const hoisted: string[] = [];
  const rest: string[] = [];
  const lines = example.code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^(import|declare)\s/.test(lines[i])) {
      const statement = [lines[i]];
      while (!/;\s*(\/\/.*)?$/.test(statement[statement.length - 1]) && i + 1 < lines.length) statement.push(lines[++i]);
      hoisted.push(...statement);
    } else {
      rest.push(lines[i]);
    }
  }
  const fixture = fixtureText(example.fixture);
  const here = /^[ \t]*\/\/\/ here[ \t]*$/m; // the line that is only `/// here` (the comments may name it)
  if (!here.test(fixture)) throw new Error(`${example.where}: fixture ${example.fixture} has no "/// here" line`);
  return `${hoisted.join('\n')}\n${fixture.replace(here, () => rest.join('\n'))}`;
}

/** Type-checks the sources (name -> text) in one program; returns the errors per name. */
export function compile(root: string, sources: Map<string, string>): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    baseUrl: root,
    paths: { 'cdk-clickstack-lambda': ['src/index.ts'] },
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  const full = (name: string) => path.join(root, '.doc-examples', name);
  const byPath = new Map([...sources].map(([name, text]) => [full(name), text]));
  host.readFile = f => byPath.get(f) ?? read(f);
  host.fileExists = f => byPath.has(f) || exists(f);
  host.getSourceFile = (f, lang, onError, create) => byPath.has(f)
    ? ts.createSourceFile(f, byPath.get(f)!, lang, true)
    : getSource(f, lang, onError, create);
  const program = ts.createProgram([...byPath.keys()], options, host);
  const errors = new Map<string, string[]>([...sources.keys()].map(name => [name, []]));
  for (const name of sources.keys()) {
    const file = program.getSourceFile(full(name))!;
    for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
      const pos = d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start) : undefined;
      errors.get(name)!.push(`${pos ? `(${pos.line + 1},${pos.character + 1}) ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return errors;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const docs = path.join(root, 'docs');
  const examples = fs.readdirSync(docs).filter(f => f.endsWith('.md')).sort()
    .flatMap(f => extractExamples(`docs/${f}`, fs.readFileSync(path.join(docs, f), 'utf8')));
  const fixture = (name: string) => fs.readFileSync(path.join(root, 'rosetta', `${name}.ts-fixture`), 'utf8');
  const sources = new Map(examples.map((e, i) => [`example${i}.ts`, inFixture(e, fixture)]));
  // Control, in the same program: the first example with a type error added must fail.
  if (examples.length > 0) {
    sources.set('control.ts', inFixture({ ...examples[0], code: `${examples[0].code}\nconst control: number = 'not a number';` }, fixture));
  }
  const errors = compile(root, sources);
  let passed = 0, failed = 0;
  if (examples.length > 0) {
    const caught = errors.get('control.ts')!.some(e => e.includes("Type 'string' is not assignable to type 'number'"));
    if (caught) passed++; else failed++;
    console.log(`doc example: ${caught ? 'PASS' : 'FAIL'} control: ${examples[0].where} with a type error added is refused`);
  }
  examples.forEach((e, i) => {
    const errs = errors.get(`example${i}.ts`)!;
    if (errs.length === 0) { passed++; console.log(`doc example: PASS ${e.where} (fixture ${e.fixture ?? 'none'})`); return; }
    failed++;
    console.log(`doc example: FAIL ${e.where} (fixture ${e.fixture ?? 'none'})`);
    for (const err of errs) console.log(`  ${err}`);
  });
  if (examples.length === 0) { failed++; console.log('doc example: FAIL no TypeScript example found in docs/*.md'); }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) main();
