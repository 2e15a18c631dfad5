import {
  CENTRE_CODES,
  PROVINCE_CODES,
  provinceOf,
  TRANSFER_STATUSES,
  TRANSFER_STATUS_LABELS,
  WITHDRAWAL_REASONS,
  WITHDRAWAL_STATUS_LABELS,
} from '../domain';

/** The console's languages: Simplified Chinese first, English on request (cookie `hpf_lang`). */
export type Lang = 'zh-CN' | 'en';

export function langOf(cookie: string | undefined): Lang {
  return cookie === 'en' ? 'en' : 'zh-CN';
}

const TEXTS = {
  title: ['住房公积金审计台', 'HPF audit console'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出', 'Sign out'],
  apiKey: ['审计密钥', 'Auditor key'],
  keyRefused: ['密钥无效', 'Key refused'],
  overview: ['总览', 'Overview'],
  attestations: ['存证', 'Attestations'],
  blocks: ['区块', 'Blocks'],
  alerts: ['预警', 'Alerts'],
  search: ['搜索', 'Search'],
  searchHint: ['存证编号、交易ID、区块号或凭证哈希', 'attestation ID, txId, block number or evidence hash'],
  person: ['按人员查询', 'Look up a person'],
  idType: ['证件类型', 'ID type'],
  idNumber: ['证件号码', 'ID number'],
  name: ['姓名', 'Name'],
  lookUp: ['查询', 'Look up'],
  ledgerHeight: ['账本高度', 'Ledger height'],
  lastBlockTime: ['最新区块时间', 'Last block time'],
  perCentre: ['各中心存证', 'Attestations per centre'],
  perProvince: ['各省存证', 'Attestations per province'],
  province: ['省份', 'Province'],
  centreFlows: ['中心间转移流向', 'Flows between centres'],
  allProvinces: ['全部省份', 'All provinces'],
  centre: ['中心', 'Centre'],
  withdrawals: ['提取', 'Withdrawals'],
  transfersOut: ['转出', 'Transfers out'],
  transfersIn: ['转入', 'Transfers in'],
  byStatus: ['转移接续按状态', 'Transfers by status'],
  status: ['状态', 'Status'],
  count: ['数量', 'Count'],
  flows: ['省际转移流向', 'Flows between provinces'],
  from: ['转出地', 'From'],
  to: ['转入地', 'To'],
  byMonth: ['每月提取（按原因）', 'Withdrawals per month by reason'],
  month: ['月份', 'Month'],
  reason: ['原因', 'Reason'],
  openAlerts: ['未关闭预警', 'Open alerts'],
  activeBans: ['禁止提取（骗提骗贷）', 'Fraud bans in place'],
  overdue: ['超期未办结转移（工作日）', 'Transfers open longer than (working days)'],
  csv: ['导出CSV', 'Export CSV'],
  kind: ['类型', 'Kind'],
  id: ['编号', 'ID'],
  openedOn: ['日期', 'Date'],
  updatedAt: ['更新时间', 'Updated'],
  block: ['区块', 'Block'],
  transactions: ['交易数', 'Transactions'],
  time: ['时间', 'Time'],
  filter: ['筛选', 'Filter'],
  periodFrom: ['起', 'From'],
  periodTo: ['止', 'To'],
  code: ['代码', 'Code'],
  message: ['说明', 'Message'],
  evidenceHash: ['凭证哈希', 'Evidence hash'],
  open: ['未关闭', 'Open'],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  previous: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  page: ['页', 'Page'],
  of: ['共', 'of'],
  record: ['记录', 'Record'],
  steps: ['步骤', 'Steps'],
  step: ['步骤', 'Step'],
  txId: ['交易ID', 'txId'],
  endorsers: ['背书组织', 'Endorsing organisations'],
  validation: ['校验码', 'Validation code'],
  verdict: ['核验结论', 'Verdict'],
  verdictValid: ['有效：账本记录与证明一致', 'Valid: the ledger holds this record, its transaction is valid'],
  verdictInvalid: ['无效', 'Not valid'],
  verdictForged: [
    '伪造 FORGED：该记录以中心名义写入，但该中心所属机构未参与',
    "FORGED: written in the centre's name without its organisation",
  ],
  proof: ['下载证明（JSON）', 'Download the proof (JSON)'],
  documentHash: ['文件哈希核验', 'Check a document hash'],
  documentHint: [
    '输入SHA-256，或将文件拖到此处（在浏览器中计算哈希，文件不会上传）',
    'Type a SHA-256, or drop a file here (hashed in the browser, never uploaded)',
  ],
  verify: ['核验', 'Verify'],
  documentMatches: ['文件哈希一致', 'The document hash matches'],
  documentMismatch: ['文件哈希不一致', 'The document hash does not match'],
  creator: ['提交组织', 'Creator MSP'],
  chaincode: ['链码', 'Chaincode'],
  reads: ['读取的键', 'Keys read'],
  writes: ['写入的键', 'Keys written'],
  namespace: ['命名空间', 'Namespace'],
  dataHash: ['数据哈希', 'Data hash'],
  previousHash: ['前块哈希', 'Previous hash'],
  notFound: ['未找到', 'Nothing found'],
  results: ['结果', 'Results'],
  timeline: ['人员时间线', "Person's timeline"],
  subjectRef: ['主体假名', 'subjectRef'],
  error: ['错误', 'Error'],
  verifiedFromLedger: [
    '本页数据直接取自账本（非索引）',
    'This page is read from the ledger itself, not the index',
  ],
  indexPosition: ['索引位置', 'Index position'],
  all: ['全部', 'all'],
} as const satisfies Record<string, readonly [string, string]>;

export type TextKey = keyof typeof TEXTS;

export function t(lang: Lang, key: TextKey): string {
  return TEXTS[key][lang === 'en' ? 1 : 0];
}

/**
 * A status as the console shows it everywhere: our name, its Chinese label and its platform code,
 * e.g. `COMPLETED · 办结 · 00`. Withdrawal statuses have no platform code (`—`). `platformCode`
 * overrides the table's code (a transfer completed after negotiation is 20, not 00).
 */
export function statusLabel(status: string, platformCode?: string | null): string {
  const transferLabel = TRANSFER_STATUS_LABELS[status];
  if (transferLabel !== undefined) {
    return `${status} · ${transferLabel} · ${platformCode ?? TRANSFER_STATUSES[status] ?? '—'}`;
  }
  const withdrawalLabel = WITHDRAWAL_STATUS_LABELS[status];
  return withdrawalLabel === undefined ? status : `${status} · ${withdrawalLabel} · —`;
}

/** `440300 深圳市`: a centre's code and its division's name (`440000 广东省` for a 省直 centre). */
export function centreLabel(code: string | null): string {
  if (code === null || code === '') return '';
  const name = CENTRE_CODES[code];
  return name === undefined ? code : `${code} ${name}`;
}

/** The province-level code of a centre (440300 → 440000); the code itself when it has none. */
export function provinceCodeOf(code: string): string {
  return provinceOf(code) ?? code;
}

/** `440000 广东省`: the province a centre belongs to. */
export function provinceLabel(code: string | null): string {
  if (code === null || code === '') return '';
  const province = provinceCodeOf(code);
  const name = PROVINCE_CODES[province];
  return name === undefined ? province : `${province} ${name}`;
}

/** `01 purchase (购买住房)`. */
export function reasonLabel(code: string | null): string {
  if (code === null) return '';
  const reason = WITHDRAWAL_REASONS[code];
  return reason === undefined ? code : `${code} ${reason.name}`;
}
