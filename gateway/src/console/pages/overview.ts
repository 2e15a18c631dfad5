import { ApiError } from '../../errors';
import type { Overview } from '../../services/ledger-index';
import { csvLink, html, tableHtml, type SafeHtml, type Table } from '../html';
import { centreLabel, reasonLabel, statusLabel, t, type Lang } from '../i18n';
import type { ConsolePage } from '../page';
import { param } from '../query';

/** The overview: ledger height, counts per centre and status, flows, months, overdue transfers. */

interface OverviewData {
  readonly height: bigint;
  readonly lastBlockTime: string;
  readonly overview: Overview;
  readonly indexPosition: string | null;
  readonly overdueWorkingDays: number;
}

function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The overview's tables by name (each is also a CSV at /console/overview/<name>.csv). */
function overviewTables(lang: Lang, o: Overview): Record<string, Table> {
  return {
    'per-centre': {
      columns: [t(lang, 'centre'), t(lang, 'withdrawals'), t(lang, 'transfersOut'), t(lang, 'transfersIn')],
      rows: o.perCentre.map((r) => [centreLabel(r.centre), r.withdrawals, r.transfersOut, r.transfersIn]),
    },
    'transfers-by-status': {
      columns: [t(lang, 'status'), t(lang, 'count')],
      rows: o.transfersByStatus.map((r) => [statusLabel(r.status, r.platformCode), r.count]),
    },
    flows: {
      columns: [t(lang, 'from'), t(lang, 'to'), t(lang, 'count')],
      rows: o.flows.map((r) => [centreLabel(r.fromCentre), centreLabel(r.toCentre), r.count]),
    },
    'withdrawals-by-month': {
      columns: [t(lang, 'month'), t(lang, 'reason'), t(lang, 'count')],
      rows: o.withdrawalsByMonth.map((r) => [r.month, reasonLabel(r.reason), r.count]),
    },
    overdue: {
      columns: [t(lang, 'centre'), t(lang, 'count')],
      rows: o.overdue.map((r) => [centreLabel(r.centre), r.count]),
    },
    totals: {
      columns: [t(lang, 'attestations'), t(lang, 'openAlerts')],
      rows: [[o.attestations, o.openAlerts]],
    },
  };
}

function section(
  lang: Lang,
  tables: Record<string, Table>,
  key: string,
  title: string,
  chart?: string,
): SafeHtml {
  const table = tables[key] ?? { columns: [], rows: [] };
  return html`<section>
    <h2>${title}</h2>
    ${chart !== undefined && html`<div class="chart" data-chart="${chart}" data-table="${JSON.stringify(table)}"></div>`}${tableHtml(table, key)}
    ${csvLink(lang, `/console/overview/${key}.csv`, new URLSearchParams())}
  </section>`;
}

function view(lang: Lang, d: OverviewData): SafeHtml {
  const o = d.overview;
  const tables = overviewTables(lang, o);
  return html`<section class="figures">
      <div><span>${t(lang, 'ledgerHeight')}</span><strong id="ledger-height">${d.height}</strong></div>
      <div>
        <span>${t(lang, 'lastBlockTime')}</span><strong id="last-block-time">${d.lastBlockTime}</strong>
      </div>
      <div>
        <span>${t(lang, 'attestations')}</span><strong id="attestation-count">${o.attestations}</strong>
      </div>
      <div>
        <span>${t(lang, 'openAlerts')}</span
        ><strong id="open-alerts"><a href="/console/alerts">${o.openAlerts}</a></strong>
      </div>
      <div><span>${t(lang, 'indexPosition')}</span><strong>${d.indexPosition ?? '—'}</strong></div>
    </section>
    ${section(lang, tables, 'per-centre', t(lang, 'perCentre'))}
    ${section(lang, tables, 'transfers-by-status', t(lang, 'byStatus'))}
    ${section(lang, tables, 'flows', t(lang, 'flows'), 'flows')}
    ${section(lang, tables, 'withdrawals-by-month', t(lang, 'byMonth'), 'months')}
    ${section(lang, tables, 'overdue', `${t(lang, 'overdue')}: ${d.overdueWorkingDays}`)}`;
}

export const overviewPage: ConsolePage<{ readonly table: string }, OverviewData> = {
  path: '/console/overview',
  query: (req) => ({ table: param(req, 'table') }),
  load: async ({ index, audit, overdueWorkingDays }) => {
    const { height } = await audit.chainInfo();
    const last = height > 0n ? await audit.block(height - 1n) : undefined;
    return {
      height,
      lastBlockTime: last?.transactions[0]?.timestamp ?? '',
      overview: index.overview(todayInChina(), overdueWorkingDays),
      indexPosition: index.position(),
      overdueWorkingDays,
    };
  },
  view: (lang, data) => ({
    title: t(lang, 'overview'),
    body: view(lang, data),
    scripts: ['/console/assets/echarts.min.js'],
  }),
  csv: {
    path: '/console/overview/:table.csv',
    query: (req) => ({ table: param(req, 'table') }),
    load: ({ index, overdueWorkingDays }, { table }, lang) => {
      const found = overviewTables(lang, index.overview(todayInChina(), overdueWorkingDays))[table];
      if (found === undefined) throw new ApiError('NOT_FOUND', 'no such table');
      return { name: table, table: found };
    },
  },
};
