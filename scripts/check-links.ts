/**
 * Links and anchors of the project's Markdown, checked against the checkout.
 *
 * - A relative link (`./docs/x.md#anchor`, `../API.md`, `#anchor`) must name a file that exists
 *   and, for a Markdown file, a heading (GitHub's anchor for it) or an explicit anchor it has.
 * - A link into this repository written absolutely (`<repository>/blob/main/<path>#anchor`,
 *   `/tree/main/<path>`, `https://raw.githubusercontent.com/<owner>/<name>/main/<path>`) is checked
 *   the same way against the checkout: the README ships to npm, PyPI, Maven Central and NuGet,
 *   where only absolute links work, so its links into the repository are absolute and still checked.
 * - `absoluteOnly` files (the README) may have no relative link at all.
 *
 * Links inside code blocks and inline code are not links. Used by test/links.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Link {
  /** `<file>:<line>` */
  readonly where: string;
  readonly target: string;
}

/** The text of a Markdown file without fenced code blocks and inline code (lines kept). */
function withoutCode(markdown: string): string[] {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  return lines.map(line => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && line.trim().startsWith(fence)) fence = undefined;
      return '';
    }
    if (open) { fence = open[1]; return ''; }
    return line.replace(/(`+)[^`]*?\1/g, '');
  });
}

/** Every inline link, image and HTML `href`/`src` of a Markdown text. */
export function extractLinks(file: string, markdown: string): Link[] {
  const links: Link[] = [];
  withoutCode(markdown).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ where: `${file}:${i + 1}`, target: m[1] });
    for (const m of line.matchAll(/\b(?:href|src)="([^"]+)"/g)) links.push({ where: `${file}:${i + 1}`, target: m[1] });
  });
  return links;
}

/**
 * The anchors GitHub gives a Markdown file: one per heading (github-slugger's rule: lower case,
 * characters other than letters, digits, marks, `-`, `_` and spaces dropped, spaces to `-`, a
 * repeat gets `-1`, `-2` ...), plus explicit `<a id="...">` / `<a name="...">`.
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCodeKeepingHeadings(markdown)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const text = h[1]
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // link text only
        .replace(/<[^>]+>/g, '') // HTML tags
        .replace(/`/g, '');
      const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\- _]/gu, '').replace(/ /g, '-');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** Lines outside fenced code blocks (inline code kept: GitHub keeps its text in the anchor). */
function withoutCodeKeepingHeadings(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map(line => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && line.trim().startsWith(fence)) fence = undefined;
      return '';
    }
    if (open) { fence = open[1]; return ''; }
    return line;
  });
}

export interface CheckOptions {
  /** The checkout. */
  readonly root: string;
  /** The repository's URL (`https://github.com/<owner>/<name>`), for absolute links into it. */
  readonly repositoryUrl: string;
  /** Files (relative to root) that may hold absolute links only. */
  readonly absoluteOnly?: string[];
}

/** The problems of the links of `files` (paths relative to the root); empty when all resolve. */
export function checkLinks(files: string[], opts: CheckOptions): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (abs: string) => {
    if (!anchorCache.has(abs)) anchorCache.set(abs, anchorsOf(fs.readFileSync(abs, 'utf8')));
    return anchorCache.get(abs)!;
  };
  const [, owner, name] = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(?:\.git)?$/.exec(opts.repositoryUrl) ?? [];
  if (!owner) throw new Error(`not a GitHub repository URL: ${opts.repositoryUrl}`);
  const ownPrefixes = [
    new RegExp(`^https://github\\.com/${owner}/${name}/(?:blob|tree)/main/([^#?]*)(#.*)?$`),
    new RegExp(`^https://raw\\.githubusercontent\\.com/${owner}/${name}/(?:refs/heads/)?main/([^#?]*)$`),
  ];
  for (const file of files) {
    const abs = path.join(opts.root, file);
    for (const link of extractLinks(file, fs.readFileSync(abs, 'utf8'))) {
      const t = link.target;
      let local: { path: string; anchor?: string } | undefined;
      if (/^[a-z][a-z0-9+.-]*:/i.test(t)) { // absolute URL (https:, mailto: ...)
        for (const re of ownPrefixes) {
          const m = re.exec(t);
          if (m) local = { path: path.join(opts.root, decodeURIComponent(m[1])), anchor: m[2]?.slice(1) };
        }
        if (!local) continue; // another site: not checked offline
      } else {
        if (opts.absoluteOnly?.includes(file)) {
          problems.push(`${link.where}: relative link ${t} (this file ships to the package registries, where only absolute links work)`);
          continue;
        }
        const [p, anchor] = t.split('#', 2) as [string, string | undefined];
        local = { path: p === '' ? abs : path.resolve(path.dirname(abs), decodeURIComponent(p)), anchor };
      }
      const shown = path.relative(opts.root, local.path) || '.';
      if (!fs.existsSync(local.path)) { problems.push(`${link.where}: ${t}: no file ${shown}`); continue; }
      if (local.anchor) {
        if (!local.path.endsWith('.md')) { problems.push(`${link.where}: ${t}: an anchor into ${shown}, which is not Markdown`); continue; }
        if (!anchors(local.path).has(local.anchor)) problems.push(`${link.where}: ${t}: no heading or anchor #${local.anchor} in ${shown}`);
      }
    }
  }
  return problems;
}
