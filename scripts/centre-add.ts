import { Cli, Network } from '../network';

/**
 * `npm run centre:add -- --organisation C440000MSP --code 440600 --name 佛山市住房公积金管理中心`: a
 * centre joins an organisation of the running consortium (a registry update on the ledger, endorsed
 * by the organisation and the regulator; no channel config change). Prints its operator key.
 */
const spec = {
  command: 'npm run centre:add',
  summary:
    'A centre joins an organisation of the running consortium: a registry update on the ledger (no channel config change), then an operator key for it at the organisation gateway.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    organisation: { type: 'string', arg: 'MSPID', required: true, help: 'the member organisation' },
    code: { type: 'string', arg: 'CODE', required: true, help: "the centre's GB/T 2260 code" },
    name: { type: 'string', arg: 'NAME', required: true, help: "the centre's registered name" },
    json: { type: 'boolean', default: false, help: 'print the result as JSON' },
  },
} as const;
const flags = Cli.parseFlags(spec);

async function main(): Promise<void> {
  const organisation = Cli.requiredFlag(spec, flags.organisation, 'organisation');
  const code = Cli.requiredFlag(spec, flags.code, 'code');
  const name = Cli.requiredFlag(spec, flags.name, 'name');
  const consortium = Cli.definitionFrom(flags.definition);
  const log = flags.json ? (): void => undefined : (line: string): void => console.log(line);
  const operator = await Cli.addCentreToOrganisation(
    consortium,
    new Network(consortium).layout,
    { organisation, code, name },
    log,
  );
  if (flags.json) console.log(JSON.stringify({ centreCode: code, organisation, apiKeys: { operator } }));
  else console.log(`operator key of ${code}: ${operator}`);
}

Cli.runMain(() =>
  main().catch((error: unknown) => {
    // A refused argument is the user's to fix: its message, without a stack.
    if (error instanceof Cli.CentreAddError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }),
);
