import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectionProfiles, Definition, Runtime } from '../../network';
import { TEST_DEFINITION, testConsortium } from '../support/consortium';

/**
 * A stock client from a connection profile alone: `npm run consortium:info -- --connection-profiles
 * DIR` writes one profile per organisation, and a plain @hyperledger/fabric-gateway client built only
 * from what a profile says (peer URL, TLS CA, host name, identity files, channel) submits meta:Ping on
 * the real network. The chaincode's name, `hpf`, is the one thing a profile does not carry.
 */
const consortium = testConsortium();
const dir = mkdtempSync(path.join(tmpdir(), 'hpf-profiles-'));
const CHAINCODE = 'hpf';

type Profile = ConnectionProfiles.ConnectionProfile;

function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}

/** What any Fabric client does with a common connection profile: its organisation's first peer. */
function gatewayFromProfile(profile: Profile): { gateway: Gateway; channel: string; close: () => void } {
  const mspId = profile.client.organization;
  const organization = profile.organizations[mspId]!;
  const peer = profile.peers[organization.peers[0]!]!;
  const identity = organization['x-hpf-identities']!.user;
  const url = new URL(peer.url);
  const client = new grpc.Client(
    `${url.hostname}:${url.port}`,
    grpc.credentials.createSsl(readFileSync(peer.tlsCACerts.path)),
    { 'grpc.ssl_target_name_override': peer.grpcOptions['ssl-target-name-override'] },
  );
  const gateway = connect({
    client,
    identity: { mspId, credentials: readFileSync(identity.signedCert.path) },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(identity.privateKey.path))),
    hash: hash.sha256,
  });
  return {
    gateway,
    channel: Object.keys(profile.channels)[0]!,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connection profiles for standard Fabric clients', () => {
  let files: string[] = [];

  beforeAll(() => {
    const tsx = path.join(Definition.REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const script = path.join(Definition.REPO_ROOT, 'scripts', 'consortium-info.ts');
    const run = spawnSync(
      process.execPath,
      [tsx, script, '--definition', TEST_DEFINITION, '--connection-profiles', dir, '--json'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.stderr).toContain('connection profile: ');
    expect(run.status).toBe(0);
    files = consortium.orgs.map((org) => path.join(dir, ConnectionProfiles.profileFileName(org)));
  });

  it('writes one profile per organisation: every peer, the orderers, TLS CAs and its own identities', () => {
    expect(files.filter((file) => existsSync(file))).toEqual(files);
    for (const [i, org] of consortium.orgs.entries()) {
      const profile = readProfile(files[i]!);
      expect(profile.client.organization).toBe(org.mspId);
      expect(Object.keys(profile.channels)).toEqual([consortium.channel]);
      expect(Object.keys(profile.peers).sort()).toEqual(consortium.orgs.map((o) => o.peerHost).sort());
      expect(Object.keys(profile.orderers)).toEqual(consortium.ordererOrg.nodes.map((n) => n.host));
      expect(profile.peers[org.peerHost]!.url).toBe(`grpcs://${org.address}:${org.ports.peer}`);
      expect(profile.certificateAuthorities).toEqual({});
      const own = profile.organizations[org.mspId]!;
      const others = Object.values(profile.organizations).filter((o) => o.mspid !== org.mspId);
      expect(
        others.every((o) => o['x-hpf-identities'] === undefined && o.adminPrivateKey === undefined),
      ).toBe(true);
      const paths = [
        ...Object.values(profile.peers).map((p) => p.tlsCACerts.path),
        ...Object.values(profile.orderers).map((o) => o.tlsCACerts.path),
        own.signedCert!.path,
        own.adminPrivateKey!.path,
        own['x-hpf-identities']!.user.signedCert.path,
        own['x-hpf-identities']!.user.privateKey.path,
      ];
      expect(paths.filter((p) => !path.isAbsolute(p) || !existsSync(p))).toEqual([]);
    }
  });

  it('lets a plain fabric-gateway client built from a profile submit meta:Ping, seen by another organisation', async () => {
    const centre = consortium.centres[0]!;
    const id = `profile-${Date.now()}`;
    const writer = gatewayFromProfile(
      readProfile(path.join(dir, ConnectionProfiles.profileFileName(centre))),
    );
    try {
      const meta = writer.gateway.getNetwork(writer.channel).getContract(CHAINCODE, 'meta');
      const answer = JSON.parse(Buffer.from(await meta.submitTransaction('Ping', id)).toString('utf8')) as {
        by: string;
        id: string;
      };
      expect(answer).toMatchObject({ by: centre.mspId, id });
    } finally {
      writer.close();
    }
    const reader = gatewayFromProfile(
      readProfile(path.join(dir, ConnectionProfiles.profileFileName(consortium.regulator))),
    );
    try {
      const meta = reader.gateway.getNetwork(reader.channel).getContract(CHAINCODE, 'meta');
      // The regulator's peer may commit the block a moment after the centre's.
      const seen = await Runtime.pollUntil(
        async () => {
          const bytes = await meta.evaluateTransaction('GetPing', id);
          return JSON.parse(Buffer.from(bytes).toString('utf8')) as { by: string };
        },
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          failure: (err) => new Error(`the regulator never saw the ping: ${String(err)}`),
        },
      );
      expect(seen.by).toBe(centre.mspId);
    } finally {
      reader.close();
    }
  });
});
