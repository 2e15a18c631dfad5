import path from 'node:path';
import { parseArgs } from 'node:util';
import { PurgeRefusedError } from './data-dir';
import { DefinitionError, loadDefinition, type Consortium } from './definition';
import { FabricUnavailableError } from './fabric-bin';
import { JoinError } from './joining';
import { REPO_ROOT } from './layout';
import { OrganisationFileError } from './organisation-file';
import { RoleUsageError } from './roles';

/** Flag parsing shared by the thin scripts in scripts/: unknown flags and stray arguments are errors. */

export const DEFAULT_DEFINITION = path.join(REPO_ROOT, 'network', 'consortium.yaml');

type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

export function parseFlags<T extends FlagSpec>(
  usage: string,
  options: T,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: ${usage}`);
    process.exit(2);
  }
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
      error instanceof PurgeRefusedError ||
      error instanceof OrganisationFileError ||
      error instanceof RoleUsageError
    ) {
      console.error(error.message);
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    process.exit(1);
  });
}
