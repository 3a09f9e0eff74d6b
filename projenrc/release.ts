import { JsonPatch, javascript, release } from 'projen';
import { TestFailureBehavior } from 'projen/lib/json-patch';

/**
 * The GitHub Actions environment every publish job (and the GitHub release) runs in: give it
 * required reviewers, and limit it to the `main` branch, in the repository settings
 * (CONTRIBUTING.md, "Releasing").
 */
export const RELEASE_ENVIRONMENT = 'release';

/**
 * Releases start from a manual dispatch of the `release` workflow only. Not `tagged()`: projen
 * 0.103 keeps `push: branches: [main]` beside the tag patterns (so every push would still
 * release), and its "Check for new commits" step reads `git ls-remote -h $GITHUB_REF`, which finds
 * no branch for a tag ref, so a tag push would build and then publish nothing.
 */
export const RELEASE_TRIGGER = release.ReleaseTrigger.workflowDispatch();

/** The publish jobs projen writes for our five registries (job id `release_<key>`). */
export const PUBLISH_JOBS = ['release_npm', 'release_maven', 'release_pypi', 'release_nuget', 'release_golang'];

/**
 * The publib every publish job runs (`npx -p publib@<this>`), pinned: those jobs hold an OIDC token
 * or a registry secret, and `latest` would run whatever was published last. 0.2.1061 is the newest
 * on the npm registry on 2026-12-07 (published 2026-09-02). To move it, read publib's changes
 * (bin/publib-pypi, bin/publib-nuget, lib/bin/publib-maven.js), change it here, run `npx projen`.
 */
export const PUBLIB_VERSION = '0.2.1061';

/** npm's trusted publishing needs npm 11.5.1 or later (https://docs.npmjs.com/trusted-publishers). */
export const NPM_FOR_TRUSTED_PUBLISHING = '^11.5.1';

/** The only branch a release may start from (the project's `defaultReleaseBranch`). */
export const RELEASE_BRANCH = 'main';

/**
 * The first step of the `release` job: a dispatch on any other ref fails before anything is built
 * (`workflow_dispatch` lets anyone with write access pick a branch; the `release` environment's
 * branch rule is a repository setting this file cannot see, so the workflow says it too).
 */
export const BRANCH_GUARD_STEP = {
  name: `Release only from ${RELEASE_BRANCH}`,
  if: `github.ref != 'refs/heads/${RELEASE_BRANCH}'`,
  env: { REF: '${{ github.ref }}' },
  run: [
    `echo "::error title=Not ${RELEASE_BRANCH}::a release starts from refs/heads/${RELEASE_BRANCH} only; this run is on $REF. Run the workflow again and pick ${RELEASE_BRANCH}."`,
    'exit 1',
  ].join('\n'),
};

/**
 * The NuGet job's own Python: publib-nuget mints its OIDC token with the `id` package, installed
 * by `python3 -m pip install --user --upgrade id` (publib 0.2.1061 bin/publib-nuget, lines 46-51),
 * which would otherwise go into the runner image's system Python. The same action and version
 * projen gives the PyPI job.
 */
export const NUGET_PYTHON_STEP = {
  name: 'Set up Python (publib-nuget mints the OIDC token with the id package)',
  uses: 'actions/setup-python@v7.0.0',
  with: { 'python-version': '3.x' },
};

/**
 * Before publib-pypi runs: exchange the job's OIDC token for a PyPI upload token, as publib-pypi
 * does (publib 0.2.1061 bin/publib-pypi, lines 63-80), and fail, with PyPI's own message, when the
 * answer holds no token. publib-pypi does not check it (`jq -r '.token'` gives `null`, which it
 * passes to twine as the password), and in a dry run it mints and then reports success without
 * uploading, so a wrong trusted publisher would pass the dry run.
 */
export const PYPI_MINT_CHECK_STEP = {
  name: 'Check that PyPI mints an upload token for this workflow (trusted publishing)',
  env: { MINT_URL: 'https://pypi.org/_/oidc/mint-token' },
  run: [
    'python3 -m pip install --quiet --upgrade id',
    'oidc_token=$(python3 -m id pypi)',
    'resp=$(curl -s -X POST "$MINT_URL" -d "{\"token\": \"${oidc_token}\"}")',
    'token=$(jq -r \'.token // empty\' <<<"$resp" 2>/dev/null || true)',
    'if [ -z "$token" ]; then',
    '  echo "::error title=PyPI trusted publishing::PyPI minted no upload token: $(jq -c \'{message, errors}\' <<<"$resp" 2>/dev/null || echo "$resp"). Check the trusted (or pending) publisher: owner, repository, workflow release.yml, environment release."',
    '  exit 1',
    'fi',
    'echo "::add-mask::$token"',
    'echo "PyPI minted an upload token for this workflow and environment"',
  ].join('\n'),
};

