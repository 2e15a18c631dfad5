import path from 'node:path';
import type { Express, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { withoutLinks } from '../openapi-document';

/**
 * Request validation against the OpenAPI document (express-openapi-validator), with its two costs
 * moved out of the serving path:
 *
 * - The library compiles an operation's validators (AJV) on the first request of that operation and
 *   content type, which made the first withdrawal after start-up take tens of milliseconds more.
 *   {@link OpenApiValidation.prepare} passes one synthetic request per operation and content type
 *   through the library's own middleware, in-process, before the gateway listens: no socket, no
 *   ledger, no route, nothing answered; the compiled validators land in the library's cache.
 * - It compiles `path-to-regexp` for each route template it tries, on every request
 *   (`lookupRoute`); {@link memoisePathToRegexp} keeps each template's expression once built.
 */
export interface OpenApiValidation {
  /** The validator's middleware, in order. */
  readonly handlers: readonly RequestHandler[];
  /** Compiles every operation's validators into the library's cache; call once before listening. */
  prepare(app: Express): Promise<void>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Content types each operation is warmed with (`undefined`: no Content-Type, e.g. a GET). */
type WarmUp = readonly { readonly method: string; readonly url: string; readonly contentType?: string }[];

export function openApiValidation(document: object): OpenApiValidation {
  memoisePathToRegexp();
  const handlers = OpenApiValidator.middleware({
    apiSpec: withoutLinks(document) as unknown as string,
    validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false },
    validateResponses: false,
    validateFormats: true,
    ajvFormats: { mode: 'full' },
    validateSecurity: false,
  }) as RequestHandler[];
  const warmUps = warmUpsOf(document);
  let prepared: Promise<void> | undefined;
  return {
    handlers,
    prepare(app) {
      prepared ??= (async () => {
        for (const warmUp of warmUps) {
          await runSynthetic(app, handlers, warmUp);
        }
      })();
      return prepared;
    },
  };
}

type Operation = { readonly requestBody?: { readonly $ref?: string; readonly content?: object } };

/** The media types of an operation's request body (`$ref`s to components/requestBodies followed). */
function mediaTypesOf(document: object, operation: Operation): string[] {
  const ref = operation.requestBody?.$ref;
  const prefix = '#/components/requestBodies/';
  const body =
    ref?.startsWith(prefix) === true
      ? ((document as { components?: { requestBodies?: Record<string, Operation['requestBody']> } })
          .components?.requestBodies?.[ref.slice(prefix.length)] ?? undefined)
      : operation.requestBody;
  return Object.keys(body?.content ?? {});
}

/**
 * One request per operation and content type its requests come with: none (GETs, and POSTs sent
 * without a body), then each media type of its request body, JSON also with `charset=utf-8` (the
 * library keys its cache by the normalised Content-Type). Path parameters get a placeholder value.
 */
function warmUpsOf(document: object): WarmUp {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  const result: { method: string; url: string; contentType?: string }[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const url = template.replace(/\{[^}]+\}/g, 'x');
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation === undefined) continue;
      const upper = method.toUpperCase();
      result.push({ method: upper, url });
      for (const mediaType of mediaTypesOf(document, operation)) {
        result.push({ method: upper, url, contentType: mediaType });
        if (mediaType === 'application/json') {
          result.push({ method: upper, url, contentType: `${mediaType}; charset=utf-8` });
        }
      }
    }
  }
  return result;
}

/**
 * Runs `handlers` on a request built on the app's own request prototype (so `req.app`, `req.path`
 * and `req.query` are Express's), stopping at the first error: the synthetic request carries no
 * valid body, and being refused by the validator is the expected end. Nothing is ever sent.
 */
async function runSynthetic(
  app: Express,
  handlers: readonly RequestHandler[],
  warmUp: WarmUp[number],
): Promise<void> {
  const req = Object.create(app.request as object) as Request;
  const res = Object.create(app.response as object) as Response;
  const headers: Record<string, string> =
    warmUp.contentType === undefined ? {} : { 'content-type': warmUp.contentType };
  Object.assign(req, {
    method: warmUp.method,
    url: warmUp.url,
    originalUrl: warmUp.url,
    baseUrl: '',
    headers,
    params: {},
    body: warmUp.contentType === undefined ? undefined : {},
    res,
  });
  Object.assign(res, { req, locals: {} });
  for (const handler of handlers) {
    const failed = await new Promise<boolean>((resolve) => {
      try {
        void handler(req, res, (err?: unknown) => {
          resolve(err !== undefined && err !== null);
        });
      } catch {
        resolve(true);
      }
    });
    if (failed) return;
  }
}

/** The path-to-regexp module express-openapi-validator itself loads. */
function validatorsPathToRegexp(): { pathToRegexp: (...args: unknown[]) => unknown } {
  const from = path.dirname(require.resolve('express-openapi-validator'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('path-to-regexp', { paths: [from] })) as {
    pathToRegexp: (...args: unknown[]) => unknown;
  };
}

const MEMO_LIMIT = 1_000;
const memoised = Symbol.for('hpf.gateway.memoisedPathToRegexp');

/** `options` as the validator passes them (only `sensitive` and `strict`) as two characters, else undefined. */
function routeFlags(options: unknown): string | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  let count = 0;
  for (const [name, value] of Object.entries(options)) {
    if ((name !== 'sensitive' && name !== 'strict') || typeof value !== 'boolean') return undefined;
    count += 1;
  }
  const { sensitive, strict } = options as { sensitive?: boolean; strict?: boolean };
  return count === 2 ? `${sensitive === true ? 's' : '-'}${strict === true ? 't' : '-'}` : undefined;
}

/**
 * express-openapi-validator 5 calls `pathToRegexp(template, { sensitive, strict })` for each route of
 * the document on every request until one matches, building the same expression again each time (a
 * pure function of its arguments). This keeps each result, for at most MEMO_LIMIT distinct argument
 * lists (the document's templates: a few dozen), in the module the library reads it from at each
 * call. The results are only read (`regexp.exec`, `keys`); the expressions carry no `g` flag, so
 * sharing them keeps no state between requests.
 */
export function memoisePathToRegexp(): void {
  const module = validatorsPathToRegexp();
  const original = module.pathToRegexp as ((...args: unknown[]) => unknown) & { [memoised]?: true };
  if (original[memoised] === true) return;
  const cache = new Map<string, unknown>();
  const wrapped = Object.assign(
    (template: unknown, options?: unknown): unknown => {
      const flags = routeFlags(options);
      if (typeof template !== 'string' || flags === undefined) return original(template, options);
      const key = `${flags}${template}`;
      let result = cache.get(key);
      if (result === undefined) {
        result = original(template, options);
        if (cache.size < MEMO_LIMIT) cache.set(key, result);
      }
      return result;
    },
    { [memoised]: true as const },
  );
  module.pathToRegexp = wrapped;
}
