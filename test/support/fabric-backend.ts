import { common } from '@hyperledger/fabric-protos';
import { readFileSync } from 'node:fs';
import { computeSubjectRef, decodePseudonymKey } from '../../chaincode/src/domain';
import { Network, Runtime } from '../../network';
import type { Backend, CallOptions, CentreRef } from '../scenarios/backend';
import { testConsortium } from './consortium';
import { contractOf, errorText, evaluate, submit } from './ledger';

/** The scenario backend on the real network: one raw fabric-gateway connection per organisation. */

/** Names of the peer's TxValidationCode values a scenario may meet (fabric-protos peer/transaction.proto). */
const VALIDATION_CODES: Record<number, string> = {
  10: 'ENDORSEMENT_POLICY_FAILURE',
  11: 'MVCC_READ_CONFLICT',
  12: 'PHANTOM_READ_CONFLICT',
};

/** The chaincode's `HPF:<CODE>: text` out of a gateway error, else the error's whole text. */
function refusalOf(error: unknown): Error {
  const text = errorText(error);
  const hpf = /HPF:[A-Z_]+: [^\n]*/.exec(text);
  return new Error(hpf === null ? text : hpf[0].replace(/\s*$/, ''));
}

let runs = 0;

export function fabricBackend(): Promise<Backend> {
  const consortium = testConsortium();
  const layout = new Network(consortium).layout;
  const connections = new Map<string, Runtime.OrgConnection>();
  for (const org of consortium.orgs) connections.set(org.mspId, Runtime.connectOrg(layout, org));
  const contract = (mspId: string, name: string): ReturnType<typeof contractOf> => {
    const connection = connections.get(mspId);
    if (connection === undefined) throw new Error(`no connection for ${mspId}`);
    return contractOf(connection.gateway, consortium, name);
  };
  const centre = (code: string): CentreRef => {
    const found = consortium.centres.find((org) => org.centres.some((c) => c.code === code));
    if (found === undefined) throw new Error(`no centre ${code} in the test definition`);
    return { code, mspId: found.mspId };
  };
  /**
   * A submit returns once the submitting org's peer committed the block; another org's peer may not have
   * it yet, so its next endorsement or read would not see the write (the fake has one ledger, so it
   * cannot show this). Like a client handing a case to another centre, wait until every peer has it.
   */
  const everyPeerHas = (blockNumber: bigint): Promise<true> =>
    Runtime.pollUntil(
      async () => {
        const heights = await Promise.all(
          [...connections.values()].map(async ({ gateway }) =>
            common.BlockchainInfo.deserializeBinary(
              await gateway
                .getNetwork(consortium.channel)
                .getContract('qscc')
                .evaluateTransaction('GetChainInfo', consortium.channel),
            ).getHeight(),
          ),
        );
        return heights.every((height) => BigInt(height) > blockNumber) ? true : undefined;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 50,
        failure: (last) => new Error(`not every peer reached block ${blockNumber}: ${String(last)}`),
      },
    );
  // The same key file, decoded the same way, as the gateways and chaincode servers use.
  const key = decodePseudonymKey(readFileSync(layout.pseudonymKey));
  if (key === undefined) throw new Error(`${layout.pseudonymKey}: not a pseudonymisation key`);
  // Transfer IDs carry a date: other tests use today's, these use a date in 2001-2022 picked from the
  // clock, so reruns against a reused network do not meet old IDs either.
  runs += 1;
  const minutes = Math.floor(Date.now() / 60_000) + runs;
  const day = new Date(Date.UTC(2001, 0, 1) + (minutes % 8000) * 86_400_000);
  const transferDate = day.toISOString().slice(2, 10).replace(/-/g, '');
  return Promise.resolve({
    kind: 'fabric',
    beijing: centre('110000'),
    shanghai: centre('310000'),
    guangdong: centre('440000'),
    guangzhou: centre('440100'),
    shenzhen: centre('440300'),
    regulatorMsp: consortium.regulator.mspId,
    transferDate,
    tag: `F${minutes.toString(36)}`,
    today: new Date().toISOString().slice(0, 10),
    now: () => new Date().toISOString(),
    async submit(mspId: string, name: string, tx: string, args: readonly string[], options: CallOptions) {
      let outcome: Awaited<ReturnType<typeof submit>>;
      try {
        outcome = await submit(contract(mspId, name), tx, args, {
          ...(options.transient === undefined ? {} : { transient: { ...options.transient } }),
          endorsingOrganizations: options.endorsers,
        });
      } catch (error) {
        throw refusalOf(error);
      }
      await everyPeerHas(outcome.blockNumber);
      if (!outcome.successful) {
        const code = VALIDATION_CODES[outcome.validationCode] ?? `VALIDATION_CODE_${outcome.validationCode}`;
        throw new Error(`${code}: transaction ${outcome.txId} was invalidated`);
      }
      return outcome.result;
    },
    async evaluate(mspId: string, name: string, tx: string, args: readonly string[]) {
      try {
        return await evaluate(contract(mspId, name), tx, args);
      } catch (error) {
        throw refusalOf(error);
      }
    },
    subjectRef: (idType, idNumber) => computeSubjectRef(key, idType, idNumber, undefined),
    pseudonymKey: key,
    elapse: (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    close() {
      for (const connection of connections.values()) connection.close();
      return Promise.resolve();
    },
  });
}
