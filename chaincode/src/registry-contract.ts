import { createHash } from 'node:crypto';

import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson } from './codec';
import { chaincodeConfig } from './config';
import { hpfError } from './domain/errors';
import { validateCentreCode, validateMspId } from './domain/validators';
import { majorityOfPeersPolicy } from './endorsement';
import { emitEvent, readJson, REGISTRY_KEY, writeJson } from './ledger';
import {
  centreFromJson,
  checkRegistryUnique,
  findCentreByCode,
  findCentreByMsp,
  loadRegistry,
  registryFromJson,
  sortCentres,
  type Registry,
} from './model/registry';

async function saveRegistry(ctx: Context, registry: Registry): Promise<void> {
  await writeJson(ctx, REGISTRY_KEY, registry);
  // A majority of the centres' peers must endorse any later change to the registry key.
  await ctx.stub.setStateValidationParameter(
    REGISTRY_KEY,
    majorityOfPeersPolicy(registry.centres.map((centre) => centre.mspId)),
  );
}

function isMember(registry: Registry, mspId: string): boolean {
  return mspId === registry.regulator.mspId || findCentreByMsp(registry, mspId) !== undefined;
}

function registryEvent(ctx: Context, registry: Registry, replay: boolean): void {
  emitEvent(ctx, {
    type: 'registry.updated',
    id: 'registry',
    centres: registry.centres.map((centre) => centre.code),
    replay: replay ? true : undefined,
  });
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
export class RegistryContract extends Contract {
  constructor() {
    super('registry');
  }

  /** Idempotent: the same content again returns the registry unchanged; other content is a CONFLICT. */
  @Transaction()
  @Returns('string')
  public async Init(ctx: Context, registryJson: string): Promise<string> {
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
      registryEvent(ctx, existing, true);
      return canonicalJson(existing);
    }
    await saveRegistry(ctx, registry);
    registryEvent(ctx, registry, false);
    return canonicalJson(registry);
  }

  /**
   * Adds a centre. Any member may propose it; it validates only when a majority of the existing
   * centres' peers endorse (the registry key's policy). The policy is then reset for n+1 centres.
   */
  @Transaction()
  @Returns('string')
  public async AddCentre(ctx: Context, centreJson: string): Promise<string> {
    const centre = centreFromJson(parseJson(centreJson, 'centre'), 'centre');
    const registry = await loadRegistry(ctx);
    if (!isMember(registry, ctx.clientIdentity.getMSPID())) {
      throw hpfError('FORBIDDEN', 'registry: the caller is not a member of the consortium');
    }
    const existing = findCentreByCode(registry, centre.code);
    if (existing !== undefined) {
      if (canonicalJson(existing) !== canonicalJson(centre)) {
        throw hpfError('CONFLICT', `centre.code: ${centre.code} is registered with different content`);
      }
      registryEvent(ctx, registry, true);
      return canonicalJson(registry);
    }
    const updated: Registry = { ...registry, centres: sortCentres([...registry.centres, centre]) };
    try {
      checkRegistryUnique(updated);
    } catch {
      throw hpfError('CONFLICT', 'centre.mspId: already used by another organisation');
    }
    await saveRegistry(ctx, updated);
    registryEvent(ctx, updated, false);
    return canonicalJson(updated);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: Context): Promise<string> {
    return canonicalJson(await loadRegistry(ctx));
  }

  @Transaction(false)
  @Returns('string')
  public async GetCentre(ctx: Context, code: string): Promise<string> {
    validateCentreCode(code, 'code');
    const centre = findCentreByCode(await loadRegistry(ctx), code);
    if (centre === undefined) {
      throw hpfError('NOT_FOUND', `code: no centre ${code}`);
    }
    return canonicalJson(centre);
  }

  /** The regulator answers with `code: null`. */
  @Transaction(false)
  @Returns('string')
  public async GetCentreByMsp(ctx: Context, mspId: string): Promise<string> {
    validateMspId(mspId, 'mspId');
    const registry = await loadRegistry(ctx);
    if (mspId === registry.regulator.mspId) {
      return canonicalJson({ code: null, ...registry.regulator });
    }
    const centre = findCentreByMsp(registry, mspId);
    if (centre === undefined) {
      throw hpfError('NOT_FOUND', `mspId: no organisation ${mspId}`);
    }
    return canonicalJson(centre);
  }
}
