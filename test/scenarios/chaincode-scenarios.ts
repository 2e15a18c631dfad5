import {
  addMonths,
  canonicalJson,
  evidenceHashOf,
  freeTextHash,
  residentIdCheckChar,
  sha256Hex,
} from '../../chaincode/src/domain';
import { asRecord, refusal, type Backend, type CentreRef } from './backend';
import {
  CONFIRM_OUT_AMOUNT,
  confirmOutBody,
  loanSettledFacts,
  withdrawalArgument,
} from '../support/fixtures';

/**
 * The chaincode's behaviour scenarios, written once and run against both backends: the fake stub
 * (unit project, `chaincode/test/scenarios.test.ts`) and the real network (integration project,
 * `test/integration/scenarios.test.ts`). Each scenario uses IDs, people and evidence of its own
 * (from `backend.tag` / `backend.transferDate`), so it does not depend on what else is on the ledger.
 *
 * The request shapes (arguments, transient map) live only in the helpers below, so a change of the
 * chaincode API is one change here.
 */

type Json = Record<string, unknown>;

/** A known chaincode defect that makes a scenario fail on both backends until it is fixed. */
export const KNOWN_CHAINCODE_BUGS = {
  /** An empty `transfer:List` page read `metadata.bookmark` of undefined (fixed; `it.failing` while it was not). */
  emptyPage: false,
};

const TRANSFER_OUT = confirmOutBody({ settlementRef: 'JS-SCENARIO-001' });
const AMOUNT_SENT = CONFIRM_OUT_AMOUNT;

