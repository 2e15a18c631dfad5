import path from 'node:path';
import { parseArgs } from 'node:util';
import { PurgeRefusedError } from './data-dir';
import { DefinitionError, loadDefinition, type Consortium } from './definition';
import { FabricUnavailableError } from './fabric-bin';
import { ConfigUpdateRejected, JoinError, UsageError } from './errors';
import { REPO_ROOT } from './layout';
import { OrganisationFileError } from './organisation-file';

/**
 * Flag parsing shared by the thin scripts in scripts/: each command declares its flags once, with a
 * line of help and a default; `--help` prints the usage and every flag with its default and exits 0;
 * unknown flags and stray arguments are errors (exit 2).
 */

export const DEFAULT_DEFINITION = path.join(REPO_ROOT, 'network', 'consortium.yaml');

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** The value parseArgs gives when the flag is absent. */
  readonly default?: string | boolean;
  /** What the flag does, one line. */
  readonly help: string;
  /** The value's placeholder in the usage line (string flags): FILE, DIR, N. */
  readonly arg?: string;
  /** How the default reads in --help when the command computes it (no `default` above). */
  readonly defaultText?: string;
  /** Shown as required in the usage line (the command checks it). */
  readonly required?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface CommandSpec<F extends FlagSpecs> {
  /** How it is run: `npm run network:up`. */
  readonly command: string;
  /** What it does, a sentence or two. */
  readonly summary: string;
  readonly flags: F;
}

/** The shared `--definition FILE` flag. */
export const DEFINITION_FLAG = {
  type: 'string',
  arg: 'FILE',
  help: 'the consortium definition (YAML)',
  defaultText: 'network/consortium.yaml',
} as const satisfies FlagSpec;

function defaultOf(flag: FlagSpec): string {
  if (flag.defaultText !== undefined) return flag.defaultText;
  if (flag.default !== undefined) return String(flag.default);
  if (flag.type === 'boolean') return 'false';
  return flag.required === true ? 'none, required' : 'none';
}

function flagWord(name: string, flag: FlagSpec): string {
  return flag.type === 'string' ? `--${name} ${flag.arg ?? 'VALUE'}` : `--${name}`;
}

/** The usage line: required flags bare, the others in brackets. */
export function usageLine<F extends FlagSpecs>(spec: CommandSpec<F>): string {
  const words = Object.entries(spec.flags).map(([name, flag]) =>
    flag.required === true ? flagWord(name, flag) : `[${flagWord(name, flag)}]`,
  );
  return `${spec.command}${words.length > 0 ? ` -- ${words.join(' ')}` : ''}`;
}

/** `--help`'s text: usage, summary, and every flag with its help and default. */
export function helpText<F extends FlagSpecs>(spec: CommandSpec<F>): string {
  const rows: [string, string][] = [
    ...Object.entries(spec.flags).map(([name, flag]): [string, string] => [
      flagWord(name, flag),
      `${flag.help} (default: ${defaultOf(flag)})`,
    ]),
    ['--help', 'print this help and exit (default: false)'],
  ];
  const width = Math.max(...rows.map(([word]) => word.length));
  return [
    `usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    '',
    'flags:',
    ...rows.map(([word, text]) => `  ${word.padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** What parseFlags returns: booleans are always set; a string flag without a default may be absent. */
export type FlagValues<F extends FlagSpecs> = {
  -readonly [K in keyof F]: F[K]['type'] extends 'boolean'
    ? boolean
    : F[K]['default'] extends string
      ? string
      : string | undefined;
};

/**
 * Parses the command's flags from `args` (the process's by default). `--help` prints the help to
 * stdout and exits 0; a bad flag prints the error and the usage to stderr and exits 2.
 */
export function parseFlags<F extends FlagSpecs>(
  spec: CommandSpec<F>,
  args: readonly string[] = process.argv.slice(2),
): FlagValues<F> {
  if (wantsHelp(args)) {
    process.stdout.write(helpText(spec));
    process.exit(0);
  }
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, flag]) => [
      name,
      flag.default !== undefined
        ? { type: flag.type, default: flag.default }
        : flag.type === 'boolean'
          ? { type: flag.type, default: false }
          : { type: flag.type },
    ]),
  );
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false })
      .values as FlagValues<F>;
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${usageLine(spec)}`);
    process.exit(2);
  }
}

/**
 * The trimmed value of a flag the spec marks `required`; a missing or blank one prints the error and
 * the usage to stderr and exits 2, as a bad flag does.
 */
export function requiredFlag<F extends FlagSpecs>(
  spec: CommandSpec<F>,
  value: string | undefined,
  flag: keyof F & string,
): string {
  if (value === undefined || value.trim() === '') {
    console.error(`--${flag} is required\nusage: ${usageLine(spec)}`);
    process.exit(2);
  }
  return value.trim();
}

/** Loads the definition named by --definition (or the default), relative paths against the repo root. */
export function definitionFrom(
  file: string | undefined,
  options: { includeJoined?: boolean } = {},
): Consortium {
  return loadDefinition(path.resolve(file ?? DEFAULT_DEFINITION), REPO_ROOT, options);
}

/** Runs a script body, printing known errors without a stack and exiting non-zero. */
export function runMain(body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    if (
      error instanceof DefinitionError ||
      error instanceof FabricUnavailableError ||
      error instanceof JoinError ||
      error instanceof ConfigUpdateRejected ||
      error instanceof PurgeRefusedError ||
      error instanceof OrganisationFileError ||
      error instanceof UsageError
    ) {
      console.error(error.message);
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    process.exit(1);
  });
}
