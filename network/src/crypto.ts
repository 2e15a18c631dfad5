import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricCli } from './fabric-cli';
import type { Layout } from './layout';

/**
 * Crypto material comes from Fabric's cryptogen, one organisation at a time, so that a centre joining
 * later gets its own material without touching anyone else's. Every TLS certificate carries the
 * organisation's host from the definition (an address or a DNS name) in its SANs, plus 127.0.0.1 and
 * localhost, so the one-machine consortium and a host's own local tools verify it too.
 */

function sans(host: string): string[] {
  return [...new Set([host, '127.0.0.1', 'localhost'])];
}

function peerOrgConfig(org: OrgDefinition): unknown {
  return {
    PeerOrgs: [
      {
        Name: org.mspId.replace(/MSP$/, ''),
        Domain: org.domain,
        EnableNodeOUs: true,
        Specs: [
          { Hostname: 'peer0', SANS: sans(org.address) },
          // TLS identity of this org's chaincode server (chaincode-as-a-service speaks TLS too).
          { Hostname: 'ccserver', SANS: sans(org.address) },
          // TLS identity of this org's gateway (HTTPS whenever it binds a non-loopback address).
          { Hostname: 'gateway', SANS: sans(org.address) },
        ],
        Users: { Count: 1 },
      },
    ],
  };
}

function ordererOrgConfig(consortium: Consortium): unknown {
  return {
    OrdererOrgs: [
      {
        Name: consortium.ordererOrg.mspId.replace(/MSP$/, ''),
        Domain: consortium.ordererOrg.domain,
        EnableNodeOUs: true,
        Specs: consortium.ordererOrg.nodes.map((node) => ({ Hostname: node.name, SANS: sans(node.address) })),
      },
    ],
  };
}

async function generate(
  cli: FabricCli,
  layout: Layout,
  name: string,
  config: unknown,
  mode: 'generate' | 'extend' = 'generate',
): Promise<void> {
  const file = layout.cryptoConfig(name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, stringify(config));
  const target = mode === 'generate' ? `--output=${layout.cryptoDir}` : `--input=${layout.cryptoDir}`;
  await cli.run('cryptogen', [mode, `--config=${file}`, target]);
}

/** Generates the orderer organisation's material unless present; true when generated. */
export async function ensureOrdererCrypto(
  consortium: Consortium,
  layout: Layout,
  cli: FabricCli,
): Promise<boolean> {
  if (existsSync(layout.ordererOrgDir(consortium.ordererOrg.domain))) return false;
  await generate(cli, layout, 'orderer', ordererOrgConfig(consortium));
  return true;
}

/**
 * Generates one peer organisation's material unless present (its keys are made here, on the host that
 * runs this, and never leave it); true when generated.
 */
export async function ensureOrgCrypto(org: OrgDefinition, layout: Layout, cli: FabricCli): Promise<boolean> {
  if (existsSync(layout.orgDir(org))) {
    // A data dir made before gateways had their own TLS pair: cryptogen adds it with the org's CA.
    if (!existsSync(layout.gatewayTls(org).cert)) {
      await generate(cli, layout, org.key, peerOrgConfig(org), 'extend');
    }
    return false;
  }
  await generate(cli, layout, org.key, peerOrgConfig(org));
  return true;
}

/** Generates material for every organisation that has none yet (the one-machine consortium); returns the names generated. */
export async function ensureCrypto(
  consortium: Consortium,
  layout: Layout,
  cli: FabricCli,
): Promise<string[]> {
  const generated: string[] = [];
  if (await ensureOrdererCrypto(consortium, layout, cli)) generated.push(consortium.ordererOrg.mspId);
  for (const org of consortium.orgs) {
    if (await ensureOrgCrypto(org, layout, cli)) generated.push(org.mspId);
  }
  return generated;
}

/** The consortium pseudonymisation key K (32 random bytes, base64). Generated once, never on the ledger. */
export function ensurePseudonymKey(layout: Layout): boolean {
  if (existsSync(layout.pseudonymKey)) {
    return false;
  }
  mkdirSync(layout.secretsDir, { recursive: true, mode: 0o700 });
  writeFileSync(layout.pseudonymKey, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  return true;
}
