import { createHash } from 'node:crypto';

import { common, msp } from '@hyperledger/fabric-protos';
import type { Context } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';

import { encodeJson, type Json } from './codec';
import { findCentre, loadRegistry } from './model/registry';
import { implicitCollection } from './private-texts';

/**
 * Key-level endorsement policies (state-based endorsement). Both use the PEER role, as
 * KeyEndorsementPolicy does, so only endorsing peers of the named orgs satisfy them. MSP IDs are
 * sorted first so that every endorser produces identical policy bytes.
 */

/** AND over the peers of every given org (used for a transfer: AND(source, destination)). */
export function allOfPeersPolicy(mspIds: readonly string[]): Uint8Array {
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('PEER', ...[...new Set(mspIds)].sort());
  return policy.getPolicy();
}

/** The majority of n orgs: ⌊n/2⌋+1. */
export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

/**
 * NOutOf(⌊n/2⌋+1) over the peers of the given orgs, for the registry. KeyEndorsementPolicy can only
 * express n-of-n, so the SignaturePolicyEnvelope is built here the same way fabric-shim builds its
 * own (lib/utils/statebased.js), with a different N.
 */
export function majorityOfPeersPolicy(mspIds: readonly string[]): Uint8Array {
  const sorted = [...new Set(mspIds)].sort();
  const principals = sorted.map((mspId) => {
    const role = new msp.MSPRole();
    role.setMspIdentifier(mspId);
    role.setRole(msp.MSPRole.MSPRoleType.PEER);
    const principal = new msp.MSPPrincipal();
    principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    principal.setPrincipal(role.serializeBinary());
    return principal;
  });
  const rules = sorted.map((_mspId, index) => {
    const signedBy = new common.SignaturePolicy();
    signedBy.setSignedBy(index);
    return signedBy;
  });
  const nOutOf = new common.SignaturePolicy.NOutOf();
  nOutOf.setN(majorityOf(sorted.length));
  nOutOf.setRulesList(rules);
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOutOf);
  const envelope = new common.SignaturePolicyEnvelope();
  envelope.setVersion(0);
  envelope.setIdentitiesList(principals);
  envelope.setRule(rule);
  return envelope.serializeBinary();
}

/**
 * Records in a centre's name (docs/decisions/0183-records-sealed-by-their-organisation.md). A record
 * counts only if the centre's organisation took part in writing it:
 * - the public key gets a key-level policy of the owners' peers at creation, so no later write,
 *   delete or policy change of it validates on any peer without them;
 * - the value is sealed: the same bytes go to each owner's implicit collection, a write every peer
 *   validates against that organisation's own Endorsement policy (its peer), whatever the chaincode
 *   policy. Every peer holds the seal's hash, so any peer can tell a sealed record from one that
 *   other organisations wrote in the owner's name without the seal (FORGED).
 */

/** The key of a record's seal in its owner's implicit collection. */
export function sealKey(key: string): string {
  return `seal~${key}`;
}

/** A key only the owners' peers may change or delete from now on (index entries). */
export async function ownKey(ctx: Context, key: string, owners: readonly string[]): Promise<void> {
  await ctx.stub.setStateValidationParameter(key, allOfPeersPolicy(owners));
}

/**
 * Writes a record in its owners' name: the value and the seals; on `create`, also the key-level
 * policy of the owners' peers. A later write leaves the policy as it is: rewriting it would make a
 * concurrent write of the key in the same block fail with ENDORSEMENT_POLICY_FAILURE instead of a
 * read conflict, which the gateway tries again.
 */
export async function writeOwned(
  ctx: Context,
  key: string,
  value: Json,
  owners: readonly string[],
  write: 'create' | 'update',
): Promise<void> {
  const bytes = encodeJson(value);
  await ctx.stub.putState(key, bytes);
  if (write === 'create') {
    await ownKey(ctx, key, owners);
  }
  for (const owner of [...new Set(owners)].sort()) {
    await ctx.stub.putPrivateData(implicitCollection(owner), sealKey(key), bytes);
  }
}

/**
 * Whether the public value at `key` is sealed by `owner`: the hash of its seal, which every peer
 * holds whether or not it is a member of the collection, is the SHA-256 of the public bytes.
 */
export async function sealedBy(ctx: Context, key: string, owner: string): Promise<boolean> {
  const bytes = await ctx.stub.getState(key);
  if (bytes.length === 0) {
    return false;
  }
  const seal = await ctx.stub.getPrivateDataHash(implicitCollection(owner), sealKey(key));
  return seal.length > 0 && Buffer.from(seal).equals(createHash('sha256').update(bytes).digest());
}

/** Whether the record at `key`, in the name of centre `code`, is sealed by the centre's organisation. */
export async function sealedByCentre(ctx: Context, key: string, code: string): Promise<boolean> {
  const centre = await findCentre(ctx, await loadRegistry(ctx), code);
  return centre !== undefined && (await sealedBy(ctx, key, centre.mspId));
}
