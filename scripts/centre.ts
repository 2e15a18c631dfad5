import path from 'node:path';
import {
  addCentre,
  DEFAULT_DEFINITION,
  definitionFrom,
  parseFlags,
  pendingProposalCode,
  propose,
  runMain,
  sign,
  submit,
} from '../network';

/**
 * `npm run centre:<add|propose|sign|submit>`: a provincial centre joins the running consortium.
 * The first argument (set by the npm script) names the step.
 */
const step = process.argv[2];
process.argv.splice(2, 1);
const flags = parseFlags(
  'npm run centre:add -- --code 510000 --name NAME [--msp-id C510000MSP] | centre:propose (same flags) | centre:sign -- --as CODE [--code NEW] | centre:submit -- [--code NEW]; all take [--definition FILE]',
  {
    definition: { type: 'string' },
    code: { type: 'string' },
    name: { type: 'string' },
    'msp-id': { type: 'string' },
    as: { type: 'string' },
  },
);

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') {
    console.error(`--${flag} is required for centre:${step ?? ''}`);
    process.exit(2);
  }
  return value.trim();
}

runMain(async () => {
  const file = path.resolve(flags.definition ?? DEFAULT_DEFINITION);
  const consortium = definitionFrom(flags.definition);
  const newCentre = (): { code: string; mspId: string; name: string } => {
    const code = required(flags.code, 'code');
    return { code, mspId: flags['msp-id'] ?? `C${code}MSP`, name: required(flags.name, 'name') };
  };
  switch (step) {
    case 'add':
      await addCentre(file, consortium, newCentre());
      break;
    case 'propose':
      await propose(file, consortium, newCentre());
      break;
    case 'sign':
      await sign(consortium, pendingProposalCode(consortium, flags.code), required(flags.as, 'as'));
      break;
    case 'submit':
      await submit(file, consortium, pendingProposalCode(consortium, flags.code));
      break;
    default:
      throw new Error(`unknown step ${step ?? '(none)'}: use add, propose, sign or submit`);
  }
});
