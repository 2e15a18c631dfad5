import type { LedgerContext } from '../src/batched-stub';

import { computeSubjectRef } from '../src/domain';
import type { Backend, CallOptions } from '../../test/scenarios/backend';
import {
  BEIJING,
  GUANGDONG,
  GUANGZHOU,
  SHENZHEN,
  PSEUDONYM_KEY,
  REGULATOR,
  SHANGHAI,
  TestNetwork,
} from './harness';

/** The scenario backend on the fake stub: one in-process ledger, every org's "peer" the same. */

type TxFunction = (ctx: LedgerContext, ...args: string[]) => Promise<string>;

function parseResult(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function fakeBackend(): Promise<Backend> {
  const net = new TestNetwork();
  await net.init();
  const contracts: Record<string, object> = {
    meta: net.meta,
    registry: net.registry,
    transfer: net.transfer,
    withdrawal: net.withdrawal,
    audit: net.audit,
    certificate: net.certificate,
    ban: net.ban,
  };
  const txOf = (
    contract: string,
    tx: string,
  ): ((ctx: LedgerContext, args: readonly string[]) => Promise<string>) => {
    const instance = contracts[contract];
    const method: unknown = instance === undefined ? undefined : Reflect.get(instance, tx);
    if (instance === undefined || typeof method !== 'function') {
      throw new Error(`no transaction ${contract}:${tx}`);
    }
    const fn = method as TxFunction;
    return (ctx, args) => fn.call(instance, ctx, ...args);
  };
  const today = new Date(net.now).toISOString().slice(0, 10);
  return {
    kind: 'fake',
    beijing: BEIJING,
    shanghai: SHANGHAI,
    guangdong: GUANGDONG,
    guangzhou: GUANGZHOU,
    shenzhen: SHENZHEN,
    regulatorMsp: REGULATOR.mspId,
    transferDate: '261120',
    tag: 'fake',
    today,
    now: () => new Date(net.now).toISOString(),
    async submit(mspId: string, contract: string, tx: string, args: readonly string[], options: CallOptions) {
      const call = txOf(contract, tx);
      const { result } = await net.submit(mspId, (ctx) => call(ctx, args), {
        ...(options.transient === undefined ? {} : { transient: { ...options.transient } }),
        endorsers: options.endorsers,
      });
      return parseResult(result);
    },
    async evaluate(mspId: string, contract: string, tx: string, args: readonly string[]) {
      const call = txOf(contract, tx);
      return parseResult(await net.evaluate(mspId, (ctx) => call(ctx, args)));
    },
    subjectRef: (idType, idNumber) => computeSubjectRef(PSEUDONYM_KEY, idType, idNumber, undefined),
    pseudonymKey: PSEUDONYM_KEY,
    elapse(seconds: number) {
      net.now += seconds * 1000;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
