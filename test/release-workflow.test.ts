import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { NPM_FOR_TRUSTED_PUBLISHING, PUBLISH_JOBS, RELEASE_ENVIRONMENT } from '../projenrc/release';

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
    expect(Object.keys(env('release_maven')).filter(k => String(env('release_maven')[k]).startsWith('${{ secrets.')).sort())
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
});
