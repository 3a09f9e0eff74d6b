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

/** npm's trusted publishing needs npm 11.5.1 or later (https://docs.npmjs.com/trusted-publishers). */
export const NPM_FOR_TRUSTED_PUBLISHING = '^11.5.1';

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
 * - the bump refuses to release 0.0.0.
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
  );

  project.tasks.tryFind('bump')!.exec(
    'node -e "const v = require(\'fs\').readFileSync(process.env.BUMPFILE, \'utf8\').trim(); if (v === \'0.0.0\') { console.error(\'refusing to release 0.0.0\'); process.exit(1); } console.log(\'version \' + v)"',
  );
}
