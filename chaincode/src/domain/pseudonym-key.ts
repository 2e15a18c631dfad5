/** The shortest consortium pseudonymisation key accepted: HMAC-SHA256 with fewer than 32 bytes is weak. */
export const MIN_PSEUDONYM_KEY_BYTES = 32;

/**
 * Decodes the bytes of a key file the way every gateway and every chaincode server does (they must
 * agree byte for byte, or pseudonyms differ): 64+ hex characters, base64/base64url text, or else the
 * raw bytes. Returns undefined when the key is shorter than 32 bytes.
 */
export function decodePseudonymKey(raw: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(raw);
  const text = bytes.toString('utf8').trim();
  let key: Buffer;
  if (/^[0-9a-fA-F]{64,}$/.test(text)) {
    key = Buffer.from(text, 'hex');
  } else if (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(text)) {
    key = Buffer.from(text, 'base64');
  } else {
    key = bytes;
  }
  return key.length < MIN_PSEUDONYM_KEY_BYTES ? undefined : key;
}
