import { Context, Info, Returns, Transaction } from 'fabric-contract-api';

import { canonicalJson, parseJson, type Json } from './codec';
import {
  attestationIdOf,
  parseAttestationId,
  transferAttestationId,
  withdrawalAttestationId,
  type AttestationRef,
} from './domain/attestation-id';
import { readObject, readOptionalString, readString } from './domain/json-fields';
import { validateSha256Hex, validateSubjectRef } from './domain/validators';
import { sealedByCentre } from './endorsement';
import { INDEX, readIndex, readJson, transferKey, withdrawalKey } from './ledger';
import { banFromJson, banKey, type BanRecord } from './model/ban';
import { transferFromJson, type TransferRecord } from './model/transfer';
import { withdrawalFromJson, type WithdrawalRecord } from './model/withdrawal';
import { LedgerContext, LedgerContract } from './batched-stub';

type Attestation = {
  readonly kind: 'transfer' | 'withdrawal' | 'ban';
  readonly id: string;
  readonly attestationId: string;
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
    attestationId: transferAttestationId(record.transferId),
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
    attestationId: withdrawalAttestationId(record.centre, record.withdrawalId),
    centres: [record.centre],
    status: record.status,
    at: record.recordedAt,
    txId: record.txId,
  };
}

function banAttestation(record: BanRecord): Attestation {
  return {
    kind: 'ban',
    id: record.banId,
    attestationId: record.attestationId,
    centres: [record.centre],
    status: record.status,
    at: record.recordedAt,
    txId: record.txId,
  };
}

/** A subject index entry ['ban', centre, banId]: the ban record, or undefined. */
async function loadBanEntry(ctx: Context, attributes: readonly string[]): Promise<Attestation | undefined> {
  const [, kind, centre = '', banId = ''] = attributes;
  if (kind !== 'ban') {
    return undefined;
  }
  const stored = await readJson(ctx, banKey(ctx, centre, banId), 'ban');
  return stored === undefined ? undefined : banAttestation(banFromJson(stored));
}

type Loaded =
  | { readonly kind: 'transfer'; readonly record: TransferRecord }
  | { readonly kind: 'withdrawal'; readonly record: WithdrawalRecord };

/** One read: the record a typed reference names, under its own key (no guessing between kinds). */
async function loadRecord(ctx: Context, ref: AttestationRef): Promise<Loaded | undefined> {
  if (ref.kind === 'transfer') {
    const stored = await readJson(ctx, transferKey(ref.transferId), 'transfer');
    return stored === undefined ? undefined : { kind: 'transfer', record: transferFromJson(stored) };
  }
  const stored = await readJson(ctx, withdrawalKey(ctx, ref.centre, ref.withdrawalId), 'withdrawal');
  return stored === undefined ? undefined : { kind: 'withdrawal', record: withdrawalFromJson(stored) };
}

/** A subject index entry's attributes after the subjectRef: ['transfer', id] or ['withdrawal', centre, id]. */
function refOfSubjectEntry(attributes: readonly string[]): AttestationRef | undefined {
  const [, kind, first = '', second = ''] = attributes;
  if (kind === 'transfer') {
    return { kind: 'transfer', transferId: first };
  }
  if (kind === 'withdrawal') {
    return { kind: 'withdrawal', centre: first, withdrawalId: second };
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
  readonly attestationId: string;
  readonly kind: 'transfer' | 'withdrawal' | null;
  readonly record: Json;
  readonly documentMatches?: boolean;
  /**
   * Withdrawals: true when the record is in a centre's name but its organisation did not seal it
   * (written by others: docs/decisions/0183-records-sealed-by-their-organisation.md).
   */
  readonly forged?: boolean;
};

function verifyRequestFromJson(value: unknown): { ref: AttestationRef; documentHash?: string } {
  const object = readObject(value, 'verify', ['attestationId', 'documentHash']);
  const ref = parseAttestationId(readString(object, 'attestationId'));
  const hash = readOptionalString(object, 'documentHash');
  return { ref, documentHash: hash === undefined ? undefined : validateSha256Hex(hash, 'documentHash') };
}

function verification(
  kind: 'transfer' | 'withdrawal',
  record: TransferRecord | WithdrawalRecord,
  documentHash: string | undefined,
  hashes: readonly string[],
): Verification {
  return {
    found: true,
    attestationId: record.attestationId,
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
export class AuditContract extends LedgerContract {
  constructor() {
    super('audit');
  }

  /** Every attestation (and fraud ban) about a subject, oldest first (one range query, then one read each). */
  @Transaction(false)
  @Returns('string')
  public async Timeline(ctx: LedgerContext, subjectRef: string): Promise<string> {
    validateSubjectRef(subjectRef);
    const entries = await readIndex(ctx, INDEX.subject, [subjectRef]);
    const attestations: Attestation[] = [];
    for (const entry of entries) {
      const ban = await loadBanEntry(ctx, entry.attributes);
      if (ban !== undefined) {
        attestations.push(ban);
        continue;
      }
      const ref = refOfSubjectEntry(entry.attributes);
      const loaded = ref === undefined ? undefined : await loadRecord(ctx, ref);
      if (loaded !== undefined) {
        attestations.push(
          loaded.kind === 'transfer'
            ? transferAttestation(loaded.record)
            : withdrawalAttestation(loaded.record),
        );
      }
    }
    return canonicalJson({ subjectRef, attestations: attestations.sort(byTime) });
  }

  /**
   * Looks up the typed attestation ID (`transfer:<id>` or `withdrawal:<centre>:<id>`; a bare ID is
   * VALIDATION_FAILED). With a documentHash it says whether the record refers to it: a withdrawal's
   * evidence hashes, or a transfer's personHash.
   */
  @Transaction(false)
  @Returns('string')
  public async Verify(ctx: LedgerContext, requestJson: string): Promise<string> {
    const { ref, documentHash } = verifyRequestFromJson(parseJson(requestJson, 'verify'));
    const loaded = await loadRecord(ctx, ref);
    if (loaded === undefined) {
      const notFound: Verification = {
        found: false,
        kind: null,
        record: null,
        attestationId: attestationIdOf(ref),
      };
      return canonicalJson(notFound);
    }
    if (loaded.kind === 'transfer') {
      const record = loaded.record;
      return canonicalJson(verification('transfer', record, documentHash, [record.personHash]));
    }
    const record = loaded.record;
    const hashes = record.evidence.map((evidence) => evidence.hash);
    const sealed = await sealedByCentre(
      ctx,
      withdrawalKey(ctx, record.centre, record.withdrawalId),
      record.centre,
    );
    return canonicalJson({
      ...verification('withdrawal', record, documentHash, hashes),
      forged: !sealed,
    });
  }
}
