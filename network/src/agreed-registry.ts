import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../../chaincode/src/domain';
import type { Consortium } from './definition';
import type { FabricCli } from './fabric-cli';
import type { Layout } from './layout';
import { agreedRegistryStateSchema, parseState, readState } from './state-store';

/**
 * The registry's first content is what the members agreed, not what whichever member calls
 * `registry:Init` first sends. Every host derives it itself from the channel's genesis config (the
 * member organisations, by MSP ID) and the shared definition (their codes, names and the rules), and
 * gives its chaincode server the digest (`HPF_CC_AGREED_REGISTRY_SHA256`): its peer endorses Init only
 * with exactly that content. Any member can recompute it from its own copy of the genesis block.
 */

export interface AgreedRegistry {
  readonly content: {
    readonly regulator: { readonly mspId: string; readonly name: string };
    readonly centres: readonly { readonly code: string; readonly mspId: string; readonly name: string }[];
    readonly rules: Consortium['rules'];
  };
  readonly sha256: string;
  /** The MSP IDs of the genesis config's Application group, sorted. */
  readonly channelMembers: readonly string[];
}

const blockSchema = z.object({
  data: z.object({
    data: z
      .array(
        z.object({
          payload: z.object({
            data: z.object({
              config: z.object({
                channel_group: z.object({
                  groups: z.object({ Application: z.object({ groups: z.record(z.string(), z.unknown()) }) }),
                }),
              }),
            }),
          }),
        }),
      )
      .min(1),
  }),
});

function agreedFile(layout: Layout): string {
  return layout.agreedRegistry;
}

/** The member MSP IDs of a genesis block, decoded by configtxlator. */
async function channelMembers(cli: FabricCli, block: string, workDir: string): Promise<string[]> {
  mkdirSync(workDir, { recursive: true });
  const output = path.join(workDir, 'genesis.block.json');
  await cli.configtxlator({ kind: 'proto_decode', input: block, type: 'common.Block', output });
  const parsed = parseState(output, readFileSync(output, 'utf8'), blockSchema);
  const groups = parsed.data.data[0]?.payload.data.config.channel_group.groups.Application.groups ?? {};
  return Object.keys(groups).sort();
}

/**
 * Derives the agreed registry from the genesis block in `layout` and the definition: the centres and
 * the regulator the genesis config names. @throws naming the MSP ID when the two disagree.
 */
export async function deriveAgreedRegistry(
  consortium: Consortium,
  layout: Layout,
  cli: FabricCli,
): Promise<AgreedRegistry> {
  const members = await channelMembers(cli, layout.genesisBlock, layout.chaincodeDir);
  const known = new Set(consortium.orgs.map((o) => o.mspId));
  const unknown = members.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new Error(`the genesis config names ${unknown.join(', ')}, which the definition does not have`);
  }
  if (!members.includes(consortium.regulator.mspId)) {
    throw new Error(`the genesis config does not name the regulator ${consortium.regulator.mspId}`);
  }
  const content = {
    regulator: { mspId: consortium.regulator.mspId, name: consortium.regulator.name },
    centres: consortium.centres
      .filter((c) => members.includes(c.mspId))
      .map((c) => ({ code: c.code ?? '', mspId: c.mspId, name: c.name }))
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
    rules: consortium.rules,
  };
  const sha256 = createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
  return { content, sha256, channelMembers: members };
}

/** Derives the agreed registry once per data dir and records it (the chaincode server's spec reads it). */
export async function ensureAgreedRegistry(
  consortium: Consortium,
  layout: Layout,
  cli: FabricCli,
): Promise<AgreedRegistry> {
  const agreed = await deriveAgreedRegistry(consortium, layout, cli);
  mkdirSync(path.dirname(agreedFile(layout)), { recursive: true });
  writeFileSync(agreedFile(layout), JSON.stringify(agreed, null, 2) + '\n');
  return agreed;
}

/** The recorded digest, or undefined before {@link ensureAgreedRegistry} ran in this data dir. */
export function agreedRegistrySha256(layout: Layout): string | undefined {
  return readState(agreedFile(layout), agreedRegistryStateSchema)?.sha256;
}
