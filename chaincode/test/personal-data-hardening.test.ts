import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import {
  CONFUSABLE_PROTOTYPES,
  CONFUSABLES_FILE,
  confusablesTable,
  evidenceHashOf,
  findIdShapedRun,
  foldReference,
  freeTextHash,
  hashKeysOf,
  refuseIdShaped,
  residentIdCheckChar,
  validateEvidenceReference,
  validatePublicReference,
  validateWithdrawalId,
} from '../src/domain';
import { chaincodeHashKeys } from '../src/config';
import { validateRequestId } from '../src/model/certificate';
import { validateCertificateNo } from '../src/domain/certificate';
import {
  ALICE,
  ALICE_ID,
  BEIJING,
  expectHpf,
  GUANGDONG,
  hash,
  parse,
  PSEUDONYM_KEY,
  TestNetwork,
} from './harness';
import { request, step, T1, TRANSFER_OUT } from './transfer-fixtures';

/**
 * Personal data in public state, after an outside review: keyed evidence and free-text hashes, the
 * one detector of ID numbers in public identifiers and evidence references, and the evidence fold
 * (invisible characters, Unicode look-alikes from the confusables table, bracket and separator
 * variants). Each weakness the review reproduced is a case here that failed before.
 */

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a refusal');
};

/** A valid 18-character resident ID (born 1990-03-07) and its 15-digit first-generation form. */
const ID18 = ALICE_ID;
const ID15 = '110105900307123';
/** Another valid one, for variety: born 1985-12-24, check character computed. */
const OTHER18 = `31010419851224456${residentIdCheckChar('31010419851224456')}`;
const ID_WITH_X = (() => {
  for (let serial = 100; serial < 999; serial += 1) {
    const first17 = `44030619920615${serial}`;
    if (residentIdCheckChar(first17) === 'X') return `${first17}X`;
  }
  throw new Error('no X check character in range');
})();

describe('evidence fold: invisible characters', () => {
  const formatChars: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp += 1) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    if (/\p{Cf}/u.test(char)) formatChars.push(char);
  }

  it('finds the format characters (general category Cf) to test: soft hyphen, ZWSP, word joiner among them', () => {
    expect(formatChars.length).toBeGreaterThan(150);
    expect(formatChars).toEqual(expect.arrayContaining(['\u00ad', '\u200b', '\u2060', '\ufeff']));
  });

  it('removes every Cf character, wherever it stands in the reference', () => {
    const plain = foldReference('GF20260001');
    const missed = formatChars.filter(
      (c) =>
        foldReference(`G${c}F2026${c}0001${c}`) !== plain ||
        evidenceHashOf(PSEUDONYM_KEY, `GF2026${c}0001`) !== evidenceHashOf(PSEUDONYM_KEY, 'GF20260001'),
    );
    expect(missed.map((c) => c.codePointAt(0)!.toString(16))).toEqual([]);
  });
});

describe('evidence fold: Unicode look-alikes from the confusables table (UTS #39)', () => {
  // Every non-ASCII source whose prototype is one ASCII letter or digit, from the data itself.
  const variants = [...CONFUSABLE_PROTOTYPES].filter(
    ([source, prototype]) => /^[0-9A-Za-z]$/.test(prototype) && source.codePointAt(0)! > 0x7f,
  );
  /** A compatibility character that NFKC turns into ASCII is that ASCII (`ſ` is an s); else the prototype. */
  const meant = (source: string, prototype: string): string => {
    const compat = source.normalize('NFKC');
    // eslint-disable-next-line no-control-regex
    return /^[\u0000-\u007f]+$/.test(compat) ? compat : prototype;
  };

  it('loads the pinned table (confusables.txt) and refuses any other bytes', () => {
    expect(CONFUSABLE_PROTOTYPES.size).toBe(6294);
    expect(variants.length).toBeGreaterThan(1000);
    const bytes = readFileSync(require.resolve(CONFUSABLES_FILE));
    expect(confusablesTable(bytes).size).toBe(CONFUSABLE_PROTOTYPES.size);
    const tampered = Buffer.from(bytes.toString('utf8').replace('"A"', '"B"'), 'utf8');
    expect(() => confusablesTable(tampered)).toThrow(/SHA-256 .* expected/);
  });

  it('folds each confusable of a Latin letter or digit as that letter or digit (every entry of the table)', () => {
    const missed = variants.filter(
      ([source, prototype]) =>
        foldReference(`GF2026${source}01`) !== foldReference(`GF2026${meant(source, prototype)}01`),
    );
    expect(missed.map(([source]) => source.codePointAt(0)!.toString(16))).toEqual([]);
  });

  it('gives the same keyed hash for a contract typed with Cyrillic, Greek or mathematical look-alikes', () => {
    const latin = 'AB-2026-0001';
    for (const [source, prototype] of variants.filter(([, p]) => /^[ABab0-9]$/.test(p))) {
      const typed = latin.replace(prototype.toUpperCase(), source);
      if (typed === latin) continue;
      expect(evidenceHashOf(PSEUDONYM_KEY, typed)).toBe(evidenceHashOf(PSEUDONYM_KEY, latin));
    }
  });

  it('treats confusable ASCII alike too: a letter O for a zero is the same document', () => {
    expect(foldReference('GF2026OOO1')).toBe(foldReference('GF20260001'));
    expect(foldReference('GF2026000I')).toBe(foldReference('GF20260001'));
  });
});

