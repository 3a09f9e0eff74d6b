import { github, javascript } from 'projen';

/** The file the workflow writes the change summary (pull request body) to. */
const SUMMARY = '${{ runner.temp }}/layer-watch-summary.md';

/** Options of {@link addLayerWatch}. */
export interface LayerWatchOptions {
  /**
   * When the workflow runs (cron, UTC).
   * @default '17 6 * * 1' (Mondays 06:17 UTC)
   */
  readonly schedule?: string;
  /**
   * Node.js version of the workflow.
   * @default 'lts/*'
   */
  readonly nodeVersion?: string;
}

/**
 * Layer watch (README, "Updating the layer catalog"): the `layer-watch` task, and, when the project
 * has GitHub workflows, a weekly workflow that runs it, regenerates the catalog, API.md and the
 * snapshots, runs the tests and opens a pull request whose body lists what changed.
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
  workflow.addJobs({
    'layer-watch': {
      name: 'Add new upstream layer releases',
      runsOn: ['ubuntu-latest'],
      // contents: the PR branch; pull-requests: the PR. Reading upstream needs no permission.
      permissions: { contents: github.workflows.JobPermission.WRITE, pullRequests: github.workflows.JobPermission.WRITE },
      steps: [
        github.WorkflowSteps.checkout(),
        { name: 'Set up Node.js', uses: 'actions/setup-node@v7', with: { 'node-version': options.nodeVersion ?? 'lts/*' } },
        { name: 'Install dependencies', run: 'npm ci --no-audit --no-fund' },
        {
          name: 'Read upstream releases',
          // The token only raises the API rate limit; the upstream repository is public.
          env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' },
          run: `npx projen layer-watch --summary "${SUMMARY}"`,
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
          name: 'Open a pull request',
          if: changed,
          uses: 'peter-evans/create-pull-request@v8',
          with: {
            'token': '${{ secrets.GITHUB_TOKEN }}',
            'branch': 'github-actions/layer-watch',
            'delete-branch': true,
            'title': 'feat: new upstream OpenTelemetry Lambda layer releases',
            'commit-message': 'feat: new upstream OpenTelemetry Lambda layer releases',
            'body-path': SUMMARY,
            'draft': "${{ steps.build.outcome != 'success' || steps.tests.outcome != 'success' }}",
          },
        },
      ],
    },
  });
}
