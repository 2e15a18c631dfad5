import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ChaincodeConfigError, loadChaincodeConfig } from '../src/config';
import {
  canonicalIdentity,
  chinaDateOf,
  computeSubjectRef,
  decodePseudonymKey,
  evidenceHashOf,
  isResidentIdPrefix,
  residentIdCheckChar,
} from '../src/domain';
import {
  ALICE,
  ALICE_ID,
  BEIJING,
  expectHpf,
  hash,
  parse,
  personJson,
  PSEUDONYM_KEY,
  SHANGHAI,
  subjectRefFor,
  TestNetwork,
} from './harness';
import { requestArgs } from './transfer-fixtures';

const withCheck = (first17: string): string => first17 + residentIdCheckChar(first17);
const AS_OF = '2026-11-20';
const ref = (idType: string, idNumber: string): string =>
  computeSubjectRef(PSEUDONYM_KEY, idType, idNumber, AS_OF);

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'no error';
}

describe('canonical identity: one person, one subjectRef', () => {
  it('gives a resident ID number the same subjectRef under every claimed ID type', () => {
    const refs = ['01', '02', '03', '04', '99'].map((type) => ref(type, ALICE_ID));
    expect(new Set(refs)).toEqual(new Set([ALICE]));
    expect(canonicalIdentity('99', ALICE_ID, AS_OF)).toMatchObject({
      kind: 'RESIDENT_ID',
      number: ALICE_ID,
      canonical: `id:${ALICE_ID}`,
      idType: '99',
    });
  });

  it('folds full-width characters, case, spaces and separators before anything else', () => {
    const fullWidth = ALICE_ID.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const spaced = `${ALICE_ID.slice(0, 6)} ${ALICE_ID.slice(6, 14)}-${ALICE_ID.slice(14)}`;
    for (const form of [fullWidth, spaced, ` ${ALICE_ID}\t`, ALICE_ID.split('').join('.')]) {
      expect(ref('02', form)).toBe(ALICE);
    }
    const x = withCheck('11010519491231002');
    expect(x.endsWith('X')).toBe(true);
    expect(ref('01', x.toLowerCase())).toBe(ref('03', x.slice(0, 17) + 'Ｘ'));
    expect(ref('03', 'e-123 456')).toBe(ref('99', 'Ｅ１２３４５６'));
    expect(ref('03', 'E123456')).toBe(ref('02', 'e/123_456'));
  });

  it('converts 15 digits to 18 under any type', () => {
    expect(ref('99', '110105900307123')).toBe(ref('01', withCheck('11010519900307123')));
  });

  it('refuses a resident-ID shaped number that is not a valid one, whatever the type (no second pseudonym)', () => {
    const typo = ALICE_ID.slice(0, 17) + (ALICE_ID.endsWith('0') ? '1' : '0');
    for (const type of ['01', '02', '03', '04', '99']) {
      const message = failure(() => ref(type, typo));
      expect(message).toContain('HPF:VALIDATION_FAILED: idNumber: check character');
      expect(message).not.toContain(typo);
    }
  });

  it('requires a resident ID number under type 01 and letters and digits otherwise', () => {
    expect(failure(() => ref('01', 'E12345678'))).toContain('idType 01 needs a resident ID number');
    expect(failure(() => ref('03', 'E1234#5678'))).toContain('1-32 letters and digits');
    expect(failure(() => ref('03', 'E'.repeat(33)))).toContain('1-32 letters and digits');
    expect(failure(() => ref('07', ALICE_ID))).toContain('idType');
  });
});

