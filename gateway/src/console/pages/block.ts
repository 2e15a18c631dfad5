import { ApiError, invalidField } from '../../errors';
import type { BlockInfo } from '../../fabric/ledger-client';
import { html, tableHtml } from '../html';
import { t } from '../i18n';
import { txLink, type ConsolePage } from '../page';
import { param } from '../query';

/** One block, read from the ledger (qscc): its hashes and its transactions. */

export const blockPage: ConsolePage<{ readonly number: bigint }, BlockInfo> = {
  path: '/console/blocks/:number',
  query: (req) => {
    if (!/^\d{1,19}$/.test(param(req, 'number'))) throw invalidField('number', 'must be a block number');
    return { number: BigInt(param(req, 'number')) };
  },
  load: async ({ audit }, { number }) => {
    const { height } = await audit.chainInfo();
    if (number >= height)
      throw new ApiError('NOT_FOUND', `no block ${number.toString()}: the ledger has ${height.toString()}`);
    return audit.block(number);
  },
  view: (lang, block) => ({
    title: `${t(lang, 'block')} ${block.number}`,
    body: html`<p class="note">${t(lang, 'verifiedFromLedger')}</p>
      <p>
        ${t(lang, 'dataHash')}: <code>${block.dataHash}</code><br />${t(lang, 'previousHash')}:
        <code>${block.previousHash}</code>
      </p>
      ${tableHtml(
        {
          columns: [
            t(lang, 'txId'),
            t(lang, 'time'),
            t(lang, 'creator'),
            t(lang, 'endorsers'),
            t(lang, 'chaincode'),
            t(lang, 'validation'),
          ],
          rows: block.transactions.map((tx) => [
            tx.txId === '' ? '' : txLink(tx.txId),
            tx.timestamp,
            tx.creatorMspId,
            tx.endorsingOrgs.join(' '),
            tx.chaincode,
            tx.validationCode,
          ]),
        },
        'transactions',
      )}`,
  }),
};
