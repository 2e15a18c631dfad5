/** A small in-process "network": contracts, a shared fake ledger, deterministic tx IDs and clock. */
process.env.CORE_CHAINCODE_LOGGING_LEVEL = 'error';

import { AuditContract } from '../src/audit-contract';
import { BanContract } from '../src/ban-contract';
import { CertificateContract } from '../src/certificate-contract';
import { canonicalJson } from '../src/codec';
import { installChaincodeConfig } from '../src/config';
import { computeSubjectRef, evidenceHashOf, residentIdCheckChar } from '../src/domain';
import { MetaContract } from '../src/meta-contract';
import { readAccountHistory, type AccountEvent } from '../src/model/account';
import { RegistryContract } from '../src/registry-contract';
import { TransferContract } from '../src/transfer-contract';
import { WithdrawalContract } from '../src/withdrawal-contract';
import { LedgerContext } from '../src/batched-stub';
import { FakeClientIdentity, FakeWorldState, FakeStub, wouldValidate } from './fake-stub';

export const BEIJING = { code: '110000', mspId: 'C110000MSP', name: '北京住房公积金管理中心' };
export const SHANGHAI = { code: '310000', mspId: 'C310000MSP', name: '上海市公积金管理中心' };
export const GUANGDONG = { code: '440000', mspId: 'C440000MSP', name: '广东省住房公积金管理中心' };
/** Two city centres hosted by the Guangdong organisation, beside its 省直 centre (440000). */
export const GUANGZHOU = { code: '440100', mspId: 'C440000MSP', name: '广州住房公积金管理中心' };
export const SHENZHEN = { code: '440300', mspId: 'C440000MSP', name: '深圳市住房公积金管理中心' };
export const REGULATOR = { mspId: 'RegulatorMSP', name: '全国住房公积金监管服务平台' };

/** The centre an organisation's tests act for by default: C110000MSP → 110000 (110000 for others). */
export function homeCentreOf(mspId: string): string {
  return /^C(\d{6})MSP$/.exec(mspId)?.[1] ?? '110000';
}
export const OUTSIDER_MSP = 'OutsiderMSP';

export const REGISTRY_INPUT = {
  regulator: REGULATOR,
  centres: [GUANGDONG, BEIJING, SHANGHAI, GUANGZHOU, SHENZHEN],
  rules: { evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 },
};

export const PSEUDONYM_KEY = Buffer.from('unit-test pseudonymisation key, not a secret');
// What `server.ts` does at process start: every endorser (here, every fake) recomputes with this key.
installChaincodeConfig({ pseudonymKey: PSEUDONYM_KEY });

/** The people and documents the tests' subjectRefs and evidence hashes were computed from. */
const PEOPLE = new Map<string, { idType: string; idNumber: string }>();
const REFERENCES = new Map<string, string>();

/** A subjectRef as a gateway computes it; the harness remembers the person it stands for. */
export function subjectRefFor(idNumber: string, idType = '01'): string {
  const subjectRef = computeSubjectRef(PSEUDONYM_KEY, idType, idNumber, undefined);
  PEOPLE.set(subjectRef, { idType, idNumber });
  return subjectRef;
}

/** A valid 18-character resident ID built from 17 digits. */
export function residentId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

export const ALICE_ID = residentId('11010519900307123');
export const BOB_ID = residentId('31010419851224456');
export const CAROL_ID = residentId('44030619920615789');
export const ALICE = subjectRefFor(ALICE_ID);
export const BOB = subjectRefFor(BOB_ID);
export const CAROL = subjectRefFor(CAROL_ID);
export const DAVE_ID = residentId('11010819880101235');
export const ERIN_ID = residentId('31011519950505347');
export const DAVE = subjectRefFor(DAVE_ID);
export const ERIN = subjectRefFor(ERIN_ID);

export const ALICE_NAME = '张三丰';

export function personJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    idType: '01',
    idNumber: ALICE_ID,
    name: ALICE_NAME,
    formerEmployer: { code: '91350100M000100Y43', name: '某某科技有限公司' },
    formerAccount: '110000123456789',
    receivingAccount: '440000987654321',
    salt: 'c2FsdHNhbHRzYWx0c2FsdA',
    ...overrides,
  });
}

