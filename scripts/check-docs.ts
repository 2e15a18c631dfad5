import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The doc check (`npm run lint` runs it): fails on merge residue and dangling references that no
 * linter catches. In every tracked Markdown file: a repeated heading, a repeated table row (separator
 * rows and rows of 30 characters or less aside), a relative link to a missing file or heading; the
 * root README over ROOT_README_MAX_LINES lines. In every tracked text file: a citation of an issue
 * number or of a design file kept outside the repository (docs/decisions/ holds decisions instead).
 */

export const ROOT_README_MAX_LINES = 250;
const SHORT_ROW = 30;

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface Counts {
  markdownFiles: number;
  headings: number;
  tableRows: number;
  links: number;
  anchors: number;
  scannedFiles: number;
}

/** What a Markdown file is checked against: which repository paths exist, and their headings' anchors. */
export interface Repository {
  /** A tracked file, or a directory holding one (repository-relative, `/`-separated, no `./`). */
  exists(repoPath: string): boolean;
  /** The anchors of a Markdown file's headings, or undefined when it is not a Markdown file. */
  anchorsOf(repoPath: string): ReadonlySet<string> | undefined;
}

interface Line {
  readonly text: string;
  readonly number: number;
}

/** The lines outside fenced code blocks, with their 1-based numbers. */
export function proseLines(text: string): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((raw, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker !== undefined && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return;
    }
    if (fence === null) lines.push({ text: raw, number: index + 1 });
  });
  return lines;
}

function headingText(line: string): string | undefined {
  return /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (letters, digits, `-`, `_` kept), spaces to `-`. */
export function slugOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown text, with GitHub's `-1`, `-2` … for repeated headings. */
export function anchorsOfText(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const { text: line } of proseLines(text)) {
    const heading = headingText(line);
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

function isSeparatorRow(row: string): boolean {
  return /^\|[\s|:-]+$/.test(row);
}

type Repeatable = { readonly what: 'heading' | 'table row'; readonly key: string };

/** A heading, or a table row that is neither a separator nor short, as compared for repeats. */
function repeatable(line: string): Repeatable | undefined {
  if (headingText(line) !== undefined) return { what: 'heading', key: line.trim() };
  const row = line.trim().replace(/\s+/g, ' ');
  if (!row.startsWith('|') || isSeparatorRow(row) || row.length <= SHORT_ROW) return undefined;
  return { what: 'table row', key: row };
}

function count(line: string, counts: Counts): void {
  if (headingText(line) !== undefined) counts.headings += 1;
  const row = line.trim();
  if (row.startsWith('|') && !isSeparatorRow(row)) counts.tableRows += 1;
}

/** A repeated heading or table row (merge residue), reported at each repetition. */
export function findRepeats(file: string, text: string, counts?: Counts): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  for (const { text: line, number } of proseLines(text)) {
    if (counts !== undefined) count(line, counts);
    const item = repeatable(line);
    if (item === undefined) continue;
    const first = seen.get(item.key);
    if (first === undefined) {
      seen.set(item.key, number);
    } else {
      problems.push({
        file,
        line: number,
        message: `repeats the ${item.what} of line ${first}: ${item.key.slice(0, 80)}`,
      });
    }
  }
  return problems;
}

/** Relative link targets of a line, inline code spans left out. */
export function linkTargets(line: string): string[] {
  const prose = line.replace(/`[^`]*`/g, '');
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function resolveTarget(
  file: string,
  target: string,
): { readonly repoPath: string; readonly anchor?: string } {
  const [pathPart = '', anchor] = target.split('#', 2);
  const decoded = decodeURIComponent(pathPart);
  const repoPath =
    decoded === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decoded));
  return { repoPath: repoPath.replace(/\/$/, ''), ...(anchor === undefined ? {} : { anchor }) };
}

/** What is wrong with one relative link, if anything; `anchorChecked` says whether a heading was looked up. */
function linkProblem(
  file: string,
  target: string,
  repo: Repository,
): { message?: string; anchorChecked: boolean } {
  const { repoPath, anchor } = resolveTarget(file, target);
  if (repoPath.startsWith('..') || !repo.exists(repoPath)) {
    return { message: `links to a missing file: ${target}`, anchorChecked: false };
  }
  const anchors = anchor === undefined ? undefined : repo.anchorsOf(repoPath);
  if (anchor === undefined || anchors === undefined) return { anchorChecked: false };
  if (anchors.has(anchor.toLowerCase())) return { anchorChecked: true };
  return { message: `links to a missing heading: ${target}`, anchorChecked: true };
}

/** Relative links to a missing file, or to a heading the target file does not have. */
export function findBrokenLinks(file: string, text: string, repo: Repository, counts?: Counts): Problem[] {
  const problems: Problem[] = [];
  for (const { text: line, number } of proseLines(text)) {
    for (const target of linkTargets(line)) {
      const { message, anchorChecked } = linkProblem(file, target, repo);
      if (counts !== undefined) {
        counts.links += 1;
        if (anchorChecked) counts.anchors += 1;
      }
      if (message !== undefined) problems.push({ file, line: number, message });
    }
  }
  return problems;
}

const CITATIONS: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /(?<!\bof )\b[Ii]ssues?[ -]#?\d+/, what: 'an issue number' },
  { pattern: /#\d+ of the issues?\b/, what: 'an issue number' },
  { pattern: /\b(?:DESIGN|DECISIONS)\.md\b/, what: 'a design file outside the repository' },
  { pattern: /\bDECISIONS "/, what: 'a design file outside the repository' },
  { pattern: /(?:^|[\s("'`])\/work\//, what: 'a path outside the repository' },
];