describe('evidence fold: brackets and separators', () => {
  const bracketPairs = [
    ['(', ')'],
    ['（', '）'],
    ['〔', '〕'],
    ['[', ']'],
    ['［', '］'],
    ['【', '】'],
    ['〖', '〗'],
    ['{', '}'],
    ['《', '》'],
  ] as const;

  it('folds every bracket variant of 京(2026)… alike', () => {
    const plain = foldReference('京(2026)朝阳区不动产权第0001号');
    for (const [open, close] of bracketPairs) {
      expect(foldReference(`京${open}2026${close}朝阳区不动产权第0001号`)).toBe(plain);
    }
  });

  it('folds every opening and closing punctuation of Unicode (Ps/Pe) away', () => {
    const plain = foldReference('GF20260001');
    const missed: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp += 1) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const char = String.fromCodePoint(cp);
      if (/[\p{Ps}\p{Pe}]/u.test(char) && foldReference(`GF${char}2026${char}0001`) !== plain) {
        missed.push(cp.toString(16));
      }
    }
    expect(missed).toEqual([]);
  });

  it('folds colons, full-width colons, slashes and dots as the other separators', () => {
    const plain = foldReference('GF20260001');
    for (const typed of [
      'GF:2026:0001',
      'GF：2026：0001',
      'GF/2026.0001',
      'GF 2026\t0001',
      'GF—2026―0001',
      'GF・2026、0001',
    ]) {
      expect(foldReference(typed)).toBe(plain);
    }
  });

  it('keeps the ordinary normalisation: case, spaces, hyphens, full-width forms; distinct numbers stay distinct', () => {
    expect(foldReference(' gf 2026\t0001 ')).toBe(foldReference('GF20260001'));
    expect(foldReference('GF2026-000123')).toBe(foldReference('gf2026 000123'));
    expect(foldReference('ＧＦ２０２６／０００１２３')).toBe(foldReference('GF2026000123'));
    expect(foldReference('京房售字(2026)第12号')).not.toBe(foldReference('京房售字(2026)第13号'));
    expect(foldReference('GF2026M1')).toBe(foldReference('gf2026m1'));
    expect(foldReference('GF2026M1')).not.toBe(foldReference('GF2026RN1'));
  });
});

