import {
  canonicalIdentity,
  containsResidentIdLike,
  evidenceHashOf,
  normaliseUscc,
  toFen,
} from '../src/domain';
import { decodeAttestation, latestTxIdOf, stepsOf } from '../src/domain/records';
import { transferRecord, withdrawalRecord } from '../../test/support/fixtures';

const TODAY = '2026-11-20';
const KEY = Buffer.alloc(32, 7);
const normaliseIdNumber = (idType: string, idNumber: string, field: string): string =>
  canonicalIdentity(idType, idNumber, TODAY, field).number;
import { ApiError } from '../src/errors';

describe('gateway domain helpers', () => {
  it('normalises resident IDs: 15→18, lower-case x, check character', () => {
    expect(normaliseIdNumber('01', '110105491231002', 'person.idNumber')).toBe('11010519491231002X');
    expect(normaliseIdNumber('01', ' 11010519491231002x ', 'person.idNumber')).toBe('11010519491231002X');
    expect(normaliseIdNumber('03', ' e1234567 ', 'person.idNumber')).toBe('E1234567');
    for (const bad of ['110105194912310021', '110105194902300023', '11010519491231002']) {
      expect(() => normaliseIdNumber('01', bad, 'person.idNumber')).toThrow(ApiError);
    }
    try {
      normaliseIdNumber('01', '110105194912310021', 'person.idNumber');
    } catch (err) {
      expect(err).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'person.idNumber' }] });
      expect((err as Error).message).not.toContain('110105194912310021');
    }
  });

  it('parses money into fen', () => {
    expect(toFen('12')).toBe(1200);
    expect(toFen('12.5')).toBe(1250);
    expect(toFen('0.01')).toBe(1);
    expect(toFen('1.005')).toBeUndefined();
    expect(toFen('-1')).toBeUndefined();
    expect(toFen('01')).toBeUndefined();
  });

  it('hashes normalised evidence references', () => {
    expect(evidenceHashOf(KEY, ' gf 2026\t0001 ')).toBe(evidenceHashOf(KEY, 'GF20260001'));
    expect(evidenceHashOf(KEY, 'GF2026-000123')).toBe(evidenceHashOf(KEY, 'gf2026 000123'));
    expect(evidenceHashOf(KEY, 'ＧＦ２０２６／０００１２３')).toBe(evidenceHashOf(KEY, 'GF2026000123'));
    expect(evidenceHashOf(KEY, '京房售字(2026)第12号')).not.toBe(evidenceHashOf(KEY, '京房售字(2026)第13号'));
  });

  it('checks unified social credit codes', () => {
    expect(normaliseUscc('91350100m000100y43', 'code')).toBe('91350100M000100Y43');
    expect(() => normaliseUscc('91350100M000100Y44', 'code')).toThrow(ApiError);
  });

  it('spots ID-number-shaped text only as a whole token', () => {
    expect(containsResidentIdLike('/v1/withdrawals/11010519491231002X')).toBe(true);
    expect(containsResidentIdLike('/v1/withdrawals/W-110105491231002')).toBe(true);
    expect(containsResidentIdLike('/v1/transactions/a110105194912310021b')).toBe(false);
    expect(containsResidentIdLike('/v1/transfers/4400002611200001')).toBe(false);
  });
});

describe('ledger records', () => {
  it('decodes a record through the chaincode’s factory; a malformed one is INTERNAL naming the field', () => {
    const record = transferRecord({ steps: [{ step: 'REQUEST' }, { step: 'ACCEPT' }] });
    const decoded = decodeAttestation('transfer', JSON.parse(JSON.stringify(record)));
    expect(decoded).toEqual({ kind: 'transfer', record });
    expect(latestTxIdOf(decoded)).toBe(record.history[1]!.txId);
    const malformed = { ...record, history: [{ step: 'SKIP' }] };
    const failure = (run: () => unknown): unknown => {
      try {
        run();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(failure(() => decodeAttestation('transfer', malformed))).toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('history[0].step') as unknown,
    });
    expect(failure(() => decodeAttestation('certificate', record))).toMatchObject({ code: 'INTERNAL' });
  });

  it('a withdrawal’s steps are its recording and its reversal', () => {
    const record = withdrawalRecord({
      status: 'REVERSED',
      reversal: { reasonHash: 'a'.repeat(64), at: '2026-11-03T08:00:00.000Z', txId: 'b'.repeat(64) },
    });
    const decoded = decodeAttestation('withdrawal', JSON.parse(JSON.stringify(record)));
    expect(stepsOf(decoded).map((s) => s.step)).toEqual(['RECORD', 'REVERSE']);
    expect(latestTxIdOf(decoded)).toBe('b'.repeat(64));
  });
});
