import { invalidField } from '../../errors';
import type { Found } from '../../services/ledger-index';
import { html, tableHtml } from '../html';
import { t } from '../i18n';
import { attestationLink, attestationPath, type ConsolePage } from '../page';
import { one } from '../query';

/**
 * The search box: goes to the page of what the index found (an attestation ID, a bare transfer or
 * withdrawal ID, a txId, an evidence hash of one attestation), else a block number; or lists the
 * attestations citing an evidence hash (empty: nothing found, 404).
 */

function searchTarget(q: string, found: Found): string | readonly string[] {
  switch (found.kind) {
    case 'attestation':
      return attestationPath(found.id);
    case 'transaction':
      return `/console/transactions/${found.txId}`;
    case 'evidence':
      return found.attestationIds.length === 1
        ? attestationPath(found.attestationIds[0] ?? '')
        : found.attestationIds;
    case 'none':
      // A transfer ID is all digits too: an attestation the index knows comes before a block number.
      return /^\d{1,19}$/.test(q) ? `/console/blocks/${BigInt(q).toString()}` : [];
  }
}

export const searchPage: ConsolePage<{ readonly q: string }, string | readonly string[]> = {
  path: '/console/search',
  query: (req) => {
    const q = (one(req, 'q') ?? '').trim();
    if (q === '') throw invalidField('q', 'must not be empty');
    return { q };
  },
  load: ({ index }, { q }) => searchTarget(q, index.find(/^[0-9A-Fa-f]{64}$/.test(q) ? q.toLowerCase() : q)),
  view: (lang, target) =>
    typeof target === 'string'
      ? { redirect: target }
      : {
          title: t(lang, 'results'),
          body:
            target.length === 0
              ? html`<p id="not-found">${t(lang, 'notFound')}</p>`
              : tableHtml(
                  { columns: [t(lang, 'id')], rows: target.map((id) => [attestationLink(id)]) },
                  'results',
                ),
          status: target.length === 0 ? 404 : 200,
        },
};
