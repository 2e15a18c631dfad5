import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { claimDataDir } from './data-dir';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricInstall } from './fabric-bin';
import { Layout } from './layout';
import { SERVICE_USER, unitsFor } from './systemd';

/**
 * A centre's deployment bundle: one directory that is a complete data dir for that centre alone, to
 * copy to its machine. It holds the definition, the centre's own certificates and keys, the other
 * organisations' public certificates, the channel's genesis block, the chaincode package, the
 * consortium's pseudonymisation key, systemd units for its peer, chaincode server and gateway (their
 * paths point into the bundle), and start/stop commands. Nothing of any other organisation's private
 * material is in it, because the host it is made from never had any.
 */

export interface BundleOptions {
  readonly consortium: Consortium;
  readonly layout: Layout;
  readonly org: OrgDefinition;
  readonly fabric: FabricInstall;
  readonly packageId: string;
  /** The definition content (YAML-ready) to ship; its dataDir is replaced by the bundle's. */
  readonly definition: unknown;
  readonly outDir: string;
}

export interface Bundle {
  readonly dir: string;
  readonly units: readonly string[];
  readonly files: readonly string[];
}

function copyIfPresent(from: string, to: string): string | null {
  if (!existsSync(from)) return null;
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
  return to;
}

function script(lines: readonly string[]): string {
  return ['#!/usr/bin/env bash', 'set -euo pipefail', 'cd "$(dirname "$0")"', ...lines, ''].join('\n');
}

/** Writes the bundle (replacing an older one in `outDir`); returns what it holds. */
export function writeBundle(options: Readonly<BundleOptions>): Bundle {
  const dir = path.resolve(options.outDir);
  rmSync(dir, { recursive: true, force: true });
  claimDataDir(dir);
  const target = new Layout({ dataDir: dir });
  const { layout, org } = options;
  const copied = [
    copyIfPresent(layout.cryptoDir, target.cryptoDir),
    copyIfPresent(layout.configDir, target.configDir),
    copyIfPresent(layout.genesisBlock, target.genesisBlock),
    copyIfPresent(layout.chaincodePackage, target.chaincodePackage),
    copyIfPresent(layout.agreedRegistry, path.join(dir, 'chaincode', 'agreed-registry.json')),
    copyIfPresent(layout.pseudonymKey, target.pseudonymKey),
    copyIfPresent(layout.gatewayDir(org), path.join(dir, 'gateways', org.key)),
  ].filter((file): file is string => file !== null);
  const definition = { ...(options.definition as Record<string, unknown>), dataDir: dir };
  writeFileSync(path.join(dir, 'consortium.yaml'), stringify(definition));
  const consortium: Consortium = { ...options.consortium, dataDir: dir };
  const unitTarget =
    org.code === null ? ({ kind: 'regulator' } as const) : ({ kind: 'centre', code: org.code } as const);
  const units = unitsFor({
    consortium,
    layout: target,
    fabric: options.fabric,
    packageId: options.packageId,
    target: unitTarget,
    source: 'a deployment bundle',
  });
  mkdirSync(path.join(dir, 'systemd'), { recursive: true });
  for (const unit of units) writeFileSync(path.join(dir, 'systemd', unit.name), unit.text);
  const names = units.map((u) => u.name).join(' ');
  const start = path.join(dir, 'start.sh');
  writeFileSync(
    start,
    script([
      `# Installs and starts ${org.mspId}'s peer, chaincode server and gateway as systemd services,`,
      `# run as the system user ${SERVICE_USER}, which owns this directory.`,
      `id -u ${SERVICE_USER} >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${SERVICE_USER}`,
      `chown -R ${SERVICE_USER}:${SERVICE_USER} .`,
      'chmod -R go-rwx .',
      'install -m 0644 systemd/*.service /etc/systemd/system/',
      'systemctl daemon-reload',
      `systemctl enable --now ${names}`,
    ]),
  );
  const stop = path.join(dir, 'stop.sh');
  writeFileSync(stop, script([`# Stops ${org.mspId}'s services.`, `systemctl stop ${names}`]));
  chmodSync(start, 0o755);
  chmodSync(stop, 0o755);
  return {
    dir,
    units: units.map((u) => u.name),
    files: [...copied, path.join(dir, 'consortium.yaml'), start, stop].map((f) => path.relative(dir, f)),
  };
}