/** The evidence hash of a document reference, as a gateway computes it; the harness remembers the reference. */
export function hash(reference: string): string {
  const evidenceHash = evidenceHashOf(PSEUDONYM_KEY, reference);
  REFERENCES.set(evidenceHash, reference);
  return evidenceHash;
}

/** The ID type and number a subjectRef made by {@link subjectRefFor} stands for. */
export function personOf(subjectRef: string): { idType: string; idNumber: string } {
  const person = PEOPLE.get(subjectRef);
  if (person === undefined) throw new Error('unknown subjectRef: make it with subjectRefFor');
  return person;
}

/**
 * The transient map an honest gateway sends with a withdrawal: the person and the references that
 * the arguments' subjectRef and evidence hashes were computed from (unknown ones are left out, so
 * the contract refuses them). Undefined when the argument is not JSON.
 */
export function honestWithdrawalTransient(inputJson: string): Record<string, string> | undefined {
  let input: { subjectRef?: unknown; evidence?: unknown };
  try {
    input = JSON.parse(inputJson) as typeof input;
  } catch {
    return undefined;
  }
  const transient: Record<string, string> = {};
  const person = typeof input.subjectRef === 'string' ? PEOPLE.get(input.subjectRef) : undefined;
  if (person !== undefined) transient.person = JSON.stringify(person);
  if (Array.isArray(input.evidence)) {
    const items = input.evidence as { kind?: unknown; hash?: unknown }[];
    transient.evidence = JSON.stringify(
      items.flatMap((item) => {
        const reference = typeof item.hash === 'string' ? REFERENCES.get(item.hash) : undefined;
        return reference === undefined ? [] : [{ kind: item.kind, reference }];
      }),
    );
  }
  return transient;
}

/**
 * The withdrawal contract as an honest gateway calls it: when a test gives no transient map, Record
 * and Precheck receive {@link honestWithdrawalTransient}. Tests of the endorser-side check pass their
 * own transient map (forged or incomplete), which is used as given.
 */
class GatewayFedWithdrawalContract extends WithdrawalContract {
  readonly #supply: (inputJson: string) => void;

  constructor(supply: (inputJson: string) => void) {
    super();
    this.#supply = supply;
  }

  public override async Record(ctx: LedgerContext, inputJson: string): Promise<string> {
    this.#supply(inputJson);
    return super.Record(ctx, inputJson);
  }

  public override async Precheck(ctx: LedgerContext, inputJson: string): Promise<string> {
    this.#supply(inputJson);
    return super.Precheck(ctx, inputJson);
  }
}

export interface Invocation {
  readonly result: string;
  readonly stub: FakeStub;
  /** The parsed payload of the transaction's single event, if it set one. */
  readonly event: unknown;
}

export interface InvokeOptions {
  readonly transient?: Record<string, string>;
  /** meta:Ping is the one submit that deliberately emits no event. */
  readonly noEvent?: boolean;
  /**
   * The organisations whose peers endorse. When given, the write set must satisfy the endorsement
   * policies (key-level, else the chaincode-level OutOf(2)) with these orgs, or, as on Fabric, the
   * transaction is invalidated: nothing commits and `ENDORSEMENT_POLICY_FAILURE` is thrown.
   */
  readonly endorsers?: readonly string[];
}

type Call = (ctx: LedgerContext) => Promise<string>;

export class TestNetwork {
  public readonly ledger = new FakeWorldState();
  public readonly meta = new MetaContract();
  public readonly registry = new RegistryContract();
  public readonly transfer = new TransferContract();
  public readonly withdrawal: WithdrawalContract = new GatewayFedWithdrawalContract((inputJson) => {
    this.#supplyTransient(inputJson);
  });
  public readonly audit = new AuditContract();
  public readonly certificate = new CertificateContract();
  public readonly ban = new BanContract();
  /** Transaction time; each transaction moves it 1 second on. */
  public now = Date.UTC(2026, 10, 20, 2, 0, 0);
  #txCount = 0;

  public lastStub: FakeStub | undefined;
  /** The current transaction's transient map, and whether the test gave one. */
  #transient: { map: Map<string, Uint8Array>; given: boolean } = { map: new Map(), given: false };

