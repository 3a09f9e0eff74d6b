import * as fs from 'fs';
import * as path from 'path';
import { IDENTITY, REPOSITORY_URL, SECURITY_CONTACT_URL, TARGETS } from '../projenrc/identity';
import { checkDerived, findIdentityProblems } from '../scripts/check-identity';

const root = path.join(__dirname, '..');

describe('one identity (projenrc/identity.ts)', () => {
  test('every name derives from the owner and the repository', () => {
    expect(REPOSITORY_URL).toBe(`https://github.com/${IDENTITY.owner}/${IDENTITY.repository}`);
    expect(SECURITY_CONTACT_URL).toBe(`${REPOSITORY_URL}/security/advisories/new`);
    expect(TARGETS.java.mavenGroupId).toBe(`io.github.${IDENTITY.owner}`);
    expect(TARGETS.go.moduleName).toBe(`github.com/${IDENTITY.owner}/${IDENTITY.repository}-go`);
    expect(TARGETS.dotnet.packageId).toBe(`${IDENTITY.ownerPascal}.CdkClickstackLambda`);
    expect(IDENTITY.ownerPascal.toLowerCase()).toBe(IDENTITY.owner.toLowerCase());
  });

  test('package.json and SECURITY.md of this checkout hold the derived names', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const security = fs.readFileSync(path.join(root, 'SECURITY.md'), 'utf8');
    expect(checkDerived(pkg, security).flatMap(c => c.problems)).toEqual([]);
  });

  test('fails (control) on a package.json of another owner with an e-mail author, and a SECURITY.md without the contact', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const other = 'someone-else';
    pkg.repository.url = `https://github.com/${other}/cdk-clickstack-lambda.git`;
    pkg.author = { name: IDENTITY.authorName, email: `maintainers${'@'}example.com` };
    pkg.jsii.targets.java.maven.groupId = 'io.github.someoneelse';
    const problems = checkDerived(pkg, '# Security\nmail us').flatMap(c => c.problems);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^repository\.url is "https:\/\/github\.com\/someone-else\//),
      expect.stringMatching(/^author\.email is "maintainers@example\.com", expected undefined/),
      expect.stringMatching(/^java\.maven\.groupId is "io\.github\.someoneelse"/),
      expect.stringMatching(/^SECURITY\.md does not contain /),
    ]));
  });

  test('finds example.com addresses and every form of another owner, and accepts ours', () => {
    const o = IDENTITY.owner;
    // Built from parts, so that this file itself passes the check it tests.
    const at = '@';
    const acme = 'acme';
    const files = [{
      path: 'doc.md',
      text: [
        `ours: https://github.com/${o}/cdk-clickstack-lambda, github.com/${o}/cdk-clickstack-lambda-go, io.github.${o}:cdk-clickstack-lambda,`,
        `io.github.${o}.cdkclickstacklambda, ${IDENTITY.ownerPascal}.CdkClickstackLambda, an endpoint https://clickstack.example.com:4318,`,
        'a reference to cdk-nag: io.github.cdklabs.cdknag, Cdklabs.CdkNag, and 41898282+github-actions[bot]@users.noreply.github.com',
        `theirs: write to security${at}example.com or ops${at}example.org`,
        `https://github.com/${acme}/cdk-clickstack-lambda/issues and github.com/${acme}/cdk-clickstack-lambda-go`,
        `io.github.${acme}:cdk-clickstack-lambda, io.github.${acme}.cdkclickstacklambda, Acme${''}.CdkClickstackLambda`,
      ].join('\n'),
    }];
    expect(findIdentityProblems(files)).toEqual([
      `doc.md:4: an example.com address: security${at}example.com`,
      `doc.md:4: an example.com address: ops${at}example.org`,
      `doc.md:5: another GitHub owner: github.com/${acme}/cdk-clickstack-lambda`,
      `doc.md:5: another GitHub owner: github.com/${acme}/cdk-clickstack-lambda-go`,
      `doc.md:6: another Maven group: io.github.${acme}:cdk-clickstack-lambda`,
      `doc.md:6: another Maven group: io.github.${acme}.cdkclickstacklambda`,
      `doc.md:6: another .NET owner prefix: Acme${''}.CdkClickstackLambda`,
    ]);
  });
});
