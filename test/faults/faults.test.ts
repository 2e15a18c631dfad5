import { Runtime } from '../../network';
import { isAck, percentile, postWithdrawal, WriteLoad, type Write } from './support/load';
import {
  centreOf,
  consortium,
  faultLog,
  gatewayOf,
  heights,
  layout,
  pidOf,
  raftLeader,
  readWithdrawal,
  results,
  sigkill,
  supervisorRestart,
  writeResults,
  type CaseFigures,
} from './support/network';

/**
 * The fault suite: each case runs a bounded closed-loop write load (3 clients, withdrawals through
 * the centres' HTTP gateways), injects one fault while it runs, and records every acknowledged write
 * and every write whose outcome was unknown (504 with a txId, or no answer at all). Pass/fail is only
 * correctness: nothing acknowledged is lost, every unknown outcome resolves by resubmitting the same
 * body (200 or 201, one record), the supervisor restarts what was killed. The figures (recovery time,
 * p99 during the fault) are printed and written to bench-results/faults.json, never asserted.
 */

const centres = consortium.centres.slice(0, 3);
const beijing = centres[0]!;
const centreGateways = centres.map(gatewayOf);
const beijingGateway = gatewayOf(beijing);
const CASE_TIMEOUT_MS = 6 * 60_000;

afterAll(() => {
  writeResults();
});

interface CaseRun {
  readonly load: WriteLoad;
  readonly killAt: number;
  readonly endAt: number;
}

/** Load for `beforeMs`, then the fault, then load until `recovered` holds (bounded), then `afterMs` more. */
async function underLoad(
  inject: (load: WriteLoad) => Promise<void> | void,
  recovered: (load: WriteLoad, killAt: number) => Promise<boolean>,
  options: { beforeMs?: number; afterMs?: number; recoverWithinMs?: number } = {},
): Promise<CaseRun> {
  const load = new WriteLoad(centreGateways, 3);
  load.start();
  try {
    await Runtime.sleep(options.beforeMs ?? 3_000);
    const killAt = Date.now();
    await inject(load);
    await Runtime.pollUntil(async () => ((await recovered(load, killAt)) ? true : undefined), {
      timeoutMs: options.recoverWithinMs ?? 120_000,
      intervalMs: 250,
      failure: (e) => new Error(`not recovered within the bound: ${String(e)}`),
    });
    await Runtime.sleep(options.afterMs ?? 3_000);
    return { load, killAt, endAt: Date.now() };
  } finally {
    await load.stop();
  }
}

interface Resolution {
  readonly write: Write;
  readonly status: number | null;
  readonly replayedTxId: string | null;
}

/** Resubmits the body of every write whose outcome was unknown (504 or no answer) to the same gateway. */
async function resolveUnknowns(writes: readonly Write[]): Promise<Resolution[]> {
  const unknown = writes.filter((w) => w.status === 504 || w.status === null);
  const resolutions: Resolution[] = [];
  for (const write of unknown) {
    // A gateway that was just restarted may still be starting: bounded retries on no answer / 503.
    const answer = await Runtime.pollUntil(
      async () => {
        const a = await postWithdrawal(write.gateway, write.body);
        return a.status === null || a.status === 503 ? undefined : a;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        failure: () => new Error(`no answer resubmitting ${write.withdrawalId}`),
      },
    );
    resolutions.push({
      write,
      status: answer.status,
      replayedTxId: typeof answer.body.txId === 'string' ? answer.body.txId : null,
    });
  }
  return resolutions;
}

/** Acknowledged writes not readable at some centre (each read retried, bounded, while peers catch up). */
async function lostWrites(writes: readonly Write[]): Promise<string[]> {
  const lost: string[] = [];
  const acked = writes.filter((w) => isAck(w.status));
  const queue = [...acked];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let write = queue.shift(); write !== undefined; write = queue.shift()) {
        const owner = centreOf(write.gateway).code ?? '';
        for (const via of centreGateways) {
          const found = await Runtime.pollUntil(
            async () => {
              const r = await readWithdrawal(via, owner, write.withdrawalId);
              return r.status === 200 ? r.body : r.status === 404 ? undefined : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 500, failure: () => new Error('not found') },
          ).catch(() => null);
          if (found === null || found.withdrawalId !== write.withdrawalId) {
            lost.push(`${write.withdrawalId} at ${via.mspId}`);
          }
        }
      }
    }),
  );
  return lost;
}

