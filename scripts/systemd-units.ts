import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_DEFINITION,
  definitionFrom,
  ensureFabric,
  ensurePackage,
  Layout,
  parseFlags,
  runMain,
  unitsFor,
  type UnitTarget,
} from '../network';

/**
 * `npm run systemd:units -- --centre 110000 [--out DIR]` (or `--regulator`, or `--orderers`): writes
 * one systemd unit per process of that organisation (default DIR: `<dataDir>/systemd/<org>/`).
 * The units name the crypto material, config and keys in the data dir, so `network:up` (or
 * `npm start`) must have generated them first.
 */
const usage =
  'npm run systemd:units -- (--centre CODE | --regulator | --orderers) [--out DIR] [--definition FILE]';
const flags = parseFlags(usage, {
  definition: { type: 'string' },
  centre: { type: 'string' },
  regulator: { type: 'boolean', default: false },
  orderers: { type: 'boolean', default: false },
  out: { type: 'string' },
});

runMain(async () => {
  const chosen = [flags.centre !== undefined, flags.regulator, flags.orderers].filter(Boolean).length;
  if (chosen !== 1) {
    console.error(`choose exactly one organisation\nusage: ${usage}`);
    process.exit(2);
  }
  const target: UnitTarget =
    flags.centre !== undefined
      ? { kind: 'centre', code: flags.centre }
      : flags.regulator
        ? { kind: 'regulator' }
        : { kind: 'orderers' };
  const source = path.resolve(flags.definition ?? DEFAULT_DEFINITION);
  const consortium = definitionFrom(flags.definition);
  const layout = new Layout(consortium);
  if (!existsSync(layout.cryptoDir)) {
    throw new Error(
      `${layout.cryptoDir} is missing: run \`npm run network:up\` first (the units name its files)`,
    );
  }
  const fabric = await ensureFabric(() => undefined);
  const units = unitsFor(consortium, layout, fabric, ensurePackage(consortium, layout), target, source);
  const label = target.kind === 'centre' ? target.code : target.kind;
  const out = path.resolve(flags.out ?? path.join(layout.root, 'systemd', label));
  mkdirSync(out, { recursive: true });
  for (const unit of units) {
    writeFileSync(path.join(out, unit.name), unit.text);
    console.log(path.join(out, unit.name));
  }
});
