import type { Request, Response } from 'express';
import { ApiError, invalidField } from '../../errors';
import type { AuditService } from '../../services/audit-service';
import type { AlertRow } from '../../services/ledger-index';
import type { TransactionInfo } from '../../fabric/ledger-client';
import { decodeAttestation, stepsOf, type Attestation } from '../../domain/records';
import { optionalObject, stringField, type JsonObject } from '../../services/json-record';
import { html, tableHtml, type SafeHtml, type Table } from '../html';
import { statusLabel, t, type Lang } from '../i18n';
import { attestationPath, blockLink, txLink, type ConsolePage, type ConsoleDeps } from '../page';
import { formField, param } from '../query';

/**
 * One attestation, read from the ledger (verification, each step's transaction), not the index: its
 * verdict, steps, alerts, the record itself, and a form to check a document's hash against it.
 */

interface AttestationQuery {
  readonly id: string;
  /** Given on POST …/verify: the document's SHA-256 to check. */
  readonly documentHash?: string;
}

type StepTx = ReturnType<typeof stepsOf>[number];

interface AttestationData {
  /** The record as the ledger answered it (shown as JSON), and decoded. */
  readonly record: JsonObject;
  readonly attestation: Attestation;
  readonly valid: boolean;
  /** Written in a centre's name without its organisation: not valid, and said so. */
  readonly forged: boolean;
  /** Undefined when no document was given. */
  readonly documentMatches?: boolean;
  readonly steps: readonly { readonly s: StepTx; readonly tx: TransactionInfo }[];
  readonly alerts: readonly AlertRow[];
}

async function load({ index, audit }: ConsoleDeps, q: AttestationQuery): Promise<AttestationData> {
  const verification = await audit.verify(
    q.documentHash === undefined
      ? { attestationId: q.id }
      : { attestationId: q.id, documentHash: q.documentHash },
  );
  if (verification.found !== true) throw new ApiError('NOT_FOUND', 'no attestation with this ID');
  const record = optionalObject(verification, 'record') ?? {};
  const attestation = decodeAttestation(stringField(verification, 'kind'), record);
  const stepTxs = stepsOf(attestation);
  return {
    record,
    attestation,
    valid: verification.valid === true,
    forged: verification.forged === true,
    ...(q.documentHash === undefined ? {} : { documentMatches: verification.documentMatches === true }),
    steps: await Promise.all(stepTxs.map(async (s) => ({ s, tx: await audit.transaction(s.txId) }))),
    alerts: index.alertsOf(q.id),
  };
}

function stepsTable(lang: Lang, d: AttestationData): Table {
  return {
    columns: [
      t(lang, 'step'),
      t(lang, 'status'),
      t(lang, 'txId'),
      t(lang, 'block'),
      t(lang, 'time'),
      t(lang, 'endorsers'),
      t(lang, 'validation'),
    ],
    rows: d.steps.map(({ s, tx }) => [
      s.step,
      statusLabel(s.status, s.platformCode),
      txLink(s.txId),
      blockLink(tx.blockNumber),
      tx.timestamp,
      tx.endorsingOrgs.join(' '),
      tx.validationCode,
    ]),
  };
}

function documentResult(lang: Lang, matches: boolean | undefined): SafeHtml | undefined {
  if (matches === undefined) return undefined;
  return matches
    ? html`<p id="document-result" class="ok">${t(lang, 'documentMatches')}</p>`
    : html`<p id="document-result" class="error">${t(lang, 'documentMismatch')}</p>`;
}

function view(lang: Lang, d: AttestationData, id: string): SafeHtml {
  const { record } = d.attestation;
  const status = statusLabel(record.status, 'platformCode' in record ? record.platformCode : undefined);
  const alerts = tableHtml(
    { columns: [t(lang, 'code'), t(lang, 'message')], rows: d.alerts.map((a) => [a.code, a.message]) },
    'alerts',
  );
  return html`<p class="note">${t(lang, 'verifiedFromLedger')}</p>
    <p id="verdict" class="${d.valid ? 'ok' : 'error'}">
      ${t(lang, 'verdict')}:
      ${d.valid ? t(lang, 'verdictValid') : t(lang, d.forged ? 'verdictForged' : 'verdictInvalid')}
    </p>
    <p>${t(lang, 'status')}: <strong id="status">${status}</strong></p>
    <h2>${t(lang, 'steps')}</h2>
    ${tableHtml(stepsTable(lang, d), 'steps')}
    ${
      d.alerts.length > 0 &&
      html`<h2>${t(lang, 'alerts')}</h2>
        ${alerts}`
    }
    <h2>${t(lang, 'documentHash')}</h2>
    <form method="post" action="${attestationPath(id)}/verify" class="document" id="document-form">
      <div class="drop" id="drop">${t(lang, 'documentHint')}</div>
      <input name="documentHash" id="document-hash" pattern="[0-9a-fA-F]{64}" maxlength="64" required />
      <button type="submit">${t(lang, 'verify')}</button>
    </form>
    ${documentResult(lang, d.documentMatches)}
    <p><a id="proof" download href="${attestationPath(id)}/proof.json">${t(lang, 'proof')}</a></p>
    <h2>${t(lang, 'record')}</h2>
    <pre id="record">${JSON.stringify(d.record, null, 2)}</pre>`;
}

const shared = {
  load,
  view: (lang: Lang, d: AttestationData, q: AttestationQuery) => ({ title: q.id, body: view(lang, d, q.id) }),
};

export const attestationPage: ConsolePage<AttestationQuery, AttestationData> = {
  path: '/console/attestations/:id',
  query: (req) => ({ id: param(req, 'id') }),
  ...shared,
};

/** The same page after a document's hash was posted: says whether it matches the ledger's. */
export const attestationVerifyPage: ConsolePage<AttestationQuery, AttestationData> = {
  method: 'post',
  path: '/console/attestations/:id/verify',
  query: (req) => {
    const hash = (formField(req, 'documentHash') ?? '').trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw invalidField('documentHash', 'must be 64 hexadecimal characters (SHA-256)');
    return { id: param(req, 'id'), documentHash: hash };
  },
  ...shared,
};

/** The attestation's proof as a JSON download (`/console/attestations/:id/proof.json`). */
export async function sendProof(audit: AuditService, req: Request, res: Response): Promise<void> {
  const proof = await audit.proof(param(req, 'id'));
  res
    .status(200)
    .setHeader(
      'Content-Disposition',
      `attachment; filename="proof-${proof.attestationId.replaceAll(':', '_')}.json"`,
    )
    .json(proof);
}
