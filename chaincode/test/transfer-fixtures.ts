import type { LedgerContext } from '../src/batched-stub';

import { freeTextHash } from '../src/domain';
import {
  ALICE,
  BEIJING,
  GUANGDONG,
  personJson,
  personOf,
  TestNetwork,
  type Invocation,
  type InvokeOptions,
  PSEUDONYM_KEY,
} from './harness';
import { CONFIRM_OUT_AMOUNT, confirmOutBody } from '../../test/support/fixtures';

/** Guangdong (destination) asks Beijing (source) to transfer Alice's account. */
export const T1 = '4400002611200001';

export const TRANSFER_OUT = confirmOutBody();

export const AMOUNT_SENT = CONFIRM_OUT_AMOUNT;

export function requestArgs(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ transferId: T1, fromCentre: BEIJING.code, subjectRef: ALICE, ...overrides });
}

export async function request(net: TestNetwork, transferId = T1, subjectRef = ALICE): Promise<Invocation> {
  return net.submit(
    GUANGDONG.mspId,
    (ctx) => net.transfer.Request(ctx, requestArgs({ transferId, subjectRef })),
    {
      transient: { person: personJson(personOf(subjectRef)) },
    },
  );
}

export type StepName = 'CANCEL' | 'ACCEPT' | 'REJECT' | 'CONFIRM_OUT' | 'DISPUTE' | 'COMPLETE' | 'FAIL';

/** Each step as the contract call it is, with valid arguments. */
export function stepCall(
  net: TestNetwork,
  step: StepName,
  transferId = T1,
): (ctx: LedgerContext) => Promise<string> {
  const calls: Record<StepName, (ctx: LedgerContext) => Promise<string>> = {
    CANCEL: (ctx) => net.transfer.Cancel(ctx, transferId),
    ACCEPT: (ctx) => net.transfer.Accept(ctx, transferId),
    REJECT: (ctx) =>
      net.transfer.Reject(
        ctx,
        transferId,
        JSON.stringify({ reasonCode: '01', messageHash: freeTextHash(PSEUDONYM_KEY, STEP_TEXTS.REJECT) }),
      ),
    CONFIRM_OUT: (ctx) => net.transfer.ConfirmOut(ctx, transferId, JSON.stringify(TRANSFER_OUT)),
    DISPUTE: (ctx) =>
      net.transfer.Dispute(
        ctx,
        transferId,
        JSON.stringify({ messageHash: freeTextHash(PSEUDONYM_KEY, STEP_TEXTS.DISPUTE) }),
      ),
    COMPLETE: (ctx) =>
      net.transfer.Complete(
        ctx,
        transferId,
        JSON.stringify({ receivedAmount: AMOUNT_SENT, receivedOn: '2026-11-22' }),
      ),
    FAIL: (ctx) =>
      net.transfer.Fail(
        ctx,
        transferId,
        JSON.stringify({ messageHash: freeTextHash(PSEUDONYM_KEY, STEP_TEXTS.FAIL) }),
      ),
  };
  return calls[step];
}

/** The free texts of the steps that carry one; they travel in the transient map (key `message`). */
export const STEP_TEXTS = { REJECT: '信息不符', DISPUTE: '缴存月数不一致', FAIL: '超期未处理' } as const;

/** The transient map a step needs (its free text), as InvokeOptions. */
export function stepOptions(step: StepName): InvokeOptions {
  return step === 'REJECT' || step === 'DISPUTE' || step === 'FAIL'
    ? { transient: { message: STEP_TEXTS[step] } }
    : {};
}

/** The MSP that may take each step (FAIL: either; the source is used here). */
export const STEP_ACTOR: Record<StepName, string> = {
  CANCEL: GUANGDONG.mspId,
  ACCEPT: BEIJING.mspId,
  REJECT: BEIJING.mspId,
  CONFIRM_OUT: BEIJING.mspId,
  DISPUTE: GUANGDONG.mspId,
  COMPLETE: GUANGDONG.mspId,
  FAIL: BEIJING.mspId,
};

export async function step(net: TestNetwork, name: StepName, transferId = T1): Promise<Invocation> {
  return net.submit(STEP_ACTOR[name], stepCall(net, name, transferId), stepOptions(name));
}

/** Steps after Request that lead to each status. */
export const PATH_TO: Record<string, readonly StepName[]> = {
  REQUESTED: [],
  ACCEPTED: ['ACCEPT'],
  OUT_CONFIRMED: ['ACCEPT', 'CONFIRM_OUT'],
  NEGOTIATING: ['ACCEPT', 'CONFIRM_OUT', 'DISPUTE'],
  CANCELLED: ['CANCEL'],
  REJECTED: ['REJECT'],
  COMPLETED: ['ACCEPT', 'CONFIRM_OUT', 'COMPLETE'],
  FAILED: ['FAIL'],
};

export async function transferAt(
  net: TestNetwork,
  status: string,
  transferId = T1,
  subjectRef = ALICE,
): Promise<void> {
  await request(net, transferId, subjectRef);
  for (const name of PATH_TO[status] ?? []) {
    await step(net, name, transferId);
  }
}
