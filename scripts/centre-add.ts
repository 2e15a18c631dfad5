import {
  addCentreToOrganisation,
  CentreAddError,
  definitionFrom,
  Layout,
  parseFlags,
  runMain,
} from '../network';

/**
 * `npm run centre:add -- --organisation C440000MSP --code 440600 --name 佛山市住房公积金管理中心`: a
 * centre joins an organisation of the running consortium (a registry update on the ledger, endorsed
 * by the organisation and the regulator). Prints the new centre's operator key.
 */
const usage =
  'npm run centre:add -- --organisation MSPID --code CODE --name NAME [--definition FILE] [--json]';
const flags = parseFlags(usage, {
  definition: { type: 'string' },
  organisation: { type: 'string' },
  code: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean', default: false },
});

async function main(): Promise<void> {
  const { organisation, code, name } = flags;
  if (organisation === undefined || code === undefined || name === undefined) {
    throw new CentreAddError(`--organisation, --code and --name are required\nusage: ${usage}`);
  }
  const consortium = definitionFrom(flags.definition);
  const log = flags.json ? (): void => undefined : (line: string): void => console.log(line);
  const operator = await addCentreToOrganisation(
    consortium,
    new Layout(consortium),
    { organisation, code, name },
    log,
  );
  if (flags.json) console.log(JSON.stringify({ centreCode: code, organisation, apiKeys: { operator } }));
  else console.log(`operator key of ${code}: ${operator}`);
}

runMain(() =>
  main().catch((error: unknown) => {
    // A refused argument is the user's to fix: its message, without a stack.
    if (error instanceof CentreAddError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }),
);
