import { ApiError } from '../../errors';
import type { Overview } from '../../services/ledger-index';
import { csvLink, html, tableHtml, type SafeHtml, type Table } from '../html';
import { centreLabel, provinceCodeOf, provinceLabel, reasonLabel, statusLabel, t, type Lang } from '../i18n';
import type { ConsolePage } from '../page';
import { param, provinceParam } from '../query';

/**
 * The overview: ledger height, counts per province and per centre, flows, months, overdue transfers.
 * Flows are between provinces; `?province=440000` drills down to the flows of that province's
 * centres (and its centres alone in the per-centre table).
 */

type Counts = { withdrawals: number; transfersOut: number; transfersIn: number };

/** Per-centre counts summed per province, in code order. */
function perProvince(o: Overview): (Counts & { province: string })[] {
  const sums = new Map<string, Counts & { province: string }>();
  for (const r of o.perCentre) {
    const province = provinceCodeOf(r.centre);
    const sum = sums.get(province) ?? { province, withdrawals: 0, transfersOut: 0, transfersIn: 0 };
    sum.withdrawals += r.withdrawals;
    sum.transfersOut += r.transfersOut;
    sum.transfersIn += r.transfersIn;
    sums.set(province, sum);
  }
  return [...sums.values()].sort((x, y) => x.province.localeCompare(y.province));
}

/** Flows summed per pair of provinces (a flow inside one province is kept, from and to the same). */
function provinceFlows(o: Overview): { from: string; to: string; count: number }[] {
  const sums = new Map<string, { from: string; to: string; count: number }>();
  for (const f of o.flows) {
    const from = provinceCodeOf(f.fromCentre);
    const to = provinceCodeOf(f.toCentre);
    const key = `${from}>${to}`;
    const sum = sums.get(key) ?? { from, to, count: 0 };
    sum.count += f.count;
    sums.set(key, sum);
  }
  return [...sums.values()].sort((x, y) => `${x.from}${x.to}`.localeCompare(`${y.from}${y.to}`));
}

const inProvince = (province: string | undefined, code: string): boolean =>
  province === undefined || provinceCodeOf(code) === province;

interface OverviewData {
  readonly height: bigint;
  readonly lastBlockTime: string;
  readonly overview: Overview;
  readonly indexPosition: string | null;
  readonly overdueWorkingDays: number;
  readonly province: string | undefined;
}

function todayInChina(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The overview's tables by name (each is also a CSV at /console/overview/<name>.csv). */
function overviewTables(lang: Lang, o: Overview, province?: string): Record<string, Table> {
  return {
    'per-province': {
      columns: [t(lang, 'province'), t(lang, 'withdrawals'), t(lang, 'transfersOut'), t(lang, 'transfersIn')],
      rows: perProvince(o).map((r) => [
        { text: provinceLabel(r.province), href: `/console/overview?province=${r.province}` },
        r.withdrawals,
        r.transfersOut,
        r.transfersIn,
      ]),
    },
    'per-centre': {
      columns: [t(lang, 'centre'), t(lang, 'withdrawals'), t(lang, 'transfersOut'), t(lang, 'transfersIn')],
      rows: o.perCentre
        .filter((r) => inProvince(province, r.centre))
        .map((r) => [centreLabel(r.centre), r.withdrawals, r.transfersOut, r.transfersIn]),
    },
    'transfers-by-status': {
      columns: [t(lang, 'status'), t(lang, 'count')],
      rows: o.transfersByStatus.map((r) => [statusLabel(r.status, r.platformCode), r.count]),
    },
    // Between provinces; drilled down to one province, between centres with one side in it.
    flows: {
      columns: [t(lang, 'from'), t(lang, 'to'), t(lang, 'count')],
      rows:
        province === undefined
          ? provinceFlows(o).map((r) => [provinceLabel(r.from), provinceLabel(r.to), r.count])
          : o.flows
              .filter((r) => inProvince(province, r.fromCentre) || inProvince(province, r.toCentre))
              .map((r) => [centreLabel(r.fromCentre), centreLabel(r.toCentre), r.count]),
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
      columns: [t(lang, 'attestations'), t(lang, 'openAlerts'), t(lang, 'activeBans')],
      rows: [[o.attestations, o.openAlerts, o.bans.imposed - o.bans.lifted]],
    },
  };
}

function section(
  lang: Lang,
  tables: Record<string, Table>,
  key: string,
  title: string | SafeHtml,
  chart?: string,
  query = new URLSearchParams(),
): SafeHtml {
  const table = tables[key] ?? { columns: [], rows: [] };
  return html`<section>
    <h2>${title}</h2>
    ${chart !== undefined && html`<div class="chart" data-chart="${chart}" data-table="${JSON.stringify(table)}"></div>`}${tableHtml(table, key)}
    ${csvLink(lang, `/console/overview/${key}.csv`, query)}
  </section>`;
}

function view(lang: Lang, d: OverviewData): SafeHtml {
  const o = d.overview;
  const tables = overviewTables(lang, o, d.province);
  const query = new URLSearchParams(d.province === undefined ? {} : { province: d.province });
  const flowsTitle =
    d.province === undefined
      ? t(lang, 'flows')
      : html`${t(lang, 'centreFlows')}: ${provinceLabel(d.province)} ·
          <a href="/console/overview">${t(lang, 'allProvinces')}</a>`;
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
      <div>
        <span>${t(lang, 'activeBans')}</span
        ><strong id="active-bans">${o.bans.imposed - o.bans.lifted}</strong>
      </div>
      <div><span>${t(lang, 'indexPosition')}</span><strong>${d.indexPosition ?? '—'}</strong></div>
    </section>
    ${section(lang, tables, 'per-province', t(lang, 'perProvince'))}
    ${section(lang, tables, 'per-centre', t(lang, 'perCentre'), undefined, query)}
    ${section(lang, tables, 'transfers-by-status', t(lang, 'byStatus'))}
    ${section(lang, tables, 'flows', flowsTitle, 'flows', query)}
    ${section(lang, tables, 'withdrawals-by-month', t(lang, 'byMonth'), 'months')}
    ${section(lang, tables, 'overdue', `${t(lang, 'overdue')}: ${d.overdueWorkingDays}`)}`;
}

export const overviewPage: ConsolePage<
  { readonly table: string; readonly province: string | undefined },
  OverviewData
> = {
  path: '/console/overview',
  query: (req) => ({ table: param(req, 'table'), province: provinceParam(req) }),
  load: async ({ index, audit, overdueWorkingDays }, { province }) => {
    const { height } = await audit.chainInfo();
    const last = height > 0n ? await audit.block(height - 1n) : undefined;
    return {
      height,
      lastBlockTime: last?.transactions[0]?.timestamp ?? '',
      overview: index.overview(todayInChina(), overdueWorkingDays),
      indexPosition: index.position(),
      overdueWorkingDays,
      province,
    };
  },
  view: (lang, data) => ({
    title: t(lang, 'overview'),
    body: view(lang, data),
    scripts: ['/console/assets/echarts.min.js'],
  }),
  csv: {
    path: '/console/overview/:table.csv',
    query: (req) => ({ table: param(req, 'table'), province: provinceParam(req) }),
    load: ({ index, overdueWorkingDays }, { table, province }, lang) => {
      const found = overviewTables(lang, index.overview(todayInChina(), overdueWorkingDays), province)[table];
      if (found === undefined) throw new ApiError('NOT_FOUND', 'no such table');
      return { name: table, table: found };
    },
  },
};
