import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { Cli, Definition, Hosts, Runtime } from '../../network';
import {
  contractOf,
  errorText,
  personTransient,
  residentId,
  subjectRefOf,
  submit,
  transferIdFor,
} from '../support/ledger';
import { acceptsClient } from './chaincode-trust';
import { ask, askInside } from './gateway-https';
import { Courier } from './courier';
import { scanKeys, type KeyScan } from './key-scan';
import {
  checkPrivilege,
  createNamespaces,
  NamespaceError,
  removeNamespaces,
  type NamespaceHost,
} from './namespaces';
import { CONFIRM_OUT_AMOUNT, confirmOutBody } from '../support/fixtures';

/**
 * `npm run rehearse:hosts`: the consortium on six hosts, each a network namespace with its own data
 * dir (orderer org, regulator, three centres, and a fourth centre that joins later). Every node binds
 * to its namespace's address. Files move between hosts only through the courier. The rehearsal proves
 * a transfer between centres on different hosts with both endorsing, the fourth centre joining by
 * exchanged files and completing a transfer with an old centre, and that no host holds another
 * organisation's private key. It writes a JSON report and exits non-zero on any failure.
 */

const flags = Cli.parseFlags({
  command: 'npm run rehearse:hosts',
  summary:
    'As root: the consortium on six hosts (network namespaces hpfr-*), a transfer across hosts, a fourth centre joining by exchanged files, and a key scan. Writes <dir>/report.json; exits non-zero on any failure.',
  flags: {
    dir: {
      type: 'string',
      arg: 'DIR',
      default: '.hpf-rehearsal',
      help: 'the data dirs, courier and report (under the repo)',
    },
    keep: { type: 'boolean', default: false, help: 'leave the hosts running afterwards' },
  },
});
const ROOT = path.resolve(Definition.REPO_ROOT, flags.dir);
const COURIER_DIR = path.join(ROOT, 'courier');
const REPORT = path.join(ROOT, 'report.json');
const BASE_PORT = 24000;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const CENTRES: readonly Definition.CentreEntry[] = [
  { code: '110000', mspId: 'C110000MSP', name: '北京住房公积金管理中心' },
  { code: '310000', mspId: 'C310000MSP', name: '上海市公积金管理中心' },
  { code: '440000', mspId: 'C440000MSP', name: '广东省住房公积金管理中心' },
];
const JOINING: Definition.CentreEntry = {
  code: '510000',
  mspId: 'C510000MSP',
  name: '四川省住房公积金管理中心',
};
const HOST_NAMES = ['orderer', 'regulator', 'c110000', 'c310000', 'c440000', 'c510000'] as const;

interface Step {
  readonly step: string;
  readonly seconds: number;
}

interface Report {
  ok: boolean;
  error: string | null;
  startedAt: string;
  hosts: readonly NamespaceHost[];
  steps: Step[];
  registryTamperRefused: boolean | null;
  bundle: { dir: string; units: readonly string[]; files: readonly string[] } | null;
  chaincodeServerTrust: { client: string; accepted: boolean; expected: boolean }[];
  transfers: { transferId: string; from: string; to: string; endorsers: string[]; block: string }[];
  join: {
    centre: string;
    secondsFromInitToFirstCommittedTransfer: number | null;
    signatures: { signer: string; how: string }[];
    signaturesRequired: string;
  };
  courier: Courier['parcels'];
  keyScan: KeyScan | null;
  gatewayHttps: GatewayHttps[];
  seconds: number;
}

interface GatewayHttps {
  readonly host: string;
  readonly url: string;
  /** /healthz over HTTPS trusting the organisation's TLS CA. */
  readonly healthz: number | string;
  /** /healthz over HTTPS trusting another organisation's TLS CA: refused. */
  readonly otherCa: number | string;
  /** /healthz over plain HTTP on the same port: no HTTP answer. */
  readonly plainHttp: number | string;
  /** /metrics on the API port: 404. */
  readonly metricsOnApi: number | string;
  /** The console's sign-in over HTTPS: 303 with a `Secure` cookie. */
  readonly signIn: number | string;
  readonly secureCookie: boolean;
  /** /metrics on the operations listener, from the host itself and from the bridge. */
  readonly metricsInside: number | string;
  readonly metricsFromOutside: number | string;
}

