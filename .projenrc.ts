import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/** Oldest aws-cdk-lib we support: the first that knows every runtime our layers target. */
const MIN_CDK_VERSION = '2.189.0';

const project = new awscdk.AwsCdkConstructLibrary({
  author: 'ClickStack CDK maintainers',
  authorAddress: 'clickstack-cdk@example.com',
  cdkVersion: MIN_CDK_VERSION,
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  name: 'cdk-clickstack-lambda',
  description:
    'Instrument AWS Lambda functions with OpenTelemetry and ship traces, metrics and logs to ClickStack, in one line of CDK.',
  keywords: ['cdk', 'aws-lambda', 'opentelemetry', 'clickstack', 'clickhouse', 'observability', 'otel'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: 'https://github.com/clickstack/cdk-clickstack-lambda.git',
  minNodeVersion: '20.0.0',

  // Runtime dependency, bundled into the npm tarball the jsii way.
  bundledDeps: ['yaml@^2.8.0'],

  // No GitHub workflows: CI is `.ci/run` on a clean checkout.
  github: false,
  release: true,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,

  jestOptions: {
    // A changed snapshot must fail the run, never be rewritten silently.
    updateSnapshot: UpdateSnapshot.NEVER,
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
    jestConfig: {
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/examples/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },

  // jsii targets: one consistent name per ecosystem.
  publishToPypi: {
    distName: 'cdk-clickstack-lambda',
    module: 'cdk_clickstack_lambda',
  },
  publishToMaven: {
    javaPackage: 'io.github.clickstack.cdk.lambdaotel',
    mavenGroupId: 'io.github.clickstack',
    mavenArtifactId: 'cdk-clickstack-lambda',
  },
  publishToNuget: {
    dotNetNamespace: 'ClickStack.Cdk.LambdaOtel',
    packageId: 'ClickStack.Cdk.LambdaOtel',
  },
  publishToGo: {
    moduleName: 'github.com/clickstack/cdk-clickstack-lambda-go',
    packageName: 'cdkclickstacklambda',
  },

  devDeps: [
    'ts-node',
    // Property-based tests, cdk-nag comparison, and local NodejsFunction bundling in tests.
    'cdk-nag@^2.38.2',
    'fast-check@^4.3.0',
    'esbuild@^0.25.0',
    // Integration tests (test/integ.*.ts) as CDK users write them, checked by integ-runner against
    // their committed snapshots. 2.187.0-alpha.0 is the newest integ-tests-alpha whose peer range
    // (aws-cdk-lib ^2.187.0) our minimum 2.189.0 satisfies and that the registry has (there is no
    // 2.189.0-alpha.0 there).
    '@aws-cdk/integ-tests-alpha@2.187.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
  ],
  gitignore: ['cdk.out', 'examples/cdk.out', '.bench/', 'test-reports/', 'scratch/'],
  npmIgnoreOptions: { ignorePatterns: ['examples/', 'scripts/', '.ci/'] },
});

// jsii: any warning fails the compile (projen's default silences `reserved-word`, which would hide
// a public name that cannot be used as is in Python, Java, C# or Go).
project.compileTask.reset('jsii --fail-on-warnings');
project.tasks.tryFind('watch')?.reset('jsii -w --fail-on-warnings');

// README examples are real code: jsii-rosetta compiles every ```ts block of README.md (and of the
// doc comments) against rosetta/default.ts-fixture, in strict mode, and fails on any error. Only
// ```ts and ```typescript blocks are TypeScript to rosetta; ```python, ```sh and bare blocks are
// left alone. It reads the README from the .jsii assembly, so it runs after compile.
project.package.addField('jsiiRosetta', { strict: true });
const rosetta = project.addTask('rosetta', {
  description: 'Compile every TypeScript example of README.md and the doc comments (strict); run after compile',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('/.jsii.tabl.json');
project.npmignore?.exclude('/rosetta/');

// Bindings for every jsii language, as source code only (no dotnet, go, mvn or pip needed): the
// generated code is what the Python, Java, .NET and Go packages would be built from, with the
// README examples translated from rosetta's tablet (an example missing from it fails).
const bindings = project.addTask('bindings', {
  description: 'Generate Python, Java, .NET and Go binding code into dist/bindings (code only, no toolchains)',
});
bindings.spawn(rosetta);
bindings.exec('rm -rf dist/bindings');
bindings.exec([
  'jsii-pacmak --code-only --force --no-npmignore --rosetta-unknown-snippets=fail',
  '--target python --target java --target dotnet --target go --outdir dist/bindings',
].join(' '));

// `package` packages the npm tarball and generates the four bindings' code; building the language
// packages themselves (`package-all`, `package:java` ...) needs their toolchains and registries.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.spawn(bindings);

// Integration tests: test/integ.*.ts are CDK apps with an IntegTest. `integ` synthesizes each and
// compares it with its committed snapshot (test/integ.*.ts.snapshot/): no AWS account needed, and
// a changed snapshot fails (nothing is deployed without --update-on-failed). `integ:update`
// rewrites the snapshots without deploying. ts-node type-checks the apps.
const integApp = '--language typescript --app "ts-node --project test/tsconfig.json {filePath}"';
const integ = project.addTask('integ', {
  description: 'Verify the integration test snapshots (synth only, no deployment)',
  exec: `integ-runner ${integApp}`,
});
project.addTask('integ:update', {
  description: 'Rewrite the integration test snapshots from test/integ.*.ts (synth only, no deployment)',
  exec: `integ-runner --dry-run --force ${integApp}`,
});
project.testTask.spawn(integ);
project.gitignore.exclude('/test/cdk-integ.out.*', '/test/*.snapshot/asset.*.bundle/');
project.gitignore.include('/test/*.snapshot/cdk.out');

// The main job: synthesize the example app and print what was instrumented.
project.addTask('example', {
  description: 'Synthesize examples/app.ts and print what was instrumented per function',
  exec: 'ts-node --transpile-only --project test/tsconfig.json examples/report.ts',
});

// Synth-time cost: baseline vs construct vs aspect, in fresh processes (see README, Performance).
project.addTask('bench', {
  description: 'Benchmark synth time, memory, template, cdk.out and upload bytes against an uninstrumented baseline (workloads inline, asset, bundles)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/bench.ts',
  receiveArgs: true,
});

// The layer catalog is generated from the release list (see README, Updating the layer catalog).
project.addTask('update-layer-catalog', {
  description: 'Validate scripts/layer-releases.json and rewrite src/layers/catalog.generated.ts (--check: fail if it is out of date)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/update-layer-catalog.ts',
  receiveArgs: true,
});
project.annotateGenerated('/src/layers/catalog.generated.ts');

project.synth();
