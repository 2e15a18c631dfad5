import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Consortium, OrgDefinition } from './definition';
import type { IdentityFiles, Layout } from './layout';

/**
 * Common connection profiles: one JSON file per organisation in the format Fabric's client SDKs,
 * Hyperledger Caliper and Hyperledger Explorer read (`name`, `version`, `client`, `channels`,
 * `organizations`, `orderers`, `peers`, `certificateAuthorities`). Every path in it is absolute, so a
 * profile works from any directory on this machine; the files it names stay in the data dir.
 *
 * The profile names every organisation's peer, so a client can choose its endorsing organisations
 * (transfers need the source and the destination centre). The owning organisation's entry also names
 * its client identities: `signedCert` / `adminPrivateKey` (the keys Explorer reads) are the Admin's;
 * `x-hpf-identities` holds the application user's and the Admin's certificate and key.
 * There is no Fabric CA (cryptogen makes the keys), so `certificateAuthorities` is empty.
 */

export interface PathRef {
  readonly path: string;
}

export interface ProfileIdentity {
  readonly mspid: string;
  readonly signedCert: PathRef;
  readonly privateKey: PathRef;
}

export interface ProfileOrganization {
  readonly mspid: string;
  readonly peers: readonly string[];
  readonly certificateAuthorities: readonly string[];
  readonly signedCert?: PathRef;
  readonly adminPrivateKey?: PathRef;
  readonly 'x-hpf-identities'?: { readonly user: ProfileIdentity; readonly admin: ProfileIdentity };
}

export interface ProfileEndpoint {
  readonly url: string;
  readonly tlsCACerts: PathRef;
  readonly grpcOptions: {
    readonly 'ssl-target-name-override': string;
    readonly hostnameOverride: string;
  };
}

export interface ProfilePeerRoles {
  readonly endorsingPeer: boolean;
  readonly chaincodeQuery: boolean;
  readonly ledgerQuery: boolean;
  readonly eventSource: boolean;
}

export interface ConnectionProfile {
  readonly name: string;
  readonly version: '1.0.0';
  readonly client: {
    readonly organization: string;
    readonly tlsEnable: true;
    readonly connection: {
      readonly timeout: { readonly peer: { readonly endorser: string }; readonly orderer: string };
    };
  };
  readonly channels: Readonly<
    Record<
      string,
      { readonly orderers: readonly string[]; readonly peers: Readonly<Record<string, ProfilePeerRoles>> }
    >
  >;
  readonly organizations: Readonly<Record<string, ProfileOrganization>>;
  readonly orderers: Readonly<Record<string, ProfileEndpoint>>;
  readonly peers: Readonly<Record<string, ProfileEndpoint>>;
  readonly certificateAuthorities: Readonly<Record<string, never>>;
}

/** The one file in a cryptogen `signcerts` or `keystore` directory, or an error saying what to run first. */
function onlyFile(dir: string): string {
  const file = existsSync(dir) ? readdirSync(dir).find((name) => !name.startsWith('.')) : undefined;
  if (file === undefined) {
    throw new Error(
      `no key material in ${dir}: bring the consortium up first (npm start or npm run network:up)`,
    );
  }
  return path.resolve(dir, file);
}

function identity(mspId: string, files: IdentityFiles): ProfileIdentity {
  return {
    mspid: mspId,
    signedCert: { path: onlyFile(files.signcertsDir) },
    privateKey: { path: onlyFile(files.keystoreDir) },
  };
}

function endpoint(address: string, port: number, host: string, tlsCa: string): ProfileEndpoint {
  return {
    url: `grpcs://${address}:${port}`,
    tlsCACerts: { path: path.resolve(tlsCa) },
    // Nodes are reached by address; their TLS certificates name their host (also in the SANs).
    grpcOptions: { 'ssl-target-name-override': host, hostnameOverride: host },
  };
}

/** File name of an organisation's profile in the output directory. */
export function profileFileName(org: OrgDefinition): string {
  return `connection-${org.key}.json`;
}

/** The common connection profile of one organisation of the consortium. */
export function connectionProfile(
  consortium: Consortium,
  layout: Layout,
  org: OrgDefinition,
): ConnectionProfile {
  const domain = consortium.ordererOrg.domain;
  const orderers = Object.fromEntries(
    consortium.ordererOrg.nodes.map((node) => [
      node.host,
      endpoint(node.address, node.ports.listen, node.host, layout.ordererTlsCa(domain)),
    ]),
  );
  const peers = Object.fromEntries(
    consortium.orgs.map((o) => [
      o.peerHost,
      endpoint(o.address, o.ports.peer, o.peerHost, layout.orgTlsCa(o)),
    ]),
  );
  const roles: ProfilePeerRoles = {
    endorsingPeer: true,
    chaincodeQuery: true,
    ledgerQuery: true,
    eventSource: true,
  };
  const user = identity(org.mspId, layout.user(org));
  const admin = identity(org.mspId, layout.admin(org));
  const organizations = Object.fromEntries(
    consortium.orgs.map((o): [string, ProfileOrganization] => [
      o.mspId,
      o.mspId === org.mspId
        ? {
            mspid: o.mspId,
            peers: [o.peerHost],
            certificateAuthorities: [],
            signedCert: admin.signedCert,
            adminPrivateKey: admin.privateKey,
            'x-hpf-identities': { user, admin },
          }
        : { mspid: o.mspId, peers: [o.peerHost], certificateAuthorities: [] },
    ]),
  );
  return {
    name: `${consortium.channel}-${org.key}`,
    version: '1.0.0',
    client: {
      organization: org.mspId,
      tlsEnable: true,
      connection: { timeout: { peer: { endorser: '300' }, orderer: '300' } },
    },
    channels: {
      [consortium.channel]: {
        orderers: Object.keys(orderers),
        peers: Object.fromEntries(consortium.orgs.map((o) => [o.peerHost, roles])),
      },
    },
    organizations,
    orderers,
    peers,
    certificateAuthorities: {},
  };
}

/** Writes one profile per organisation into `dir` (created if needed); returns the files written. */
export function writeConnectionProfiles(consortium: Consortium, layout: Layout, dir: string): string[] {
  const profiles = consortium.orgs.map((org) => ({
    org,
    profile: connectionProfile(consortium, layout, org),
  }));
  mkdirSync(dir, { recursive: true });
  return profiles.map(({ org, profile }) => {
    const file = path.resolve(dir, profileFileName(org));
    writeFileSync(`${file}.tmp`, JSON.stringify(profile, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
    return file;
  });
}
