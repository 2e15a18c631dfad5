import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

import {
  canonicalJson,
  certificateContentBytes,
  certificateContentFromJson,
  certificateContentHash,
  evidenceHashOf,
  freeTextHash,
  sha256Hex,
  type CertificateContent,
} from '../../chaincode/src/domain';
import { Network, Runtime } from '../../network';
import { testConsortium } from '../support/consortium';
import { depositUseFacts } from '../support/fixtures';
import { call, gatewayOf, keyOf } from '../support/http';
import {
  contractOf,
  errorText,
  pseudonymKeyOf,
  residentId,
  subjectRefOf,
  submit,
  withdrawalTransient,
  withDetails,
  type Submitted,
} from '../support/ledger';

/**
 * Two colluding organisations on the real network (docs/decisions/0183-records-sealed-by-their-organisation.md):
 * Beijing (C110000MSP) and the regulator run a MODIFIED chaincode server, a wrapper this test writes
 * that removes the caller check from the built chaincode, and endorse records in the name of Shenzhen
 * (440300, an organisation of C440000MSP) with a raw fabric-gateway client choosing their two peers.
 *
 * - `skip-check`: the chaincode as it is, minus the caller check. Every forged write carries the
 *   seal in C440000MSP's implicit collection: invalid on every peer (ENDORSEMENT_POLICY_FAILURE).
 * - `own-collections`: also every private write (seal, content, reasons) goes to the forger's own
 *   collection. New records commit, but every verification path says FORGED; changes of Shenzhen's
 *   honest records (reversal and its evidence-index deletion, revocation, lift) are still invalid.
 */

const consortium = testConsortium();
const layout = new Network(consortium).layout;
const K = pseudonymKeyOf(layout);
const SHENZHEN = '440300';
const FORGERS = ['C110000MSP', consortium.regulator.mspId];
const HONEST = ['C440000MSP', 'C310000MSP'];
const TX_ENDORSEMENT_POLICY_FAILURE = 10;
// Birth date 1975-05-05 belongs to this file.
const run = Date.now() % 100_000;
const today = new Date().toISOString().slice(0, 10);
const shanghai = gatewayOf('C310000MSP');

function orgOf(mspId: string): (typeof consortium.orgs)[number] {
  const found = consortium.orgs.find((o) => o.mspId === mspId);
  if (found === undefined) throw new Error(`no org ${mspId}`);
  return found;
}

const shenzhenName = (() => {
  const centre = orgOf('C440000MSP').centres.find((c) => c.code === SHENZHEN);
  if (centre === undefined) throw new Error(`no centre ${SHENZHEN} in the test definition`);
  return centre.name;
})();

// ---- the modified chaincode server ----------------------------------------------------------------

const WRAPPER = `'use strict';
// A MODIFIED chaincode server written by test/integration/collusion.test.ts: the built chaincode
// with its caller check removed. It is not part of the production server.
const path = require('node:path');
const dist = process.env.HPF_FORGER_CHAINCODE_DIST;
const registry = require(path.join(dist, 'model', 'registry.js'));
const mode = process.env.HPF_FORGER_MODE;
registry.requireCallerCentre = async (ctx, reg, code, field) => {
  const centre = await registry.findCentre(ctx, reg, code);
  if (centre === undefined) throw new Error(field + ': no centre ' + code);
  // own-collections: the centre as if it were the forger's, so every private write lands in the
  // forger's own implicit collection.
  return mode === 'own-collections' ? { ...centre, mspId: ctx.clientIdentity.getMSPID() } : centre;
};
require(path.join(dist, 'server.js'));
`;

type Mode = 'skip-check' | 'own-collections';
const forging = new Map<string, ChildProcess>();
const packageId = Runtime.ensurePackage(consortium, layout);

async function stopForgers(): Promise<void> {
  for (const [mspId, child] of forging) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
    }
    forging.delete(mspId);
  }
}

