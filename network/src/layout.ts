import path from 'node:path';
import type { Consortium, OrdererNode, OrgDefinition } from './definition';

/**
 * Where each generated file lives inside the data dir. cryptogen decides the shape of `crypto/`;
 * everything else is ours. Nothing here touches the disk.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface IdentityFiles {
  readonly mspDir: string;
  readonly signcertsDir: string;
  readonly keystoreDir: string;
  readonly tls: TlsFiles;
}

function tlsOf(dir: string, kind: 'server' | 'client'): TlsFiles {
  return {
    cert: path.join(dir, 'tls', `${kind}.crt`),
    key: path.join(dir, 'tls', `${kind}.key`),
    ca: path.join(dir, 'tls', 'ca.crt'),
  };
}

function identityOf(dir: string, kind: 'server' | 'client'): IdentityFiles {
  return {
    mspDir: path.join(dir, 'msp'),
    signcertsDir: path.join(dir, 'msp', 'signcerts'),
    keystoreDir: path.join(dir, 'msp', 'keystore'),
    tls: tlsOf(dir, kind),
  };
}

export class Layout {
  readonly root: string;

  constructor(consortium: Pick<Consortium, 'dataDir'>) {
    this.root = consortium.dataDir;
  }

  get configDir(): string {
    return path.join(this.root, 'config');
  }
  get cryptoDir(): string {
    return path.join(this.root, 'crypto');
  }
  get genesisBlock(): string {
    return path.join(this.root, 'channel', 'genesis.block');
  }
  get channelDir(): string {
    return path.join(this.root, 'channel');
  }
  /** cryptogen's input for one organisation. */
  cryptoConfig(name: string): string {
    return path.join(this.root, 'crypto-config', `${name}.yaml`);
  }
  get chaincodeDir(): string {
    return path.join(this.root, 'chaincode');
  }
  get chaincodePackage(): string {
    return path.join(this.chaincodeDir, 'hpf.tgz');
  }
  /** The registry content this data dir's organisations agreed (agreed-registry.ts). */
  get agreedRegistry(): string {
    return path.join(this.chaincodeDir, 'agreed-registry.json');
  }
  /** What this data dir last committed: sequence, version, policy (chaincode-deploy.ts). */
  get committedRecord(): string {
    return path.join(this.chaincodeDir, 'committed.json');
  }
  /** The hash of the built chaincode a chaincode server serves. */
  servedCode(serverName: string): string {
    return path.join(this.chaincodeDir, `${serverName}.served`);
  }
  /** An organisation's gateway data dir (HPF_GW_DATA_DIR). */
  gatewayDir(org: OrgDefinition): string {
    return path.join(this.root, 'gateways', org.key);
  }
  /** Work files of config updates and joins (fetched blocks, envelopes, organisation files). */
  joiningDir(...parts: string[]): string {
    return path.join(this.root, 'joining', ...parts);
  }
  get secretsDir(): string {
    return path.join(this.root, 'secrets');
  }
  get pseudonymKey(): string {
    return path.join(this.secretsDir, 'pseudonym.key');
  }

  nodeDir(name: string): string {
    return path.join(this.root, 'nodes', name);
  }

  ordererOrgDir(domain: string): string {
    return path.join(this.cryptoDir, 'ordererOrganizations', domain);
  }
  orgDir(org: OrgDefinition): string {
    return path.join(this.cryptoDir, 'peerOrganizations', org.domain);
  }
  orgMsp(org: OrgDefinition): string {
    return path.join(this.orgDir(org), 'msp');
  }
  orgTlsCa(org: OrgDefinition): string {
    return path.join(this.orgDir(org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
  }
  peer(org: OrgDefinition): IdentityFiles {
    return identityOf(path.join(this.orgDir(org), 'peers', org.peerHost), 'server');
  }
  /** TLS key pair of the org's chaincode server (a cryptogen node named `ccserver`). */
  chaincodeServerTls(org: OrgDefinition): TlsFiles {
    return tlsOf(path.join(this.orgDir(org), 'peers', `ccserver.${org.domain}`), 'server');
  }
  /** TLS key pair the org's gateway serves HTTPS with (a cryptogen node named `gateway`). */
  gatewayTls(org: OrgDefinition): TlsFiles {
    return tlsOf(path.join(this.orgDir(org), 'peers', `gateway.${org.domain}`), 'server');
  }
  admin(org: OrgDefinition): IdentityFiles {
    return identityOf(path.join(this.orgDir(org), 'users', `Admin@${org.domain}`), 'client');
  }
  user(org: OrgDefinition): IdentityFiles {
    return identityOf(path.join(this.orgDir(org), 'users', `User1@${org.domain}`), 'client');
  }

  ordererMsp(domain: string): string {
    return path.join(this.ordererOrgDir(domain), 'msp');
  }
  ordererTlsCa(domain: string): string {
    return path.join(this.ordererOrgDir(domain), 'tlsca', `tlsca.${domain}-cert.pem`);
  }
  orderer(domain: string, node: OrdererNode): IdentityFiles {
    return identityOf(path.join(this.ordererOrgDir(domain), 'orderers', node.host), 'server');
  }
  ordererAdmin(domain: string): IdentityFiles {
    return identityOf(path.join(this.ordererOrgDir(domain), 'users', `Admin@${domain}`), 'client');
  }
}
