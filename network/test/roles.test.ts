import path from 'node:path';
import { centreEntryOf, parseRoleFlags, RoleUsageError } from '../src/roles';

const base = ['--definition', 'c.yaml', '--data-dir', 'host'];

function refusal(role: string, args: string[]): string {
  try {
    parseRoleFlags(role, args);
  } catch (error) {
    expect(error).toBeInstanceOf(RoleUsageError);
    return (error as Error).message;
  }
  throw new Error(`${role} ${args.join(' ')} was accepted`);
}

describe('role command flags', () => {
  it('parses member:sign, resolving files', () => {
    const flags = parseRoleFlags('member:sign', [
      ...base,
      '--org',
      'c110000',
      '--update',
      'u.pb',
      '--out',
      's.pb',
    ]);
    expect(flags).toMatchObject({
      org: 'c110000',
      definition: path.resolve('c.yaml'),
      dataDir: path.resolve('host'),
      update: path.resolve('u.pb'),
      out: path.resolve('s.pb'),
    });
  });

  it('parses --sequence and --package-id', () => {
    const id = `hpf_1:${'a'.repeat(64)}`;
    const flags = parseRoleFlags('member:approve', [
      ...base, '--org', 'regulator', '--centre-file', 'o.json', '--package-id', id, '--sequence', '2',
    ]); // prettier-ignore
    expect(flags.sequence).toBe(2);
    expect(flags.packageId).toBe(id);
  });

  it.each([
    ['an unknown role', 'member:dance', base, 'unknown role command member:dance'],
    [
      'an unknown flag',
      'member:submit',
      [...base, '--org', 'c110000', '--update', 'u', '--force', 'x'],
      "'--force'",
    ],
    [
      'a flag of another role',
      'member:submit',
      [...base, '--org', 'c110000', '--update', 'u', '--out', 'x'],
      "'--out'",
    ],
    [
      'a missing --data-dir',
      'member:submit',
      ['--definition', 'c.yaml', '--org', 'c110000', '--update', 'u'],
      '--data-dir is required',
    ],
    ['a missing --update', 'member:submit', [...base, '--org', 'c110000'], '--update is required'],
    ['an empty --org', 'member:submit', [...base, '--org', ' ', '--update', 'u'], '--org is required'],
    [
      'a bad --org',
      'member:submit',
      [...base, '--org', 'C110000MSP', '--update', 'u'],
      '--org C110000MSP: must be',
    ],
    [
      'a bad --sequence',
      'member:commit',
      [...base, '--org', 'c110000', '--centre-file', 'o', '--sequence', '0'],
      '--sequence 0: must be',
    ],
    [
      'a fractional --sequence',
      'member:commit',
      [...base, '--org', 'c110000', '--centre-file', 'o', '--sequence', '1.5'],
      '--sequence 1.5',
    ],
    [
      'a bad --package-id',
      'organisation:serve',
      [...base, '--centre-file', 'o', '--package-id', 'hpf_1:xyz'],
      '--package-id hpf_1:xyz',
    ],
    ['a stray argument', 'member:submit', [...base, '--org', 'c110000', '--update', 'u', 'extra'], 'extra'],
    [
      'a missing --pseudonym-key',
      'organisation:join',
      [
        ...base,
        '--centre-file',
        'o',
        '--orderer-file',
        'x',
        '--package',
        'p',
        '--package-id',
        `l:${'0'.repeat(64)}`,
        '--sequence',
        '2',
      ],
      '--pseudonym-key is required',
    ],
  ])('refuses %s, naming it', (_what, role, args, expected) => {
    expect(refusal(role, args)).toContain(expected);
  });

  it('refuses a centre file that cannot be read, naming the file', () => {
    expect(() => centreEntryOf('/nonexistent/o.json')).toThrow('/nonexistent/o.json');
  });
});
