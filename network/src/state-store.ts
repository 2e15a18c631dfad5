import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The one way network/ reads JSON: the state files in a data dir (pid records, committed.json,
 * supervisor state, gateway API keys, joined centres, join proposals, the agreed registry) and the
 * JSON that Fabric's tools print. Each has a zod schema here; a file that does not parse or match
 * gives a StateFileError naming the file and the field.
 */

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
    this.name = 'StateFileError';
  }
}

const text = z.string();
const count = z.number().int().nonnegative();

/** pids/<name>.json: a process we started (processes.ts). */
export const pidRecordSchema = z.object({
  name: text,
  pid: z.number().int().positive(),
  command: text,
  firstArg: text.default(''),
  startedAt: text.default(''),
});
export type PidRecord = z.infer<typeof pidRecordSchema>;

/** chaincode/committed.json: the definition we last committed (chaincode-deploy.ts). */
export const committedRecordSchema = z.object({ sequence: count, version: text, policy: text });
export type CommittedRecord = z.infer<typeof committedRecordSchema>;

/** chaincode/agreed-registry.json: the digest of the registry content the members agreed. */
export const agreedRegistryStateSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

const restartEventSchema = z.object({
  name: text,
  at: text,
  reason: text,
  oldPid: z.number().int().nullable(),
  newPid: z.number().int().nullable(),
});

/** supervisor.json: what `npm start`'s supervisor last wrote (supervisor.ts). */
export const supervisorStateSchema = z.object({
  supervisorPid: z.number().int().positive(),
  phase: z.enum(['starting', 'running', 'failed', 'stopped']),
  updatedAt: text,
  error: text.optional(),
  processes: z.array(
    z.object({
      name: text,
      state: z.enum(['RUNNING', 'BACKOFF', 'HELD', 'FAILED']),
      pid: z.number().int().nullable(),
      restarts: count,
      lastReason: text.nullable(),
    }),
  ),
  restarts: z.array(restartEventSchema),
});

/** secrets/api-keys.json: each organisation's gateway API keys by role (gateways.ts). */
export const apiKeyStoreSchema = z.record(
  text,
  z.object({ operator: text.optional(), auditor: text.optional() }),
);

const centreEntrySchema = z.object({
  code: text,
  mspId: text,
  name: text,
  host: text.optional(),
});

/** joined-centres.json: centres admitted after the definition was written (definition.ts). */
export const joinedCentresSchema = z.array(centreEntrySchema);

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(file)' : issue.path.map(String).join('.');
}

/** Parses JSON `content` from `source` (a file, or a tool's output) against `schema`. */
export function parseState<S extends z.ZodType>(source: string, content: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new StateFileError(source, '(file)', `not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(source, issue ? fieldOf(issue) : '(file)', issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** Reads a state file: null when it does not exist, a StateFileError when it is corrupt. */
export function readState<S extends z.ZodType>(file: string, schema: S): z.output<S> | null {
  if (!existsSync(file)) return null;
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StateFileError(file, '(file)', `cannot be read: ${(error as Error).message}`);
  }
  return parseState(file, content, schema);
}
