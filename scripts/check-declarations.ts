/**
 * The modules the library's public declaration files load in a TypeScript app that type-checks:
 * every `.d.ts` reachable from `lib/index.d.ts` through relative imports and re-exports, and the
 * packages they import. An import of the `aws-cdk-lib` root makes the compiler load the types of
 * all of aws-cdk-lib (about 300 modules) in an app that imports only `aws-cdk-lib/aws-lambda`:
 * measured in docs/typecheck.md. Usage: `ts-node scripts/check-declarations.ts [libDir]`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A package import of one declaration file. */
export interface DeclarationImport {
  /** The `.d.ts`, relative to the lib directory. */
  readonly file: string;
  readonly specifier: string;
}

/** Module specifiers of a declaration file's imports and re-exports (comments, where examples live, left out). */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g)) {
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

/** Every package import of the declaration files reachable from `entry` (a `.d.ts` path). */
export function publicDeclarationImports(entry: string, read: (file: string) => string | undefined = f => fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined): DeclarationImport[] {
  const root = path.dirname(entry);
  const seen = new Set<string>();
  const out: DeclarationImport[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = read(file);
    if (text === undefined) throw new Error(`${file} is missing: run npx projen compile first`);
    for (const spec of specifiers(text)) {
      if (!spec.startsWith('.')) {
        out.push({ file: path.relative(root, file), specifier: spec });
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      visit(read(`${base}.d.ts`) !== undefined ? `${base}.d.ts` : path.join(base, 'index.d.ts'));
    }
  };
  visit(path.resolve(entry));
  return out;
}

/** Imports of the aws-cdk-lib root (`aws-cdk-lib`, not `aws-cdk-lib/<module>`). */
export function rootImports(imports: readonly DeclarationImport[]): DeclarationImport[] {
  return imports.filter(i => i.specifier === 'aws-cdk-lib');
}

if (require.main === module) {
  const lib = process.argv[2] ?? 'lib';
  const imports = publicDeclarationImports(path.join(lib, 'index.d.ts'));
  for (const i of imports) console.log(`${i.file}: ${i.specifier}`);
  const bad = rootImports(imports);
  for (const i of bad) console.log(`${i.file} imports the aws-cdk-lib root: import from 'aws-cdk-lib/core' or the submodule instead`);
  console.log(`${imports.length - bad.length} passed, ${bad.length} failed`);
  process.exitCode = bad.length > 0 ? 1 : 0;
}
