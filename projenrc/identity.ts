/**
 * The project's identity, defined once: every name below is derived from these three values
 * (package.json, the jsii targets of the four other languages, SECURITY.md, the README links),
 * and `npx projen check:identity` (run by `.ci/run`) fails when a tracked file holds another
 * owner of this project or an example.com address.
 *
 * UNVERIFIED: nobody has confirmed that the GitHub owner below exists and belongs to the
 * maintainers. Maven Central verifies the group `io.github.<owner>` against that GitHub account,
 * the Go module path is a repository of that owner, and npm provenance fails when
 * `repository.url` is not the repository the release workflow runs in. Verify it (CONTRIBUTING.md,
 * "Release checklist") before the first release, and change it here only.
 */
export const IDENTITY = {
  /** GitHub owner (organization or user) of the repository and of the Go module repository. */
  owner: 'clickstack',
  /** The owner as a .NET namespace and NuGet package-id prefix (NuGet reserves prefixes per owner). */
  ownerPascal: 'ClickStack',
  /** The repository's name; also the npm and PyPI name. */
  repository: 'cdk-clickstack-lambda',
  /** Who the packages name as author (npm, PyPI, the POM, the nuspec). */
  authorName: 'ClickStack CDK maintainers',
} as const;

/** https://github.com/<owner>/<repository> */
export const REPOSITORY_URL = `https://github.com/${IDENTITY.owner}/${IDENTITY.repository}`;

/**
 * The contact for security reports: GitHub's private vulnerability reporting of the repository.
 * No e-mail address: none has been verified to reach the maintainers (an address that receives
 * no mail would end up in the POM, the nuspec and PyPI's metadata).
 */
export const SECURITY_CONTACT_URL = `${REPOSITORY_URL}/security/advisories/new`;

/** The npm, PyPI and Maven artifact name, and the repository name. */
export const PACKAGE_NAME = IDENTITY.repository;

/** The jsii targets, derived the way cdklabs libraries derive theirs (cdk-nag: io.github.cdklabs.cdknag, Cdklabs.CdkNag). */
export const TARGETS = {
  python: { distName: PACKAGE_NAME, module: PACKAGE_NAME.replace(/-/g, '_') },
  java: {
    mavenGroupId: `io.github.${IDENTITY.owner}`,
    mavenArtifactId: PACKAGE_NAME,
    javaPackage: `io.github.${IDENTITY.owner}.${PACKAGE_NAME.replace(/-/g, '')}`,
  },
  dotnet: {
    dotNetNamespace: `${IDENTITY.ownerPascal}.${pascal(PACKAGE_NAME)}`,
    packageId: `${IDENTITY.ownerPascal}.${pascal(PACKAGE_NAME)}`,
  },
  go: { moduleName: `github.com/${IDENTITY.owner}/${PACKAGE_NAME}-go`, packageName: PACKAGE_NAME.replace(/-/g, '') },
} as const;

function pascal(name: string): string {
  return name.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
