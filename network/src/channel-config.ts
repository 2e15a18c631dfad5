import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { Consortium, OrgDefinition } from './definition';
import type { FabricCli, Site } from './fabric-cli';
import type { Layout } from './layout';
import { parseState } from './state-store';

/**
 * The channel's configtx.yaml, generated from the definition, and its genesis block made by configtxgen.
 *
 * Channel, Application and Orderer policies are ImplicitMeta (`MAJORITY Admins`, `MAJORITY Endorsement`,
 * `ANY Readers`…), so they grow by themselves when a centre joins. Only the organisation-level policies
 * name principals, as Fabric requires.
 */

/** A lone transaction waits at most this long for its block; 2 cores cannot use bigger batches anyway. */
export const BATCH_TIMEOUT = '100ms';
/** Cuts a block early under load; 50 keeps per-block validation short on 2 cores. */
export const MAX_MESSAGE_COUNT = 50;
/** Raft tick; with ElectionTick 10 a lost leader is replaced after about 5 s, with no idle chatter on 2 cores. */
export const TICK_INTERVAL = '500ms';

export const PROFILE = 'HPFChannel';

function signature(rule: string): { Type: string; Rule: string } {
  return { Type: 'Signature', Rule: rule };
}

function implicit(rule: string): { Type: string; Rule: string } {
  return { Type: 'ImplicitMeta', Rule: rule };
}

/** configtx.yaml's view of one peer organisation; also used by `configtxgen -printOrg` when a centre joins. */
export function peerOrgSection(org: OrgDefinition, layout: Layout): Record<string, unknown> {
  const id = org.mspId;
  return {
    Name: id,
    ID: id,
    MSPDir: layout.orgMsp(org),
    Policies: {
      Readers: signature(`OR('${id}.admin', '${id}.peer', '${id}.client')`),
      Writers: signature(`OR('${id}.admin', '${id}.client')`),
      Admins: signature(`OR('${id}.admin')`),
      Endorsement: signature(`OR('${id}.peer')`),
    },
    AnchorPeers: [{ Host: org.address, Port: org.ports.peer }],
  };
}

function ordererOrgSection(consortium: Consortium, layout: Layout): Record<string, unknown> {
  const id = consortium.ordererOrg.mspId;
  return {
    Name: id,
    ID: id,
    MSPDir: layout.ordererMsp(consortium.ordererOrg.domain),
    Policies: {
      Readers: signature(`OR('${id}.member')`),
      Writers: signature(`OR('${id}.member')`),
      Admins: signature(`OR('${id}.admin')`),
    },
    OrdererEndpoints: consortium.ordererOrg.nodes.map((node) => `${node.address}:${node.ports.listen}`),
  };
}

const STANDARD_POLICIES = {
  Readers: implicit('ANY Readers'),
  Writers: implicit('ANY Writers'),
  Admins: implicit('MAJORITY Admins'),
};

/** The configtx.yaml content for the whole consortium. */
export function configtx(consortium: Consortium, layout: Layout): Record<string, unknown> {
  const ordererOrg = ordererOrgSection(consortium, layout);
  const peerOrgs = consortium.orgs.map((org) => peerOrgSection(org, layout));
  const domain = consortium.ordererOrg.domain;
  return {
    Organizations: [ordererOrg, ...peerOrgs],
    Profiles: {
      [PROFILE]: {
        Policies: STANDARD_POLICIES,
        Capabilities: { V3_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          EtcdRaft: {
            Consenters: consortium.ordererOrg.nodes.map((node) => {
              const tls = layout.orderer(domain, node).tls;
              return {
                Host: node.address,
                Port: node.ports.listen,
                ClientTLSCert: tls.cert,
                ServerTLSCert: tls.cert,
              };
            }),
            Options: {
              TickInterval: TICK_INTERVAL,
              ElectionTick: 10,
              HeartbeatTick: 1,
              MaxInflightBlocks: 5,
              SnapshotIntervalSize: '16 MB',
            },
          },
          BatchTimeout: BATCH_TIMEOUT,
          BatchSize: {
            MaxMessageCount: MAX_MESSAGE_COUNT,
            AbsoluteMaxBytes: '10 MB',
            PreferredMaxBytes: '2 MB',
          },
          Organizations: [ordererOrg],
          Policies: { ...STANDARD_POLICIES, BlockValidation: implicit('ANY Writers') },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgs,
          Policies: {
            ...STANDARD_POLICIES,
            LifecycleEndorsement: implicit('MAJORITY Endorsement'),
            Endorsement: implicit('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
}

/** Writes configtx.yaml into `dir` and returns the directory, for configtxgen's -configPath. */
export function writeConfigtx(dir: string, content: unknown): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'configtx.yaml'), stringify(content));
  return dir;
}

/** Builds the channel's genesis block once; later runs keep the existing block (the channel already exists). */
export async function ensureGenesisBlock(
  consortium: Consortium,
  layout: Layout,
  cli: FabricCli,
): Promise<boolean> {
  if (existsSync(layout.genesisBlock)) {
    return false;
  }
  const dir = writeConfigtx(layout.channelDir, configtx(consortium, layout));
  await cli.run('configtxgen', [
    '-profile',
    PROFILE,
    '-channelID',
    consortium.channel,
    '-outputBlock',
    layout.genesisBlock,
    '-configPath',
    dir,
  ]);
  return true;
}

/** An organisation's group in the channel config (`configtxgen -printOrg`), from its MSP in `layout`; work files in `dir`. */
export async function printOrg(
  { cli, layout }: Pick<Site, 'cli' | 'layout'>,
  org: OrgDefinition,
  dir: string,
): Promise<unknown> {
  mkdirSync(dir, { recursive: true });
  writeConfigtx(dir, { Organizations: [peerOrgSection(org, layout)] });
  const printed = await cli.run('configtxgen', ['-printOrg', org.mspId, '-configPath', dir], {
    FABRIC_CFG_PATH: dir,
  });
  return parseState(`configtxgen -printOrg ${org.mspId}`, printed.stdout, z.unknown());
}