export function defineChaincodeScenarios(setup: () => Promise<Backend>): void {
  let b: Backend;
  let serial = 0;

  beforeAll(async () => {
    b = await setup();
  });
  afterAll(async () => {
    await b.close();
  });

  /** A fresh, valid resident ID for this run (address 110105, birth date from the tag). */
  function newPerson(): { idType: string; idNumber: string; name: string } {
    serial += 1;
    const first17 = `110105${personBirth(b.tag)}${String(serial).padStart(3, '0')}`;
    return { idType: '01', idNumber: first17 + residentIdCheckChar(first17), name: `场景人${serial}` };
  }
  function newTransferId(destination: CentreRef): string {
    serial += 1;
    return `${destination.code}${b.transferDate}${String(serial).padStart(4, '0')}`;
  }
  function newWithdrawalId(): string {
    serial += 1;
    return `SC-${b.tag}-${serial}`;
  }
  /** Evidence travels as a reference in the transient map; the argument carries its hash (recomputed by every endorser). */
  const references = new Map<string, string>();
  const evidenceHash = (label: string): string => {
    const reference = `SC-${b.tag}-${label}`;
    const hash = evidenceHashOf(b.pseudonymKey, reference);
    references.set(hash, reference);
    return hash;
  };
  /** What an honest gateway sends with a withdrawal: the person (no name) and the evidence references. */
  function withdrawalTransient(input: Json, person: ReturnType<typeof newPerson>): Record<string, string> {
    const evidence = (input.evidence as { kind: string; hash: string }[]).map((e) => ({
      kind: e.kind,
      reference: references.get(e.hash) ?? e.hash,
    }));
    return {
      person: canonicalJson({ idType: person.idType, idNumber: person.idNumber }),
      evidence: canonicalJson(evidence),
    };
  }
  const pair = (a: CentreRef, c: CentreRef): string[] => [a.mspId, c.mspId];

  // ---- request shapes ------------------------------------------------------------------------------

  async function request(
    transferId: string,
    destination: CentreRef,
    source: CentreRef,
    person: ReturnType<typeof newPerson>,
    caller = destination.mspId,
  ): Promise<Json> {
    const subjectRef = b.subjectRef(person.idType, person.idNumber);
    return asRecord(
      await b.submit(
        caller,
        'transfer',
        'Request',
        [JSON.stringify({ transferId, fromCentre: source.code, subjectRef })],
        {
          transient: { person: canonicalJson({ ...person, salt: 'c2NlbmFyaW8tc2FsdC0wMQ' }) },
          // Both centres: Request writes both implicit collections (see the endorsement scenario).
          endorsers: [destination.mspId, source.mspId],
        },
      ),
    );
  }

  type Step = 'Accept' | 'Reject' | 'ConfirmOut' | 'Dispute' | 'Complete' | 'Cancel' | 'Fail';
  /** Free texts of a step: their hash in the argument, the text in the transient map (key `message`). */
  const STEP_TEXTS: Partial<Record<Step, string>> = {
    Reject: '信息不符',
    Dispute: '缴存月数不一致',
    Fail: '超期未处理',
  };
  function stepArgs(step: Step, transferId: string): string[] {
    const text = STEP_TEXTS[step];
    switch (step) {
      case 'Accept':
      case 'Cancel':
        return [transferId];
      case 'Reject':
        return [
          transferId,
          JSON.stringify({
            reasonCode: '01',
            messageHash: freeTextHash(b.pseudonymKey, text ?? ''),
          }),
        ];
      case 'ConfirmOut':
        return [transferId, JSON.stringify(TRANSFER_OUT)];
      case 'Dispute':
      case 'Fail':
        return [transferId, JSON.stringify({ messageHash: freeTextHash(b.pseudonymKey, text ?? '') })];
      case 'Complete':
        return [transferId, JSON.stringify({ receivedAmount: AMOUNT_SENT, receivedOn: b.today })];
    }
  }
  async function step(
    step: Step,
    transferId: string,
    caller: string,
    endorsers: readonly string[],
  ): Promise<Json> {
    const text = STEP_TEXTS[step];
    return asRecord(
      await b.submit(caller, 'transfer', step, stepArgs(step, transferId), {
        endorsers,
        ...(text === undefined ? {} : { transient: { message: text } }),
      }),
    );
  }
  const getTransfer = async (mspId: string, transferId: string): Promise<Json> =>
    asRecord(await b.evaluate(mspId, 'transfer', 'Get', [transferId]));
  const everyOrg = (): string[] => [b.beijing.mspId, b.shanghai.mspId, b.guangdong.mspId, b.regulatorMsp];

  function withdrawalInput(
    id: string,
    centre: CentreRef,
    person: ReturnType<typeof newPerson>,
    evidence: string,
    overrides: Json = {},
  ): Json {
    const ids = { withdrawalId: id, centre: centre.code, evidenceHash: evidence };
    const subjectRef = b.subjectRef(person.idType, person.idNumber);
    return {
      ...withdrawalArgument({ ...ids, subjectRef }, { amount: '100000.00', withdrawnOn: b.today }),
      ...overrides,
    };
  }
  async function recordWithdrawal(
    centre: CentreRef,
    input: Json,
    person: ReturnType<typeof newPerson>,
    caller = centre.mspId,
  ): Promise<Json> {
    return asRecord(
      await b.submit(caller, 'withdrawal', 'Record', [JSON.stringify(input)], {
        transient: withdrawalTransient(input, person),
        endorsers: [caller, b.regulatorMsp],
      }),
    );
  }
  async function reverseWithdrawal(centre: CentreRef, withdrawalId: string): Promise<Json> {
    const caller = centre.mspId;
    return asRecord(
      await b.submit(
        caller,
        'withdrawal',
        'Reverse',
        [centre.code, withdrawalId, JSON.stringify({ reasonHash: freeTextHash(b.pseudonymKey, '录入错误') })],
        {
          transient: { reason: '录入错误' },
          endorsers: [caller, b.regulatorMsp],
        },
      ),
    );
  }
  /** Withdrawal IDs are each centre's own: a read names the centre. */
  const getWithdrawal = async (mspId: string, centre: CentreRef, withdrawalId: string): Promise<Json> =>
    asRecord(await b.evaluate(mspId, 'withdrawal', 'Get', [centre.code, withdrawalId]));
  const list = async (mspId: string, query: Json): Promise<Json> =>
    asRecord(await b.evaluate(mspId, 'transfer', 'List', [JSON.stringify(query)]));

  /** Every organisation's peer answers the same record. */
  async function sameEverywhere(read: (mspId: string) => Promise<Json>): Promise<Json> {
    const records = await Promise.all(everyOrg().map(read));
    for (const record of records.slice(1)) expect(record).toEqual(records[0]);
    return records[0]!;
  }

  // ---- scenarios -----------------------------------------------------------------------------------

  describe('transfer lifecycle', () => {
    it('runs request → accept → confirm-out → dispute → confirm-out → complete, the same at every peer', async () => {
      const { beijing, guangdong } = b;
      const id = newTransferId(guangdong);
      const person = newPerson();
      expect(await request(id, guangdong, beijing, person)).toMatchObject({
        status: 'REQUESTED',
        platformCode: '01',
        fromMsp: beijing.mspId,
        toMsp: guangdong.mspId,
      });
      const both = pair(beijing, guangdong);
      await step('Accept', id, beijing.mspId, both);
      await step('ConfirmOut', id, beijing.mspId, both);
      await step('Dispute', id, guangdong.mspId, both);
      await step('ConfirmOut', id, beijing.mspId, both);
      expect(await step('Complete', id, guangdong.mspId, both)).toMatchObject({
        status: 'COMPLETED',
        platformCode: '20',
      });
      const record = await sameEverywhere((mspId) => getTransfer(mspId, id));
      const history = record.history as { step: string; by: string; txId: string }[];
      expect(history.map((h) => [h.step, h.by])).toEqual([
        ['REQUEST', guangdong.mspId],
        ['ACCEPT', beijing.mspId],
        ['CONFIRM_OUT', beijing.mspId],
        ['DISPUTE', guangdong.mspId],
        ['CONFIRM_OUT', beijing.mspId],
        ['COMPLETE', guangdong.mspId],
      ]);
      expect(new Set(history.map((h) => h.txId)).size).toBe(6);
      expect(JSON.stringify(record)).not.toContain(person.idNumber);
    });

    it('a step the status does not allow is INVALID_STATE and changes nothing at any peer', async () => {
      const { beijing, guangdong } = b;
      const id = newTransferId(guangdong);
      await request(id, guangdong, beijing, newPerson());
      const before = await sameEverywhere((mspId) => getTransfer(mspId, id));
      expect(await refusal(step('Complete', id, guangdong.mspId, pair(beijing, guangdong)))).toMatch(
        /^HPF:INVALID_STATE: /,
      );
      expect(await sameEverywhere((mspId) => getTransfer(mspId, id))).toEqual(before);
    });

    it('Request is idempotent for the same content and CONFLICT for another person', async () => {
      const { beijing, guangdong } = b;
      const id = newTransferId(guangdong);
      const person = newPerson();
      const first = await request(id, guangdong, beijing, person);
      expect(await request(id, guangdong, beijing, person)).toEqual(first);
      expect(await refusal(request(id, guangdong, beijing, newPerson()))).toMatch(/^HPF:CONFLICT: /);
    });
  });

  describe('caller checks', () => {
    it('refuses the regulator, a third centre and the wrong side of a transfer (FORBIDDEN)', async () => {
      const { beijing, shanghai, guangdong } = b;
      const id = newTransferId(guangdong);
      const person = newPerson();
      expect(await refusal(request(id, guangdong, beijing, person, b.regulatorMsp))).toMatch(
        /^HPF:FORBIDDEN: /,
      );
      expect(await refusal(request(id, guangdong, beijing, person, shanghai.mspId))).toMatch(
        /^HPF:FORBIDDEN: /,
      );
      await request(id, guangdong, beijing, person);
      const both = pair(beijing, guangdong);
      for (const caller of [guangdong.mspId, shanghai.mspId, b.regulatorMsp]) {
        expect(await refusal(step('Accept', id, caller, both))).toMatch(/^HPF:FORBIDDEN: /);
      }
      expect((await getTransfer(beijing.mspId, id)).status).toBe('REQUESTED');
    });

    it('refuses a withdrawal recorded for another centre or by the regulator', async () => {
      const person = newPerson();
      const input = withdrawalInput(newWithdrawalId(), b.beijing, person, evidenceHash('caller'));
      expect(await refusal(recordWithdrawal(b.beijing, input, person, b.shanghai.mspId))).toMatch(
        /^HPF:FORBIDDEN: /,
      );
      expect(await refusal(recordWithdrawal(b.beijing, input, person, b.regulatorMsp))).toMatch(
        /^HPF:FORBIDDEN: /,
      );
      expect(await refusal(getWithdrawal(b.regulatorMsp, b.beijing, String(input.withdrawalId)))).toMatch(
        /^HPF:NOT_FOUND: /,
      );
    });
  });

  describe('centres of one organisation', () => {
    it('refuses (FORBIDDEN) a record naming a centre not registered to the caller organisation', async () => {
      const { beijing, shenzhen } = b;
      const person = newPerson();
      // C440000MSP hosts 440300, not 110000: a letter numbered 110000… is not its to file.
      expect(
        await refusal(request(newTransferId(beijing), beijing, shenzhen, person, shenzhen.mspId)),
      ).toMatch(/^HPF:FORBIDDEN: transferId: centre 110000 is not registered to C440000MSP/);
      const input = withdrawalInput(newWithdrawalId(), beijing, person, evidenceHash('other-org'));
      expect(await refusal(recordWithdrawal(beijing, input, person, shenzhen.mspId))).toMatch(
        /^HPF:FORBIDDEN: centre: centre 110000 is not registered to C440000MSP/,
      );
      // Beijing's organisation cannot reverse in Shenzhen's name either.
      expect(
        await refusal(
          b.submit(
            beijing.mspId,
            'withdrawal',
            'Reverse',
            [
              shenzhen.code,
              'SC-none',
              JSON.stringify({ reasonHash: freeTextHash(b.pseudonymKey, '录入错误') }),
            ],
            { transient: { reason: '录入错误' }, endorsers: [beijing.mspId, b.regulatorMsp] },
          ),
        ),
      ).toMatch(/^HPF:FORBIDDEN: centre: centre 440300 is not registered to C110000MSP/);
    });

    it('runs a Shenzhen (440300) ← Beijing transfer with city codes on both the letter and the record', async () => {
      const { beijing, shenzhen } = b;
      const person = newPerson();
      const id = newTransferId(shenzhen);
      const requested = await request(id, shenzhen, beijing, person);
      expect(requested).toMatchObject({ toCentre: '440300', fromCentre: '110000', toMsp: 'C440000MSP' });
      const both = pair(beijing, shenzhen);
      await step('Accept', id, beijing.mspId, both);
      await step('ConfirmOut', id, beijing.mspId, both);
      const done = await step('Complete', id, shenzhen.mspId, both);
      expect(done.status).toBe('COMPLETED');
      const history = done.history as { step: string; centre: string }[];
      expect(history.map((h) => [h.step, h.centre])).toEqual([
        ['REQUEST', '440300'],
        ['ACCEPT', '110000'],
        ['CONFIRM_OUT', '110000'],
        ['COMPLETE', '440300'],
      ]);
      // A transfer between two centres of one organisation has no independent endorser: refused.
      expect(await refusal(request(newTransferId(shenzhen), shenzhen, b.guangzhou, newPerson()))).toMatch(
        /^HPF:VALIDATION_FAILED: fromCentre: must be a centre of another organisation/,
      );
    });

    it('treats Guangzhou and Shenzhen as different centres: one purchase contract at both is a duplicate', async () => {
      const { guangzhou, shenzhen } = b;
      const person = newPerson();
      const house = evidenceHash('gz-sz-house');
      const id = newWithdrawalId();
      const first = await recordWithdrawal(guangzhou, withdrawalInput(id, guangzhou, person, house), person);
      expect(first).toMatchObject({ centre: '440100', attestationId: `withdrawal:440100:${id}` });
      const again = withdrawalInput(newWithdrawalId(), shenzhen, person, house);
      expect(await refusal(recordWithdrawal(shenzhen, again, person))).toMatch(/^HPF:DUPLICATE_EVIDENCE: /);
      // The same ID is Shenzhen's own: IDs are scoped per centre, not per organisation.
      expect(await refusal(getWithdrawal(shenzhen.mspId, shenzhen, id))).toMatch(/^HPF:NOT_FOUND: /);
    });

    it('adds a centre to an existing organisation, endorsed by it and an independent one', async () => {
      const { guangdong, beijing } = b;
      const foshan = { code: '440600', mspId: guangdong.mspId, name: '佛山市住房公积金管理中心' };
      const add = (caller: string, centre: Json): Promise<unknown> =>
        b.submit(caller, 'registry', 'AddOrganisationCentre', [JSON.stringify(centre)], {
          endorsers: [caller, b.regulatorMsp],
        });
      // Only the organisation itself adds its centres, and only in its province.
      expect(await refusal(add(beijing.mspId, foshan))).toMatch(/^HPF:FORBIDDEN: centre.mspId: /);
      expect(await refusal(add(guangdong.mspId, { ...foshan, code: '320500' }))).toMatch(
        /^HPF:VALIDATION_FAILED: centre.code: centre 320500 is not in the province/,
      );
      expect(await add(guangdong.mspId, foshan)).toEqual(foshan);
      expect(await add(guangdong.mspId, foshan)).toEqual(foshan);
      expect(asRecord(await b.evaluate(beijing.mspId, 'registry', 'GetCentre', ['440600']))).toEqual(foshan);
      const registry = asRecord(await b.evaluate(beijing.mspId, 'registry', 'Get', []));
      expect(registry.centres).toContainEqual(foshan);
      const person = newPerson();
      const foshanRef = { code: foshan.code, mspId: foshan.mspId };
      const input = withdrawalInput(newWithdrawalId(), foshanRef, person, evidenceHash('foshan'));
      expect((await recordWithdrawal(foshanRef, input, person)).status).toBe('RECORDED');
    });
  });

  describe('key-level endorsement', () => {
    it('a transfer step endorsed without both centres is invalidated and changes nothing', async () => {
      const { beijing, shanghai, guangdong } = b;
      const id = newTransferId(guangdong);
      await request(id, guangdong, beijing, newPerson());
      for (const endorsers of [
        [beijing.mspId],
        [beijing.mspId, b.regulatorMsp],
        [beijing.mspId, shanghai.mspId],
      ]) {
        expect(await refusal(step('Accept', id, beijing.mspId, endorsers))).toMatch(
          /^ENDORSEMENT_POLICY_FAILURE\b/,
        );
      }
      expect((await sameEverywhere((mspId) => getTransfer(mspId, id))).status).toBe('REQUESTED');
      expect(await step('Accept', id, beijing.mspId, pair(beijing, guangdong))).toMatchObject({
        status: 'ACCEPTED',
      });
    });

    it('a transfer Request endorsed without the source is invalidated: each implicit collection needs its org', async () => {
      const { beijing, guangdong } = b;
      const id = newTransferId(guangdong);
      const person = newPerson();
      const args = [
        JSON.stringify({
          transferId: id,
          fromCentre: beijing.code,
          subjectRef: b.subjectRef('01', person.idNumber),
        }),
      ];
      const transient = { person: canonicalJson({ ...person, salt: 'c2NlbmFyaW8tc2FsdC0wMQ' }) };
      for (const endorsers of [
        [guangdong.mspId, b.regulatorMsp],
        [guangdong.mspId, b.shanghai.mspId],
      ]) {
        expect(
          await refusal(b.submit(guangdong.mspId, 'transfer', 'Request', args, { transient, endorsers })),
        ).toMatch(/^ENDORSEMENT_POLICY_FAILURE\b/);
      }
      expect(await refusal(getTransfer(beijing.mspId, id))).toMatch(/^HPF:NOT_FOUND: /);
    });

    it('a withdrawal endorsed by one organisation alone is invalidated (chaincode policy: any 2)', async () => {
      const person = newPerson();
      const input = withdrawalInput(newWithdrawalId(), b.shanghai, person, evidenceHash('one-org'));
      const alone = b.submit(b.shanghai.mspId, 'withdrawal', 'Record', [JSON.stringify(input)], {
        transient: withdrawalTransient(input, person),
        endorsers: [b.shanghai.mspId],
      });
      expect(await refusal(alone)).toMatch(/^ENDORSEMENT_POLICY_FAILURE\b/);
      expect(await refusal(getWithdrawal(b.shanghai.mspId, b.shanghai, String(input.withdrawalId)))).toMatch(
        /^HPF:NOT_FOUND: /,
      );
    });
  });

  describe('private data', () => {
    it('gives the person to the two centres only; public state holds no personal data', async () => {
      const { beijing, shanghai, guangdong } = b;
      const id = newTransferId(guangdong);
      const person = newPerson();
      const record = await request(id, guangdong, beijing, person);
      for (const mspId of [beijing.mspId, guangdong.mspId]) {
        const details = asRecord(await b.evaluate(mspId, 'transfer', 'GetPersonalDetails', [id]));
        expect(details).toMatchObject({ idNumber: person.idNumber, name: person.name });
        expect(sha256Hex(canonicalJson(details as Parameters<typeof canonicalJson>[0]))).toBe(
          record.personHash,
        );
      }
      for (const mspId of [shanghai.mspId, b.regulatorMsp]) {
        expect(await refusal(b.evaluate(mspId, 'transfer', 'GetPersonalDetails', [id]))).toMatch(
          /^HPF:FORBIDDEN: /,
        );
      }
      const publicRecord = JSON.stringify(await getTransfer(shanghai.mspId, id));
      expect(publicRecord).not.toContain(person.idNumber);
      expect(publicRecord).not.toContain(person.name);
    });
  });

  describe('withdrawals', () => {
    it('refuses the same person and evidence at another centre until the first is reversed', async () => {
      const person = newPerson();
      const house = evidenceHash('house');
      const first = newWithdrawalId();
      await recordWithdrawal(b.beijing, withdrawalInput(first, b.beijing, person, house), person);
      const second = withdrawalInput(newWithdrawalId(), b.shanghai, person, house);
      expect(await refusal(recordWithdrawal(b.shanghai, second, person))).toMatch(
        /^HPF:DUPLICATE_EVIDENCE: /,
      );
      // IDs are per centre: Shanghai has no withdrawal with Beijing's ID.
      expect(await refusal(reverseWithdrawal(b.shanghai, first))).toMatch(/^HPF:NOT_FOUND: /);
      const reversed = await reverseWithdrawal(b.beijing, first);
      expect(reversed.status).toBe('REVERSED');
      // An identical reversal again is a replay: the same record, nothing new.
      expect(await reverseWithdrawal(b.beijing, first)).toEqual(reversed);
      expect((await recordWithdrawal(b.shanghai, second, person)).status).toBe('RECORDED');
      expect((await sameEverywhere((mspId) => getWithdrawal(mspId, b.beijing, first))).status).toBe(
        'REVERSED',
      );
    });

    it('is idempotent on the withdrawal ID and CONFLICT for other content', async () => {
      const person = newPerson();
      const input = withdrawalInput(newWithdrawalId(), b.guangdong, person, evidenceHash('idem'));
      const first = await recordWithdrawal(b.guangdong, input, person);
      expect(await recordWithdrawal(b.guangdong, input, person)).toEqual(first);
      expect(await refusal(recordWithdrawal(b.guangdong, { ...input, amount: '100000.01' }, person))).toMatch(
        /^HPF:CONFLICT: /,
      );
    });

    it('raises EVIDENCE_SHARED for a third person on one home, and MULTI_CENTRE for a third withdrawal at 2 centres', async () => {
      const home = evidenceHash('shared-home');
      const buyers = [newPerson(), newPerson(), newPerson()];
      const alerts: unknown[] = [];
      for (const buyer of buyers) {
        const input = withdrawalInput(newWithdrawalId(), b.beijing, buyer, home);
        alerts.push((await recordWithdrawal(b.beijing, input, buyer)).alerts);
      }
      expect(alerts[1]).toEqual([]);
      expect(alerts[2]).toEqual([expect.objectContaining({ code: 'EVIDENCE_SHARED', evidenceHash: home })]);

      const renter = newPerson();
      const rent = (centre: CentreRef, label: string, withdrawnOn = b.today): Json =>
        withdrawalInput(newWithdrawalId(), centre, renter, evidenceHash(label), {
          reasonCode: '07',
          evidence: [{ kind: 'RENT_CONTRACT', hash: evidenceHash(label) }],
          amount: '1200.00',
          withdrawnOn,
        });
      await recordWithdrawal(b.beijing, rent(b.beijing, 'rent-1'), renter);
      await recordWithdrawal(b.shanghai, rent(b.shanghai, 'rent-2'), renter);
      // Rent is monthly at one centre: the third is a month before the second.
      const third = await recordWithdrawal(
        b.shanghai,
        rent(b.shanghai, 'rent-3', addMonths(b.today, -1)),
        renter,
      );
      expect(third.alerts).toEqual([expect.objectContaining({ code: 'MULTI_CENTRE', count: 3 })]);
    });

    it('freezes the account at the source when the source accepts, not on the request (ACCOUNT_IN_TRANSFER)', async () => {
      const { beijing, guangdong } = b;
      const person = newPerson();
      const id = newTransferId(guangdong);
      await request(id, guangdong, beijing, person);
      const before = withdrawalInput(newWithdrawalId(), beijing, person, evidenceHash('before-accept'));
      expect((await recordWithdrawal(beijing, before, person)).status).toBe('RECORDED');
      await step('Accept', id, beijing.mspId, pair(beijing, guangdong));
      const input = withdrawalInput(newWithdrawalId(), beijing, person, evidenceHash('in-transfer'));
      expect(await refusal(recordWithdrawal(beijing, input, person))).toMatch(/^HPF:ACCOUNT_IN_TRANSFER: /);
      await step('Reject', id, beijing.mspId, pair(beijing, guangdong));
      expect((await recordWithdrawal(beijing, input, person)).status).toBe('RECORDED');
    });
  });

  describe('review before freezing', () => {
    it('lets two destinations ask for one person; the source accepts one and the other is ACCOUNT_IN_TRANSFER', async () => {
      const { beijing, shanghai, guangdong } = b;
      const person = newPerson();
      const first = newTransferId(guangdong);
      const second = newTransferId(shanghai);
      await request(first, guangdong, beijing, person);
      await request(second, shanghai, beijing, person);
      expect(await getTransfer(beijing.mspId, second)).toMatchObject({ status: 'REQUESTED' });
      await step('Accept', first, beijing.mspId, pair(beijing, guangdong));
      expect(await refusal(step('Accept', second, beijing.mspId, pair(beijing, shanghai)))).toMatch(
        /^HPF:ACCOUNT_IN_TRANSFER: .*accepts at most one/,
      );
      expect(await getTransfer(beijing.mspId, second)).toMatchObject({ status: 'REQUESTED' });
      // The source closes the other request; once the first ends, it could accept again.
      await step('Reject', second, beijing.mspId, pair(beijing, shanghai));
      expect(await getTransfer(beijing.mspId, second)).toMatchObject({
        status: 'REJECTED',
        platformCode: '13',
      });
    });
  });

  describe('work-queue pagination', () => {
    it('pages through a queue with bookmarks: every page at most pageSize, in key order, nothing twice', async () => {
      const { shanghai, guangdong } = b;
      const mine: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const id = newTransferId(shanghai);
        await request(id, shanghai, guangdong, newPerson());
        mine.push(id);
      }
      const seen: string[] = [];
      let bookmark = '';
      // Bounded: the queue holds this run's transfers and at most a few hundred others.
      for (let pages = 0; pages < 500; pages += 1) {
        const page = await list(shanghai.mspId, {
          centre: shanghai.code,
          direction: 'incoming',
          status: 'REQUESTED',
          pageSize: 2,
          ...(bookmark === '' ? {} : { bookmark }),
        });
        const ids = (page.items as { transferId: string }[]).map((item) => item.transferId);
        expect(ids.length).toBeLessThanOrEqual(2);
        expect(ids.length).toBeGreaterThan(0);
        seen.push(...ids);
        bookmark = String(page.bookmark);
        if (bookmark === '') break;
      }
      expect(bookmark).toBe('');
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
      expect(seen).toEqual(expect.arrayContaining(mine));
      // Another centre's peer reads the same queue.
      const fromGuangdong = await list(guangdong.mspId, {
        centre: shanghai.code,
        direction: 'incoming',
        status: 'REQUESTED',
        pageSize: 100,
      });
      expect((fromGuangdong.items as { transferId: string }[]).map((t) => t.transferId)).toEqual(
        expect.arrayContaining(mine),
      );
    });

    const emptyPage = KNOWN_CHAINCODE_BUGS.emptyPage ? it.failing : it;
    emptyPage(
      'answers an empty page (bookmark past the last entry) with no items and no bookmark',
      async () => {
        // A bookmark after every transfer ID of the queue: the query range is empty, so Fabric answers with
        // no results and no metadata; the chaincode must answer an empty page.
        const past = `\u0000transfer-queue\u0000${b.beijing.code}\u0000incoming\u0000REQUESTED\u0000~`;
        const page = await list(b.beijing.mspId, {
          centre: b.beijing.code,
          direction: 'incoming',
          status: 'REQUESTED',
          bookmark: past,
        });
        expect(page).toEqual({ items: [], bookmark: '' });
      },
    );
  });

  describe('recurring withdrawals and fraud bans', () => {
    const rentInput = (
      centre: CentreRef,
      person: ReturnType<typeof newPerson>,
      lease: string,
      withdrawnOn: string,
    ): Json =>
      withdrawalInput(newWithdrawalId(), centre, person, lease, {
        reasonCode: '07',
        amount: '1500.00',
        evidence: [{ kind: 'RENT_CONTRACT', hash: lease }],
        withdrawnOn,
      });

    it('records monthly rent on one lease twice at one centre; too soon is WITHDRAWAL_TOO_FREQUENT; another centre is DUPLICATE_EVIDENCE', async () => {
      const person = newPerson();
      const lease = evidenceHash('lease-monthly');
      const first = await recordWithdrawal(
        b.shenzhen,
        rentInput(b.shenzhen, person, lease, addMonths(b.today, -1)),
        person,
      );
      const second = await recordWithdrawal(
        b.shenzhen,
        rentInput(b.shenzhen, person, lease, b.today),
        person,
      );
      expect([first.status, second.status]).toEqual(['RECORDED', 'RECORDED']);
      expect(
        await refusal(
          recordWithdrawal(
            b.shenzhen,
            rentInput(b.shenzhen, person, lease, addMonths(b.today, -2).slice(0, 8) + '28'),
            person,
          ),
        ),
      ).toMatch(/^HPF:WITHDRAWAL_TOO_FREQUENT: /);
      expect(
        await refusal(recordWithdrawal(b.beijing, rentInput(b.beijing, person, lease, b.today), person)),
      ).toMatch(/^HPF:DUPLICATE_EVIDENCE: /);
    });

    it('bans a person at one centre; a withdrawal at another centre is SUBJECT_BANNED until the issuer lifts it', async () => {
      const person = newPerson();
      serial += 1;
      const banId = `SC-${b.tag}-BAN${serial}`;
      const reason = '伪造租赁合同骗提';
      const ban = asRecord(
        await b.submit(
          b.beijing.mspId,
          'ban',
          'Impose',
          [
            canonicalJson({
              banId,
              centre: b.beijing.code,
              subjectRef: b.subjectRef(person.idType, person.idNumber),
              ground: 'WITHDRAWAL_FRAUD',
              decidedOn: b.today,
              reasonHash: freeTextHash(b.pseudonymKey, reason),
            }),
          ],
          {
            transient: {
              person: canonicalJson({ idType: person.idType, idNumber: person.idNumber }),
              reason,
            },
            endorsers: [b.beijing.mspId, b.regulatorMsp],
          },
        ),
      );
      expect(ban).toMatchObject({ banId, centre: b.beijing.code, status: 'ACTIVE' });
      expect(ban.until).toBe(`${Number(b.today.slice(0, 4)) + 3}${b.today.slice(4)}`);
      const input = rentInput(b.guangdong, person, evidenceHash(`lease-${banId}`), b.today);
      expect(await refusal(recordWithdrawal(b.guangdong, input, person))).toMatch(/^HPF:SUBJECT_BANNED: /);
      // At any centre: a city centre of a third organisation, and the issuing centre itself.
      for (const centre of [b.shenzhen, b.beijing]) {
        const elsewhere = rentInput(centre, person, evidenceHash(`lease-${banId}-${centre.code}`), b.today);
        expect(await refusal(recordWithdrawal(centre, elsewhere, person))).toMatch(/^HPF:SUBJECT_BANNED: /);
      }
      expect(
        await refusal(
          b.submit(
            b.guangdong.mspId,
            'ban',
            'Lift',
            [
              b.guangdong.code,
              banId,
              canonicalJson({ reasonHash: freeTextHash(b.pseudonymKey, '复议撤销') }),
            ],
            { transient: { reason: '复议撤销' }, endorsers: [b.guangdong.mspId, b.regulatorMsp] },
          ),
        ),
      ).toMatch(/^HPF:NOT_FOUND: /);
      const lifted = asRecord(
        await b.submit(
          b.beijing.mspId,
          'ban',
          'Lift',
          [b.beijing.code, banId, canonicalJson({ reasonHash: freeTextHash(b.pseudonymKey, '复议撤销') })],
          { transient: { reason: '复议撤销' }, endorsers: [b.beijing.mspId, b.regulatorMsp] },
        ),
      );
      expect(lifted.status).toBe('LIFTED');
      expect((await recordWithdrawal(b.guangdong, input, person)).status).toBe('RECORDED');
    });
  });

  describe('certificates', () => {
    const FACTS = loanSettledFacts({ loanContractNo: 'JK-SCENARIO-1' });

    /** The canonical content an honest gateway builds; its hash is the argument, its bytes the transient map. */
    async function content(
      no: string,
      issuer: CentreRef,
      person: ReturnType<typeof newPerson>,
    ): Promise<Json> {
      const centre = asRecord(await b.evaluate(issuer.mspId, 'registry', 'GetCentre', [issuer.code]));
      return {
        version: 1,
        certificateNo: no,
        type: 'LOAN_SETTLED',
        issuer: issuer.code,
        issuerName: centre.name,
        person,
        facts: FACTS,
        validUntil: '2099-12-31T16:00:00.000Z',
      };
    }
    function issue(
      issuer: CentreRef,
      body: Json,
      endorsers: readonly string[],
      request?: Readonly<Record<string, string>>,
    ): Promise<unknown> {
      const bytes = canonicalJson(body as Parameters<typeof canonicalJson>[0]);
      const person = body.person as { idType: string; idNumber: string };
      const argument = {
        contentHash: sha256Hex(bytes),
        // The PDF an issuing gateway renders; the chaincode checks the hash's shape only.
        pdfHash: sha256Hex(`PDF of ${bytes}`),
        issuedAt: b.now(),
        subjectRef: b.subjectRef(person.idType, person.idNumber),
        request,
      };
      return b.submit(issuer.mspId, 'certificate', 'Issue', [canonicalJson(argument)], {
        transient: { content: bytes },
        endorsers,
      });
    }

    it('issues with an independent endorser; any member verifies; only the issuer holds the content', async () => {
      const no = `SC-${b.tag}-C1`;
      const body = await content(no, b.beijing, newPerson());
      const record = asRecord(await issue(b.beijing, body, [b.beijing.mspId, b.regulatorMsp]));
      expect(record).toMatchObject({ certificateNo: no, issuer: b.beijing.code, status: 'ISSUED' });
      const hash = String(record.contentHash);
      const verified = asRecord(
        await b.evaluate(b.guangdong.mspId, 'certificate', 'Verify', [b.beijing.code, no, hash]),
      );
      expect(verified.status).toBe('VALID');
      const held = asRecord(
        await b.evaluate(b.beijing.mspId, 'certificate', 'GetContent', [b.beijing.code, no]),
      );
      expect(held.content).toEqual(body);
      expect(
        await refusal(b.evaluate(b.shanghai.mspId, 'certificate', 'GetContent', [b.beijing.code, no])),
      ).toMatch(/HPF:NOT_FOUND: /);
    });

    it('answers a request only when both centres endorse (AND on the request key)', async () => {
      const person = newPerson();
      serial += 1;
      const requestId = `SC-${b.tag}-R${serial}`;
      await b.submit(
        b.guangdong.mspId,
        'certificate',
        'Request',
        [
          canonicalJson({
            requestId,
            requester: b.guangdong.code,
            issuer: b.beijing.code,
            type: 'LOAN_SETTLED',
            subjectRef: b.subjectRef(person.idType, person.idNumber),
          }),
        ],
        { transient: { person: canonicalJson(person) }, endorsers: pair(b.guangdong, b.beijing) },
      );
      const no = `SC-${b.tag}-C2`;
      const body = await content(no, b.beijing, person);
      const answer = { requester: b.guangdong.code, requestId };
      expect(await refusal(issue(b.beijing, body, [b.beijing.mspId, b.regulatorMsp], answer))).toMatch(
        /^ENDORSEMENT_POLICY_FAILURE/,
      );
      const record = asRecord(await issue(b.beijing, body, pair(b.beijing, b.guangdong), answer));
      expect(record).toMatchObject({ requester: b.guangdong.code, requestId });
      const held = asRecord(
        await b.evaluate(b.guangdong.mspId, 'certificate', 'GetContent', [b.beijing.code, no]),
      );
      expect(held.content).toEqual(body);
    });

    describe('single-use share codes', () => {
      /** A code as a gateway draws it (24 base32 characters); the ledger only ever sees its hash. */
      function newCode(): { code: string; codeHash: string } {
        serial += 1;
        // Hex digits mapped onto base32 letters: a distinct code per call, in the alphabet codes use.
        const code = sha256Hex(`share-${b.tag}-${serial}`)
          .slice(0, 24)
          .replace(/[0-9a-f]/g, (digit) => 'ABCDEFGHIJKLMNOP'.charAt(parseInt(digit, 16)));
        return { code, codeHash: sha256Hex(code) };
      }
      async function issued(label: string): Promise<string> {
        const no = `SC-${b.tag}-${label}`;
        await issue(b.beijing, await content(no, b.beijing, newPerson()), [b.beijing.mspId, b.regulatorMsp]);
        return no;
      }
      const share = async (no: string, codeHash: string, ttlSeconds = 86_400): Promise<Json> =>
        asRecord(
          await b.submit(
            b.beijing.mspId,
            'certificate',
            'CreateShareCode',
            [b.beijing.code, no, canonicalJson({ codeHash, ttlSeconds })],
            { endorsers: [b.beijing.mspId, b.regulatorMsp] },
          ),
        );
      /** The issuer endorses with the redeeming organisation (its peer holds the content). */
      const redeem = (centre: CentreRef, codeHash: string): Promise<unknown> =>
        b.submit(
          centre.mspId,
          'certificate',
          'RedeemShareCode',
          [canonicalJson({ codeHash, centre: centre.code })],
          { endorsers: [b.beijing.mspId, centre.mspId] },
        );

      it('opens a certificate once at another centre: USED, then CODE_USED; the issuer and an unknown code are refused', async () => {
        const no = await issued('SHARE1');
        const { code, codeHash } = newCode();
        const created = await share(no, codeHash);
        expect(created).toMatchObject({
          codeHash,
          issuer: b.beijing.code,
          certificateNo: no,
          status: 'ACTIVE',
        });
        expect(Date.parse(String(created.expiresAt)) - Date.parse(String(created.createdAt))).toBe(
          86_400_000,
        );
        // Every member reads the public record; it holds the hash, never the code.
        const record = await sameEverywhere(async (mspId) =>
          asRecord(await b.evaluate(mspId, 'certificate', 'GetShareCode', [codeHash])),
        );
        expect(record.status).toBe('ACTIVE');
        expect(JSON.stringify(record)).not.toContain(code);
        expect(await refusal(redeem(b.beijing, codeHash))).toMatch(/^HPF:FORBIDDEN: /);
        const redeemed = asRecord(await redeem(b.shenzhen, codeHash));
        expect(redeemed.shareCode).toMatchObject({ status: 'USED', usedBy: b.shenzhen.code });
        expect(redeemed.certificate).toMatchObject({ status: 'VALID', certificateNo: no });
        expect(await refusal(redeem(b.shanghai, codeHash))).toMatch(/^HPF:CODE_USED: /);
        expect(await refusal(redeem(b.shenzhen, codeHash))).toMatch(/^HPF:CODE_USED: /);
        expect(await refusal(redeem(b.shanghai, newCode().codeHash))).toMatch(/^HPF:NOT_FOUND: /);
        const after = asRecord(await b.evaluate(b.shanghai.mspId, 'certificate', 'GetShareCode', [codeHash]));
        expect(after).toMatchObject({ status: 'USED', usedBy: b.shenzhen.code });
      });

      it('refuses an expired code (CODE_EXPIRED) and leaves it unused', async () => {
        const no = await issued('SHARE2');
        const { codeHash } = newCode();
        await share(no, codeHash, 1);
        await b.elapse(2);
        expect(await refusal(redeem(b.shanghai, codeHash))).toMatch(/^HPF:CODE_EXPIRED: /);
        const record = asRecord(
          await b.evaluate(b.shanghai.mspId, 'certificate', 'GetShareCode', [codeHash]),
        );
        expect(record.status).toBe('ACTIVE');
      });
    });
  });
}

/** A birth date (YYYYMMDD, 1950-1999) derived from the run tag, so runs use different people. */
function personBirth(tag: string): string {
  let h = 0;
  for (const ch of tag) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  const year = 1950 + (h % 50);
  const month = 1 + (Math.floor(h / 50) % 12);
  const day = 1 + (Math.floor(h / 600) % 28);
  return `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
}
