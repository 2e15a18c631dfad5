import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Keyed hashes of what public state fingerprints but must not reveal: evidence references and the
 * free texts of business steps. An unkeyed SHA-256 of a short or structured input (a registration
 * number, an ID number, a standard reject text) is reversed by trying candidates; an HMAC cannot be
 * tried without the key.
 *
 * The key is derived from the consortium pseudonymisation key K with HKDF-SHA256 (RFC 5869, empty
 * salt, one `info` label per purpose), so no new secret is distributed: whoever holds K (every
 * gateway and every chaincode server) computes the same hashes, every endorser recomputes them from
 * the transient map, and the labels keep the purposes (and the subjectRef, HMAC(K, "id:…")) apart.
 */
export type KeyedHashPurpose = 'evidence' | 'free-text';

/** HKDF `info` per purpose. Changing one changes every hash of that purpose: a new label, a new ledger. */
export const KEYED_HASH_LABELS: Readonly<Record<KeyedHashPurpose, string>> = {
  evidence: 'hpf evidence hash v1',
  'free-text': 'hpf free-text hash v1',
};

/** The 32-byte HMAC key of one purpose, derived from K. */
export function derivedHashKey(pseudonymKey: Uint8Array, purpose: KeyedHashPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', pseudonymKey, Buffer.alloc(0), KEYED_HASH_LABELS[purpose], 32));
}

/**
 * Both derived keys, computed once where K is loaded, as KeyObjects: on Node 24 an HMAC keyed with raw
 * bytes costs about 16 µs (the key is imported each time), with a KeyObject about 2.5 µs, and HKDF
 * itself about 18 µs.
 */
export interface HashKeys {
  readonly evidence: KeyObject;
  readonly freeText: KeyObject;
}

/** K itself (the keys are derived on each call) or the keys derived from it once ({@link hashKeysOf}). */
export type HashKeySource = Uint8Array | HashKeys;

export function hashKeysOf(pseudonymKey: Uint8Array): HashKeys {
  return {
    evidence: createSecretKey(derivedHashKey(pseudonymKey, 'evidence')),
    freeText: createSecretKey(derivedHashKey(pseudonymKey, 'free-text')),
  };
}

function keyFor(source: HashKeySource, purpose: KeyedHashPurpose): Buffer | KeyObject {
  if (source instanceof Uint8Array) {
    return derivedHashKey(source, purpose);
  }
  return purpose === 'evidence' ? source.evidence : source.freeText;
}

/** HMAC-SHA256 (lowercase hex, 64 characters, the shape public state always had) of UTF-8 text. */
export function keyedHashHex(source: HashKeySource, purpose: KeyedHashPurpose, text: string): string {
  return createHmac('sha256', keyFor(source, purpose)).update(text, 'utf8').digest('hex');
}
