/**
 * One identity (projenrc/identity.ts), checked where it ends up:
 *
 * - package.json: `repository.url`, `homepage`, the author (a URL, no e-mail address) and the
 *   jsii targets of Python, Java, .NET and Go are the ones derived from the identity;
 * - SECURITY.md names the identity's security contact;
 * - no file of the repository (tracked, or new and not ignored) holds an e-mail address at
 *   example.com (or .org, .net), or names another owner of this project: a GitHub URL of
 *   `<other>/cdk-clickstack-lambda(-go)`, a Maven group `io.github.<other>` with our artifact or
 *   package, or a .NET `<Other>.CdkClickstackLambda`.
 *
 *   npx projen check:identity     # one PASS/FAIL line per check, then "N passed, N failed"
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { IDENTITY, REPOSITORY_URL, SECURITY_CONTACT_URL, TARGETS } from '../projenrc/identity';

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Every place in `files` that holds an example.com address or another owner of this project. */
export function findIdentityProblems(files: SourceFile[], owner: string = IDENTITY.owner, ownerPascal: string = IDENTITY.ownerPascal): string[] {
  const name = IDENTITY.repository; // cdk-clickstack-lambda
  const compact = name.replace(/-/g, ''); // cdkclickstacklambda
  const pascal = TARGETS.dotnet.packageId.slice(IDENTITY.ownerPascal.length + 1); // CdkClickstackLambda
  const rules: Array<{ what: string; re: RegExp; ok: (m: RegExpExecArray) => boolean }> = [
    { what: 'an example.com address', re: /[A-Za-z0-9._%+-]+@example\.(?:com|org|net)\b/g, ok: () => false },
    { what: 'another GitHub owner', re: new RegExp(`github\\.com/([A-Za-z0-9_.-]+)/${name}(?:-go)?\\b`, 'g'), ok: m => m[1] === owner },
    { what: 'another Maven group', re: new RegExp(`io\\.github\\.([A-Za-z0-9_-]+)(?::${name}\\b|\\.${compact}\\b)`, 'g'), ok: m => m[1] === owner },
    { what: 'another .NET owner prefix', re: new RegExp(`\\b([A-Za-z0-9_]+)\\.${pascal}\\b`, 'g'), ok: m => m[1] === ownerPascal },
  ];
  const problems: string[] = [];
  for (const file of files) {
    const lines = file.text.split('\n');
    lines.forEach((line, i) => {
      for (const rule of rules) {
        rule.re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = rule.re.exec(line)) !== null) {
          if (!rule.ok(m)) problems.push(`${file.path}:${i + 1}: ${rule.what}: ${m[0]}`);
        }
      }
    });
  }
  return problems;
}

/** What package.json and SECURITY.md must say, derived from the identity. */
export function checkDerived(pkg: any, securityMd: string): Array<{ name: string; problems: string[] }> {
  const eq = (what: string, actual: unknown, expected: unknown) =>
    actual === expected ? [] : [`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
  const t = pkg.jsii?.targets ?? {};
  return [
    {
      name: 'package.json repository, homepage and author',
      problems: [
        ...eq('repository.url', pkg.repository?.url, `${REPOSITORY_URL}.git`),
        ...eq('homepage', pkg.homepage, REPOSITORY_URL),
        ...eq('author.name', pkg.author?.name, IDENTITY.authorName),
        ...eq('author.url', pkg.author?.url, REPOSITORY_URL),
        ...eq('author.email', pkg.author?.email, undefined),
      ],
    },
    {
      name: 'package.json jsii targets',
      problems: [
        ...eq('python.distName', t.python?.distName, TARGETS.python.distName),
        ...eq('python.module', t.python?.module, TARGETS.python.module),
        ...eq('java.package', t.java?.package, TARGETS.java.javaPackage),
        ...eq('java.maven.groupId', t.java?.maven?.groupId, TARGETS.java.mavenGroupId),
        ...eq('java.maven.artifactId', t.java?.maven?.artifactId, TARGETS.java.mavenArtifactId),
        ...eq('dotnet.namespace', t.dotnet?.namespace, TARGETS.dotnet.dotNetNamespace),
        ...eq('dotnet.packageId', t.dotnet?.packageId, TARGETS.dotnet.packageId),
        ...eq('go.moduleName', t.go?.moduleName, TARGETS.go.moduleName),
      ],
    },
    {
      name: 'SECURITY.md names the security contact',
      problems: securityMd.includes(SECURITY_CONTACT_URL) ? [] : [`SECURITY.md does not contain ${SECURITY_CONTACT_URL}`],
    },
  ];
}

function repositoryFiles(root: string): SourceFile[] {
  const names = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0').filter(Boolean);
  const files: SourceFile[] = [];
  for (const name of names) {
    const full = path.join(root, name);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue; // deleted, not yet committed
    const buf = fs.readFileSync(full);
    if (buf.includes(0)) continue; // binary
    files.push({ path: name, text: buf.toString('utf8') });
  }
  return files;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const security = fs.existsSync(path.join(root, 'SECURITY.md')) ? fs.readFileSync(path.join(root, 'SECURITY.md'), 'utf8') : '';
  const files = repositoryFiles(root);
  const checks = [
    ...checkDerived(pkg, security),
    { name: `no example.com address and no other owner in ${files.length} files`, problems: findIdentityProblems(files) },
  ];
  let passed = 0, failed = 0;
  console.log(`identity: owner ${IDENTITY.owner} (${REPOSITORY_URL}), security contact ${SECURITY_CONTACT_URL}`);
  for (const check of checks) {
    if (check.problems.length === 0) { passed++; console.log(`identity: PASS ${check.name}`); continue; }
    failed++;
    console.log(`identity: FAIL ${check.name}`);
    for (const p of check.problems) console.log(`  - ${p}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) main();
