import { invalidField } from '../../errors';
import type { TransactionInfo } from '../../fabric/ledger-client';
import type { NamespaceKeys } from '../../fabric/ledger-client';
import { html, tableHtml } from '../html';
import { t } from '../i18n';
import { blockLink, type ConsolePage } from '../page';
import { param } from '../query';

/** One transaction, read from the ledger (qscc): where and by whom, and the keys it read and wrote. */

interface TransactionData {
  readonly tx: TransactionInfo;
  readonly keys: readonly NamespaceKeys[];
}

export const transactionPage: ConsolePage<{ readonly txId: string }, TransactionData> = {
  path: '/console/transactions/:txId',
  query: (req) => {
    if (!/^[0-9a-f]{64}$/.test(param(req, 'txId')))
      throw invalidField('txId', 'must be 64 lowercase hexadecimal characters');
    return { txId: param(req, 'txId') };
  },
  load: async ({ audit }, { txId }) => {
    const [tx, keys] = await Promise.all([audit.transaction(txId), audit.transactionKeys(txId)]);
    return { tx, keys };
  },
  view: (lang, { tx, keys }) => ({
    title: `${t(lang, 'txId')} ${tx.txId}`,
    body: html`<p class="note">${t(lang, 'verifiedFromLedger')}</p>
      ${tableHtml(
        {
          columns: [
            t(lang, 'block'),
            t(lang, 'time'),
            t(lang, 'creator'),
            t(lang, 'endorsers'),
            t(lang, 'chaincode'),
            t(lang, 'validation'),
          ],
          rows: [
            [
              blockLink(tx.blockNumber),
              tx.timestamp,
              tx.creatorMspId,
              tx.endorsingOrgs.join(' '),
              tx.chaincode,
              tx.validationCode,
            ],
          ],
        },
        'transaction',
      )}
      ${tableHtml(
        {
          columns: [t(lang, 'namespace'), t(lang, 'reads'), t(lang, 'writes')],
          rows: keys.map((k) => [k.namespace, k.reads.join('\n'), k.writes.join('\n')]),
        },
        'keys',
      )}`,
  }),
};
