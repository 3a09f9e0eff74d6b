import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { NPM_FOR_TRUSTED_PUBLISHING, PUBLIB_VERSION, PUBLISH_JOBS, RELEASE_BRANCH, RELEASE_ENVIRONMENT } from '../projenrc/release';

// The committed, generated release workflow (`.ci/run` fails when it differs from what
// .projenrc.ts generates).
const wf = YAML.parse(fs.readFileSync(path.join(__dirname, '..', '.github', 'workflows', 'release.yml'), 'utf8'));
const env = (job: string) => Object.assign({}, ...wf.jobs[job].steps.map((s: any) => s.env ?? {}));

describe('the release workflow', () => {
  test('starts only from a manual dispatch (never from a push), with a dry-run input', () => {
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect(wf.on.workflow_dispatch.inputs.dry_run.type).toBe('boolean');
  });

  test('has exactly our five publish jobs and the GitHub release, each in the release environment', () => {
    expect(Object.keys(wf.jobs).sort()).toEqual(['release', 'release_github', ...PUBLISH_JOBS].sort());
    for (const job of [...PUBLISH_JOBS, 'release_github']) expect(wf.jobs[job].environment).toBe(RELEASE_ENVIRONMENT);
    expect(wf.jobs.release.environment).toBeUndefined(); // the build needs no approval
  });

  test('npm, PyPI and NuGet publish by trusted publishing (OIDC), with no token', () => {
    for (const job of ['release_npm', 'release_pypi', 'release_nuget']) expect(wf.jobs[job].permissions['id-token']).toBe('write');
    expect(env('release_npm')).toMatchObject({ NPM_TRUSTED_PUBLISHER: 'true' });
    expect(env('release_pypi')).toMatchObject({ PYPI_TRUSTED_PUBLISHER: 'true' });
    expect(env('release_nuget')).toMatchObject({ NUGET_TRUSTED_PUBLISHER: 'true', NUGET_USERNAME: '${{ secrets.NUGET_USERNAME }}' });
    for (const job of ['release_npm', 'release_pypi', 'release_nuget']) {
      for (const name of ['NPM_TOKEN', 'TWINE_USERNAME', 'TWINE_PASSWORD', 'NUGET_API_KEY']) expect(env(job)[name]).toBeUndefined();
    }
  });

  test('the npm job installs npm 11.5.1 or later before it publishes', () => {
    const steps = wf.jobs.release_npm.steps;
    const upgrade = steps.findIndex((s: any) => s.run === `npm install -g npm@${NPM_FOR_TRUSTED_PUBLISHING} && npm --version`);
    const publish = steps.findIndex((s: any) => String(s.run).includes('publib-npm'));
    expect(NPM_FOR_TRUSTED_PUBLISHING).toBe('^11.5.1');
    expect(upgrade).toBeGreaterThan(0);
    expect(publish).toBeGreaterThan(upgrade);
  });

  test('Maven Central through the Central Portal without the retired staging profile; Go with its token', () => {
    expect(env('release_maven')).toMatchObject({ MAVEN_SERVER_ID: 'central-ossrh' });
    expect(env('release_maven').MAVEN_STAGING_PROFILE_ID).toBeUndefined();
    // The publish step's secrets (the failure-issue step adds the workflow's own GITHUB_TOKEN).
    const publishEnv = wf.jobs.release_maven.steps.find((s: any) => s.id === 'release').env;
    expect(Object.keys(publishEnv).filter(k => String(publishEnv[k]).startsWith('${{ secrets.')).sort())
      .toEqual(['MAVEN_GPG_PRIVATE_KEY', 'MAVEN_GPG_PRIVATE_KEY_PASSPHRASE', 'MAVEN_PASSWORD', 'MAVEN_USERNAME']);
    expect(env('release_golang').GITHUB_TOKEN).toBe('${{ secrets.GO_GITHUB_TOKEN }}');
  });

  test('the GitHub release is made when a registry fails, and names every job that did not publish', () => {
    const gh = wf.jobs.release_github;
    expect([gh.needs].flat().sort()).toEqual(['release', ...PUBLISH_JOBS].sort());
    expect(gh.if).toMatch(/^\$\{\{ !cancelled\(\) && needs\.release\.result == 'success' && /);
    const name = gh.steps.find((s: any) => s.name === 'Name the registries that failed');
    for (const job of PUBLISH_JOBS) expect(name.env.RESULTS).toContain(`${job}=\${{ needs.${job}.result }}`);
    expect(name.run).toContain('::error title=Publishing failed::');
    expect(gh.steps.indexOf(name)).toBeGreaterThan(gh.steps.findIndex((s: any) => String(s.run).includes('gh release create')));
  });

  test('runs only from main: the release job\'s first step fails on any other ref, and every other job waits for that job', () => {
    const guard = wf.jobs.release.steps[0];
    expect(RELEASE_BRANCH).toBe('main');
    expect(guard.if).toBe("github.ref != 'refs/heads/main'");
    expect(guard.env).toEqual({ REF: '${{ github.ref }}' });
    const run = (ref: string) => spawnSync('bash', ['-e', '-c', guard.run], { env: { ...process.env, REF: ref }, encoding: 'utf8' });
    const other = run('refs/heads/feature');
    expect(other.status).toBe(1);
    expect(other.stdout).toContain('::error title=Not main::a release starts from refs/heads/main only; this run is on refs/heads/feature.');
    for (const job of [...PUBLISH_JOBS, 'release_github']) expect([wf.jobs[job].needs].flat()).toContain('release');
    // Nothing before the guard: no checkout, no build.
    expect(wf.jobs.release.steps.findIndex((s: any) => s.name === 'Checkout')).toBe(1);
  });

  test('every publish job runs publib at one pinned version, never latest', () => {
    expect(PUBLIB_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const runs = PUBLISH_JOBS.flatMap(job => wf.jobs[job].steps.map((s: any) => String(s.run ?? '')).filter((r: string) => r.includes('publib')));
    expect(runs).toHaveLength(PUBLISH_JOBS.length);
    for (const r of runs) expect(r).toMatch(new RegExp(`'publib@${PUBLIB_VERSION.replace(/\./g, '\\.')}' 'publib-(npm|maven|pypi|nuget|golang)'$`));
    expect(fs.readFileSync(path.join(__dirname, '..', '.github', 'workflows', 'release.yml'), 'utf8')).not.toContain('publib@latest');
  });

  test('the NuGet job sets up its own Python before publib-nuget installs the id package', () => {
    const steps = wf.jobs.release_nuget.steps;
    const python = steps.findIndex((s: any) => String(s.uses).startsWith('actions/setup-python@'));
    const publish = steps.findIndex((s: any) => String(s.run).includes('publib-nuget'));
    expect(python).toBeGreaterThanOrEqual(0);
    expect(steps[python].uses).toBe(wf.jobs.release_pypi.steps.find((s: any) => String(s.uses).startsWith('actions/setup-python@')).uses);
    expect(publish).toBeGreaterThan(python);
  });

  describe('the PyPI job fails before publishing when PyPI mints no token', () => {
    const steps = wf.jobs.release_pypi.steps;
    const check = steps.findIndex((s: any) => String(s.run).includes('mint-token') || String(s.env?.MINT_URL).includes('mint-token'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mint-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    /** The step's script with python3 and curl stubbed: curl answers `answer`. */
    const runCheck = (answer: string) => {
      fs.writeFileSync(path.join(dir, 'python3'), '#!/bin/sh\n[ "$2" = id ] && echo oidc-jwt\nexit 0\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'curl'), `#!/bin/sh\ncat <<'EOF'\n${answer}\nEOF\n`, { mode: 0o755 });
      const step = steps[check];
      return spawnSync('bash', ['-e', '-c', step.run], { env: { ...process.env, ...step.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
    };

    test('the check comes after the Python set-up and before publib-pypi', () => {
      expect(check).toBeGreaterThan(steps.findIndex((s: any) => String(s.uses).startsWith('actions/setup-python@')));
      expect(check).toBeLessThan(steps.findIndex((s: any) => String(s.run).includes('publib-pypi')));
      expect(steps[check].env.MINT_URL).toBe('https://pypi.org/_/oidc/mint-token');
    });

    test('an answer without a token fails the job, with PyPI\'s message', () => {
      const r = runCheck('{"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher"}]}');
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('::error title=PyPI trusted publishing::PyPI minted no upload token: {"message":"Token request failed","errors":[{"code":"invalid-publisher"');
    });

    test('an answer that is not JSON fails it too; a token passes, masked', () => {
      expect(runCheck('<html>502 Bad Gateway</html>').status).toBe(1);
      const ok = runCheck('{"success": true, "token": "pypi-AgEIcHlwaS5vcmc"}');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('::add-mask::pypi-AgEIcHlwaS5vcmc');
      expect(ok.stdout).toContain('PyPI minted an upload token');
    });
  });

  test('a publish job that fails opens an issue (releaseFailureIssue)', () => {
    for (const job of PUBLISH_JOBS) {
      const issue = wf.jobs[job].steps.find((s: any) => s.name === 'Create Issue');
      expect(issue?.if).toBe('${{ failure() }}');
      expect(issue.run).toMatch(/^gh issue create --title "Publishing v\$VERSION to .+ failed"/);
      expect(wf.jobs[job].permissions.issues).toBe('write');
    }
  });

  test('the changelog of each release is written from the commits and becomes the GitHub release\'s notes', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(tasks.bump.env.CHANGELOG).toBe('dist/changelog.md');
    const release = wf.jobs.release_github.steps.find((s: any) => String(s.run).includes('gh release create'));
    expect(release.env.CHANGELOG_FILE).toBe('dist/changelog.md');
    expect(release.run).toContain('-F "$CHANGELOG_FILE"');
  });
});
