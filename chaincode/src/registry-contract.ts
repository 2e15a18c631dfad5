import { createHash } from 'node:crypto';

import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson } from './codec';
import { chaincodeConfig } from './config';
import { hpfError } from './domain/errors';
import { validateCentreCode, validateMspId } from './domain/validators';
import { majorityOfPeersPolicy } from './endorsement';
import { emitEvent, readJson, REGISTRY_KEY, writeJson } from './ledger';
import {
  addedCentreKey,
  addedCentres,
  centreFromJson,
  checkRegistryUnique,
  checkSameProvince,
  findCentre,
  isOrganisation,
  loadRegistry,
  organisationsOf,
  registryFromJson,
  sortCentres,
  type CentreEntry,
  type Registry,
} from './model/registry';
import { LedgerContext, LedgerContract } from './batched-stub';

async function saveRegistry(ctx: Context, registry: Registry): Promise<void> {
  await writeJson(ctx, REGISTRY_KEY, registry);
  // A majority of the centres' peers must endorse any later change to the registry key.
  await ctx.stub.setStateValidationParameter(REGISTRY_KEY, majorityOfPeersPolicy(organisationsOf(registry)));
}

function isMember(registry: Registry, mspId: string): boolean {
  return mspId === registry.regulator.mspId || isOrganisation(registry, mspId);
}

function registryEvent(ctx: Context, centres: readonly CentreEntry[], replay: boolean): void {
  emitEvent(ctx, {
    type: 'registry.updated',
    id: 'registry',
    centres: centres.map((centre) => centre.code),
    replay: replay ? true : undefined,
  });
}

/** Every centre: the registry key's and those added to organisations since, sorted by code. */
async function allCentres(ctx: Context, registry: Registry): Promise<CentreEntry[]> {
  return sortCentres([...registry.centres, ...(await addedCentres(ctx))]);
}

