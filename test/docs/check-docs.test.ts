import {
  anchorsOfText,
  checkFiles,
  findBrokenLinks,
  findCitations,
  findLongRootReadme,
  findRepeats,
  linkTargets,
  ROOT_README_MAX_LINES,
  slugOf,
  type Repository,
} from '../../scripts/check-docs';

// Built from parts so that this file does not cite anything itself (the check scans it too).
const ISSUE = 'iss' + 'ue';
const DESIGN_FILE = 'DESIGN' + '.md';
const OUTSIDE = '/wo' + 'rk/shared';

const LONG_ROW_A = '| `network.test.ts` | network:up/status/down, idempotent restarts |';
const LONG_ROW_B = '| `joining.test.ts` | a centre joining the running consortium |';

describe('repeated headings and table rows', () => {
  it('reports a heading repeated later in the file, at the repetition, naming the first line', () => {
    const text = ['# Title', '', '## Commands', 'text', '## Commands', ''].join('\n');
    expect(findRepeats('README.md', text)).toEqual([
      { file: 'README.md', line: 5, message: 'repeats the heading of line 3: ## Commands' },
    ]);
  });

  it('reports a table row repeated with other spacing (merge residue), but not separator or short rows', () => {
    const text = [
      '| file | what |',
      '| ---- | ---- |',
      LONG_ROW_A,
      LONG_ROW_B,
      '| file | what |',
      '| :--- | ---: |',
      LONG_ROW_A.replace(' | ', '   |   '),
    ].join('\n');
    const problems = findRepeats('test/README.md', text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'test/README.md', line: 7 });
    expect(problems[0]?.message).toContain('repeats the table row of line 3');
  });

  it('ignores lines inside fenced code blocks (shell comments are not headings)', () => {
    const text = ['## Walkthrough', '```sh', '## Walkthrough', '# 1. a step', '```', '# 1. a step'].join(
      '\n',
    );
    expect(findRepeats('README.md', text)).toEqual([]);
  });

  it('counts what it checked', () => {
    const counts = { markdownFiles: 0, headings: 0, tableRows: 0, links: 0, anchors: 0, scannedFiles: 0 };
    findRepeats('a.md', ['# A', '## B', '| x | y |', '| - | - |', '| z | w |'].join('\n'), counts);
    expect(counts).toMatchObject({ headings: 2, tableRows: 2 });
  });
});

describe('anchors', () => {
  it("makes GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, CJK kept", () => {
    expect(slugOf('Runtime: Node 24 LTS, brought by `npm ci`')).toBe('runtime-node-24-lts-brought-by-npm-ci');
    expect(slugOf('Ports, data dir, stopping')).toBe('ports-data-dir-stopping');
    expect(slugOf('Identity: one person, one subjectRef')).toBe('identity-one-person-one-subjectref');
    expect(slugOf('Joining by files (role commands)')).toBe('joining-by-files-role-commands');
    expect(slugOf('提取 withdrawal')).toBe('提取-withdrawal');
  });

  it('numbers repeated headings as GitHub does, and skips code blocks', () => {
    expect([...anchorsOfText(['# Notes', '## Notes', '```', '# Code', '```'].join('\n'))]).toEqual([
      'notes',
      'notes-1',
    ]);
  });
});

