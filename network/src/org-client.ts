import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrgDefinition } from './definition';
import type { IdentityFiles, Layout } from './layout';

/**
 * A @hyperledger/fabric-gateway connection to one organisation's own peer, as one of its identities.
 * The network scripts use it for readiness and the registry; tests use it as a raw client.
 */

export interface OrgConnection {
  readonly gateway: Gateway;
  readonly org: OrgDefinition;
  close(): void;
}

function firstFile(dir: string): string {
  const file = readdirSync(dir).find((name) => !name.startsWith('.'));
  if (file === undefined) throw new Error(`no file in ${dir}`);
  return path.join(dir, file);
}

export function connectOrg(layout: Layout, org: OrgDefinition, as: 'user' | 'admin' = 'user'): OrgConnection {
  const identityFiles: IdentityFiles = as === 'admin' ? layout.admin(org) : layout.user(org);
  const tlsRoot = readFileSync(layout.peer(org).tls.ca);
  const client = new grpc.Client(`${org.address}:${org.ports.peer}`, grpc.credentials.createSsl(tlsRoot), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    // Connect by IP, verify the certificate by the peer's host name (also in its SANs).
    'grpc.ssl_target_name_override': org.peerHost,
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: readFileSync(firstFile(identityFiles.signcertsDir)) },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(firstFile(identityFiles.keystoreDir)))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 15_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    org,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

/** Runs `fn` with a connection that is closed afterwards, whatever happens. */
export async function withOrg<T>(
  layout: Layout,
  org: OrgDefinition,
  fn: (connection: OrgConnection) => Promise<T>,
  as: 'user' | 'admin' = 'user',
): Promise<T> {
  const connection = connectOrg(layout, org, as);
  try {
    return await fn(connection);
  } finally {
    connection.close();
  }
}
