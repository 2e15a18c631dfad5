import request from 'supertest';
import { evidenceHashOf, residentIdCheckChar } from '../src/domain';
import {
  OPERATOR_KEY,
  PSEUDONYM_KEY,
  RESIDENT_ID,
  bearer,
  buildApp,
  subjectRefWithTestKey,
} from './support/test-app';

/**
 * The one identity rule as the gateway applies it (chaincode/src/domain/identity.ts), and what it
 * sends for the endorsers to recompute: the person and the evidence references in the transient map.
 */

const AUTH = bearer(OPERATOR_KEY);
const withCheck = (first17: string): string => first17 + residentIdCheckChar(first17);
const body = (person: { idType: string; idNumber: string }, withdrawalId = 'W-ID-0001'): object => ({
  withdrawalId,
  person: { ...person, name: '张三' },
  reasonCode: '01',
  amount: '1000.00',
  closesAccount: false,
  evidence: [{ kind: 'PURCHASE_CONTRACT', reference: 'ＧＦ-2026 0001' }],
  withdrawnOn: '2026-11-20',
});

function recordingApp(): ReturnType<typeof buildApp> {
  const built = buildApp();
  built.ledger.on('withdrawal:Record', ([input]) =>
    JSON.stringify({
      ...(JSON.parse(input!) as object),
      status: 'RECORDED',
      alerts: [],
      txId: built.ledger.currentTxId,
    }),
  );
  built.ledger.on('withdrawal:Precheck', () => JSON.stringify({ allowed: true, violations: [], alerts: [] }));
  return built;
}

// One app for the file: building one (OpenAPI validator) is the slow part.
const { app, ledger } = recordingApp();
let sequence = 0;

async function subjectRefSent(person: { idType: string; idNumber: string }): Promise<string> {
  sequence += 1;
  await request(app)
    .post('/v1/withdrawals')
    .set('Authorization', AUTH)
    .send(body(person, `W-ID-${sequence}`))
    .expect(201);
  const call = ledger.callsOf('submit', 'withdrawal:Record').at(-1);
  return (JSON.parse(call!.args[0]!) as { subjectRef: string }).subjectRef;
}

async function problemFor(person: {
  idType: string;
  idNumber: string;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  const before = ledger.calls.length;
  const res = await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body(person));
  expect(ledger.calls.length).toBe(before);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

describe('one person, one subjectRef', () => {
  it('sends the same subjectRef for a resident ID number under every type and however it is typed', async () => {
    const expected = subjectRefWithTestKey('01', RESIDENT_ID);
    const fullWidth = RESIDENT_ID.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    for (const person of [
      { idType: '02', idNumber: RESIDENT_ID },
      { idType: '03', idNumber: RESIDENT_ID.toLowerCase() },
      { idType: '04', idNumber: `${RESIDENT_ID.slice(0, 6)} ${RESIDENT_ID.slice(6)}` },
      { idType: '99', idNumber: fullWidth },
      { idType: '99', idNumber: '110105-491231-002' },
    ]) {
      expect(await subjectRefSent(person)).toBe(expected);
    }
  });

  it('refuses a mistyped resident-ID shaped number under type 99 (400), before the ledger', async () => {
    const typo = `${RESIDENT_ID.slice(0, 17)}1`;
    const { status, body: problem } = await problemFor({ idType: '99', idNumber: typo });
    expect(status).toBe(400);
    expect(problem).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'person.idNumber' }] });
    expect(JSON.stringify(problem)).not.toContain(typo);
  });

  it('refuses 71 and 66 address codes and a birth date after today; accepts 81/82/83 and the 2023 card under 04', async () => {
    expect((await problemFor({ idType: '01', idNumber: withCheck('71000019900101123') })).status).toBe(400);
    expect((await problemFor({ idType: '01', idNumber: withCheck('66000119900101123') })).status).toBe(400);
    expect((await problemFor({ idType: '01', idNumber: withCheck('11010530000101123') })).body).toMatchObject(
      {
        detail: expect.stringContaining('birth date is after the transaction date') as unknown,
      },
    );
    for (const code of ['810000', '820000', '830000']) {
      expect(await subjectRefSent({ idType: '01', idNumber: withCheck(`${code}19900101123`) })).toHaveLength(
        43,
      );
    }
    const card = withCheck('91184019850315001');
    expect(await subjectRefSent({ idType: '04', idNumber: card })).toBe(subjectRefWithTestKey('99', card));
    expect((await problemFor({ idType: '01', idNumber: card })).status).toBe(400);
  });
});

describe('what the endorsers get to recompute', () => {
  it('sends the person and the evidence references in the transient map of Record and Precheck, never in the arguments', async () => {
    const before = ledger.calls.length;
    const person = { idType: '99', idNumber: RESIDENT_ID.toLowerCase() };
    await request(app).post('/v1/withdrawals').set('Authorization', AUTH).send(body(person)).expect(201);
    await request(app)
      .post('/v1/withdrawals/precheck')
      .set('Authorization', AUTH)
      .send(body(person))
      .expect(200);
    // The readiness check (meta:Version on the own peer) may precede a write; it carries nothing personal.
    const calls = ledger.calls.slice(before).filter((c) => c.contract !== 'meta');
    expect(calls.map((c) => `${c.kind}:${c.transaction}`)).toEqual(['submit:Record', 'evaluate:Precheck']);
    for (const call of calls) {
      const transient = call.options.transient!;
      expect(JSON.parse(transient.person!)).toEqual({ idType: '99', idNumber: RESIDENT_ID });
      expect(JSON.parse(transient.evidence!)).toEqual([
        { kind: 'PURCHASE_CONTRACT', reference: 'ＧＦ-2026 0001' },
      ]);
      const input = JSON.parse(call.args[0]!) as { evidence: { hash: string }[] };
      expect(input.evidence[0]!.hash).toBe(evidenceHashOf(PSEUDONYM_KEY, 'GF20260001'));
      expect(call.args.join()).not.toContain(RESIDENT_ID);
      expect(call.args.join()).not.toContain('GF');
    }
  });
});
