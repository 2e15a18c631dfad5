import { readFile } from 'node:fs/promises';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway, type Hash, type Signer } from '@hyperledger/fabric-gateway';
import type { GatewayConfig } from '../config';
import { isP256, newNodeCryptoSigner } from './signer';

/** The part of the gateway's configuration a connection needs. */
export type ConnectionOptions = Pick<
  GatewayConfig,
  'peerEndpoint' | 'peerHostAlias' | 'tlsRootCertPath' | 'mspId' | 'certPath' | 'keyPath' | 'deadlines'
>;

export interface FabricConnection {
  readonly client: grpc.Client;
  readonly gateway: Gateway;
}

function deadline(ms: number): () => grpc.CallOptions {
  return () => ({ deadline: Date.now() + ms });
}

/**
 * A P-256 key (what Fabric's cryptogen and CAs issue) signs in node:crypto over the whole message
 * (`hash.none`); any other key with fabric-gateway's own signer over a SHA-256 digest.
 */
function signing(privateKey: KeyObject): { signer: Signer; hash: Hash } {
  return isP256(privateKey)
    ? { signer: newNodeCryptoSigner(privateKey), hash: hash.none }
    : { signer: signers.newPrivateKeySigner(privateKey), hash: hash.sha256 };
}

/**
 * Opens the one gRPC client this process shares and a Gateway on it, with a deadline on every unary
 * call. Event streams have no deadline: they live as long as their subscriber.
 */
export async function openConnection(options: Readonly<ConnectionOptions>): Promise<FabricConnection> {
  const [tlsRoot, cert, key] = await Promise.all([
    readFile(options.tlsRootCertPath),
    readFile(options.certPath),
    readFile(options.keyPath),
  ]);
  const client = new grpc.Client(options.peerEndpoint, grpc.credentials.createSsl(tlsRoot), {
    'grpc.ssl_target_name_override': options.peerHostAlias,
    'grpc.keepalive_time_ms': 120_000,
  });
  const gateway = connect({
    client,
    identity: { mspId: options.mspId, credentials: cert },
    ...signing(createPrivateKey(key)),
    evaluateOptions: deadline(options.deadlines.evaluateMs),
    endorseOptions: deadline(options.deadlines.endorseMs),
    submitOptions: deadline(options.deadlines.submitMs),
    commitStatusOptions: deadline(options.deadlines.commitStatusMs),
  });
  return { client, gateway };
}

/** Closes the gateway first, then the gRPC client it runs on. */
export function closeConnection(connection: FabricConnection): void {
  connection.gateway.close();
  connection.client.close();
}
