import { invalid } from './domain/errors';

/** A JSON value as the codec writes it. `undefined` object members are left out. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json | undefined };

function canonical(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError('canonical JSON: numbers must be finite');
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: Json) => canonical(item)).join(',')}]`;
  }
  const object = value as { readonly [key: string]: Json | undefined };
  const members = Object.keys(object)
    .sort()
    .flatMap((key) => {
      const member = object[key];
      return member === undefined ? [] : [`${JSON.stringify(key)}:${canonical(member)}`];
    });
  return `{${members.join(',')}}`;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, undefined members left
 * out. Every state write, result and event goes through here, so equal values give equal bytes on
 * every endorsing peer.
 */
export function canonicalJson(value: Json): string {
  return canonical(value);
}

export function encodeJson(value: Json): Uint8Array {
  return Buffer.from(canonical(value), 'utf8');
}

/** Parses JSON text to `unknown`; the caller validates it through a factory. */
export function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid(field, 'must be valid JSON');
  }
}

export function decodeJson(bytes: Uint8Array, field: string): unknown {
  return parseJson(Buffer.from(bytes).toString('utf8'), field);
}
