import { Network, Cli, type Runtime } from '../network';

const flags = Cli.parseFlags({
  command: 'npm run network:status',
  summary:
    'Reports every node of the consortium with its PID and channel height, and the chaincode sequence.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    json: { type: 'boolean', default: false, help: 'print the status as JSON' },
  },
});

function line(node: Runtime.NodeStatus): string {
  const state = node.running ? `running (pid ${String(node.pid)})` : 'stopped';
  const detail = node.node === undefined ? `height ${node.height ?? '-'}` : `node ${node.node ?? '-'}`;
  return `  ${node.name.padEnd(30)} ${node.mspId.padEnd(14)} ${node.endpoint.padEnd(16)} ${state.padEnd(22)} ${detail}`;
}

Cli.runMain(async () => {
  const result = await new Network(Cli.definitionFrom(flags.definition), { log: () => undefined }).status();
  if (flags.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  console.log(
    `channel ${result.channel} · chaincode ${result.chaincode.name} sequence ${result.chaincode.sequence ?? '-'} · Fabric v${result.fabric.release} · Node ${result.node.version} (${result.node.execPath})`,
  );
  console.log('orderers:');
  result.orderers.forEach((node) => console.log(line(node)));
  console.log('peers:');
  result.peers.forEach((node) => console.log(line(node)));
  console.log('chaincode servers:');
  result.chaincode.servers.forEach((node) => console.log(line(node)));
});