/** Probes one member's gateway from outside its host (and its operations listener from inside). */
async function gatewayHttps(
  m: Hosts.PeerHost,
  hosts: ReadonlyMap<string, NamespaceHost>,
  other: Hosts.PeerHost,
): Promise<GatewayHttps> {
  const [info] = Runtime.gatewayInfo({ ...m.consortium, orgs: [m.org] }, m.layout);
  if (info === undefined || info.caCert === null) throw new Error(`${m.orgKey}: its gateway is not HTTPS`);
  const ca = info.caCert;
  const key = info.apiKeys.auditor ?? '';
  const signIn = await ask(`${info.url}/console/sign-in`, {
    ca,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: info.url },
    body: new URLSearchParams({ apiKey: key }).toString(),
  });
  const result: GatewayHttps = {
    host: m.orgKey,
    url: info.url,
    healthz: (await ask(`${info.url}/healthz`, { ca })).status,
    otherCa: (await ask(`${info.url}/healthz`, { ca: other.layout.orgTlsCa(other.org) })).status,
    plainHttp: (await ask(`${info.url.replace('https:', 'http:')}/healthz`)).status,
    metricsOnApi: (await ask(`${info.url}/metrics`, { ca })).status,
    signIn: signIn.status,
    secureCookie: /; Secure;/.test(signIn.setCookie),
    metricsInside: askInside(hosts.get(m.orgKey)?.netns ?? '', `${info.operationsUrl}/metrics`),
    metricsFromOutside: (await ask(`http://${m.org.address}:${m.org.ports.gatewayOperations}/metrics`))
      .status,
  };
  log(`   ${m.orgKey} ${info.url}: ${JSON.stringify(result)}`);
  // A string is "no HTTP answer" (a TLS or connection error's code).
  const expected: Omit<GatewayHttps, 'host' | 'url'> = {
    healthz: 200,
    otherCa: typeof result.otherCa === 'string' ? result.otherCa : 'a TLS error',
    plainHttp: typeof result.plainHttp === 'string' ? result.plainHttp : 'no HTTP answer',
    metricsOnApi: 404,
    signIn: 303,
    secureCookie: true,
    metricsInside: 200,
    metricsFromOutside:
      typeof result.metricsFromOutside === 'string' ? result.metricsFromOutside : 'a connection error',
  };
  if (JSON.stringify({ ...result, host: undefined, url: undefined }) !== JSON.stringify(expected)) {
    throw new Error(`gateway of ${m.orgKey} over HTTPS: ${JSON.stringify(result)}`);
  }
  return result;
}

async function timed<T>(report: Report, name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`== ${name}`);
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  report.steps.push({ step: name, seconds });
  log(`   done in ${seconds.toFixed(1)} s`);
  return result;
}

function definitionFor(hosts: ReadonlyMap<string, NamespaceHost>): Record<string, unknown> {
  const address = (name: string): string => hosts.get(name)?.address ?? '';
  return {
    channel: 'hpf',
    chaincode: { name: 'hpf', label: 'hpf_1' },
    orderers: { mspId: 'OrdererMSP', nodes: 1, host: address('orderer') },
    regulator: { mspId: 'RegulatorMSP', name: '全国住房公积金监管服务平台', host: address('regulator') },
    organisations: CENTRES.map((c) => ({ ...c, host: address(`c${c.code}`) })),
    basePort: BASE_PORT,
    dataDir: '(each host sets its own)',
  };
}

