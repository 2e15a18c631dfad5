import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Request, Response } from 'express';
import type { Schemas } from '../api-types';
import { ApiError, type ErrorCode, type ValidationIssue } from '../errors';
import type { WriteOutcome } from '../services/settings';
import { problemOf, toProblemError, type ProblemDocument } from './problem';

/**
 * Batch submission (`POST /v1/withdrawals/batch`, `POST /v1/transfers/batch`): each item is its own
 * call of the single endpoint's service, so auth, ownership, idempotency and errors are exactly theirs.
 */

/** Most items in one batch call (the OpenAPI document's maxItems says the same; 400 above it). */
export const BATCH_MAX_ITEMS = 50;
/** Items of one batch in flight at once: enough to fill a block, few enough not to starve other callers. */
export const BATCH_CONCURRENCY = 8;

/** One item's answer, in input order: the record as the single call answers it, or its problem. */
export interface BatchItemResult {
  readonly status: number;
  readonly code?: ErrorCode;
  readonly txId?: string;
  readonly record?: Readonly<Record<string, unknown>>;
  readonly problem?: ProblemDocument;
}

/**
 * Validates one item against the single endpoint's request schema, read from the same OpenAPI
 * document (one copy of each rule). The batch schema declares items as objects only, so that a
 * malformed item is refused on its own and never stops the others.
 */
export type ItemValidator<Item> = (item: unknown, index: number) => Item;

/** The validator of the schema `schemaName`, which is also the type of what it lets through. */
export function newItemValidator<Name extends keyof Schemas>(
  openApiDocument: object,
  schemaName: Name,
): ItemValidator<Schemas[Name]> {
  const components = (openApiDocument as { components?: { schemas?: object } }).components;
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: { schemas: components?.schemas ?? {} } });
  const validate: ValidateFunction<Schemas[Name]> = ajv.compile({
    $ref: `openapi#/components/schemas/${schemaName}`,
  });
  return (item, index) => {
    if (validate(item)) return item;
    const errors = (validate.errors ?? []).map((e) => issueOf(e, index));
    throw new ApiError('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
      errors,
    });
  };
}

function issueOf(error: ErrorObject, index: number): ValidationIssue {
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  return {
    path: `body.items.${index}${error.instancePath.replace(/\//g, '.')}`,
    message: `${error.message ?? 'is not valid'}${typeof extra === 'string' ? `: ${extra}` : ''}`,
  };
}

/**
 * Runs `submit` on every item with at most BATCH_CONCURRENCY in flight and answers 200 with
 * `{ results }` in input order. A failing item becomes its problem document (5xx details hidden as in
 * the one error handler, and logged); it never stops the others.
 */
export async function sendBatch(
  req: Request<Request['params'], unknown, { readonly items: readonly unknown[] }>,
  res: Response,
  submit: (item: unknown, index: number) => Promise<WriteOutcome>,
): Promise<void> {
  const { items } = req.body;
  const results: BatchItemResult[] = new Array<BatchItemResult>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await itemResult(req, () => submit(items[i], i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, items.length) }, worker));
  res.status(200).json({ results });
}

async function itemResult(req: Request, run: () => Promise<WriteOutcome>): Promise<BatchItemResult> {
  try {
    const outcome = await run();
    return {
      status: outcome.status,
      ...(outcome.txId === undefined ? {} : { txId: outcome.txId }),
      record: outcome.record,
    };
  } catch (err) {
    const error = toProblemError(err);
    if (error.status >= 500) {
      req.log.error({ err: error.cause ?? error, code: error.code, txId: error.txId }, 'batch item failed');
    }
    return { status: error.status, code: error.code, problem: problemOf(error) };
  }
}
