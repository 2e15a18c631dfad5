import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Network, Definition, Runtime } from '../../network';
import {
  benchConfirmOut,
  cpuMsByKindDuring,
  machineState,
  residentIdFor,
  round1,
  rssByProcess,
  rssSummary,
  send,
  sleep,
  today,
} from './bench-support';
import path from 'node:path';
import { rentWithdrawal } from '../support/fixtures';

/** How long the idle consortium is watched for its CPU use per process kind. */
const IDLE_WATCH_MS = 20_000;

/** Per process kind, the share of one core the idle consortium's processes used over `ms` (percent). */
async function idleCpuPercentByKind(
  consortium: Parameters<typeof cpuMsByKindDuring>[0],
  ms: number,
): Promise<Record<string, number>> {
  const { byKind } = await cpuMsByKindDuring(consortium, () => sleep(ms));
  return Object.fromEntries(Object.entries(byKind).map(([kind, used]) => [kind, round1((used / ms) * 100)]));
}

/**
 * The national rehearsal: the 31 provincial-level organisations hosting their 364 centres, the
 * regulator and 3 orderers (network/consortium-national.yaml) brought up on this machine; network:up
 * time, RSS per process kind, a transfer between two randomly chosen city centres of different
 * provinces, and a withdrawal duplicate refused across two other city centres. Everything goes
 * through the gateways, with each centre's own operator key, as centres would.
 */

export interface NationalOptions {
  readonly definition: string;
}

interface Step {
  readonly call: string;
  readonly status: number;
  readonly ms: number;
  readonly code?: string;
}

async function timedCall(
  gateway: Runtime.GatewayInfo,
  url: string,
  body: object,
  steps: Step[],
): Promise<number> {
  const t0 = performance.now();
  const answer = await send(gateway, 'POST', url, body);
  const code = (answer.body as { code?: unknown }).code;
  steps.push({
    call: `${gateway.mspId} POST ${url}`,
    status: answer.status,
    ms: round1(performance.now() - t0),
    ...(typeof code === 'string' ? { code } : {}),
  });
  return answer.status;
}

/** Four distinct indexes in [0, n), at random. */
function fourDistinct(n: number): [number, number, number, number] {
  const chosen = new Set<number>();
  while (chosen.size < 4) chosen.add(randomInt(n));
  return [...chosen] as [number, number, number, number];
}

export async function benchNational(log: Runtime.Log, options: NationalOptions): Promise<object> {
  const file = path.resolve(Definition.REPO_ROOT, options.definition);
  const raw = Definition.readDefinitionContent(file) as Record<string, unknown>;
  const consortium = Definition.validateDefinition(
    { ...raw, gateways: { rateLimitPerMinute: 1_000_000 } },
    path.dirname(file),
    file,
  );
  const quiet: Runtime.Log = () => undefined;
  await new Network(consortium, { log: quiet }).down({ purge: true });
  const layout = new Network(consortium).layout;
  const before = machineState();
  try {
    const centreCount = consortium.centres.reduce((n, org) => n + org.centres.length, 0);
    log(
      `national: network:up of ${consortium.centres.length} organisations hosting ${centreCount} centres, the regulator and ${consortium.ordererOrg.nodes.length} orderers`,
    );
    const t0 = performance.now();
    await Runtime.startConsortium(consortium, (line) => log(`national: ${line.trim()}`));
    const upSeconds = round1((performance.now() - t0) / 1000);
    const idle = rssByProcess(consortium);
    const idleCpu = await idleCpuPercentByKind(consortium, IDLE_WATCH_MS);
    log(
      `national: up in ${upSeconds} s; idle CPU (% of one core) by kind: ${Object.entries(idleCpu)
        .map(([kind, pct]) => `${kind} ${pct}`)
        .join(', ')}`,
    );
    const infos = Runtime.gatewayInfo(consortium, layout);
    // One city centre of each organisation that hosts any (the municipalities host one centre only),
    // acting with that centre's operator key at its organisation's gateway.
    const centres = infos
      .filter((g) => g.centres.length > 1)
      .map((g) => {
        const city = g.centres.at(-1)!;
        return { code: city.centreCode, gateway: { ...g, apiKeys: city.apiKeys } };
      });
    const [a, b, c, d] = fourDistinct(centres.length).map((i) => centres[i]!);
    const steps: Step[] = [];
    const stamp = Date.now() % 10_000;
    const transferId = `${b!.code}${today().slice(2).replace(/-/g, '')}${String(stamp).padStart(4, '0')}`;
    log(
      `national: a transfer from ${a!.code} to ${b!.code}, a duplicate withdrawal at ${c!.code} then ${d!.code}`,
    );
    const person = { idType: '01', idNumber: residentIdFor(stamp, '650102'), name: '全国' };
    await timedCall(b!.gateway, '/v1/transfers', { transferId, fromCentre: a!.code, person }, steps);
    await timedCall(a!.gateway, `/v1/transfers/${transferId}/accept`, {}, steps);
    await timedCall(
      a!.gateway,
      `/v1/transfers/${transferId}/confirm-out`,
      benchConfirmOut(`NAT-${stamp}`),
      steps,
    );
    const completed = await timedCall(
      b!.gateway,
      `/v1/transfers/${transferId}/complete`,
      { receivedAmount: '12034.50', receivedOn: today() },
      steps,
    );
    log(
      `national: transfer ${transferId} from ${a!.code} (${a!.gateway.mspId}) to ${b!.code} (${b!.gateway.mspId}): ${completed === 201 ? 'completed' : `not completed (${completed})`}`,
    );
    const withdrawal = (id: string): object =>
      rentWithdrawal(
        id,
        { idType: '01', idNumber: residentIdFor(stamp + 1, '650102'), name: '全国' },
        `RENT-NAT-${stamp}`,
      );
    const first = await timedCall(c!.gateway, '/v1/withdrawals', withdrawal(`NAT-${stamp}-C`), steps);
    const duplicate = await timedCall(d!.gateway, '/v1/withdrawals', withdrawal(`NAT-${stamp}-D`), steps);
    const peak = rssByProcess(consortium, 'VmHWM');
    const current = rssByProcess(consortium);
    const totalMiB = round1(Object.values(current).reduce((x, y) => x + y, 0));
    const after = machineState();
    return {
      definition: options.definition,
      organisations: consortium.centres.length,
      centres: infos.reduce((n, g) => n + g.centres.length, 0),
      orderers: consortium.ordererOrg.nodes.length,
      processes: Object.keys(current).length,
      upSeconds,
      transfer: { from: a!.code, to: b!.code, transferId, completed: completed === 201 },
      duplicateWithdrawal: {
        first: c!.code,
        second: d!.code,
        firstStatus: first,
        secondStatus: duplicate,
        refused: duplicate === 409 && steps.at(-1)?.code === 'DUPLICATE_EVIDENCE',
      },
      steps,
      rssMiBByKindIdle: rssSummary(idle),
      idleCpuPercentOfOneCoreByKind: { watchedSeconds: IDLE_WATCH_MS / 1000, ...idleCpu },
      rssMiBByKind: rssSummary(current),
      peakRssMiBByKind: rssSummary(peak),
      totalRssMiB: totalMiB,
      fitsIn24GiB: {
        memTotalMiB: after.memTotalMiB,
        consortiumShare: round1((totalMiB / after.memTotalMiB) * 100),
        leftAfterConsortiumPercent: round1((1 - totalMiB / after.memTotalMiB) * 100),
      },
      machineBefore: before,
      machineAfter: after,
    };
  } finally {
    log('national: down');
    await new Network(consortium, { log: quiet }).down({ purge: true });
  }
}