/** A transfer from `source` to `destination`, each step submitted by its own host, both endorsing. */
async function transfer(
  report: Report,
  destination: Hosts.PeerHost,
  source: Hosts.PeerHost,
  sequence: number,
): Promise<void> {
  const dest = destination.org;
  const src = source.org;
  const both = [dest.mspId, src.mspId];
  const transferId = transferIdFor(dest, sequence);
  const idNumber = residentId('19900101', sequence % 1000);
  const subjectRef = subjectRefOf(destination.layout, idNumber);
  const as = async <T>(
    host: Hosts.PeerHost,
    fn: (c: ReturnType<typeof contractOf>) => Promise<T>,
  ): Promise<T> =>
    Runtime.withOrg(host.layout, host.org, ({ gateway }) =>
      fn(contractOf(gateway, host.consortium, 'transfer')),
    );
  await as(destination, (c) =>
    submit(c, 'Request', [JSON.stringify({ transferId, fromCentre: src.code, subjectRef })], {
      transient: personTransient(idNumber, '演练'),
      endorsingOrganizations: both,
    }),
  );
  await as(source, (c) => submit(c, 'Accept', [transferId], { endorsingOrganizations: both }));
  const out = confirmOutBody({ settlementRef: `RH${sequence}` });
  await as(source, (c) =>
    submit(c, 'ConfirmOut', [transferId, JSON.stringify(out)], { endorsingOrganizations: both }),
  );
  const done = await as(destination, (c) =>
    submit(
      c,
      'Complete',
      [
        transferId,
        JSON.stringify({
          receivedAmount: CONFIRM_OUT_AMOUNT,
          receivedOn: new Date().toISOString().slice(0, 10),
        }),
      ],
      { endorsingOrganizations: both },
    ),
  );
  const result = done.result as { status?: string } | null;
  if (!done.successful || result?.status !== 'COMPLETED') {
    throw new Error(`transfer ${transferId} did not complete: ${JSON.stringify(done.result)}`);
  }
  report.transfers.push({
    transferId,
    from: src.mspId,
    to: dest.mspId,
    endorsers: both,
    block: done.blockNumber.toString(),
  });
  log(`   transfer ${transferId} ${src.mspId} -> ${dest.mspId} COMPLETED in block ${done.blockNumber}`);
}

/**
 * A member tries to initialise the registry with content the members did not agree (a centre left
 * out): every peer's chaincode compares it with its own agreed digest and refuses to endorse.
 */
async function tamperedInitRefused(member: Hosts.PeerHost): Promise<boolean> {
  const { consortium } = member;
  const tampered = {
    regulator: { mspId: consortium.regulator.mspId, name: consortium.regulator.name },
    centres: consortium.centres
      .filter((c) => c.mspId !== 'C440000MSP')
      .map((c) => ({ code: c.code, mspId: c.mspId, name: c.name })),
    rules: consortium.rules,
  };
  try {
    await Runtime.withOrg(member.layout, member.org, ({ gateway }) =>
      contractOf(gateway, consortium, 'registry').submitTransaction('Init', JSON.stringify(tampered)),
    );
    return false;
  } catch (error) {
    return errorText(error).includes('differs from what this organisation agreed');
  }
}

