import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Network, Definition, Runtime } from '../../network';
import { TEST_DEFINITION } from '../support/consortium';

/**
 * Network benchmark: network:up on a fresh and on an existing data dir, and the peak RSS (VmHWM) of each
 * process kind after a burst of transactions. Runs on its own ports and data dir.
 */

export function benchConsortium(basePort: number, dataDir: string): Definition.Consortium {
  const raw = parseYaml(readFileSync(TEST_DEFINITION, 'utf8')) as Record<string, unknown>;
  // No rate limit worth the name: the benchmark measures throughput, not the brake on runaway clients.
  return Definition.validateDefinition(
    { ...raw, basePort, dataDir, gateways: { rateLimitPerMinute: 1_000_000 } },
    Definition.REPO_ROOT,
    'bench',
  );
}

function peakRssMiB(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Math.round(Number(match[1]) / 1024);
  } catch {
    return null;
  }
}

function kindOf(name: string): string {
  return name.replace(/[-\d].*$/, '').replace(/^peer$/, 'peer');
}

/** Highest VmHWM per process kind (orderer, peer, chaincode, gateway) among the running processes. */
export function peakRssByKind(consortium: Definition.Consortium): Record<string, number> {
  const result: Record<string, number> = {};
  for (const proc of Runtime.runningProcesses(new Network(consortium).layout.root)) {
    const rss = peakRssMiB(proc.pid);
    const kind = kindOf(proc.name);
    if (rss !== null) result[kind] = Math.max(result[kind] ?? 0, rss);
  }
  return result;
}

async function burst(consortium: Definition.Consortium, count: number): Promise<void> {
  const centre = consortium.centres[0];
  if (centre === undefined) return;
  await Runtime.withOrg(new Network(consortium).layout, centre, async ({ gateway }) => {
    const contract = gateway.getNetwork(consortium.channel).getContract(consortium.chaincode.name, 'meta');
    const ids = Array.from({ length: count }, (_, i) => `bench-${Date.now().toString(36)}-${i}`);
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(ids.slice(i, i + 20).map((id) => contract.submitTransaction('Ping', id)));
    }
  });
}

export interface NetworkBenchResult {
  readonly upFreshSeconds: number;
  readonly upExistingSeconds: number;
  readonly peakRssMiB: Record<string, number>;
}

export async function benchNetwork(log: Runtime.Log, basePort: number): Promise<NetworkBenchResult> {
  const consortium = benchConsortium(basePort, '.hpf-bench');
  const quiet: Runtime.Log = () => undefined;
  await new Network(consortium, { log: quiet }).down({ purge: true });
  try {
    log('network: up on a fresh data dir');
    const fresh = await new Network(consortium, { log: quiet }).up();
    await new Network(consortium, { log: quiet }).down({ purge: false });
    log('network: up on the existing data dir');
    const again = await new Network(consortium, { log: quiet }).up();
    log('network: 200 transactions, then peak RSS per process kind');
    await burst(consortium, 200);
    return {
      upFreshSeconds: fresh.seconds,
      upExistingSeconds: again.seconds,
      peakRssMiB: peakRssByKind(consortium),
    };
  } finally {
    await new Network(consortium, { log: quiet }).down({ purge: true });
  }
}