describe('resident ID address codes', () => {
  it('refuses 71 (Taiwan in GB/T 2260, never issued) and 66 (not in GB/T 2260)', () => {
    expect(failure(() => ref('01', withCheck('71000019900101123')))).toContain('address code 71');
    expect(failure(() => ref('99', withCheck('66000119900101123')))).toContain('address code 66');
    expect(isResidentIdPrefix('71')).toBe(false);
    expect(isResidentIdPrefix('66')).toBe(false);
  });

  it("accepts 810000, 820000, 830000 (Hong Kong, Macau, Taiwan residents' residence permits) only", () => {
    for (const code of ['810000', '820000', '830000']) {
      const id = withCheck(`${code}19900101123`);
      expect(canonicalIdentity('01', id, AS_OF).kind).toBe('RESIDENT_ID');
      expect(ref('99', id)).toBe(ref('01', id));
    }
    expect(failure(() => ref('01', withCheck('81010119900101123')))).toContain('starts with 810000');
  });

  it('keeps every mainland province prefix and refuses codes no province has', () => {
    for (const prefix of ['11', '15', '21', '23', '31', '37', '41', '46', '50', '54', '61', '65']) {
      expect(ref('01', withCheck(`${prefix}010119900101123`))).toHaveLength(43);
    }
    for (const prefix of ['10', '16', '24', '38', '47', '55', '67', '80', '84']) {
      expect(failure(() => ref('01', withCheck(`${prefix}010119900101123`)))).toContain('address code');
    }
  });
});

describe('birth dates', () => {
  it('refuses a birth date after the transaction date, before 1900 or not in the calendar', () => {
    expect(ref('01', withCheck('11010520261120123'))).toHaveLength(43);
    expect(failure(() => ref('01', withCheck('11010520261121123')))).toContain(
      'birth date is after the transaction date',
    );
    expect(failure(() => ref('01', withCheck('11010518991231123')))).toContain('from 1900-01-01');
    expect(failure(() => ref('01', withCheck('11010519900230123')))).toContain('birth date');
  });

  it('compares with the transaction date in China (UTC+8)', () => {
    expect(chinaDateOf('2026-11-20T15:59:59.000Z')).toBe('2026-11-20');
    expect(chinaDateOf('2026-11-20T16:00:00.000Z')).toBe('2026-11-21');
  });
});

describe('2023 foreign permanent-residence card (外国人永久居留身份证)', () => {
  // 9 + province of issue 11 + nationality 840 + birth 1985-03-15 + sequence 001 + check.
  const card = withCheck('91184019850315001');

  it('is accepted under type 04, told apart from resident IDs by the leading 9', () => {
    const identity = canonicalIdentity('04', card, AS_OF);
    expect(identity).toMatchObject({
      kind: 'PERMANENT_RESIDENCE_CARD',
      number: card,
      canonical: `id:${card}`,
    });
    expect(ref('99', card)).toBe(ref('04', card));
    expect(failure(() => ref('01', card))).toContain('idType 01 needs a resident ID number');
  });

  it('must pass the GB 11643 check character and the date check', () => {
    const wrong = card.slice(0, 17) + (card.endsWith('0') ? '1' : '0');
    expect(failure(() => ref('04', wrong))).toContain('check character');
    expect(failure(() => ref('04', withCheck('91184020261121001')))).toContain('after the transaction date');
    expect(failure(() => ref('04', withCheck('91184019851315001')))).toContain('birth date');
  });

  it('leaves the 15-character 2004/2017 cards (3 letters + 12 digits) as other numbers', () => {
    expect(canonicalIdentity('04', 'usa-110085031501', AS_OF)).toMatchObject({
      kind: 'OTHER',
      number: 'USA110085031501',
    });
  });
});