async function rehearse(report: Report, fabric: Runtime.FabricInstall): Promise<void> {
  const ns = createNamespaces(HOST_NAMES);
  report.hosts = ns;
  const byName = new Map(ns.map((h) => [h.name, h]));
  for (const h of ns) log(`   host ${h.name}: namespace ${h.netns}, address ${h.address}`);
  const courier = new Courier(COURIER_DIR, log);
  report.courier = courier.parcels;
  const definition = definitionFor(byName);
  const definitionFile = path.join(ROOT, 'consortium.yaml');
  writeFileSync(definitionFile, stringify(definition));
  const options = (
    name: string,
  ): {
    definition: unknown;
    dataDir: string;
    netns: string;
    fabric: Runtime.FabricInstall;
    log: typeof log;
  } => ({
    definition,
    dataDir: path.join(ROOT, 'hosts', name),
    netns: byName.get(name)?.netns ?? '',
    fabric,
    log,
  });
  /** Runs a role command's function on `name`'s host, with the flags a human would type there. */
  const role = async (name: string, command: Cli.RoleName, args: readonly string[]): Promise<void> => {
    const { dataDir, netns } = options(name);
    const argv = ['--definition', definitionFile, '--data-dir', dataDir, ...args];
    log(
      `   [${name}] npm run ${command} -- ${argv.map((a) => (path.isAbsolute(a) ? path.relative(ROOT, a) : a)).join(' ')}`,
    );
    await Cli.ROLES[command]({ fabric, log, netns }, Cli.parseRoleFlags(command, argv));
  };
  const orderer = Hosts.newOrdererHost(options('orderer'));
  const members = ['regulator', ...CENTRES.map((c) => `c${c.code}`)].map((name) =>
    Hosts.newPeerHost(options(name), name),
  );
  const [regulator, c1, c2, c3] = members;
  if (regulator === undefined || c1 === undefined || c2 === undefined || c3 === undefined)
    throw new Error('hosts');
  const everyone = ['orderer', ...members.map((m) => m.orgKey)];
  const others = (name: string): string[] => everyone.filter((n) => n !== name);
  courier.send('rehearsal', everyone, definitionFile, 'consortium.yaml');

  const orgFiles = new Map<string, string>();
  await timed(
    report,
    'Each founding host generates its own keys and sends its organisation file',
    async () => {
      const ordererFile = await orderer.init(path.join(orderer.dataDir, 'out', 'organisation.json'));
      orgFiles.set(
        'orderer',
        courier.send('orderer', others('orderer'), ordererFile, 'orderer.organisation.json'),
      );
      for (const m of members) {
        const file = await m.init(path.join(m.dataDir, 'out', 'organisation.json'));
        orgFiles.set(
          m.orgKey,
          courier.send(m.orgKey, others(m.orgKey), file, `${m.orgKey}.organisation.json`),
        );
      }
      for (const m of members) {
        for (const [name, file] of orgFiles) if (name !== m.orgKey) m.importOrganisationFile(file);
      }
      for (const m of members) orderer.importOrganisationFile(orgFiles.get(m.orgKey) ?? '');
    },
  );

  const genesis = await timed(
    report,
    'The orderer host builds the genesis block and starts its orderer',
    async () => {
      const block = await orderer.genesisBlock();
      await orderer.startOrderers();
      return courier.send(
        'orderer',
        members.map((m) => m.orgKey),
        block,
        'genesis.block',
      );
    },
  );

  const packageId = await timed(
    report,
    'Every member host starts its peer, joins, installs and approves; c110000 commits',
    async () => {
      const key = courier.send(
        'c110000',
        ['regulator', 'c310000', 'c440000'],
        c1.createPseudonymKey(),
        'pseudonym.key',
        true,
      );
      for (const m of [regulator, c2, c3]) m.receivePseudonymKey(key);
      for (const m of members) {
        await m.startPeer();
        await m.joinChannel(genesis);
      }
      const built = c1.buildPackage();
      const pkg = courier.send('c110000', ['regulator', 'c310000', 'c440000'], built.file, 'hpf.tgz');
      const idFile = path.join(c1.dataDir, 'out', 'package-id.txt');
      writeFileSync(idFile, `${built.packageId}\n`);
      courier.send('c110000', ['regulator', 'c310000', 'c440000'], idFile, 'package-id.txt');
      for (const m of members) {
        await m.installPackage(pkg, built.packageId);
        await m.approve(built.packageId, 1);
      }
      await c1.commit(1);
      return built.packageId;
    },
  );

  await timed(
    report,
    'Chaincode servers and gateways start; every peer endorses; the registry is initialised',
    async () => {
      for (const m of members) await m.startChaincodeServer(packageId);
      await Promise.all(members.map((m) => m.waitChaincode()));
      report.registryTamperRefused = await tamperedInitRefused(c2);
      log(
        `   a registry Init without C440000MSP sent by C310000MSP: ${report.registryTamperRefused ? 'refused' : 'ACCEPTED'}`,
      );
      if (!report.registryTamperRefused)
        throw new Error('a registry Init with content nobody agreed was accepted');
      await c1.initRegistry();
      for (const m of members) log(`   ${m.org.mspId} gateway ${await m.startGateway()}`);
    },
  );

  await timed(report, "c110000's chaincode server accepts its own peer only (mutual TLS)", async () => {
    const server = c1.layout.chaincodeServerTls(c1.org);
    const cases = [
      { client: 'C110000MSP peer', files: c1.layout.peer(c1.org).tls, expected: true },
      { client: 'C310000MSP peer', files: c2.layout.peer(c2.org).tls, expected: false },
      { client: 'no client certificate', files: null, expected: false },
    ];
    for (const { client, files, expected } of cases) {
      const accepted = await acceptsClient(c1.org.address, c1.org.ports.chaincodeServer, server.ca, files);
      report.chaincodeServerTrust.push({ client, accepted, expected });
      log(`   ${client}: ${accepted ? 'accepted' : 'refused'}`);
      if (accepted !== expected)
        throw new Error(`chaincode server trust: ${client} ${accepted ? 'accepted' : 'refused'}`);
    }
  });

  await timed(
    report,
    "Gateways speak HTTPS on their hosts' addresses; /metrics only on each host's loopback",
    async () => {
      for (const m of members) report.gatewayHttps.push(await gatewayHttps(m, byName, c1 === m ? c2 : c1));
    },
  );

  await timed(report, 'A transfer c110000 -> c310000 across hosts, both endorsing', () =>
    transfer(report, c2, c1, 1000 + (Date.now() % 8000)),
  );

  // The join, timed from organisation:init to the new centre's first committed transfer.
  const joinStarted = Date.now();
  const newcomerName = `c${JOINING.code}`;
  const newcomerEntry: Definition.CentreEntry = { ...JOINING, host: byName.get(newcomerName)?.address ?? '' };
  const newcomer = Hosts.newPeerHost(
    { ...options(newcomerName), definition: Definition.withCentres(definition, [newcomerEntry]) },
    newcomerName,
  );
  const existing: Definition.Consortium = c1.consortium;
  const orgFile = await timed(
    report,
    `organisation:init on ${newcomerName}: its own keys, its organisation file`,
    async () => {
      const file = await newcomer.init(path.join(newcomer.dataDir, 'out', 'organisation.json'));
      return courier.send(newcomerName, ['c110000'], file, `${newcomerName}.organisation.json`);
    },
  );

  const membersOrgFile = path.join(COURIER_DIR, `${newcomerName}.organisation.for-members.json`);
  await timed(
    report,
    'Members propose, sign each on their own host, and submit the channel update',
    async () => {
      const update = path.join(c1.dataDir, 'out', 'add-510000.pb');
      await role('c110000', 'member:propose', [
        '--org',
        'c110000',
        '--centre-file',
        orgFile,
        '--out',
        update,
      ]);
      const signed1 = path.join(c1.dataDir, 'out', 'add-510000.c110000.pb');
      await role('c110000', 'member:sign', ['--org', 'c110000', '--update', update, '--out', signed1]);
      const toC2 = courier.send('c110000', ['c310000'], signed1, 'add-510000.signed-c110000.pb');
      const signed2 = path.join(c2.dataDir, 'out', 'add-510000.c310000.pb');
      await role('c310000', 'member:sign', ['--org', 'c310000', '--update', toC2, '--out', signed2]);
      const toC3 = courier.send('c310000', ['c440000'], signed2, 'add-510000.signed-c110000-c310000.pb');
      await role('c440000', 'member:submit', ['--org', 'c440000', '--update', toC3]);
      courier.send('c110000', ['regulator', 'c310000', 'c440000'], orgFile, path.basename(membersOrgFile));
      report.join.signatures = [
        { signer: 'C110000MSP', how: 'peer channel signconfigtx on its host' },
        { signer: 'C310000MSP', how: 'peer channel signconfigtx on its host' },
        { signer: 'C440000MSP', how: 'peer channel update (the submitter signs) on its host' },
      ];
      for (const m of members) {
        m.admit(newcomerEntry);
        m.importOrganisationFile(orgFile);
      }
    },
  );

  await timed(
    report,
    `organisation:join on ${newcomerName}: fetch the block, start the peer, join, install, approve`,
    async () => {
      const ordererFile = courier.send(
        'c110000',
        [newcomerName],
        orgFiles.get('orderer') ?? '',
        'orderer.organisation.for-newcomer.json',
      );
      const pkg = courier.send('c110000', [newcomerName], c1.layout.chaincodePackage, 'hpf.for-newcomer.tgz');
      const idFile = courier.send(
        'c110000',
        [newcomerName],
        path.join(c1.dataDir, 'out', 'package-id.txt'),
        'package-id.for-newcomer.txt',
      );
      const key = courier.send(
        'c110000',
        [newcomerName],
        c1.layout.pseudonymKey,
        'pseudonym.for-newcomer.key',
        true,
      );
      const ownFile = path.join(newcomer.dataDir, 'out', 'organisation.json');
      const approved = readFileSync(idFile, 'utf8').trim();
      await role(newcomerName, 'organisation:join', [
        '--centre-file', ownFile, '--orderer-file', ordererFile, '--package', pkg,
        '--package-id', approved, '--pseudonym-key', key, '--sequence', '2',
      ]); // prettier-ignore
      for (const m of members) {
        await role(m.orgKey, 'member:approve', [
          '--org', m.orgKey, '--centre-file', membersOrgFile, '--package-id', packageId, '--sequence', '2',
        ]); // prettier-ignore
      }
      await role('c110000', 'member:commit', [
        '--org',
        'c110000',
        '--centre-file',
        membersOrgFile,
        '--sequence',
        '2',
      ]);
      await role(newcomerName, 'organisation:serve', ['--centre-file', ownFile, '--package-id', approved]);
      await Promise.all([newcomer, ...members].map((m) => m.waitChaincode()));
      await c1.registerCentre(existing, JOINING);
    },
  );

  await timed(
    report,
    `The first transfer of ${newcomerName}: c110000 -> ${newcomerName}, both endorsing`,
    () => transfer(report, newcomer, c1, 1000 + ((Date.now() + 4321) % 8000)),
  );
  report.join.secondsFromInitToFirstCommittedTransfer = (Date.now() - joinStarted) / 1000;
  log(
    `   join: ${report.join.secondsFromInitToFirstCommittedTransfer.toFixed(1)} s from organisation:init to the first committed transfer`,
  );

  const bundle = await timed(report, `${newcomerName} writes its deployment bundle`, () =>
    Promise.resolve(newcomer.bundle(path.join(ROOT, 'bundles', newcomerName), packageId)),
  );
  report.bundle = { dir: path.relative(ROOT, bundle.dir), units: bundle.units, files: bundle.files };
  log(`   ${bundle.dir}: ${bundle.units.join(', ')}`);

  report.keyScan = await timed(report, 'Scan every host for private keys of other organisations', () => {
    const hosts = [orderer, ...members, newcomer].map((h) => ({
      name: h === orderer ? 'orderer' : (h as Hosts.PeerHost).orgKey,
      dataDir: h.dataDir,
      ownDir:
        h === orderer
          ? path.join('crypto', 'ordererOrganizations', h.consortium.ordererOrg.domain)
          : path.join('crypto', 'peerOrganizations', (h as Hosts.PeerHost).org.domain),
    }));
    const bundleScan = {
      // The bundle is the same organisation's: its keys may (must) be the host's own.
      name: newcomerName,
      dataDir: bundle.dir,
      ownDir: path.join('crypto', 'peerOrganizations', newcomer.org.domain),
    };
    return Promise.resolve(scanKeys([...hosts, bundleScan]));
  });
  for (const h of report.keyScan.hosts) {
    log(`   ${h.host}: ${h.keyFiles} key files of ${h.filesScanned} files, ${h.foreign.length} foreign`);
  }
  if (!report.keyScan.ok) {
    throw new Error(`key scan failed: ${JSON.stringify(report.keyScan, null, 2)}`);
  }
}

