import { TextDecoder } from 'node:util';
import { Network, Definition, Runtime } from '../../network';
import { testConsortium, testLog } from '../support/consortium';

const consortium = testConsortium();
const network = new Network(consortium, { log: testLog });
const { layout } = network;
const utf8 = new TextDecoder();
const [beijing, shanghai] = consortium.centres;
const regulator = consortium.regulator;

function orgByMsp(mspId: string): (typeof consortium.orgs)[number] {
  const org = consortium.orgs.find((o) => o.mspId === mspId);
  if (org === undefined) throw new Error(`no org ${mspId}`);
  return org;
}

async function readPing(mspId: string, id: string): Promise<unknown> {
  return Runtime.withOrg(layout, orgByMsp(mspId), async ({ gateway }) => {
    const contract = gateway.getNetwork(consortium.channel).getContract(consortium.chaincode.name, 'meta');
    return JSON.parse(utf8.decode(await contract.evaluateTransaction('GetPing', id))) as unknown;
  });
}

async function waitForEqualHeights(timeoutMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const heights = (await network.status()).peers.map((p) => p.height ?? -1);
    if (new Set(heights).size === 1 || Date.now() > deadline) return heights;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the local consortium network', () => {
  const pingId = `it-${Date.now().toString(36)}`;
  let committedBlock = 0n;

  it('commits a transaction submitted by centre 110000', async () => {
    committedBlock = await Runtime.withOrg(layout, beijing!, async ({ gateway }) => {
      const contract = gateway.getNetwork(consortium.channel).getContract(consortium.chaincode.name, 'meta');
      const submitted = await contract.submitAsync('Ping', { arguments: [pingId] });
      const commitStatus = await submitted.getStatus();
      expect(commitStatus.successful).toBe(true);
      expect(JSON.parse(utf8.decode(submitted.getResult()))).toMatchObject({ id: pingId, by: 'C110000MSP' });
      return commitStatus.blockNumber;
    });
    expect(committedBlock).toBeGreaterThan(0n);
  });

  it("reads that transaction through 310000's peer and the regulator's peer", async () => {
    for (const org of [shanghai!, regulator]) {
      await expect(readPing(org.mspId, pingId)).resolves.toMatchObject({ id: pingId, by: 'C110000MSP' });
    }
  });

  it('reports every orderer, peer and chaincode server, all at the same height', async () => {
    const heights = await waitForEqualHeights();
    const result = await network.status();
    expect(result.orderers.map((o) => o.name)).toEqual(consortium.ordererOrg.nodes.map((n) => n.name));
    expect(result.peers.map((p) => p.mspId)).toEqual(consortium.orgs.map((o) => o.mspId));
    expect(result.peers.every((p) => p.running)).toBe(true);
    expect(result.chaincode.servers.every((s) => s.running)).toBe(true);
    // Sequence 1 at deployment, one more per centre that joined since (the endorsement policy grows).
    expect(result.chaincode).toMatchObject({
      name: 'hpf',
      sequence: 1 + Definition.readJoinedCentres(consortium.dataDir).length,
    });
    expect(new Set(heights).size).toBe(1);
    expect(heights[0]).toBeGreaterThan(Number(committedBlock));
    expect(result.orderers[0]?.height).toBe(heights[0]);
  });

  it('stops every process on network:down and comes back (with its gateways) with the ledger intact', async () => {
    const running = await network.status();
    const before = running.peers[0]?.height ?? 0;
    await network.down({ purge: false });
    expect(Runtime.runningProcesses(layout.root)).toEqual([]);
    const stopped = await network.status();
    expect(stopped.peers.every((p) => !p.running && p.height === null)).toBe(true);

    await Runtime.startConsortium(consortium, testLog);
    const after = await network.status();
    expect(after.peers.every((p) => p.running)).toBe(true);
    expect(Math.min(...after.peers.map((p) => p.height ?? 0))).toBeGreaterThanOrEqual(before);
    expect(after.chaincode.sequence).toBe(running.chaincode.sequence);
    await expect(readPing(shanghai!.mspId, pingId)).resolves.toMatchObject({ id: pingId });
  });
});
