import { github, javascript } from 'projen';
import { ActionRefs } from 'projen/lib/github';

/** The folder the first job hands to the second (artifact `layer-watch`): the patch and the pull request body. */
const OUT = '${{ runner.temp }}/layer-watch';
/** The file the workflow writes the change summary (pull request body) to. */
const SUMMARY = `${OUT}/summary.md`;

/** Options of {@link addLayerWatch}. */
export interface LayerWatchOptions {
  /**
   * When the workflow runs (cron, UTC).
   * @default '17 6 * * 1' (Mondays 06:17 UTC)
   */
  readonly schedule?: string;
  /**
   * Node.js version of the workflow (pass the project's `workflowNodeVersion`).
   * @default '22.x'
   */
  readonly nodeVersion?: string;
}

/**
 * Layer watch (CONTRIBUTING.md, "Updating the layer catalog"): the `layer-watch` task, and, when the
 * project has GitHub workflows, a weekly workflow that runs it, regenerates the catalog, API.md and
 * the snapshots, runs the tests and opens a pull request whose body lists what changed.
 *
 * Shaped like projen's `upgrade-main`: the first job runs the code (npm ci, the script, the tests)
 * with a read-only `GITHUB_TOKEN` and hands a patch on; the second applies it and opens the pull
 * request with projen's credentials (`PROJEN_GITHUB_TOKEN`, or the GitHub App token when the
 * project uses one), so that the pull request's checks run (a pull request opened with
 * `GITHUB_TOKEN` starts no workflow). Every action is pinned as projen pins its own (ActionRefs).
 */
export function addLayerWatch(project: javascript.NodeProject, options: LayerWatchOptions = {}): void {
  project.addTask('layer-watch', {
    description: 'Add new upstream OpenTelemetry Lambda layer releases to scripts/layer-releases.json, the catalog and the constants (--dry-run, --summary <file>)',
    exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/layer-watch.ts',
    receiveArgs: true,
  });

  if (!project.github) return;
  const workflow = new github.GithubWorkflow(project.github, 'layer-watch');
  workflow.on({
    schedule: [{ cron: options.schedule ?? '17 6 * * 1' }],
    workflowDispatch: {},
  });
  const changed = "steps.diff.outputs.changed == 'true'";
  const credentials = project.github.projenCredentials;
  workflow.addJobs({
    'layer-watch': {
      name: 'Add new upstream layer releases',
      runsOn: ['ubuntu-latest'],
      // Read-only: this job runs npm ci, the script and the tests; the pull request is the next job's.
      permissions: { contents: github.workflows.JobPermission.READ },
      outputs: {
        changed: { stepId: 'diff', outputName: 'changed' },
        draft: { stepId: 'patch', outputName: 'draft' },
      },
      steps: [
        github.WorkflowSteps.checkout(),
        {
          name: 'Setup Node.js',
          uses: ActionRefs.ACTIONS_SETUP_NODE,
          with: { 'node-version': options.nodeVersion ?? '22.x', 'package-manager-cache': false },
        },
        { name: 'Install dependencies', run: 'npm ci --no-audit --no-fund' },
        {
          name: 'Read upstream releases',
          // The token only raises the API rate limit; the upstream repository is public.
          env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' },
          run: `mkdir -p "${OUT}" && npx projen layer-watch --summary "${SUMMARY}"`,
        },
        {
          name: 'Anything new?',
          id: 'diff',
          run: 'if git diff --quiet; then echo "changed=false" >> "$GITHUB_OUTPUT"; else echo "changed=true" >> "$GITHUB_OUTPUT"; fi',
        },
        { name: 'Regenerate the layer catalog', if: changed, run: 'npx projen update-layer-catalog' },
        // A failure below still opens the pull request, as a draft that says what failed.
        {
          // A moved LATEST changes API.md and the synthesized layer ARNs: the PR shows them for review.
          name: 'Compile, regenerate API.md, rewrite the snapshots',
          id: 'build',
          if: changed,
          continueOnError: true,
          run: 'npx projen compile && npx projen docgen && npx jest -u test/snapshot.test.ts && npx projen integ:update',
        },
        { name: 'Run the tests', id: 'tests', if: changed, continueOnError: true, run: 'npx projen test' },
        {
          name: 'Add the results to the pull request body',
          if: changed,
          run: [
            '{ echo; echo "### Checks"; echo;',
            '  echo "- compile, API.md, snapshots: \${{ steps.build.outcome }}";',
            '  echo "- npx projen test: \${{ steps.tests.outcome }}";',
            '  echo; echo "Snapshots and API.md were rewritten from the new constants: review their diff. A failed check leaves this pull request a draft;"',
            '  echo "tests that pin a LATEST layer ARN by hand need updating.";',
            `  echo; echo "Workflow run: \${{ github.server_url }}/\${{ github.repository }}/actions/runs/\${{ github.run_id }}"; } >> "${SUMMARY}"`,
          ].join('\n'),
        },
        {
          name: 'Write the patch',
          id: 'patch',
          if: changed,
          run: [
            `git add -A && git diff --staged --binary > "${OUT}/repo.patch"`,
            "echo \"draft=${{ steps.build.outcome != 'success' || steps.tests.outcome != 'success' }}\" >> \"$GITHUB_OUTPUT\"",
          ].join('\n'),
        },
        {
          name: 'Upload the patch and the pull request body',
          if: changed,
          uses: ActionRefs.ACTIONS_UPLOAD_ARTIFACT,
          with: { name: 'layer-watch', path: OUT, overwrite: true },
        },
      ],
    },
    'pr': {
      name: 'Open a pull request',
      needs: ['layer-watch'],
      if: "needs.layer-watch.outputs.changed == 'true'",
      runsOn: ['ubuntu-latest'],
      // The pull request is opened with projen's credentials, not with GITHUB_TOKEN.
      permissions: { contents: github.workflows.JobPermission.READ },
      ...(credentials.environment ? { environment: credentials.environment } : {}),
      steps: [
        ...credentials.setupSteps,
        github.WorkflowSteps.checkout(),
        {
          name: 'Download the patch',
          uses: ActionRefs.ACTIONS_DOWNLOAD_ARTIFACT,
          with: { name: 'layer-watch', path: OUT },
        },
        { name: 'Apply the patch', run: `git apply --binary "${OUT}/repo.patch" && rm "${OUT}/repo.patch"` },
        github.WorkflowSteps.setupGitIdentity({ gitIdentity: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' } }),
        {
          name: 'Open a pull request',
          uses: ActionRefs.PETER_EVANS_CREATE_PULL_REQUEST,
          with: {
            'token': credentials.tokenRef,
            'branch': 'github-actions/layer-watch',
            'delete-branch': true,
            'title': 'feat: new upstream OpenTelemetry Lambda layer releases',
            'commit-message': 'feat: new upstream OpenTelemetry Lambda layer releases',
            'body-path': SUMMARY,
            'draft': '${{ needs.layer-watch.outputs.draft }}',
          },
        },
      ],
    },
  });
}
