/**
 * Typed commands for Fabric's `peer`, `osnadmin` and `configtxlator`, shaped like Fabric's
 * integration/nwo `commands` package: each command is a plain value naming what it does with its
 * fields, and one function turns it into the tool's arguments. `FabricCli` runs them; nothing else
 * spells out a Fabric command line.
 */

/** The orderer a `peer` command sends to (TLS, trusting the orderer organisation's TLS CA). */
export interface OrdererTarget {
  readonly address: string;
  readonly caFile: string;
}

/** An orderer's admin endpoint, as the orderer organisation's admin (mutual TLS). */
export interface OsnadminTarget {
  readonly address: string;
  readonly caFile: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A chaincode definition as `peer lifecycle chaincode` takes it. */
export interface ChaincodeDefinition {
  readonly channel: string;
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly signaturePolicy: string;
}

/** A peer that endorses a lifecycle commit, with the TLS root certificate to dial it. */
export interface EndorsingPeer {
  readonly address: string;
  readonly tlsRootCertFile: string;
}

export type PeerCommand =
  | {
      readonly kind: 'channel fetch';
      /** `config`, `newest`, or a block number. */
      readonly block: 'config' | 'newest' | number;
      readonly output: string;
      readonly channel: string;
      readonly orderer: OrdererTarget;
    }
  | { readonly kind: 'channel join'; readonly block: string }
  | { readonly kind: 'channel list' }
  | { readonly kind: 'channel getinfo'; readonly channel: string }
  | { readonly kind: 'channel signconfigtx'; readonly file: string }
  | {
      readonly kind: 'channel update';
      readonly file: string;
      readonly channel: string;
      readonly orderer: OrdererTarget;
    }
  | { readonly kind: 'lifecycle install'; readonly package: string }
  | { readonly kind: 'lifecycle queryinstalled' }
  | { readonly kind: 'lifecycle querycommitted'; readonly channel: string; readonly name: string }
  | {
      readonly kind: 'lifecycle checkcommitreadiness';
      readonly definition: ChaincodeDefinition;
      readonly orderer: OrdererTarget;
    }
  | {
      readonly kind: 'lifecycle approveformyorg';
      readonly definition: ChaincodeDefinition;
      readonly packageId: string;
      readonly orderer: OrdererTarget;
    }
  | {
      readonly kind: 'lifecycle commit';
      readonly definition: ChaincodeDefinition;
      readonly orderer: OrdererTarget;
      readonly peers: readonly EndorsingPeer[];
    };

export type OsnadminCommand =
  | { readonly kind: 'channel list'; readonly channel?: string; readonly target: OsnadminTarget }
  | {
      readonly kind: 'channel join';
      readonly channel: string;
      readonly configBlock: string;
      readonly target: OsnadminTarget;
    };

export type ConfigtxlatorCommand =
  | { readonly kind: 'proto_decode'; readonly input: string; readonly type: string; readonly output: string }
  | { readonly kind: 'proto_encode'; readonly input: string; readonly type: string; readonly output: string }
  | {
      readonly kind: 'compute_update';
      readonly channel: string;
      readonly original: string;
      readonly updated: string;
      readonly output: string;
    };

function ordererFlags(orderer: OrdererTarget): string[] {
  return ['-o', orderer.address, '--tls', '--cafile', orderer.caFile];
}

function definitionFlags(definition: ChaincodeDefinition): string[] {
  return [
    ...['--channelID', definition.channel],
    ...['--name', definition.name],
    ...['--version', definition.version],
    ...['--sequence', String(definition.sequence)],
    ...['--signature-policy', definition.signaturePolicy],
  ];
}

type ArgsOf<C extends { readonly kind: string }> = {
  readonly [K in C['kind']]: (command: Extract<C, { kind: K }>) => string[];
};

const PEER_ARGS: ArgsOf<PeerCommand> = {
  'channel fetch': (c) => [
    ...['channel', 'fetch', String(c.block), c.output],
    ...['-c', c.channel],
    ...ordererFlags(c.orderer),
  ],
  'channel join': (c) => ['channel', 'join', '-b', c.block],
  'channel list': () => ['channel', 'list'],
  'channel getinfo': (c) => ['channel', 'getinfo', '-c', c.channel],
  'channel signconfigtx': (c) => ['channel', 'signconfigtx', '-f', c.file],
  'channel update': (c) => [
    ...['channel', 'update', '-f', c.file],
    ...['-c', c.channel],
    ...ordererFlags(c.orderer),
  ],
  'lifecycle install': (c) => ['lifecycle', 'chaincode', 'install', c.package],
  'lifecycle queryinstalled': () => ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'],
  'lifecycle querycommitted': (c) => [
    ...['lifecycle', 'chaincode', 'querycommitted'],
    ...['-C', c.channel, '-n', c.name, '--output', 'json'],
  ],
  'lifecycle checkcommitreadiness': (c) => [
    ...['lifecycle', 'chaincode', 'checkcommitreadiness'],
    ...definitionFlags(c.definition),
    ...ordererFlags(c.orderer),
    ...['--output', 'json'],
  ],
  'lifecycle approveformyorg': (c) => [
    ...['lifecycle', 'chaincode', 'approveformyorg'],
    ...definitionFlags(c.definition),
    ...['--package-id', c.packageId],
    ...ordererFlags(c.orderer),
  ],
  'lifecycle commit': (c) => [
    ...['lifecycle', 'chaincode', 'commit'],
    ...definitionFlags(c.definition),
    ...ordererFlags(c.orderer),
    ...c.peers.flatMap((p) => ['--peerAddresses', p.address, '--tlsRootCertFiles', p.tlsRootCertFile]),
  ],
};

export function peerArgs(command: PeerCommand): string[] {
  return (PEER_ARGS[command.kind] as (c: PeerCommand) => string[])(command);
}

function osnadminFlags(target: OsnadminTarget): string[] {
  return [
    ...['-o', target.address, '--ca-file', target.caFile],
    ...['--client-cert', target.clientCert, '--client-key', target.clientKey],
  ];
}

export function osnadminArgs(command: OsnadminCommand): string[] {
  switch (command.kind) {
    case 'channel list':
      return [
        ...['channel', 'list'],
        ...(command.channel === undefined ? [] : ['--channelID', command.channel]),
        ...osnadminFlags(command.target),
      ];
    case 'channel join':
      return [
        ...['channel', 'join', '--channelID', command.channel],
        ...['--config-block', command.configBlock],
        ...osnadminFlags(command.target),
      ];
  }
}

/** configtxlator always writes to a file: its default /dev/stdout cannot be opened when stdout is a socket. */
export function configtxlatorArgs(command: ConfigtxlatorCommand): string[] {
  switch (command.kind) {
    case 'proto_decode':
    case 'proto_encode':
      return [command.kind, '--input', command.input, '--type', command.type, '--output', command.output];
    case 'compute_update':
      return [
        ...['compute_update', '--channel_id', command.channel],
        ...['--original', command.original, '--updated', command.updated, '--output', command.output],
      ];
  }
}