describe('keyed hashes: evidence and free texts', () => {
  const derived = (label: string): Buffer =>
    Buffer.from(hkdfSync('sha256', PSEUDONYM_KEY, Buffer.alloc(0), label, 32));

  it('hashes evidence with HMAC-SHA256 under a key derived from K (HKDF, label "hpf evidence hash v1")', () => {
    const expected = createHmac('sha256', derived('hpf evidence hash v1'))
      .update(foldReference('GF20260001'), 'utf8')
      .digest('hex');
    expect(evidenceHashOf(PSEUDONYM_KEY, 'GF20260001')).toBe(expected);
    // The review reversed the unkeyed SHA-256 of the folded reference: it is no longer what is stored.
    expect(evidenceHashOf(PSEUDONYM_KEY, 'GF20260001')).not.toBe(sha256('GF20260001'));
    expect(evidenceHashOf(PSEUDONYM_KEY, 'GF20260001')).not.toBe(sha256(foldReference('GF20260001')));
    expect(evidenceHashOf(Buffer.alloc(32, 1), 'GF20260001')).not.toBe(
      evidenceHashOf(PSEUDONYM_KEY, 'GF20260001'),
    );
  });

  it('gives the same hashes with the keys derived once (as chaincode servers and gateways hold them) as with K', () => {
    const keys = hashKeysOf(PSEUDONYM_KEY);
    expect(evidenceHashOf(keys, 'GF-2026-0001')).toBe(evidenceHashOf(PSEUDONYM_KEY, 'GF-2026-0001'));
    expect(freeTextHash(keys, '材料不全')).toBe(freeTextHash(PSEUDONYM_KEY, '材料不全'));
    expect(evidenceHashOf(chaincodeHashKeys(), 'GF-2026-0001')).toBe(
      evidenceHashOf(PSEUDONYM_KEY, 'GF-2026-0001'),
    );
  });

  it('hashes free texts with their own derived key (label "hpf free-text hash v1"), not the evidence key', () => {
    const expected = createHmac('sha256', derived('hpf free-text hash v1'))
      .update('录入错误', 'utf8')
      .digest('hex');
    expect(freeTextHash(PSEUDONYM_KEY, '录入错误')).toBe(expected);
    expect(freeTextHash(PSEUDONYM_KEY, '录入错误')).not.toBe(sha256('录入错误'));
    expect(freeTextHash(PSEUDONYM_KEY, 'GF1')).not.toBe(evidenceHashOf(PSEUDONYM_KEY, 'GF1'));
    expect(freeTextHash(PSEUDONYM_KEY, 'e\u0301')).toBe(freeTextHash(PSEUDONYM_KEY, '\u00e9'));
  });

  it('endorsers refuse a withdrawal whose evidence hash is the unkeyed SHA-256 of the reference', async () => {
    const net = new TestNetwork();
    await net.init();
    const reference = '京(2026)朝阳区不动产权第0002号';
    const unkeyed = sha256(foldReference(reference));
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.withdrawal.Record(
            ctx,
            JSON.stringify({
              withdrawalId: 'W-K-0001',
              centre: BEIJING.code,
              subjectRef: ALICE,
              reasonCode: '01',
              amount: '1000.00',
              closesAccount: false,
              evidence: [{ kind: 'PURCHASE_CONTRACT', hash: unkeyed }],
              withdrawnOn: '2026-11-20',
            }),
          ),
        {
          transient: {
            person: JSON.stringify({ idType: '01', idNumber: ALICE_ID }),
            evidence: JSON.stringify([{ kind: 'PURCHASE_CONTRACT', reference }]),
          },
        },
      ),
      'FORBIDDEN',
      'evidence hash',
    );
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.withdrawal.Get(ctx, BEIJING.code, 'W-K-0001')),
      'NOT_FOUND',
    );
  });

  it('endorsers refuse a step text fingerprinted with the unkeyed SHA-256, and keep the keyed one', async () => {
    const net = new TestNetwork();
    await net.init();
    await request(net);
    const text = '材料不全';
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.transfer.Reject(ctx, T1, JSON.stringify({ reasonCode: '01', messageHash: sha256(text) })),
        { transient: { message: text } },
      ),
      'VALIDATION_FAILED',
      'messageHash',
    );
    const { result } = await net.submit(
      BEIJING.mspId,
      (ctx) =>
        net.transfer.Reject(
          ctx,
          T1,
          JSON.stringify({ reasonCode: '01', messageHash: freeTextHash(PSEUDONYM_KEY, text) }),
        ),
      { transient: { message: text } },
    );
    const record = parse(result);
    expect(JSON.stringify(record)).toContain(freeTextHash(PSEUDONYM_KEY, text));
    expect(JSON.stringify(record)).not.toContain(sha256(text));
  });
});