function statusHistogram(writes: readonly Write[]): Record<string, number> {
  const histogram: Record<string, number> = {};
  for (const w of writes) {
    const key = w.status === null ? 'no answer' : String(w.status);
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}

/**
 * The common checks and figures of a case: nothing acknowledged lost, every unknown outcome resolved
 * by resubmission to 200 (it had committed: the same transaction's record) or 201 (it had not).
 */
async function finish(
  fault: string,
  run: CaseRun,
  affected: readonly Runtime.GatewayInfo[],
  restartAt: number | null,
  notes: string,
): Promise<CaseFigures> {
  const { load, killAt } = run;
  const writes = load.writes;
  const lost = await lostWrites(writes);
  const resolutions = await resolveUnknowns(writes);

  for (const r of resolutions) {
    expect([r.write.withdrawalId, r.status]).toEqual([r.write.withdrawalId, expect.any(Number)]);
    expect([200, 201]).toContain(r.status);
    if (r.write.status === 504) {
      // A 504 names the transaction whose outcome is unknown.
      expect(r.write.txId).toEqual(expect.any(String));
      // Answered 200: the record is that very transaction's (it had committed), not a second one.
      if (r.status === 200) expect(r.replayedTxId).toBe(r.write.txId);
    }
  }
  // One record per ID, readable everywhere, after the resubmissions too.
  const resubmitted = resolutions.map((r) => ({ ...r.write, status: r.status }));
  const lostAfterResubmission = await lostWrites(resubmitted);

  // Recovery: from the kill to the first acknowledged write, at the affected gateways, whose request
  // started after the kill and after every failed request there had started.
  const onAffected = writes.filter(
    (w) => affected.some((g) => g.mspId === w.gateway.mspId) && (w.endedAt ?? Infinity) >= killAt,
  );
  const lastFailureStart = Math.max(
    killAt,
    ...onAffected.filter((w) => !isAck(w.status)).map((w) => w.startedAt),
  );
  const recoveredWrite = onAffected.find((w) => isAck(w.status) && w.startedAt > lastFailureStart);
  const recoveryMs = recoveredWrite === undefined ? null : (recoveredWrite.endedAt ?? killAt) - killAt;
  const windowEnd = Math.max(killAt + (recoveryMs ?? 0), restartAt ?? killAt);
  // Latency of every write in progress at some time during the fault window (started before it too).
  const duringFault = writes
    .filter((w) => w.startedAt <= windowEnd && w.endedAt !== null && w.endedAt >= killAt)
    .map((w) => (w.endedAt ?? 0) - w.startedAt);
  const count = (from: number | null): { count: number; resolved200: number; resolved201: number } => {
    const of = resolutions.filter((r) => r.write.status === from);
    return {
      count: of.length,
      resolved200: of.filter((r) => r.status === 200).length,
      resolved201: of.filter((r) => r.status === 201).length,
    };
  };
  const figures: CaseFigures = {
    fault,
    writes: writes.length,
    acknowledged: writes.filter((w) => isAck(w.status)).length,
    lost: lost.length,
    statuses: statusHistogram(writes),
    http504: count(504),
    noAnswer: count(null),
    restartMs: restartAt === null ? null : restartAt - killAt,
    recoveryMs,
    faultWindowMs: windowEnd - killAt,
    p50DuringFaultMs: percentile(duringFault, 50),
    p99DuringFaultMs: percentile(duringFault, 99),
    notes,
  };
  results.push(figures);
  faultLog(`${fault}: ${JSON.stringify(figures)}`);
  expect(lost).toEqual([]);
  expect(lostAfterResubmission).toEqual([]);
  expect(figures.acknowledged).toBeGreaterThan(0);
  return figures;
}

function restartTime(at: string): number {
  return Date.parse(at);
}

describe('fault suite (supervised 3-orderer consortium under write load)', () => {
  it(
    'SIGKILL a chaincode server: 503 (never 502) until it is back; the supervisor brings it back',
    async () => {
      const name = Runtime.chaincodeServerName(beijing);
      let oldPid = 0;
      let restartAt = 0;
      const run = await underLoad(
        () => {
          oldPid = sigkill(name);
        },
        async (load) => {
          const event = await supervisorRestart(name, oldPid, 1_000).catch(() => null);
          if (event === null) return false;
          restartAt = restartTime(event.at);
          // The supervisor started it, so it knows how it ended.
          expect(event.reason).toBe('killed by signal SIGKILL');
          return load.ackedSince(beijingGateway, restartAt);
        },
      );
      const affected = run.load.writes.filter(
        (w) => w.gateway.mspId === beijingGateway.mspId && w.startedAt >= run.killAt,
      );
      const refused = affected.filter((w) => !isAck(w.status));
      await finish('SIGKILL a chaincode server (110000)', run, [beijingGateway], restartAt, '');
      // While it is down the gateway answers 503 (retry later), never 502 (a genuine refusal).
      expect(refused.map((w) => w.status).filter((status) => status === 502 || status === 500)).toEqual([]);
      expect(refused.every((w) => w.status === 503 || w.status === 504)).toBe(true);
      expect(pidOf(name)).not.toBe(oldPid);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL a centre’s peer: it is restarted, catches up to the others’ height, its gateway serves again without a restart',
    async () => {
      const name = Runtime.peerProcessName(beijing);
      const gatewayPid = pidOf(Runtime.gatewayProcessName(beijing));
      let oldPid = 0;
      let restartAt = 0;
      const run = await underLoad(
        () => {
          oldPid = sigkill(name);
        },
        async (load) => {
          const event = await supervisorRestart(name, oldPid, 1_000).catch(() => null);
          if (event === null) return false;
          restartAt = restartTime(event.at);
          return load.ackedSince(beijingGateway, restartAt);
        },
      );
      const figures = await finish('SIGKILL a centre’s peer (110000)', run, [beijingGateway], restartAt, '');
      // Same height as the others (bounded wait: the load has stopped, so heights settle).
      const settled = await Runtime.pollUntil(
        async () => {
          const h = [...(await heights()).values()];
          return h.every((x) => x !== null && x === h[0]) ? h : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 1_000,
          failure: () => new Error('peers did not reach the same height'),
        },
      );
      faultLog(
        `heights after the peer restart: ${settled.join(', ')} (${figures.acknowledged} writes acknowledged)`,
      );
      // Its gateway was never restarted and serves writes again.
      expect(pidOf(Runtime.gatewayProcessName(beijing))).toBe(gatewayPid);
      expect(run.load.ackedSince(beijingGateway, restartAt)).toBe(true);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL a gateway in the middle of writes: after its restart, every in-flight body resubmitted gives 200 or 201, one record each',
    async () => {
      const name = Runtime.gatewayProcessName(beijing);
      let oldPid = 0;
      let restartAt = 0;
      let inFlight: Write[] = [];
      const run = await underLoad(
        async (load) => {
          // Kill while writes are in flight at that gateway (bounded wait for one).
          await Runtime.pollUntil(
            () => Promise.resolve(load.inFlight(beijingGateway).length > 0 ? true : undefined),
            {
              timeoutMs: 20_000,
              intervalMs: 5,
              failure: () => new Error('no write in flight at the gateway'),
            },
          );
          await Runtime.sleep(40); // into the endorse/submit/commit of that write
          inFlight = load.inFlight(beijingGateway);
          oldPid = sigkill(name);
        },
        async (load) => {
          const event = await supervisorRestart(name, oldPid, 1_000).catch(() => null);
          if (event === null) return false;
          restartAt = restartTime(event.at);
          return load.ackedSince(beijingGateway, restartAt);
        },
      );
      await Runtime.waitGatewayReady(beijing);
      expect(inFlight.length).toBeGreaterThan(0);
      const figures = await finish(
        'SIGKILL a gateway mid-writes (110000)',
        run,
        [beijingGateway],
        restartAt,
        `${inFlight.length} write(s) in flight at the kill`,
      );
      // The kill cut writes off (no answer), each resolved by resubmission (checked in finish). A
      // write seen in flight just before the kill may still get its answer, already on its way (seen
      // in CI once the gateway had become faster): a success, never an error.
      expect(inFlight.every((w) => w.status === null || w.status === 200 || w.status === 201)).toBe(true);
      expect(figures.noAnswer.count).toBeGreaterThan(0);
      expect(figures.noAnswer.count).toBeGreaterThanOrEqual(inFlight.filter((w) => w.status === null).length);
    },
    CASE_TIMEOUT_MS,
  );

  it(
    '3 Raft orderers, SIGKILL the leader: every acknowledged write readable everywhere; 504s resolve by resubmission',
    async () => {
      const leader = await raftLeader();
      expect(leader).not.toBeNull();
      const name = leader ?? '';
      let oldPid = 0;
      let restartAt = 0;
      const run = await underLoad(
        () => {
          oldPid = sigkill(name);
        },
        async (load) => {
          const event = await supervisorRestart(name, oldPid, 1_000).catch(() => null);
          if (event === null) return false;
          restartAt = restartTime(event.at);
          return load.ackedSince(null, restartAt) && (await raftLeader()) !== null;
        },
      );
      const figures = await finish(
        `SIGKILL the Raft leader (${name})`,
        run,
        centreGateways,
        restartAt,
        `new leader: ${(await raftLeader()) ?? 'none'}`,
      );
      expect(figures.statuses['502']).toBeUndefined();
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGKILL 2 of 3 orderers: writes answer 503 (no quorum), nothing acknowledged is lost; after their restart writes succeed again',
    async () => {
      const leader = (await raftLeader()) ?? consortium.ordererOrg.nodes[0]!.name;
      const follower = consortium.ordererOrg.nodes.map((n) => n.name).find((n) => n !== leader)!;
      const killed = [leader, follower];
      const oldPids: number[] = [];
      let releasedAt = 0;
      let restartAt = 0;
      const NO_QUORUM_MS = 12_000;
      const run = await underLoad(
        async (load) => {
          // Held, so that the supervisor keeps them down for the no-quorum window, then released.
          for (const n of killed) Runtime.setHold(layout.root, n, true);
          for (const n of killed) oldPids.push(sigkill(n));
          const releaseAt = Date.now() + NO_QUORUM_MS;
          // The load's clients may all be waiting on transactions the dead leader had taken: a probe
          // client keeps writing through the window, so that what a new write gets is seen.
          await Runtime.sleep(1_000);
          for (let i = 0; Date.now() < releaseAt - 500; i += 1) {
            const probe = await load.writeOnce(centreGateways[i % centreGateways.length]!);
            if (!isAck(probe.status)) await Runtime.sleep(250);
          }
          await Runtime.sleep(Math.max(0, releaseAt - Date.now()));
          releasedAt = Date.now();
          for (const n of killed) Runtime.setHold(layout.root, n, false);
        },
        async (load) => {
          const events = await Promise.all(
            killed.map((n, i) => supervisorRestart(n, oldPids[i]!, 1_000).catch(() => null)),
          );
          if (events.some((e) => e === null)) return false;
          restartAt = Math.max(...events.map((e) => restartTime(e!.at)));
          return load.ackedSince(null, restartAt);
        },
        { recoverWithinMs: 150_000 },
      );
      const noQuorum = run.load.writes.filter(
        (w) => w.startedAt >= run.killAt + 1_000 && w.startedAt < releasedAt,
      );
      await finish(
        `SIGKILL 2 of 3 orderers (${killed.join(', ')})`,
        run,
        centreGateways,
        restartAt,
        `${NO_QUORUM_MS / 1000} s without quorum (supervisor hold), then released`,
      );
      // Without quorum nothing is acknowledged; the answer is 503 (retry later), never 502.
      expect(noQuorum.length).toBeGreaterThan(0);
      expect(noQuorum.filter((w) => isAck(w.status)).map((w) => w.withdrawalId)).toEqual([]);
      expect(noQuorum.filter((w) => w.status === 503).length).toBeGreaterThan(0);
      expect(noQuorum.map((w) => w.status).filter((status) => status === 502 || status === 500)).toEqual([]);
      expect(run.load.ackedSince(null, restartAt)).toBe(true);
    },
    CASE_TIMEOUT_MS,
  );
});