async function stopHosts(): Promise<void> {
  for (const name of HOST_NAMES) {
    const dataDir = path.join(ROOT, 'hosts', name);
    await Runtime.stopAll(dataDir, Runtime.recordedNames(dataDir)).catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const report: Report = {
    ok: false,
    error: null,
    startedAt: new Date().toISOString(),
    hosts: [],
    steps: [],
    registryTamperRefused: null,
    bundle: null,
    chaincodeServerTrust: [],
    transfers: [],
    join: {
      centre: JOINING.mspId,
      secondsFromInitToFirstCommittedTransfer: null,
      signatures: [],
      signaturesRequired: 'MAJORITY Admins of the 4 member organisations: 3',
    },
    courier: [],
    keyScan: null,
    gatewayHttps: [],
    seconds: 0,
  };
  try {
    checkPrivilege();
    const fabric = await Runtime.ensureFabric(log);
    await stopHosts();
    Definition.purgeDataDir(ROOT);
    Definition.claimDataDir(ROOT);
    await rehearse(report, fabric);
    report.ok = true;
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    log(`REHEARSAL FAILED: ${report.error}`);
    if (error instanceof Error && !(error instanceof NamespaceError) && error.stack) log(error.stack);
  } finally {
    if (!flags.keep) {
      await stopHosts();
      const removed = removeNamespaces();
      log(
        `== clean-up: processes stopped, namespaces removed (${removed.join(', ') || 'none'}), bridge removed`,
      );
    }
    report.seconds = (Date.now() - started) / 1000;
    mkdirSync(ROOT, { recursive: true });
    writeFileSync(REPORT, JSON.stringify(report, null, 2) + '\n');
    log(`report: ${REPORT}`);
    log(`courier: ${report.courier.length} files, ${report.courier.reduce((n, p) => n + p.bytes, 0)} bytes`);
  }
  log(report.ok ? `REHEARSAL PASSED in ${report.seconds.toFixed(1)} s` : 'REHEARSAL FAILED');
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
