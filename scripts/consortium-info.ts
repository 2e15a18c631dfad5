import { DEFINITION_FLAG, definitionFrom, gatewayInfo, Layout, parseFlags, runMain } from '../network';

/**
 * `npm run consortium:info -- [--json]`: each gateway's URL and API keys. Each gateway keeps
 * `centreCode` and `apiKeys` of its first centre and lists every centre it hosts under `centres`.
 */
const flags = parseFlags({
  command: 'npm run consortium:info',
  summary: "Prints each organisation's gateway URL and API keys, per centre.",
  flags: {
    definition: DEFINITION_FLAG,
    json: { type: 'boolean', default: false, help: 'print them as JSON' },
  },
});

runMain(() => {
  const consortium = definitionFrom(flags.definition);
  const gateways = gatewayInfo(consortium, new Layout(consortium));
  if (flags.json) {
    console.log(JSON.stringify({ gateways }, null, 2));
  } else {
    for (const g of gateways) {
      console.log(`${g.mspId.padEnd(14)} ${g.url}`);
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