/** Citations of issue numbers or of files outside the repository; the fact's home in the repo goes there instead. */
export function findCitations(file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { pattern, what } of CITATIONS) {
      const match = pattern.exec(line);
      if (match === null) continue;
      problems.push({
        file,
        line: index + 1,
        message: `cites ${what} (${match[0].trim()}): point to the doc in the repository that holds the fact`,
      });
      break;
    }
  });
  return problems;
}

export function findLongRootReadme(file: string, text: string): Problem[] {
  if (file !== 'README.md') return [];
  const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
  if (lines <= ROOT_README_MAX_LINES) return [];
  return [
    {
      file,
      line: ROOT_README_MAX_LINES + 1,
      message: `the root README has ${lines} lines (at most ${ROOT_README_MAX_LINES}): move explanations to docs/`,
    },
  ];
}

/** Files scanned for citations: source, config and docs (not data, not the lock file). */
export function isScannedForCitations(file: string): boolean {
  if (file.startsWith('bench-results/') && !file.endsWith('.md')) return false;
  return (
    /\.(md|ts|mts|cts|js|mjs|cjs|ya?ml|toml|sh)$/.test(file) ||
    file.startsWith('.ci/') ||
    file.includes('/bin/')
  );
}

export function emptyCounts(): Counts {
  return { markdownFiles: 0, headings: 0, tableRows: 0, links: 0, anchors: 0, scannedFiles: 0 };
}

/** Every check over a set of files (repository-relative paths and their text). */
export function checkFiles(files: ReadonlyMap<string, string>): { problems: Problem[]; counts: Counts } {
  const counts = emptyCounts();
  const directories = new Set<string>();
  for (const file of files.keys()) {
    for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) directories.add(dir);
  }
  const anchorCache = new Map<string, Set<string>>();
  const repo: Repository = {
    exists: (repoPath) => repoPath === '.' || files.has(repoPath) || directories.has(repoPath),
    anchorsOf: (repoPath) => {
      const text = repoPath.endsWith('.md') ? files.get(repoPath) : undefined;
      if (text === undefined) return undefined;
      const anchors = anchorCache.get(repoPath) ?? anchorsOfText(text);
      anchorCache.set(repoPath, anchors);
      return anchors;
    },
  };
  const problems: Problem[] = [];
  for (const [file, text] of files) {
    if (file.endsWith('.md')) {
      counts.markdownFiles += 1;
      problems.push(...findRepeats(file, text, counts), ...findBrokenLinks(file, text, repo, counts));
      problems.push(...findLongRootReadme(file, text));
    }
    if (isScannedForCitations(file)) {
      counts.scannedFiles += 1;
      problems.push(...findCitations(file, text));
    }
  }
  return { problems, counts };
}

/** Tracked files and new files not ignored, as git sees them from `root`. */
function repositoryFiles(root: string): Map<string, string> {
  const listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  const files = new Map<string, string>();
  for (const file of new Set(listing.split('\0').filter((name) => name !== ''))) {
    try {
      files.set(file, readFileSync(path.join(root, file), 'utf8'));
    } catch {
      // Listed but deleted in the work tree: it is not there to check or to link to.
    }
  }
  return files;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const files = repositoryFiles(root);
  const { problems, counts } = checkFiles(files);
  const readme = files.get('README.md');
  console.log(
    `check-docs: ${counts.markdownFiles} Markdown files (${counts.headings} headings, ${counts.tableRows} table rows, ` +
      `${counts.links} relative links, ${counts.anchors} of them to headings), ${counts.scannedFiles} files scanned ` +
      `for citations; root README ${readme === undefined ? 0 : readme.trimEnd().split('\n').length} lines ` +
      `(at most ${ROOT_README_MAX_LINES})`,
  );
  for (const problem of problems) console.log(`${problem.file}:${problem.line}: ${problem.message}`);
  console.log(`check-docs: ${problems.length === 0 ? 'no problems' : `${problems.length} problem(s)`}`);
  if (problems.length > 0) process.exitCode = 1;
}

if (require.main === module) main();
