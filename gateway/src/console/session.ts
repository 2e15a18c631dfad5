import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { ApiKeyEntry, Role } from '../config';

export const SESSION_COOKIE = 'hpf_console';
export const LANG_COOKIE = 'hpf_lang';

export interface ConsoleSession {
  readonly keyId: string;
  readonly role: Role;
}

/** The request's cookies (the console sets only a few small ones). */
export function cookiesOf(req: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

export interface SessionStore {
  /** The session for an API key (operators and auditors may read), or undefined when the key is refused. */
  signIn(apiKey: string, res: Response): ConsoleSession | undefined;
  signOut(req: Request, res: Response): void;
  sessionOf(req: Request): ConsoleSession | undefined;
}

/**
 * Console sessions: a random 256-bit ID in an HttpOnly, SameSite=Strict cookie scoped to /console,
 * expiring after `minutes`; the gateway keeps them in memory (bounded), so a restart signs everyone
 * out. The API key itself is only hashed and compared, never kept.
 */
export function newSessionStore(keys: readonly ApiKeyEntry[], minutes: number): SessionStore {
  const byHash = new Map(keys.map((k) => [k.sha256, k]));
  const ttl = minutes * 60_000;
  const sessions = new LRUCache<string, ConsoleSession>({ max: 1_000, ttl });
  return {
    signIn(apiKey, res) {
      const entry = /^[\x21-\x7e]{16,256}$/.test(apiKey)
        ? byHash.get(createHash('sha256').update(apiKey, 'utf8').digest('hex'))
        : undefined;
      if (entry === undefined) return undefined;
      const id = randomBytes(32).toString('base64url');
      const session = { keyId: entry.id, role: entry.role };
      sessions.set(id, session);
      res.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${minutes * 60}`,
      );
      return session;
    },
    signOut(req, res) {
      const id = cookiesOf(req).get(SESSION_COOKIE);
      if (id !== undefined) sessions.delete(id);
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`);
    },
    sessionOf(req) {
      const id = cookiesOf(req).get(SESSION_COOKIE);
      return id === undefined ? undefined : sessions.get(id);
    },
  };
}