/** The same entry again is a replay (true); other content under that code is a CONFLICT. */
function isReplay(existing: CentreEntry | undefined, centre: CentreEntry): boolean {
  if (existing === undefined) {
    return false;
  }
  if (canonicalJson(existing) !== canonicalJson(centre)) {
    throw hpfError('CONFLICT', `centre.code: ${centre.code} is registered with different content`);
  }
  return true;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The consortium's centres and regulator, with the withdrawal rules' parameters. Init runs once,
 * right after the chaincode definition is committed; after that the registry key carries a
 * key-level policy requiring a majority of the centres' peers.
 */
@Info({ title: 'registry', description: 'Centres, regulator and rule parameters of the consortium' })
export class RegistryContract extends LedgerContract {
  constructor() {
    super('registry');
  }

  /** Idempotent: the same content again returns the registry unchanged; other content is a CONFLICT. */
  @Transaction()
  @Returns('string')
  public async Init(ctx: LedgerContext, registryJson: string): Promise<string> {
    const registry = registryFromJson(parseJson(registryJson, 'registry'));
    const agreed = chaincodeConfig().agreedRegistrySha256;
    if (agreed !== undefined && sha256Hex(canonicalJson(registry)) !== agreed) {
      throw hpfError(
        'FORBIDDEN',
        "registry: the content differs from what this organisation agreed (its chaincode server's HPF_CC_AGREED_REGISTRY_SHA256, derived from the channel config)",
      );
    }
    if (!isMember(registry, ctx.clientIdentity.getMSPID())) {
      throw hpfError('FORBIDDEN', 'registry: the caller must be one of the listed organisations');
    }
    const stored = await readJson(ctx, REGISTRY_KEY, 'registry');
    if (stored !== undefined) {
      const existing = registryFromJson(stored);
      if (canonicalJson(existing) !== canonicalJson(registry)) {
        throw hpfError('CONFLICT', 'registry: already initialised with different content');
      }
      registryEvent(ctx, existing.centres, true);
      return canonicalJson(existing);
    }
    await saveRegistry(ctx, registry);
    registryEvent(ctx, registry.centres, false);
    return canonicalJson(registry);
  }

  /**
   * Adds an organisation that joined the channel, with its first centre. Any member may propose it;
   * it validates only when a majority of the existing organisations' peers endorse (the registry
   * key's policy). The policy is then reset for n+1 organisations. Further centres of an existing
   * organisation are added with {@link AddOrganisationCentre}.
   */
  @Transaction()
  @Returns('string')
  public async AddCentre(ctx: LedgerContext, centreJson: string): Promise<string> {
    const centre = centreFromJson(parseJson(centreJson, 'centre'), 'centre');
    const registry = await loadRegistry(ctx);
    if (!isMember(registry, ctx.clientIdentity.getMSPID())) {
      throw hpfError('FORBIDDEN', 'registry: the caller is not a member of the consortium');
    }
    if (isReplay(await findCentre(ctx, registry, centre.code), centre)) {
      registryEvent(ctx, registry.centres, true);
      return canonicalJson(registry);
    }
    if (centre.mspId === registry.regulator.mspId || isOrganisation(registry, centre.mspId)) {
      throw hpfError(
        'CONFLICT',
        `centre.mspId: ${centre.mspId} is already a member; add its centres with AddOrganisationCentre`,
      );
    }
    const updated: Registry = { ...registry, centres: sortCentres([...registry.centres, centre]) };
    checkRegistryUnique(updated);
    await saveRegistry(ctx, updated);
    registryEvent(ctx, updated.centres, false);
    return canonicalJson(updated);
  }

  /**
   * Adds a centre to the caller's own organisation: a key of its own, no channel config change. The
   * organisation's client submits it; the chaincode's policy (any 2 organisations' peers) makes it
   * need one independent endorser beside the organisation's own peer. Answers the centre.
   */
  @Transaction()
  @Returns('string')
  public async AddOrganisationCentre(ctx: LedgerContext, centreJson: string): Promise<string> {
    const centre = centreFromJson(parseJson(centreJson, 'centre'), 'centre');
    const registry = await loadRegistry(ctx);
    const caller = ctx.clientIdentity.getMSPID();
    if (caller !== centre.mspId) {
      throw hpfError('FORBIDDEN', `centre.mspId: ${caller} may add centres to its own organisation only`);
    }
    if (!isOrganisation(registry, centre.mspId)) {
      throw hpfError('FORBIDDEN', `centre.mspId: ${centre.mspId} is not a member organisation`);
    }
    if (isReplay(await findCentre(ctx, registry, centre.code), centre)) {
      registryEvent(ctx, [centre], true);
      return canonicalJson(centre);
    }
    checkSameProvince([...registry.centres, ...(await addedCentres(ctx))], centre, 'centre.code');
    await writeJson(ctx, addedCentreKey(ctx, centre.code), centre);
    registryEvent(ctx, [centre], false);
    return canonicalJson(centre);
  }

  /** The registry with every centre, those added to organisations since Init included. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: LedgerContext): Promise<string> {
    const registry = await loadRegistry(ctx);
    return canonicalJson({ ...registry, centres: await allCentres(ctx, registry) });
  }

  @Transaction(false)
  @Returns('string')
  public async GetCentre(ctx: LedgerContext, code: string): Promise<string> {
    validateCentreCode(code, 'code');
    const centre = await findCentre(ctx, await loadRegistry(ctx), code);
    if (centre === undefined) {
      throw hpfError('NOT_FOUND', `code: no centre ${code}`);
    }
    return canonicalJson(centre);
  }

  /** An organisation and its centres: `{mspId, centres}`; the regulator answers with `code: null`. */
  @Transaction(false)
  @Returns('string')
  public async GetCentreByMsp(ctx: LedgerContext, mspId: string): Promise<string> {
    validateMspId(mspId, 'mspId');
    const registry = await loadRegistry(ctx);
    if (mspId === registry.regulator.mspId) {
      return canonicalJson({ code: null, ...registry.regulator });
    }
    const centres = (await allCentres(ctx, registry)).filter((centre) => centre.mspId === mspId);
    if (centres.length === 0) {
      throw hpfError('NOT_FOUND', `mspId: no organisation ${mspId}`);
    }
    return canonicalJson({ mspId, centres });
  }
}