  #supplyTransient(inputJson: string): void {
    if (this.#transient.given) return;
    for (const [key, value] of Object.entries(honestWithdrawalTransient(inputJson) ?? {})) {
      this.#transient.map.set(key, Buffer.from(value, 'utf8'));
    }
  }

  #context(mspId: string, options: InvokeOptions): { ctx: LedgerContext; stub: FakeStub } {
    this.#txCount += 1;
    this.now += 1000;
    const transient = new Map<string, Uint8Array>(
      Object.entries(options.transient ?? {}).map(([key, value]) => [key, Buffer.from(value, 'utf8')]),
    );
    this.#transient = { map: transient, given: options.transient !== undefined };
    const stub = new FakeStub(this.ledger, {
      txId: `tx${String(this.#txCount).padStart(4, '0')}`,
      epochMillis: this.now,
      transient,
    });
    // As fabric-contract-api does: the contracts' own context, whose stub holds writes until the end.
    const ctx = new LedgerContext();
    ctx.setChaincodeStub(stub);
    ctx.clientIdentity = new FakeClientIdentity(mspId);
    this.lastStub = stub;
    return { ctx, stub };
  }

  /** Runs a submit: on success the write set commits; on failure nothing does. */
  public async submit(mspId: string, call: Call, options: InvokeOptions = {}): Promise<Invocation> {
    const { ctx, stub } = this.#context(mspId, options);
    const result = await call(ctx);
    await ctx.flushWrites(); // the contracts' afterTransaction
    const expected = options.noEvent === true ? 0 : 1;
    if (stub.events.length !== expected || stub.events.some((event) => event.name !== 'hpf')) {
      throw new Error(`expected exactly ${expected} 'hpf' event(s), got ${stub.events.length}`);
    }
    if (options.endorsers !== undefined && !wouldValidate(stub, options.endorsers)) {
      throw new Error(
        `ENDORSEMENT_POLICY_FAILURE: transaction ${stub.getTxID()} endorsed by ${options.endorsers.join(', ')} was invalidated`,
      );
    }
    stub.commit();
    const payload = stub.events[0]?.payload;
    const event =
      payload === undefined ? undefined : (JSON.parse(Buffer.from(payload).toString('utf8')) as unknown);
    return { result, stub, event };
  }

  /** Runs an evaluate: nothing commits, and an evaluate must write nothing and emit nothing. */
  public async evaluate(
    mspId: string,
    call: Call,
    options: Pick<InvokeOptions, 'transient'> = {},
  ): Promise<string> {
    const { ctx, stub } = this.#context(mspId, options);
    const result = await call(ctx);
    await ctx.flushWrites();
    if (stub.writes.size > 0 || stub.events.length > 0) {
      throw new Error('an evaluate transaction wrote state or set an event');
    }
    return result;
  }

  public async init(): Promise<void> {
    await this.submit(REGULATOR.mspId, (ctx) => this.registry.Init(ctx, JSON.stringify(REGISTRY_INPUT)));
  }
}

/** A person's account history at a centre, read the way the chaincode reads it. */
export async function accountHistory(
  net: TestNetwork,
  centre: string,
  subjectRef: string,
): Promise<AccountEvent[]> {
  const text = await net.evaluate(REGULATOR.mspId, async (ctx) =>
    JSON.stringify(await readAccountHistory(ctx, centre, subjectRef)),
  );
  return JSON.parse(text) as AccountEvent[];
}

/** Parses a JSON result into a plain record for assertions. */
export function parse(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

export function canonical(value: unknown): string {
  return canonicalJson(JSON.parse(JSON.stringify(value)) as Parameters<typeof canonicalJson>[0]);
}

/** Asserts that a promise rejects with `HPF:<code>: …` and returns the message. */
export async function expectHpf(promise: Promise<unknown>, code: string, textPart?: string): Promise<string> {
  let message: string | undefined;
  try {
    await promise;
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  if (message === undefined) {
    throw new Error(`expected HPF:${code}, but the call succeeded`);
  }
  if (!message.startsWith(`HPF:${code}: `)) {
    throw new Error(`expected HPF:${code}, got: ${message}`);
  }
  if (textPart !== undefined && !message.includes(textPart)) {
    throw new Error(`expected "${textPart}" in: ${message}`);
  }
  return message;
}
