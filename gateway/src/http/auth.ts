import { hash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ApiKeyEntry } from '../config';
import { ApiError } from '../errors';
import type { Caller } from '../services/caller';

const callers = new WeakMap<Request, Caller>();

/** The authenticated caller of a request that passed {@link authenticate}. */
export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) {
    throw new ApiError('UNAUTHENTICATED', 'no authenticated caller');
  }
  return caller;
}

/** True when {@link identify} found a valid key on the request. */
export function isAuthenticated(req: Request): boolean {
  return callers.has(req);
}

/**
 * Bearer authentication against SHA-256 hashes of the keys: the gateway never holds a key in clear.
 * Lookup by hash, so comparison time does not depend on how much of a guessed key is right.
 * Records the caller when the key is valid and refuses nothing itself, so that requests without a
 * valid key can be rate-limited per client address before {@link requireAuthenticated} refuses them.
 */
export function identify(keys: readonly ApiKeyEntry[], centreCode: string | null): RequestHandler {
  const byHash = new Map(keys.map((k) => [k.sha256, k]));
  return (req, _res, next) => {
    const match = /^Bearer ([\x21-\x7e]{16,256})$/.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    const entry = token === undefined ? undefined : byHash.get(hash('sha256', token, 'hex'));
    if (entry) {
      // An operator acts for its key's centre; an auditor's reads default to the gateway's first centre.
      callers.set(req, { keyId: entry.id, role: entry.role, centreCode: entry.centre ?? centreCode });
    }
    next();
  };
}

/** 401 for a request {@link identify} found no valid key on. */
export const requireAuthenticated: RequestHandler = (req, _res, next) => {
  if (!isAuthenticated(req) && !req.originalUrl.startsWith(PUBLIC_PREFIX)) {
    next(new ApiError('UNAUTHENTICATED', 'a valid "Authorization: Bearer <key>" header is required'));
    return;
  }
  next();
};

/** Writes are for operators; auditors are read-only. */
export const requireOperator: RequestHandler = (req, _res, next) => {
  if (callerOf(req).role !== 'operator') {
    next(new ApiError('FORBIDDEN', 'auditor keys are read-only'));
    return;
  }
  next();
};

/** POST routes that only read (they compute or verify, and write nothing). */
const READ_ONLY_POSTS: readonly string[] = [
  '/v1/subjects/lookup',
  '/v1/verify',
  '/v1/certificates/verify',
  '/v1/public/certificates/verify',
];

/** Paths served without a key (rate-limited per client address instead). */
export const PUBLIC_PREFIX = '/v1/public/';

/**
 * Refuses auditors' writes before the body is even validated: a read-only key learns nothing about
 * what a valid write looks like. The routes check again with {@link requireOperator}.
 */
export const auditorsReadOnly: RequestHandler = (req, res, next) => {
  if (!isAuthenticated(req)) {
    next(); // only the public paths get here without a key
    return;
  }
  const isWrite =
    req.method !== 'GET' &&
    req.method !== 'HEAD' &&
    !READ_ONLY_POSTS.includes(req.originalUrl.split('?')[0] ?? '');
  if (isWrite) {
    requireOperator(req, res, next);
    return;
  }
  next();
};