describe('chaincode configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hpf-cc-config-'));
  const file = (name: string, content: string): string => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
  };

  it('reads the key file named by HPF_CC_PSEUDONYM_KEY_FILE as the gateways do', () => {
    const base64 = file('k.b64', `${PSEUDONYM_KEY.toString('base64').padEnd(44, 'A')}\n`);
    const loaded = loadChaincodeConfig({ HPF_CC_PSEUDONYM_KEY_FILE: base64 });
    expect(loaded.pseudonymKey.length).toBeGreaterThanOrEqual(32);
    const hex = file('k.hex', 'ab'.repeat(32));
    expect(loadChaincodeConfig({ HPF_CC_PSEUDONYM_KEY_FILE: hex }).pseudonymKey).toEqual(
      decodePseudonymKey(Buffer.from('ab'.repeat(32))),
    );
  });

  it.each([
    [{}, 'HPF_CC_PSEUDONYM_KEY_FILE: must name'],
    [{ HPF_CC_PSEUDONYM_KEY_FILE: '/nonexistent/hpf.key' }, 'HPF_CC_PSEUDONYM_KEY_FILE: cannot read'],
    [{ HPF_CC_PSEUDONYM_KEY_FILE: 'SHORT' }, 'HPF_CC_PSEUDONYM_KEY_FILE: at least 32 bytes'],
  ])('names the variable when the key is missing or bad (%#)', (env, text) => {
    const resolved =
      'HPF_CC_PSEUDONYM_KEY_FILE' in env && env.HPF_CC_PSEUDONYM_KEY_FILE === 'SHORT'
        ? { HPF_CC_PSEUDONYM_KEY_FILE: file('short', 'too short') }
        : env;
    let error: unknown;
    try {
      loadChaincodeConfig(resolved);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChaincodeConfigError);
    const [variable, problem] = text.split(': ');
    expect((error as Error).message.startsWith(`${variable ?? ''}: `)).toBe(true);
    expect((error as Error).message).toContain(problem ?? '');
  });
});

