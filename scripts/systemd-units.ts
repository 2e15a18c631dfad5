import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Network, Cli, Runtime } from '../network';

/**
 * `npm run systemd:units -- --centre 110000 [--out DIR]` (or `--regulator`, or `--orderers`): writes
 * one systemd unit per process of that organisation (default DIR: `<dataDir>/systemd/<org>/`).
 * The units name the crypto material, config and keys in the data dir, so `network:up` (or
 * `npm start`) must have generated them first.
 */
const spec = {
  command: 'npm run systemd:units',
  summary:
    'Writes one systemd unit per process of one organisation: choose exactly one of --centre, --regulator, --orderers.',
  flags: {
    definition: Cli.DEFINITION_FLAG,
    centre: { type: 'string', arg: 'CODE', help: "the centre's organisation (6-digit code)" },
    regulator: { type: 'boolean', default: false, help: "the regulator's organisation" },
    orderers: { type: 'boolean', default: false, help: "the orderer organisation's nodes" },
    out: { type: 'string', arg: 'DIR', help: 'where the units go', defaultText: '<dataDir>/systemd/<org>' },
  },
} as const;
const flags = Cli.parseFlags(spec);

Cli.runMain(async () => {
  const chosen = [flags.centre !== undefined, flags.regulator, flags.orderers].filter(Boolean).length;
  if (chosen !== 1) {
    console.error(`choose exactly one organisation\nusage: ${Cli.usageLine(spec)}`);
    process.exit(2);
  }
  const target: Runtime.UnitTarget =
    flags.centre !== undefined
      ? { kind: 'centre', code: flags.centre }
      : flags.regulator
        ? { kind: 'regulator' }
        : { kind: 'orderers' };
  const source = path.resolve(flags.definition ?? Cli.DEFAULT_DEFINITION);
  const consortium = Cli.definitionFrom(flags.definition);
  const layout = new Network(consortium).layout;
  if (!existsSync(layout.cryptoDir)) {
    throw new Error(
      `${layout.cryptoDir} is missing: run \`npm run network:up\` first (the units name its files)`,
    );
  }
  const fabric = await Runtime.ensureFabric(() => undefined);
  const packageId = Runtime.ensurePackage(consortium, layout);
  const units = Runtime.unitsFor({ consortium, layout, fabric, packageId, target, source });
  const label = target.kind === 'centre' ? target.code : target.kind;
  const out = path.resolve(flags.out ?? path.join(layout.root, 'systemd', label));
  mkdirSync(out, { recursive: true });
  for (const unit of units) {
    writeFileSync(path.join(out, unit.name), unit.text);
    console.log(path.join(out, unit.name));
  }
});
