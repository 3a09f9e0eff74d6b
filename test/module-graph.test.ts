/**
 * The shape of src/: facts, then rules, then the planner, then the applier, then the entry point
 * and the public constructs. Every import of a module of src/ goes to its own group or a lower
 * one, and nothing imports in a circle, so a rule never reaches back up into the planner or the
 * applier (CONTRIBUTING.md, "Adding a rule").
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');

/** Groups from the bottom up; a module of src/ not listed here fails the test until it is placed. */
const GROUPS: ReadonlyArray<readonly [string, RegExp]> = [
  ['facts', /^(layers\/.*|options|delivery|ingestion-key|runtimes|collector-config|private\/(cdk|hash|config-files|restage|shared|stack-facts|function-state|code-asset|settings|validate|plan-model))$/],
  ['rules', /^private\/rules\/[a-z-]+$/],
  ['planner', /^private\/plan$/],
  ['applier', /^(config-delivery|private\/(report|apply|template-check))$/],
  ['entry', /^private\/instrument$/],
  ['public', /^(instrumentation|aspect|index)$/],
];

/** src/ modules (paths without `.ts`) and the src/ modules each imports. */
export function moduleGraph(root: string, read: (file: string) => string = f => fs.readFileSync(f, 'utf8')): Map<string, string[]> {
  const files: string[] = [];
  (function walk(dir: string) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  })(root);
  const graph = new Map<string, string[]>();
  for (const file of files.sort()) {
    // Comments hold examples with imports (the @example blocks): not imports.
    const text = read(file).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const deps = new Set<string>();
    for (const m of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.[^']*)'/g)) {
      let target = path.resolve(path.dirname(file), m[1]);
      if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index');
      deps.add(path.relative(root, target));
    }
    graph.set(path.relative(root, file).replace(/\.ts$/, ''), [...deps].sort());
  }
  return graph;
}

export function groupOf(module: string): number {
  return GROUPS.findIndex(([, pattern]) => pattern.test(module));
}

/** Imports that go up a group, and modules in no group. */
export function upwardEdges(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [from, deps] of graph) {
    if (groupOf(from) < 0) found.push(`${from} is in no group: place it in GROUPS`);
    for (const to of deps) {
      if (groupOf(to) > groupOf(from)) found.push(`${from} (${GROUPS[groupOf(from)]?.[0]}) imports ${to} (${GROUPS[groupOf(to)]?.[0]})`);
    }
  }
  return found;
}

/** One import cycle, if there is one. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | undefined => {
    if (state.get(m) === 'done') return undefined;
    if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'open');
    stack.push(m);
    for (const d of graph.get(m) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(m, 'done');
    return undefined;
  };
  for (const m of graph.keys()) {
    const cycle = visit(m);
    if (cycle) return cycle;
  }
  return undefined;
}

test('every import of src/ goes to its own group or a lower one', () => {
  const graph = moduleGraph(SRC);
  // Sanity: the walk found the planner, the applier and the rules, and their imports.
  expect(graph.get('private/plan')).toEqual(expect.arrayContaining(['private/rules/runtime', 'private/plan-model']));
  expect(graph.get('private/instrument')).toEqual(expect.arrayContaining(['private/plan', 'private/apply']));
  expect([...graph.keys()].filter(m => m.startsWith('private/rules/')).length).toBeGreaterThanOrEqual(10);
  expect(upwardEdges(graph)).toEqual([]);
});

test('no module of src/ imports itself through others', () => {
  expect(findCycle(moduleGraph(SRC))).toBeUndefined();
});

test('fails for a rule that imports the planner, a module in no group, and a cycle (negative controls)', () => {
  const graph = new Map<string, string[]>([
    ['private/rules/runtime', ['private/plan']],
    ['private/plan', ['private/rules/runtime']],
    ['private/stray', []],
  ]);
  expect(upwardEdges(graph)).toEqual([
    'private/rules/runtime (rules) imports private/plan (planner)',
    'private/stray is in no group: place it in GROUPS',
  ]);
  expect(findCycle(graph)).toEqual(['private/rules/runtime', 'private/plan', 'private/rules/runtime']);
});
