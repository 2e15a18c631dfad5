import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { hash, signers } from '@hyperledger/fabric-gateway';
import { p256 } from '@noble/curves/nist.js';
import { isP256, lowSDer, newNodeCryptoSigner } from '../src/fabric/signer';

/**
 * The gateway's node:crypto signer against fabric-gateway's own verifier library (@noble/curves,
 * which its `signers.newPrivateKeySigner` signs with) and OpenSSL: every signature verifies, is DER
 * and has a low S, as Fabric's endorsers and orderers require.
 */

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicRaw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-65));
const sha256 = (message: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(message).digest());

/** r and s of a DER ECDSA-Sig-Value, through @noble's parser. */
function rs(der: Uint8Array): { r: bigint; s: bigint } {
  const signature = p256.Signature.fromBytes(der, 'der');
  return { r: signature.r, s: signature.s };
}

/** The same (r, s) as DER, built by @noble (a high S stays high). */
function derOf(r: bigint, s: bigint): Uint8Array {
  return new p256.Signature(r, s).toBytes('der');
}

describe('node:crypto signer (P-256, DER, low S)', () => {
  const signer = newNodeCryptoSigner(privateKey);

  it('signs messages that @noble (low S required) and OpenSSL both verify', async () => {
    for (let i = 0; i < 60; i += 1) {
      const message = new Uint8Array(randomBytes(1 + (i % 300)));
      const signature = await signer(message);
      expect(
        p256.verify(signature, sha256(message), publicRaw, { prehash: false, format: 'der', lowS: true }),
      ).toBe(true);
      expect(verify('sha256', message, publicKey, signature)).toBe(true);
      expect(rs(signature).s <= N / 2n).toBe(true);
    }
  });

  it('is needed: OpenSSL alone gives a high S about half the time', () => {
    const message = new TextEncoder().encode('proposal bytes');
    const high = Array.from({ length: 60 }, () => rs(sign('sha256', message, privateKey)).s > N / 2n);
    expect(high.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('turns a high-S signature into the low-S one of the same (r, s) pair, and keeps a low S as it is', async () => {
    const message = new TextEncoder().encode('proposal bytes');
    const low = await signer(message);
    const { r, s } = rs(low);
    const high = derOf(r, N - s);
    expect(
      p256.verify(high, sha256(message), publicRaw, { prehash: false, format: 'der', lowS: false }),
    ).toBe(true);
    expect(p256.verify(high, sha256(message), publicRaw, { prehash: false, format: 'der', lowS: true })).toBe(
      false,
    );
    const normalised = lowSDer(high);
    expect(Buffer.from(normalised).equals(Buffer.from(low))).toBe(true);
    expect(lowSDer(low)).toBe(low);
  });

  it('re-encodes r and s in minimal DER when they shrink or need a sign byte', () => {
    for (const [r, s] of [
      [1n, N - 1n],
      [N - 1n, N - 0x80n],
      [0x80n, N - 0xff_ffn],
    ] as const) {
      const normalised = lowSDer(derOf(r, s));
      expect(Buffer.from(normalised).equals(Buffer.from(derOf(r, N - s)))).toBe(true);
    }
  });

  it('refuses a malformed signature', () => {
    expect(() => lowSDer(Uint8Array.of(0x30, 0x03, 0x02, 0x01))).toThrow('malformed');
    expect(() => lowSDer(Uint8Array.of(0x31, 0x00))).toThrow('malformed');
  });

  it("verifies like fabric-gateway's own signer: ours over the message, the library's over its SHA-256", async () => {
    const message = new Uint8Array(randomBytes(500));
    const library = await signers.newPrivateKeySigner(privateKey)(hash.sha256(message));
    const ours = await signer(hash.none(message));
    for (const signature of [library, ours]) {
      expect(
        p256.verify(signature, sha256(message), publicRaw, { prehash: false, format: 'der', lowS: true }),
      ).toBe(true);
    }
  });

  it('takes only P-256 keys', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(isP256(privateKey)).toBe(true);
    expect(isP256(other)).toBe(false);
    expect(() => newNodeCryptoSigner(other)).toThrow('P-256');
  });
});
