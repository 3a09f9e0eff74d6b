/**
 * The library's public declaration files import only aws-cdk-lib submodules (issue 19): an import
 * of the `aws-cdk-lib` root makes an app that imports only `aws-cdk-lib/core` and
 * `aws-cdk-lib/aws-lambda` type-check all of aws-cdk-lib (docs/typecheck.md). Reads the `.d.ts`
 * files jsii wrote to lib/ (the build compiles before it tests).
 */
import * as path from 'path';
import { publicDeclarationImports, rootImports, specifiers } from '../scripts/check-declarations';

const LIB = path.join(__dirname, '..', 'lib');

test('no public declaration file imports the aws-cdk-lib root', () => {
  const imports = publicDeclarationImports(path.join(LIB, 'index.d.ts'));
  // Sanity: the walk reached the public modules and their aws-cdk-lib imports.
  expect(imports.map(i => i.file)).toEqual(expect.arrayContaining(['aspect.d.ts', 'instrumentation.d.ts']));
  expect(imports.some(i => i.specifier === 'aws-cdk-lib/aws-lambda')).toBe(true);
  expect(rootImports(imports)).toEqual([]);
});

test('fails for a public declaration file that imports the root (negative control, the walk follows re-exports)', () => {
  const files: Record<string, string> = {
    '/lib/index.d.ts': "export * from './aspect';\nexport * from './layers/releases';",
    '/lib/aspect.d.ts': "import { IAspect } from 'aws-cdk-lib';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';",
    '/lib/layers/releases.d.ts': 'import type { Stack } from "aws-cdk-lib";',
    '/lib/private/unused.d.ts': "import { App } from 'aws-cdk-lib';",
  };
  const imports = publicDeclarationImports('/lib/index.d.ts', f => files[f]);
  expect(rootImports(imports)).toEqual([
    { file: 'aspect.d.ts', specifier: 'aws-cdk-lib' },
    { file: path.join('layers', 'releases.d.ts'), specifier: 'aws-cdk-lib' },
  ]);
});

test('imports inside comments (the @example blocks) are not imports', () => {
  expect(specifiers("/**\n * @example\n * import { Stack } from 'aws-cdk-lib';\n */\nimport { IAspect } from 'aws-cdk-lib/core';")).toEqual(['aws-cdk-lib/core']);
});