describe('endorsers recompute the subjectRef and evidence hashes (transient map)', () => {
  let net: TestNetwork;
  const HOUSE = hash('京(2026)朝阳区不动产权第0001号');
  const input = (overrides: Record<string, unknown> = {}): string =>
    JSON.stringify({
      withdrawalId: 'W-S-0001',
      centre: BEIJING.code,
      subjectRef: ALICE,
      reasonCode: '01',
      amount: '1000.00',
      closesAccount: false,
      evidence: [{ kind: 'PURCHASE_CONTRACT', hash: HOUSE }],
      withdrawnOn: '2026-11-20',
      ...overrides,
    });
  const honest = {
    person: JSON.stringify({ idType: '01', idNumber: ALICE_ID }),
    evidence: JSON.stringify([{ kind: 'PURCHASE_CONTRACT', reference: '京(2026)朝阳区不动产权第0001号' }]),
  };

  beforeEach(async () => {
    net = new TestNetwork();
    await net.init();
  });

  it('records when the transient person and references match, however they were typed', async () => {
    const typed = {
      person: JSON.stringify({ idType: '99', idNumber: ALICE_ID.replace(/^(\d{6})/, '$1 ') }),
      evidence: JSON.stringify([
        { kind: 'PURCHASE_CONTRACT', reference: '京（2026）朝阳区不动产权第０００１号' },
      ]),
    };
    const { result } = await net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input()), {
      transient: typed,
    });
    expect(parse(result)).toMatchObject({ status: 'RECORDED', subjectRef: ALICE });
    expect(evidenceHashOf(PSEUDONYM_KEY, '京（2026）朝阳区不动产权第０００１号')).toBe(HOUSE);
  });

  it('refuses a forged subjectRef with FORBIDDEN and writes nothing', async () => {
    const forged = subjectRefFor('foreign-pseudonym-1', '99');
    const message = await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input({ subjectRef: forged })), {
        transient: honest,
      }),
      'FORBIDDEN',
      'subjectRef does not match the person in the transient map',
    );
    expect(message).not.toContain(ALICE_ID);
    expect(net.ledger.state.size).toBe(1); // the registry only
    await expectHpf(
      net.evaluate(BEIJING.mspId, (ctx) => net.withdrawal.Precheck(ctx, input({ subjectRef: forged })), {
        transient: honest,
      }),
      'FORBIDDEN',
      'subjectRef',
    );
  });

  it('refuses a forged or extra evidence hash with FORBIDDEN', async () => {
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) =>
          net.withdrawal.Record(ctx, input({ evidence: [{ kind: 'PURCHASE_CONTRACT', hash: hash('x') }] })),
        { transient: honest },
      ),
      'FORBIDDEN',
      'evidence hash',
    );
    await expectHpf(
      net.submit(
        BEIJING.mspId,
        (ctx) => net.withdrawal.Record(ctx, input({ evidence: [{ kind: 'TITLE_DEED', hash: HOUSE }] })),
        { transient: honest },
      ),
      'FORBIDDEN',
      'evidence hash',
    );
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input()), {
        transient: {
          ...honest,
          evidence: JSON.stringify([
            { kind: 'PURCHASE_CONTRACT', reference: '京(2026)朝阳区不动产权第0001号' },
            { kind: 'LOAN_CONTRACT', reference: 'hidden' },
          ]),
        },
      }),
      'FORBIDDEN',
      'evidence hash',
    );
  });

  it('needs the person and the references in the transient map (VALIDATION_FAILED)', async () => {
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input()), {
        transient: { evidence: honest.evidence },
      }),
      'VALIDATION_FAILED',
      'person: required in the transient map',
    );
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input()), {
        transient: { person: honest.person },
      }),
      'VALIDATION_FAILED',
      'evidence: required in the transient map',
    );
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input()), {
        transient: { ...honest, person: JSON.stringify({ idType: '01', idNumber: ALICE_ID, name: '张三' }) },
      }),
      'VALIDATION_FAILED',
      'person: unexpected field',
    );
  });

  it('refuses a birth date after the transaction date (VALIDATION_FAILED)', async () => {
    // The harness clock is 2026-11-20 (UTC and China); the transaction date is checked, not the gateway's.
    const tomorrow = withCheck('11010520261121123');
    const subjectRef = computeSubjectRef(PSEUDONYM_KEY, '01', tomorrow, undefined);
    await expectHpf(
      net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input({ subjectRef })), {
        transient: { ...honest, person: JSON.stringify({ idType: '01', idNumber: tomorrow }) },
      }),
      'VALIDATION_FAILED',
      'person.idNumber: birth date is after the transaction date',
    );
    await expectHpf(
      net.submit(SHANGHAI.mspId, (ctx) => net.transfer.Request(ctx, requestArgs({ subjectRef })), {
        transient: { person: personJson({ idNumber: tomorrow }) },
      }),
      'VALIDATION_FAILED',
      'birth date is after the transaction date',
    );
  });

  it('refuses a transfer request whose subjectRef is not the transient person', async () => {
    await expectHpf(
      net.submit(
        'C440000MSP',
        (ctx) => net.transfer.Request(ctx, requestArgs({ subjectRef: subjectRefFor('P1234567', '03') })),
        {
          transient: { person: personJson() },
        },
      ),
      'FORBIDDEN',
      'subjectRef does not match the person in the transient map',
    );
  });

  it('catches the issue reproduction: one purchase contract, the same person under types 01 then 02/03/04/99', async () => {
    const person = (idType: string): string => JSON.stringify({ idType, idNumber: ALICE_ID });
    await net.submit(BEIJING.mspId, (ctx) => net.withdrawal.Record(ctx, input({ withdrawalId: 'W-R-01' })), {
      transient: { ...honest, person: person('01') },
    });
    for (const idType of ['02', '03', '04', '99']) {
      const subjectRef = ref(idType, ALICE_ID);
      await expectHpf(
        net.submit(
          SHANGHAI.mspId,
          (ctx) =>
            net.withdrawal.Record(
              ctx,
              input({ withdrawalId: `W-R-${idType}`, centre: SHANGHAI.code, subjectRef }),
            ),
          { transient: { ...honest, person: person(idType) } },
        ),
        'DUPLICATE_EVIDENCE',
      );
    }
  });
});