describe('relative links', () => {
  const files = new Map<string, string>([
    ['README.md', ''],
    ['docs/operations.md', '# Operations\n\n## Supervision\n'],
    ['network/src/supervisor.ts', ''],
  ]);
  const repo: Repository = {
    exists: (repoPath) => files.has(repoPath) || repoPath === 'docs' || repoPath === 'network/src',
    anchorsOf: (repoPath) => {
      const text = files.get(repoPath);
      return repoPath.endsWith('.md') && text !== undefined ? anchorsOfText(text) : undefined;
    },
  };

  it('takes relative targets only: not external links, not links inside inline code', () => {
    expect(
      linkTargets(
        '[a](docs/x.md) [b](https://example.org/x) [c](mailto:a@b.c) `[d](e.md)` ![img](pic.png "t")',
      ),
    ).toEqual(['docs/x.md', 'pic.png']);
  });

  it('accepts existing files, directories and headings, resolved from the linking file', () => {
    const text = [
      '[ops](docs/operations.md#supervision) [code](network/src/supervisor.ts) [dir](network/src/)',
      '[self](#missing-here)',
    ].join('\n');
    expect(findBrokenLinks('README.md', text, repo)).toEqual([
      {
        file: 'README.md',
        line: 2,
        message: 'links to a missing heading: #missing-here',
      },
    ]);
    expect(
      findBrokenLinks('docs/hosts.md', '[up](../README.md) [ops](operations.md#supervision)', repo),
    ).toEqual([]);
  });

  it('reports a missing file, a missing heading and a path out of the repository, with file:line', () => {
    const text = [
      'intro',
      '[gone](docs/gone.md)',
      '[ops](docs/operations.md#fault-suite)',
      '[out](../../etc)',
    ].join('\n');
    expect(findBrokenLinks('README.md', text, repo)).toEqual([
      { file: 'README.md', line: 2, message: 'links to a missing file: docs/gone.md' },
      { file: 'README.md', line: 3, message: 'links to a missing heading: docs/operations.md#fault-suite' },
      { file: 'README.md', line: 4, message: 'links to a missing file: ../../etc' },
    ]);
  });
});

describe('citations', () => {
  it('reports issue numbers and design files outside the repository, with the line', () => {
    const text = [
      `## Certificates (${ISSUE} 12)`,
      `see ${DESIGN_FILE} §6`,
      `rules in ${OUTSIDE}/x`,
      `the ${ISSUE}-13 figures`,
    ].join('\n');
    expect(findCitations('README.md', text).map((problem) => problem.line)).toEqual([1, 2, 3, 4]);
    expect(findCitations('README.md', text)[0]?.message).toContain(`(${ISSUE} 12)`);
  });

  it('leaves ordinary uses of the word alone', () => {
    const text = [
      `9 + province of ${ISSUE} 11 + nationality 840`,
      `${ISSUE}-to-verify latency`,
      `a centre may ${ISSUE} certificates`,
      'docs/decisions/0001-title.md',
    ].join('\n');
    expect(findCitations('chaincode/test/identity.test.ts', text)).toEqual([]);
  });
});

describe('the root README', () => {
  const lines = (n: number): string => 'line\n'.repeat(n);

  it(`may have ${ROOT_README_MAX_LINES} lines and no more`, () => {
    expect(findLongRootReadme('README.md', lines(ROOT_README_MAX_LINES))).toEqual([]);
    expect(findLongRootReadme('README.md', lines(ROOT_README_MAX_LINES + 1))).toEqual([
      {
        file: 'README.md',
        line: ROOT_README_MAX_LINES + 1,
        message: `the root README has ${ROOT_README_MAX_LINES + 1} lines (at most ${ROOT_README_MAX_LINES}): move explanations to docs/`,
      },
    ]);
  });

  it('is the only README with that bound', () => {
    expect(findLongRootReadme('docs/operations.md', lines(ROOT_README_MAX_LINES + 100))).toEqual([]);
  });
});

describe('checkFiles', () => {
  it('runs every check over Markdown files and the citation check over source files, and counts them', () => {
    const files = new Map<string, string>([
      ['README.md', '# HPF\n\n[ops](docs/operations.md#commands)\n'],
      ['docs/operations.md', '# Operations\n\n## Commands\n\n## Commands\n'],
      ['chaincode/src/codes.ts', `/** Code tables from ${DESIGN_FILE}. */\n`],
      ['bench-results/national.json', `{"note": "${ISSUE} 13"}`],
    ]);
    const { problems, counts } = checkFiles(files);
    expect(problems.map((problem) => `${problem.file}:${problem.line}`)).toEqual([
      'docs/operations.md:5',
      'chaincode/src/codes.ts:1',
    ]);
    expect(counts).toEqual({
      markdownFiles: 2,
      headings: 4,
      tableRows: 0,
      links: 1,
      anchors: 1,
      scannedFiles: 3,
    });
  });
});