/** The org's chaincode server accepts connections (its peer dials it on the next call). */
async function untilServing(mspId: string): Promise<void> {
  const org = orgOf(mspId);
  const accepts = (): Promise<boolean> =>
    new Promise((resolve) => {
      const socket = connect({ host: org.address, port: org.ports.chaincodeServer });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await Runtime.pollUntil(async () => ((await accepts()) ? true : undefined), {
    timeoutMs: 60_000,
    intervalMs: 250,
    failure: () => new Error(`${mspId}'s chaincode server does not listen`),
  });
}

/** Replaces the forgers' chaincode servers by the modified one (same address, key pair and package). */
async function runForgers(mode: Mode): Promise<void> {
  await stopForgers();
  const dir = path.join(layout.root, 'forger');
  mkdirSync(dir, { recursive: true });
  const wrapper = path.join(dir, 'forging-chaincode-server.js');
  writeFileSync(wrapper, WRAPPER);
  for (const mspId of FORGERS) {
    const org = orgOf(mspId);
    // Held, so that a supervisor (a reused `npm start` network) does not bring the real one back.
    Runtime.setHold(layout.root, Runtime.chaincodeServerName(org), true);
    await Runtime.stopProcess(layout.root, Runtime.chaincodeServerName(org));
    const spec = Runtime.chaincodeServerSpec(layout, org, packageId);
    const log = openSync(path.join(dir, `${org.key}-${mode}.log`), 'a');
    const child = spawn(spec.command, [wrapper, ...spec.args.slice(1)], {
      cwd: spec.cwd,
      env: {
        ...spec.env,
        HPF_FORGER_MODE: mode,
        HPF_FORGER_CHAINCODE_DIST: path.join(spec.cwd, 'dist'),
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child.once('exit', (code, signal) => {
      writeFileSync(path.join(dir, `${org.key}-${mode}.exit`), `${String(code)} ${String(signal)}\n`);
    });
    forging.set(mspId, child);
  }
  for (const mspId of FORGERS) await untilServing(mspId);
}

async function restoreServers(): Promise<void> {
  await stopForgers();
  for (const mspId of FORGERS) {
    await Runtime.startChaincodeServer(layout, orgOf(mspId), { packageId });
    Runtime.setHold(layout.root, Runtime.chaincodeServerName(orgOf(mspId)), false);
  }
  for (const mspId of FORGERS) await untilServing(mspId);
}

// ---- raw clients and the records -------------------------------------------------------------------

const connections = new Map<string, Runtime.OrgConnection>();
function as(mspId: string, contract: string): ReturnType<typeof contractOf> {
  const connection = connections.get(mspId);
  if (connection === undefined) throw new Error(`no connection for ${mspId}`);
  return contractOf(connection.gateway, consortium, contract);
}

function person(n: number): string {
  return residentId('19750505', (run + n) % 1000);
}

/** withdrawal:Record at Shenzhen, submitted by `mspId`'s client with these endorsers. */
function recordWithdrawal(
  mspId: string,
  id: string,
  n: number,
  endorsers: readonly string[],
): Promise<Submitted> {
  const idNumber = person(n);
  const reference = `深租(${run})${id}`;
  const input = {
    withdrawalId: id,
    centre: SHENZHEN,
    subjectRef: subjectRefOf(layout, idNumber),
    reasonCode: '07',
    amount: '1500.00',
    closesAccount: false,
    evidence: [{ kind: 'RENT_CONTRACT', hash: evidenceHashOf(K, reference) }],
    withdrawnOn: today,
  };
  return withDetails(
    submit(as(mspId, 'withdrawal'), 'Record', [JSON.stringify(input)], {
      transient: withdrawalTransient(idNumber, [{ kind: 'RENT_CONTRACT', reference }]),
      endorsingOrganizations: endorsers,
    }),
  );
}

function content(no: string, n: number): CertificateContent {
  const validUntil = new Date(Date.now() + 180 * 86_400_000).toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
  // As the gateway sends it: normalised by the chaincode's own rule (canonical bytes).
  return certificateContentFromJson({
    version: 1,
    certificateNo: no,
    type: 'DEPOSIT_USE',
    issuer: SHENZHEN,
    issuerName: shenzhenName,
    person: { idType: '01', idNumber: person(n), name: '深圳甲' },
    facts: depositUseFacts(),
    validUntil,
  });
}

function issueCertificate(
  mspId: string,
  body: CertificateContent,
  endorsers: readonly string[],
): Promise<Submitted> {
  const argument = {
    contentHash: certificateContentHash(body),
    // The gateway renders the PDF and sends its hash; the chaincode records it as given.
    pdfHash: sha256Hex(Buffer.from(`pdf of ${body.certificateNo}`)),
    issuedAt: new Date().toISOString(),
    subjectRef: subjectRefOf(layout, body.person.idNumber),
  };
  return withDetails(
    submit(as(mspId, 'certificate'), 'Issue', [JSON.stringify(argument)], {
      transient: { content: certificateContentBytes(body).toString('utf8') },
      endorsingOrganizations: endorsers,
    }),
  );
}

function imposeBan(
  mspId: string,
  banId: string,
  n: number,
  endorsers: readonly string[],
): Promise<Submitted> {
  const reason = '冒名骗提';
  const input = {
    banId,
    centre: SHENZHEN,
    subjectRef: subjectRefOf(layout, person(n)),
    ground: 'WITHDRAWAL_FRAUD',
    decidedOn: today,
    reasonHash: freeTextHash(K, reason),
  };
  return withDetails(
    submit(as(mspId, 'ban'), 'Impose', [JSON.stringify(input)], {
      transient: { person: canonicalJson({ idType: '01', idNumber: person(n) }), reason },
      endorsingOrganizations: endorsers,
    }),
  );
}

const REASON = '记录有误';
const reasonArg = (): string => JSON.stringify({ reasonHash: freeTextHash(K, REASON) });

/** A forged step as the forgers submit it: Beijing's client, Beijing's and the regulator's peers. */
function forged(contract: string, tx: string, args: readonly string[]): Promise<Submitted> {
  return withDetails(
    submit(as('C110000MSP', contract), tx, args, {
      transient: { reason: REASON },
      endorsingOrganizations: FORGERS,
    }),
  );
}

async function verifyWithdrawal(id: string): Promise<Record<string, unknown>> {
  const answer = await call(shanghai, 'auditor', 'POST', '/v1/verify', {
    attestationId: `withdrawal:${SHENZHEN}:${id}`,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function publicCertificateVerify(body: CertificateContent): Promise<Record<string, unknown>> {
  const response = await fetch(`${shanghai.url}/v1/public/certificates/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      certificateNo: body.certificateNo,
      issuer: SHENZHEN,
      contentHash: certificateContentHash(body),
    }),
    signal: AbortSignal.timeout(60_000),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The console's attestation page at Shanghai's gateway, signed in with its auditor key: the verdict line. */
async function consoleVerdict(attestationId: string): Promise<string> {
  const signIn = await fetch(`${shanghai.url}/console/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ apiKey: keyOf(shanghai, 'auditor') }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  expect(signIn.status).toBe(303);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await fetch(`${shanghai.url}/console/attestations/${attestationId}`, {
    headers: { cookie },
    signal: AbortSignal.timeout(60_000),
  });
  expect(page.status).toBe(200);
  const verdict = /<p id="verdict" class="([a-z]+)">([^<]*)<\/p>/.exec(await page.text());
  return `${verdict?.[1] ?? ''}: ${(verdict?.[2] ?? '').replace(/\s+/g, ' ').trim()}`;
}

// ---- the tests ---------------------------------------------------------------------------------------

const honestWithdrawal = `CO-${run}-H`;
const honestCertificate = content(`ZM-CO-${run}-H`, 1);
const honestBan = `BAN-CO-${run}-H`;

beforeAll(async () => {
  for (const mspId of ['C110000MSP', 'C440000MSP'])
    connections.set(mspId, Runtime.connectOrg(layout, orgOf(mspId)));
  // Shenzhen's own records, written honestly before anyone forges.
  for (const written of [
    await recordWithdrawal('C440000MSP', honestWithdrawal, 0, HONEST),
    await issueCertificate('C440000MSP', honestCertificate, HONEST),
    await imposeBan('C440000MSP', honestBan, 2, HONEST),
  ]) {
    expect(written.successful).toBe(true);
  }
}, 180_000);

afterAll(async () => {
  await restoreServers();
  for (const connection of connections.values()) connection.close();
}, 180_000);

describe('two organisations forging with the chaincode minus its caller check', () => {
  beforeAll(() => runForgers('skip-check'), 180_000);

  it.each([
    ['a withdrawal', () => recordWithdrawal('C110000MSP', `CO-${run}-F1`, 3, FORGERS)],
    ['a certificate', () => issueCertificate('C110000MSP', content(`ZM-CO-${run}-F1`, 4), FORGERS)],
    ['a ban', () => imposeBan('C110000MSP', `BAN-CO-${run}-F1`, 5, FORGERS)],
  ])(
    '%s in Shenzhen name is endorsed, then invalid on every peer (ENDORSEMENT_POLICY_FAILURE)',
    async (_kind, write) => {
      const result = await write();
      expect({ successful: result.successful, code: result.validationCode }).toEqual({
        successful: false,
        code: TX_ENDORSEMENT_POLICY_FAILURE,
      });
    },
  );

  it('left nothing: the forged withdrawal and certificate are unknown', async () => {
    expect(await verifyWithdrawal(`CO-${run}-F1`)).toMatchObject({ valid: false, found: false });
    expect(await publicCertificateVerify(content(`ZM-CO-${run}-F1`, 4))).toEqual({ status: 'UNKNOWN' });
  });
});

describe('two organisations forging with every private write in their own collections', () => {
  beforeAll(() => runForgers('own-collections'), 180_000);

  const forgedWithdrawal = `CO-${run}-F2`;
  const forgedCertificate = content(`ZM-CO-${run}-F2`, 6);

  it('a forged withdrawal commits, but /v1/verify, the proof and the console say FORGED', async () => {
    const written = await recordWithdrawal('C110000MSP', forgedWithdrawal, 7, FORGERS);
    expect(written.successful).toBe(true);
    expect(await verifyWithdrawal(forgedWithdrawal)).toMatchObject({
      valid: false,
      found: true,
      forged: true,
      validationCode: 'VALID',
      txId: written.txId,
    });
    const proof = await call(
      shanghai,
      'auditor',
      'GET',
      `/v1/attestations/withdrawal:${SHENZHEN}:${forgedWithdrawal}/proof`,
    );
    expect(proof.body).toMatchObject({ forged: true, txId: written.txId });
    expect([...(proof.body.endorsingOrgs as string[])].sort()).toEqual([...FORGERS].sort());
    expect(await consoleVerdict(`withdrawal:${SHENZHEN}:${forgedWithdrawal}`)).toMatch(/^error: .*FORGED/);
    // The honest one beside it is valid everywhere.
    expect(await verifyWithdrawal(honestWithdrawal)).toMatchObject({ valid: true, forged: false });
    expect(await consoleVerdict(`withdrawal:${SHENZHEN}:${honestWithdrawal}`)).toMatch(/^ok: /);
  });

  it('a forged certificate commits, but key-less and keyed verification say FORGED with nothing more', async () => {
    const written = await issueCertificate('C110000MSP', forgedCertificate, FORGERS);
    expect(written.successful).toBe(true);
    const expected = { status: 'FORGED' };
    expect(await publicCertificateVerify(forgedCertificate)).toEqual(expected);
    const keyed = await call(shanghai, 'operator', 'POST', '/v1/certificates/verify', {
      certificateNo: forgedCertificate.certificateNo,
      issuer: SHENZHEN,
      contentHash: certificateContentHash(forgedCertificate),
    });
    expect(keyed.body).toEqual(expected);
    expect(await publicCertificateVerify(honestCertificate)).toMatchObject({ status: 'VALID' });
  });

  it('a forged ban commits, but does not refuse the person a withdrawal', async () => {
    const written = await imposeBan('C110000MSP', `BAN-CO-${run}-F2`, 8, FORGERS);
    expect(written.successful).toBe(true);
    const answer = await call(shanghai, 'operator', 'POST', '/v1/withdrawals', {
      withdrawalId: `CO-${run}-AFTER-BAN`,
      person: { idType: '01', idNumber: person(8), name: '未被禁' },
      reasonCode: '07',
      amount: '1500.00',
      evidence: [{ kind: 'RENT_CONTRACT', reference: `沪租(${run})AFTER` }],
      withdrawnOn: today,
    });
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 201, code: undefined });
  });

  it.each([
    [
      'the reversal of a withdrawal (and so the deletion of its evidence entries)',
      'withdrawal',
      'Reverse',
      () => [SHENZHEN, honestWithdrawal, reasonArg()],
    ],
    [
      'the revocation of a certificate',
      'certificate',
      'Revoke',
      () => [SHENZHEN, honestCertificate.certificateNo, reasonArg()],
    ],
    ['the lifting of a ban', 'ban', 'Lift', () => [SHENZHEN, honestBan, reasonArg()]],
  ])('%s of Shenzhen is invalid on every peer (key-level policy)', async (_what, contract, tx, args) => {
    let result: Submitted;
    try {
      result = await forged(contract, tx, args());
    } catch (error) {
      throw new Error(`the forgers could not even endorse ${contract}:${tx}: ${errorText(error)}`);
    }
    expect({ successful: result.successful, code: result.validationCode }).toEqual({
      successful: false,
      code: TX_ENDORSEMENT_POLICY_FAILURE,
    });
  });

  it('left Shenzhen records as they were', async () => {
    expect(await verifyWithdrawal(honestWithdrawal)).toMatchObject({
      valid: true,
      record: { status: 'RECORDED' },
    });
    expect(await publicCertificateVerify(honestCertificate)).toMatchObject({ status: 'VALID' });
    const ban = await call(
      gatewayOf('C440000MSP'),
      'auditor',
      'GET',
      `/v1/bans/${honestBan}?centre=${SHENZHEN}`,
    );
    expect(ban.body).toMatchObject({ status: 'ACTIVE' });
  });
});

describe('after the forgers run the real chaincode again', () => {
  beforeAll(() => restoreServers(), 180_000);

  it('Shenzhen still reverses, revokes and lifts its own records', async () => {
    const reason = { transient: { reason: REASON }, endorsingOrganizations: HONEST };
    for (const [contract, tx, args] of [
      ['withdrawal', 'Reverse', [SHENZHEN, honestWithdrawal, reasonArg()]],
      ['certificate', 'Revoke', [SHENZHEN, honestCertificate.certificateNo, reasonArg()]],
      ['ban', 'Lift', [SHENZHEN, honestBan, reasonArg()]],
    ] as const) {
      const result = await submit(as('C440000MSP', contract), tx, args, reason);
      expect(`${contract}:${tx} ${result.successful}`).toBe(`${contract}:${tx} true`);
    }
    expect(await verifyWithdrawal(honestWithdrawal)).toMatchObject({
      valid: true,
      record: { status: 'REVERSED' },
    });
  });
});