/** What projen 0.103 writes as release_github's condition; the patch below checks it is still that. */
const GITHUB_RELEASE_IF = "needs.release.outputs.tag_exists != 'true' && needs.release.outputs.latest_commit == github.sha";

/**
 * What projen's release options cannot express, patched into the generated release workflow
 * (each patch first tests that the generated value is the one it expects, and fails the synth
 * otherwise, so a projen upgrade that moves things is noticed):
 *
 * - the npm job installs npm 11.5.1 or later before publishing (projen: "this is NOT ensured
 *   automatically"; Node.js 22 ships npm 10);
 * - the Maven job no longer reads `MAVEN_STAGING_PROFILE_ID`: with the `central-ossrh` server id
 *   publib publishes through the Central Portal's OSSRH-compatible endpoint and ignores it
 *   (cdklabs/publib src/bin/publib-maven.ts, lines 69-74 at 5dd47c2: `stagingProfileId: 'publib'`);
 * - the GitHub release is made even when a registry's job failed (`!cancelled()` instead of
 *   waiting for every job to succeed), and then names each failed job in the run's summary and
 *   an error annotation, and fails, so the run stays red until the job is re-run;
 * - the bump refuses to release 0.0.0;
 * - the `release` job fails first thing on any ref but `main` (BRANCH_GUARD_STEP);
 * - the NuGet job sets up its own Python (NUGET_PYTHON_STEP);
 * - the PyPI job fails before publishing when PyPI mints no upload token (PYPI_MINT_CHECK_STEP).
 */
export function configureRelease(project: javascript.NodeProject): void {
  const publisher = project.release?.publisher;
  const workflow = project.github?.tryFindWorkflow('release');
  if (!publisher || !workflow?.file) throw new Error('configureRelease: the project has no release workflow');

  const results = PUBLISH_JOBS.map(job => `${job}=\${{ needs.${job}.result }}`).join(' ');
  publisher.addGitHubPostPublishingSteps({
    name: 'Name the registries that failed',
    if: '${{ !inputs.dry_run }}',
    env: { RESULTS: results },
    run: [
      'failed=""',
      'echo "### Publish jobs" >> "$GITHUB_STEP_SUMMARY"',
      'for r in $RESULTS; do',
      '  job=${r%%=*}; result=${r#*=}',
      '  echo "- $job: $result" >> "$GITHUB_STEP_SUMMARY"',
      '  case $result in success) ;; *) failed="$failed $job";; esac',
      'done',
      'if [ -n "$failed" ]; then',
      '  echo "::error title=Publishing failed::the GitHub release is made, but these jobs did not publish:$failed. Fix the cause and use Re-run failed jobs."',
      '  exit 1',
      'fi',
      'echo "every registry published"',
    ].join('\n'),
  });

  const fail = TestFailureBehavior.FAIL_SYNTHESIS;
  workflow.file.patch(
    JsonPatch.test('/jobs/release_github/if', GITHUB_RELEASE_IF, fail),
    JsonPatch.replace('/jobs/release_github/if', `\${{ !cancelled() && needs.release.result == 'success' && ${GITHUB_RELEASE_IF} }}`),
    JsonPatch.test('/jobs/release_npm/steps/0/uses', 'actions/setup-node@v7.0.0', fail),
    JsonPatch.add('/jobs/release_npm/steps/1', {
      name: `Use npm ${NPM_FOR_TRUSTED_PUBLISHING} (trusted publishing)`,
      run: `npm install -g npm@${NPM_FOR_TRUSTED_PUBLISHING} && npm --version`,
    }),
    JsonPatch.test('/jobs/release_maven/steps/10/id', 'release', fail),
    JsonPatch.test('/jobs/release_maven/steps/10/env/MAVEN_SERVER_ID', 'central-ossrh', fail),
    JsonPatch.remove('/jobs/release_maven/steps/10/env/MAVEN_STAGING_PROFILE_ID'),
    JsonPatch.test('/jobs/release/steps/0/name', 'Checkout', fail),
    JsonPatch.add('/jobs/release/steps/0', BRANCH_GUARD_STEP),
    JsonPatch.test('/jobs/release_nuget/steps/1/uses', 'actions/setup-dotnet@v6.0.0', fail),
    JsonPatch.add('/jobs/release_nuget/steps/2', NUGET_PYTHON_STEP),
    JsonPatch.test('/jobs/release_pypi/steps/1/uses', NUGET_PYTHON_STEP.uses, fail),
    JsonPatch.test('/jobs/release_pypi/steps/10/name', 'Release', fail),
    JsonPatch.add('/jobs/release_pypi/steps/10', PYPI_MINT_CHECK_STEP),
  );

  project.tasks.tryFind('bump')!.exec(
    'node -e "const v = require(\'fs\').readFileSync(process.env.BUMPFILE, \'utf8\').trim(); if (v === \'0.0.0\') { console.error(\'refusing to release 0.0.0\'); process.exit(1); } console.log(\'version \' + v)"',
  );
}
