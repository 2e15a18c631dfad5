import { transferFromJson, transferOutFromJson, withdrawalFromJson } from '../src/records';
import {
  CONFIRM_OUT_AMOUNT,
  confirmOutBody,
  transferRecord,
  withdrawalRecord,
} from '../../test/support/fixtures';

/** The shared fixture builders make what the chaincode itself accepts and writes. */
describe('shared fixtures', () => {
  const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  it('a transfer record decodes through the chaincode’s own factory, unchanged', () => {
    const record = transferRecord({
      status: 'OUT_CONFIRMED',
      steps: [{ step: 'REQUEST' }, { step: 'ACCEPT' }, { step: 'CONFIRM_OUT' }],
    });
    expect(transferFromJson(roundTrip(record))).toEqual(record);
    expect(record.history.map((h) => [h.status, h.platformCode])).toEqual([
      ['REQUESTED', '01'],
      ['ACCEPTED', '02'],
      ['OUT_CONFIRMED', '08'],
    ]);
  });

  it('a withdrawal record decodes through the chaincode’s own factory, unchanged', () => {
    const record = withdrawalRecord({ status: 'REVERSED', alertCount: 2 });
    expect(withdrawalFromJson(roundTrip(record))).toEqual(record);
  });

  it('a ConfirmOut body is a valid transfer-out: the amount is principal + interest', () => {
    expect(transferOutFromJson(confirmOutBody()).amount).toBe(CONFIRM_OUT_AMOUNT);
  });
});
