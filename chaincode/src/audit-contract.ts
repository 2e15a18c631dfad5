import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson, type Json } from './codec';
import { invalid } from './domain/errors';
import { readObject, readOptionalString, readString } from './domain/json-fields';
import { validateSha256Hex, validateSubjectRef } from './domain/validators';
import { INDEX, readIndex, readJson, transferKey, withdrawalKey } from './ledger';
import { transferFromJson, type TransferRecord } from './model/transfer';
import { withdrawalFromJson, type WithdrawalRecord } from './model/withdrawal';

type Attestation = {
  readonly kind: 'transfer' | 'withdrawal';
  readonly id: string;
  readonly centres: readonly string[];
  readonly status: string;
  readonly at: string;
  readonly txId: string;
};

/** The attestation's creation: `at` and `txId` of the request / recording transaction. */
function transferAttestation(record: TransferRecord): Attestation {
  return {
    kind: 'transfer',
    id: record.transferId,
    centres: [record.fromCentre, record.toCentre].sort(),
    status: record.status,
    at: record.createdAt,
    txId: record.history[0]?.txId ?? '',
  };
}

function withdrawalAttestation(record: WithdrawalRecord): Attestation {
  return {
    kind: 'withdrawal',
    id: record.withdrawalId,
    centres: [record.centre],
    status: record.status,
    at: record.recordedAt,
    txId: record.txId,
  };
}

async function loadAttestation(
  ctx: Context,
  kind: string | undefined,
  id: string,
): Promise<Attestation | undefined> {
  if (kind === 'transfer') {
    const stored = await readJson(ctx, transferKey(id), 'transfer');
    return stored === undefined ? undefined : transferAttestation(transferFromJson(stored));
  }
  if (kind === 'withdrawal') {
    const stored = await readJson(ctx, withdrawalKey(id), 'withdrawal');
    return stored === undefined ? undefined : withdrawalAttestation(withdrawalFromJson(stored));
  }
  return undefined;
}

function byTime(a: Attestation, b: Attestation): number {
  if (a.at !== b.at) {
    return a.at < b.at ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

type Verification = {
  readonly found: boolean;
  readonly kind: 'transfer' | 'withdrawal' | null;
  readonly record: Json;
  readonly documentMatches?: boolean;
};

function verifyRequestFromJson(value: unknown): { id: string; documentHash?: string } {
  const object = readObject(value, 'verify', ['attestationId', 'documentHash']);
  const id = readString(object, 'attestationId');
  if (!/^[A-Za-z0-9-]{1,40}$/.test(id)) {
    throw invalid('attestationId', 'must be a transfer ID or a withdrawal ID');
  }
  const hash = readOptionalString(object, 'documentHash');
  return { id, documentHash: hash === undefined ? undefined : validateSha256Hex(hash, 'documentHash') };
}

function verification(
  kind: 'transfer' | 'withdrawal',
  record: Json,
  documentHash: string | undefined,
  hashes: readonly string[],
): Verification {
  return {
    found: true,
    kind,
    record,
    documentMatches: documentHash === undefined ? undefined : hashes.includes(documentHash),
  };
}

/**
 * Read-only views for auditors: a subject's timeline across centres, and verification of a record
 * against a document hash.
 */
@Info({ title: 'audit', description: 'Subject timeline and verification' })
export class AuditContract extends Contract {
  constructor() {
    super('audit');
  }

  /** Every attestation about a subject, oldest first (one range query, then one read each). */
  @Transaction(false)
  @Returns('string')
  public async Timeline(ctx: Context, subjectRef: string): Promise<string> {
    validateSubjectRef(subjectRef);
    const entries = await readIndex(ctx, INDEX.subject, [subjectRef]);
    const attestations: Attestation[] = [];
    for (const entry of entries) {
      const attestation = await loadAttestation(ctx, entry.attributes[1], entry.attributes[2] ?? '');
      if (attestation !== undefined) {
        attestations.push(attestation);
      }
    }
    return canonicalJson({ subjectRef, attestations: attestations.sort(byTime) });
  }

  /**
   * Looks the ID up as a transfer, then as a withdrawal. With a documentHash it says whether the
   * record refers to it: a withdrawal's evidence hashes, or a transfer's personHash.
   */
  @Transaction(false)
  @Returns('string')
  public async Verify(ctx: Context, requestJson: string): Promise<string> {
    const { id, documentHash } = verifyRequestFromJson(parseJson(requestJson, 'verify'));
    const transfer = await readJson(ctx, transferKey(id), 'transfer');
    if (transfer !== undefined) {
      const record = transferFromJson(transfer);
      return canonicalJson(verification('transfer', record, documentHash, [record.personHash]));
    }
    const withdrawal = await readJson(ctx, withdrawalKey(id), 'withdrawal');
    if (withdrawal !== undefined) {
      const record = withdrawalFromJson(withdrawal);
      const hashes = record.evidence.map((evidence) => evidence.hash);
      return canonicalJson(verification('withdrawal', record, documentHash, hashes));
    }
    const notFound: Verification = { found: false, kind: null, record: null };
    return canonicalJson(notFound);
  }
}
