import { common, msp } from '@hyperledger/fabric-protos';
import { KeyEndorsementPolicy } from 'fabric-shim';

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
