import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
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
  /** Sessions held now (expired ones included until they are looked at or pushed out). */
  size(): number;
}

export interface SessionOptions {
  /** How long a session lasts after sign-in. */
  readonly minutes: number;
  /** The most sessions one key holds at once; signing in again beyond that ends its oldest. */
  readonly perKey: number;
  /** Cookies carry `Secure` (the gateway serves HTTPS). */
  readonly secure: boolean;
}

interface Held {
  readonly session: ConsoleSession;
  readonly expiresAt: number;
}

/**
 * Console sessions: a random 256-bit ID in an HttpOnly, SameSite=Strict cookie scoped to /console
 * (and `Secure` over HTTPS), expiring after `minutes`; the gateway keeps them in memory, so a restart
 * signs everyone out. The API key itself is only hashed and compared, never kept.
 *
 * Each key holds at most `perKey` sessions: a new sign-in beyond that ends the key's oldest session.
 * So the store never holds more than keys × perKey sessions, and signing in again and again with one
 * key ends only that key's own sessions, never another key's.
 */
export function newSessionStore(
  keys: readonly ApiKeyEntry[],
  options: Readonly<SessionOptions>,
  now: () => number = Date.now,
): SessionStore {
  const byHash = new Map(keys.map((k) => [k.sha256, k]));
  const ttl = options.minutes * 60_000;
  const attributes = `Path=/console; HttpOnly;${options.secure ? ' Secure;' : ''} SameSite=Strict`;
  const sessions = new Map<string, Held>();
  /** Each key's session IDs, oldest first. */
  const perKey = new Map<string, string[]>(keys.map((k) => [k.id, []]));
  const forget = (id: string): void => {
    const held = sessions.get(id);
    if (held === undefined) return;
    sessions.delete(id);
    const ids = perKey.get(held.session.keyId) ?? [];
    ids.splice(ids.indexOf(id), 1);
  };
  return {
    signIn(apiKey, res) {
      const entry = /^[\x21-\x7e]{16,256}$/.test(apiKey)
        ? byHash.get(createHash('sha256').update(apiKey, 'utf8').digest('hex'))
        : undefined;
      if (entry === undefined) return undefined;
      const ids = perKey.get(entry.id) ?? [];
      for (const old of [...ids]) if ((sessions.get(old)?.expiresAt ?? 0) <= now()) forget(old);
      while (ids.length >= options.perKey) forget(ids[0] ?? '');
      const id = randomBytes(32).toString('base64url');
      const session = { keyId: entry.id, role: entry.role };
      sessions.set(id, { session, expiresAt: now() + ttl });
      ids.push(id);
      perKey.set(entry.id, ids);
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; ${attributes}; Max-Age=${options.minutes * 60}`);
      return session;
    },
    signOut(req, res) {
      const id = cookiesOf(req).get(SESSION_COOKIE);
      if (id !== undefined) forget(id);
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`);
    },
    sessionOf(req) {
      const id = cookiesOf(req).get(SESSION_COOKIE);
      const held = id === undefined ? undefined : sessions.get(id);
      if (held === undefined || id === undefined) return undefined;
      if (held.expiresAt <= now()) {
        forget(id);
        return undefined;
      }
      return held.session;
    },
    size() {
      return sessions.size;
    },
  };
}
