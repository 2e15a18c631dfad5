import { sign, type KeyObject } from 'node:crypto';

/**
 * The gateway's transaction signer: ECDSA with SHA-256 in node:crypto (OpenSSL), in place of
 * fabric-gateway's `signers.newPrivateKeySigner`, which signs in pure JavaScript (@noble/curves,
 * about 2 ms a signature here, two signatures a write). Used with `hash.none`: fabric-gateway hands
 * the signer the whole message and OpenSSL hashes it. Fabric accepts only low-S signatures (s ≤ n/2,
 * as in its own BCCSP), and OpenSSL does not normalise S, so a high S is replaced by n − s.
 */

/** The order n of the P-256 group, and n/2 (SEC 2, secp256r1). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;

/** A message signer as fabric-gateway's `Signer` type (with `hash.none`, it receives the message). */
export type MessageSigner = (message: Uint8Array) => Promise<Uint8Array>;

/** Reads a DER INTEGER at `at`: its value and the offset after it. */
function readInteger(der: Uint8Array, at: number): { value: bigint; next: number } {
  const length = der[at + 1];
  if (der[at] !== 0x02 || length === undefined || length > 33) {
    throw new Error('ECDSA signature: malformed DER INTEGER');
  }
  const bytes = der.subarray(at + 2, at + 2 + length);
  return { value: BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`), next: at + 2 + length };
}

/** A positive INTEGER in minimal DER form (a leading 0x00 when the top bit is set). */
function encodeInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
}

/**
 * The DER ECDSA-Sig-Value {r, s} with s replaced by n − s when s > n/2 (P-256); a low-S signature
 * is returned as it is.
 */
export function lowSDer(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x30 || der[1] === undefined || der[1] + 2 !== der.length) {
    throw new Error('ECDSA signature: malformed DER SEQUENCE');
  }
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) throw new Error('ECDSA signature: trailing bytes');
  if (s.value <= P256_HALF_ORDER) return der;
  const body = Buffer.concat([encodeInteger(r.value), encodeInteger(P256_ORDER - s.value)]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

/** Whether a key is an EC key on P-256 (OpenSSL's name: prime256v1). */
export function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/** A P-256 private key's signer over whole messages (SHA-256 in OpenSSL, DER, low S). */
export function newNodeCryptoSigner(privateKey: KeyObject): MessageSigner {
  if (!isP256(privateKey)) {
    throw new Error('newNodeCryptoSigner: the key must be an EC P-256 private key');
  }
  return (message) => Promise.resolve(lowSDer(sign('sha256', message, privateKey)));
}
