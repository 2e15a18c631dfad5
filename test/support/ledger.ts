import { type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import {
  canonicalJson,
  computeSubjectRef,
  decodePseudonymKey,
  residentIdCheckChar,
} from '../../chaincode/src/domain';
import type { Definition } from '../../network';

/** Raw @hyperledger/fabric-gateway helpers for integration tests (no HTTP gateway in between). */

const utf8 = new TextDecoder();

export function contractOf(gateway: Gateway, consortium: Definition.Consortium, name: string): Contract {
  return gateway.getNetwork(consortium.channel).getContract(consortium.chaincode.name, name);
}

export interface Submitted {
  readonly result: unknown;
  readonly txId: string;
  readonly blockNumber: bigint;
  readonly validationCode: number;
  readonly successful: boolean;
}

export interface SubmitOptions {
  readonly transient?: Record<string, string>;
  readonly endorsingOrganizations?: readonly string[];
}

/** Endorses, submits and waits for the commit status; the result is parsed JSON (or the raw text). */
export async function submit(
  contract: Contract,
  tx: string,
  args: readonly string[],
  options: SubmitOptions = {},
): Promise<Submitted> {
  const transientData = Object.fromEntries(
    Object.entries(options.transient ?? {}).map(([k, v]) => [k, Buffer.from(v)]),
  );
  const submitted = await contract.submitAsync(tx, {
    arguments: [...args],
    transientData,
    ...(options.endorsingOrganizations === undefined
      ? {}
      : { endorsingOrganizations: [...options.endorsingOrganizations] }),
  });
  const status = await submitted.getStatus();
  const text = utf8.decode(submitted.getResult());
  return {
    result: parseMaybe(text),
    txId: status.transactionId,
    blockNumber: status.blockNumber,
    validationCode: status.code,
    successful: status.successful,
  };
}

export async function evaluate(
  contract: Contract,
  tx: string,
  args: readonly string[] = [],
): Promise<unknown> {
  return parseMaybe(utf8.decode(await contract.evaluateTransaction(tx, ...args)));
}

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** All the text the error and its endorsement details carry, where the chaincode's `HPF:<CODE>:` appears. */
export function errorText(error: unknown): string {
  const details = (error as { details?: { message?: string }[] }).details ?? [];
  return [String(error), ...details.map((d) => d.message ?? '')].join('\n');
}

/** The same promise, rejecting with all of the error's text (endorsement details included), for `rejects.toThrow(/HPF:…/)`. */
export function withDetails<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => Promise.reject(new Error(errorText(error))));
}

/** A syntactically valid 18-digit resident ID with the given birth date and sequence. */
export function residentId(birth: string, sequence: number): string {
  const first17 = `110105${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** The consortium key K, as the gateways and chaincode servers read it. */
export function pseudonymKeyOf(layout: Definition.Layout): Buffer {
  const key = decodePseudonymKey(readFileSync(layout.pseudonymKey));
  if (key === undefined) throw new Error('the pseudonymisation key is too short');
  return key;
}

/** The subjectRef an honest gateway computes (the same under every claimed ID type). */
export function subjectRefOf(layout: Definition.Layout, idNumber: string, idType = '01'): string {
  return computeSubjectRef(pseudonymKeyOf(layout), idType, idNumber, undefined);
}

/**
 * The transient map an honest gateway sends with withdrawal:Record / Precheck: the person and the
 * evidence references, from which every endorser recomputes the subjectRef and evidence hashes.
 */
export function withdrawalTransient(
  idNumber: string,
  evidence: readonly { kind: string; reference: string }[],
  idType = '01',
): Record<string, string> {
  return { person: canonicalJson({ idType, idNumber }), evidence: canonicalJson([...evidence]) };
}

export function personTransient(idNumber: string, name: string): Record<string, string> {
  return {
    person: canonicalJson({ idType: '01', idNumber, name, salt: randomBytes(16).toString('base64url') }),
  };
}

/** A contact letter number of the destination centre: code + YYMMDD + 4-digit sequence. */
export function transferIdFor(
  destination: Definition.OrgDefinition,
  sequence: number,
  date = new Date(),
): string {
  const yymmdd = date.toISOString().slice(2, 10).replace(/-/g, '');
  return `${destination.code ?? ''}${yymmdd}${String(sequence % 10_000).padStart(4, '0')}`;
}
