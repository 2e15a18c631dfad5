import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Consortium, OrgDefinition } from './definition';
import { ConfigUpdateRejected } from './errors';
import { FabricToolError, type FabricCli } from './fabric-cli';
import type { Layout } from './layout';
import { ordererTarget } from './nodes';
import { parseState } from './state-store';

/**
 * The one way to change the channel's config: fetch it, modify it, compute the update, sign it by as
 * many admins as the policy needs, submit it. Each step runs as one organisation's admin on that
 * organisation's host and passes files on, so the steps run on different hosts (the role commands
 * `member:propose|sign|submit`) or in sequence on one machine (`organisation:add`).
 */

/** What a step needs of the host it runs on: the consortium it knows, its data dir, its tools, its admin. */
export interface ChannelAdmin {
  readonly consortium: Consortium;
  readonly layout: Layout;
  readonly cli: FabricCli;
  readonly org: OrgDefinition;
}

export interface ChannelConfig {
  channel_group: { groups: { Application: { groups: Record<string, unknown> } } };
}

/** Signatures the channel's `MAJORITY Admins` policy needs: a majority of the application orgs. */
export function requiredSignatures(consortium: Consortium): number {
  return Math.floor(consortium.orgs.length / 2) + 1;
}

async function decode(admin: ChannelAdmin, file: string, type: string): Promise<unknown> {
  const output = `${file}.json`;
  await admin.cli.configtxlator({ kind: 'proto_decode', input: file, type, output });
  return parseState(output, readFileSync(output, 'utf8'), z.unknown());
}

async function encode(admin: ChannelAdmin, json: unknown, type: string, file: string): Promise<void> {
  const input = `${file}.json`;
  writeFileSync(input, JSON.stringify(json));
  await admin.cli.configtxlator({ kind: 'proto_encode', input, type, output: file });
}

/** The channel's current config, fetched by `admin` and decoded to JSON (work files in `dir`). */
export async function fetchChannelConfig(admin: ChannelAdmin, dir: string): Promise<ChannelConfig> {
  mkdirSync(dir, { recursive: true });
  const block = path.join(dir, 'config-block.pb');
  await admin.cli.peer(admin.org, {
    kind: 'channel fetch',
    block: 'config',
    output: block,
    channel: admin.consortium.channel,
    orderer: ordererTarget(admin.consortium, admin.layout),
  });
  const parsed = (await decode(admin, block, 'common.Block')) as {
    data: { data: { payload: { data: { config: ChannelConfig } } }[] };
  };
  const config = parsed.data.data[0]?.payload.data.config;
  if (config === undefined) throw new Error(`${block}: the fetched config block holds no config`);
  return config;
}

/**
 * Fetches the config, lets `modify` change a copy, and writes the update between the two, wrapped
 * in an envelope for the admins to sign, to `out` (work files in `dir`).
 */
export async function writeConfigUpdate(
  admin: ChannelAdmin,
  options: { readonly dir: string; readonly out: string; readonly modify: (config: ChannelConfig) => void },
): Promise<string> {
  const { dir, out } = options;
  const channel = admin.consortium.channel;
  const original = await fetchChannelConfig(admin, dir);
  const updated = structuredClone(original);
  options.modify(updated);
  const files = {
    original: path.join(dir, 'original.pb'),
    updated: path.join(dir, 'updated.pb'),
    update: path.join(dir, 'update.pb'),
  };
  await encode(admin, original, 'common.Config', files.original);
  await encode(admin, updated, 'common.Config', files.updated);
  await admin.cli.configtxlator({
    kind: 'compute_update',
    channel,
    original: files.original,
    updated: files.updated,
    output: files.update,
  });
  const update = await decode(admin, files.update, 'common.ConfigUpdate');
  const envelope = {
    payload: {
      header: { channel_header: { channel_id: channel, type: 2 } },
      data: { config_update: update },
    },
  };
  mkdirSync(path.dirname(out), { recursive: true });
  await encode(admin, envelope, 'common.Envelope', out);
  return out;
}

/** `admin` signs the config update `envelope`, writing the signed envelope to `out` (the input is never changed). */
export async function signConfigUpdate(admin: ChannelAdmin, envelope: string, out: string): Promise<string> {
  mkdirSync(path.dirname(out), { recursive: true });
  if (path.resolve(envelope) !== path.resolve(out)) copyFileSync(envelope, out);
  await admin.cli.peer(admin.org, { kind: 'channel signconfigtx', file: out });
  return out;
}

/** The reason the orderer gave for refusing a config update, from `peer channel update` output. */
function rejection(error: FabricToolError): string {
  const line = error.output.split('\n').find((l) => /status: BAD_REQUEST|FORBIDDEN|policy|Error:/.test(l));
  return (line ?? error.output.trim().split('\n').pop() ?? '').replace(/^.*?Error: /, '');
}

/**
 * Submits the signed update to the orderer (`peer channel update` adds `admin`'s signature; work copy
 * in `dir`). @throws ConfigUpdateRejected with the orderer's reason when the policy is not met.
 */
export async function submitConfigUpdate(admin: ChannelAdmin, envelope: string, dir: string): Promise<void> {
  const own = path.join(dir, `submitted-${path.basename(envelope)}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(envelope, own);
  const { consortium } = admin;
  try {
    await admin.cli.peer(admin.org, {
      kind: 'channel update',
      file: own,
      channel: consortium.channel,
      orderer: ordererTarget(consortium, admin.layout),
    });
  } catch (error) {
    if (!(error instanceof FabricToolError)) throw error;
    throw new ConfigUpdateRejected(
      `the orderer rejected the config update ${path.basename(envelope)}: ${rejection(error)}\n` +
        `The channel's MAJORITY Admins policy needs ${requiredSignatures(consortium)} of the ${consortium.orgs.length} member organisations' admins. ` +
        'Nothing was changed; add signatures with member:sign and submit again.',
      { cause: error },
    );
  }
}
