import { Cli, ConnectionProfiles, Network } from '../network';

/**
 * `npm run consortium:info -- [--json]`: each gateway's URL (HTTPS with the CA to trust when it binds a
 * non-loopback address; its operations URL) and API keys. Each gateway keeps
 * `centreCode` and `apiKeys` of its first centre and lists every centre it hosts under `centres`.
 */
const flags = Cli.parseFlags({
  command: 'npm run consortium:info',
  summary: "Prints each organisation's gateway URL and API keys, per centre.",
  flags: {
    definition: Cli.DEFINITION_FLAG,
    json: { type: 'boolean', default: false, help: 'print them as JSON' },
    'connection-profiles': {
      type: 'string',
      arg: 'DIR',
      defaultText: 'none',
      help: 'also write one common connection profile per organisation into DIR (docs/platforms.md)',
    },
  },
});

Cli.runMain(() => {
  const consortium = Cli.definitionFrom(flags.definition);
  const network = new Network(consortium);
  const profilesDir = flags['connection-profiles'];
  if (profilesDir !== undefined) {
    for (const file of ConnectionProfiles.writeConnectionProfiles(consortium, network.layout, profilesDir)) {
      console.error(`connection profile: ${file}`);
    }
  }
  const gateways = network.gateways();
  if (flags.json) {
    console.log(JSON.stringify({ gateways }, null, 2));
  } else {
    for (const g of gateways) {
      console.log(`${g.mspId.padEnd(14)} ${g.url}  (metrics: ${g.operationsUrl}/metrics on its host)`);
      if (g.caCert !== null) console.log(`${''.padEnd(14)} HTTPS, CA: ${g.caCert} (curl --cacert …)`);
      if (g.centres.length === 0) {
        for (const [role, key] of Object.entries(g.apiKeys)) console.log(`    ${role.padEnd(9)} ${key}`);
      }
      for (const c of g.centres) {
        console.log(`  ${c.centreCode} ${c.name}`);
        for (const [role, key] of Object.entries(c.apiKeys)) console.log(`    ${role.padEnd(9)} ${key}`);
      }
    }
  }
  return Promise.resolve();
});
