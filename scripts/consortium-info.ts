import { DEFINITION_FLAG, definitionFrom, gatewayInfo, Layout, parseFlags, runMain } from '../network';

/** `npm run consortium:info -- [--json]`: each gateway's URL and API keys. */
const flags = parseFlags({
  command: 'npm run consortium:info',
  summary: "Prints each organisation's gateway URL and API keys.",
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
      console.log(`${g.mspId.padEnd(14)} ${(g.centreCode ?? '-').padEnd(7)} ${g.url}`);
      for (const [role, key] of Object.entries(g.apiKeys)) console.log(`    ${role.padEnd(9)} ${key}`);
    }
  }
  return Promise.resolve();
});