describe('ID numbers in public identifiers and evidence references (one detector)', () => {
  it('finds resident ID numbers as is, glued to letters or digits, with an X, and first-generation 15-digit ones', () => {
    expect(findIdShapedRun(ID18)).toBe('RESIDENT_ID');
    expect(findIdShapedRun(`WD-${ID18}`)).toBe('RESIDENT_ID');
    expect(findIdShapedRun(`W${ID18}`)).toBe('RESIDENT_ID');
    expect(findIdShapedRun(`W${OTHER18}7`)).toBe('RESIDENT_ID');
    expect(findIdShapedRun(`CERT${ID_WITH_X.toLowerCase()}A`)).toBe('RESIDENT_ID');
    expect(findIdShapedRun(`W${ID15}`)).toBe('OLD_RESIDENT_ID');
    expect(findIdShapedRun(`${ID15.slice(0, 6)}-${ID15.slice(6)}`)).toBe('OLD_RESIDENT_ID');
  });

  it('finds them however disguised: separators, invisible characters, full-width digits, look-alikes', () => {
    const spaced = `${ID18.slice(0, 6)} ${ID18.slice(6, 14)} ${ID18.slice(14)}`;
    const invisible = ID18.split('').join('\u200b');
    const fullWidth = ID18.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const letterO = ID18.replace(/0/g, 'O');
    const cyrillicO = ID18.replace(/0/g, '\u041e');
    for (const disguised of [spaced, invisible, fullWidth, letterO, cyrillicO, `【${ID18}】`]) {
      expect(findIdShapedRun(`W-${disguised}`)).toBe('RESIDENT_ID');
    }
  });

  it('leaves ordinary identifiers alone: contact letter numbers, dated serials, short numbers', () => {
    for (const ok of [
      'W-2026-0001',
      'W-110000-0001',
      '1100002611200001',
      'JS-20261120-001',
      'CERT-440000-2026-000001',
      'SC-abc-12',
      ID18.slice(0, 16),
    ]) {
      expect(findIdShapedRun(ok)).toBeUndefined();
    }
    // An 18-digit run whose check character does not verify, or whose "birth date" is not a date, is not an ID.
    const wrongCheck = `${ID18.slice(0, 17)}${ID18.endsWith('0') ? '1' : '0'}`;
    expect(findIdShapedRun(wrongCheck)).toBeUndefined();
  });

  it('refuses ID-shaped withdrawalId, certificateNo, requestId and settlementRef, naming the field', () => {
    expect(messageOf(() => validateWithdrawalId(`WD-${ID18}`))).toMatch(
      /^HPF:VALIDATION_FAILED: withdrawalId: must not contain an ID number/,
    );
    expect(messageOf(() => validateCertificateNo(`C${ID18}`))).toMatch(
      /certificateNo: must not contain an ID number/,
    );
    expect(messageOf(() => validateRequestId(`R-${ID15}`))).toMatch(
      /requestId: must not contain an ID number/,
    );
    expect(messageOf(() => validatePublicReference(`S${ID18}`, 'transferOut.settlementRef', 64))).toMatch(
      /transferOut\.settlementRef: must not contain an ID number/,
    );
    expect(messageOf(() => validateEvidenceReference(`合同${ID18}`, 'evidence[0].reference'))).toMatch(
      /evidence\[0\]\.reference: must not contain an ID number/,
    );
    expect(messageOf(() => refuseIdShaped(ID18, 'x'))).not.toContain(ID18);
    expect(validateWithdrawalId('W-2026-0001')).toBe('W-2026-0001');
  });

  it('refuses a withdrawal whose withdrawalId carries an ID number (VALIDATION_FAILED), writing nothing', async () => {
    const net = new TestNetwork();
    await net.init();
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) =>
        net.withdrawal.Record(
          ctx,
          JSON.stringify({
            withdrawalId: `WD-${ID18}`,
            centre: BEIJING.code,
            subjectRef: ALICE,
            reasonCode: '01',
            amount: '1000.00',
            closesAccount: false,
            evidence: [{ kind: 'PURCHASE_CONTRACT', hash: hash('GF-ID-0001') }],
            withdrawnOn: '2026-11-20',
          }),
        ),
      ),
      'VALIDATION_FAILED',
      'withdrawalId',
    );
  });

  it('refuses a withdrawal whose evidence reference is an ID number, at every endorser (VALIDATION_FAILED)', async () => {
    const net = new TestNetwork();
    await net.init();
    const message = await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.withdrawal.Record(
            ctx,
            JSON.stringify({
              withdrawalId: 'W-ID-0002',
              centre: BEIJING.code,
              subjectRef: ALICE,
              reasonCode: '01',
              amount: '1000.00',
              closesAccount: false,
              evidence: [{ kind: 'PURCHASE_CONTRACT', hash: evidenceHashOf(PSEUDONYM_KEY, ID18) }],
              withdrawnOn: '2026-11-20',
            }),
          ),
        {
          transient: {
            person: JSON.stringify({ idType: '01', idNumber: ALICE_ID }),
            evidence: JSON.stringify([{ kind: 'PURCHASE_CONTRACT', reference: ID18 }]),
          },
        },
      ),
      'VALIDATION_FAILED',
      'evidence[0].reference',
    );
    expect(message).not.toContain(ID18);
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.withdrawal.Get(ctx, BEIJING.code, 'W-ID-0002')),
      'NOT_FOUND',
    );
  });

  it('refuses a transfer-out whose settlementRef carries an ID number', async () => {
    const net = new TestNetwork();
    await net.init();
    await request(net);
    await step(net, 'ACCEPT');
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) =>
        net.transfer.ConfirmOut(ctx, T1, JSON.stringify({ ...TRANSFER_OUT, settlementRef: `JS-${ID18}` })),
      ),
      'VALIDATION_FAILED',
      'settlementRef',
    );
    const transfer = parse(await net.evaluate(GUANGDONG.mspId, (ctx) => net.transfer.Get(ctx, T1)));
    expect(transfer.status).toBe('ACCEPTED');
    expect(JSON.stringify(transfer)).not.toContain(ID18);
  });
});
