/**
 * Code tables (docs/domain.md), in one place so that the chaincode and the gateway agree on them.
 * The two-character codes are the national platform's; our own names stand beside them.
 */

/** 证件类型 (ID types). */
export const ID_TYPES = {
  '01': 'resident ID (居民身份证)',
  '02': 'officer ID (军官证)',
  '03': 'passport (护照)',
  '04': 'foreign permanent-residence card (外国人永久居留身份证)',
  '99': 'other',
} as const;

export type IdType = keyof typeof ID_TYPES;

export const RESIDENT_ID_TYPE: IdType = '01';

export interface WithdrawalReason {
  readonly name: string;
  /** True when a withdrawal for this reason closes (销户) the account. */
  readonly closesAccount: boolean;
}

/**
 * 提取原因 (canonical withdrawal reasons). Local codes map onto these. 10 (renovation) and 11
 * (property fees) follow the 2026 amendment of the Regulation and must be checked against its text.
 */
export const WITHDRAWAL_REASONS = {
  '01': { name: 'purchase (购买住房)', closesAccount: false },
  '02': { name: 'build / rebuild / overhaul (建造、翻建、大修)', closesAccount: false },
  '03': { name: 'retirement (离休、退休)', closesAccount: true },
  '04': { name: 'incapacity and end of employment (丧失劳动能力且与单位终止劳动关系)', closesAccount: true },
  '05': { name: 'settling abroad / household moved out (出境定居)', closesAccount: true },
  '06': { name: 'repaying a home loan (偿还购房贷款本息)', closesAccount: false },
  '07': { name: 'rent (租赁住房)', closesAccount: false },
  '08': { name: 'death (死亡)', closesAccount: true },
  '09': { name: 'serious illness (重大疾病)', closesAccount: false },
  '10': { name: 'renovation of own home (装修)', closesAccount: false },
  '11': { name: 'property fees (物业费)', closesAccount: false },
  '99': { name: 'other', closesAccount: false },
} as const satisfies Record<string, WithdrawalReason>;

export type WithdrawalReasonCode = keyof typeof WITHDRAWAL_REASONS;

/**
 * Reasons that share one ground of the Regulation for the duplicate-evidence rule: buying and
 * building a home are one purpose (a purchase contract cited for a build is the same home paid twice).
 * Every other reason conflicts only with itself. The table is in docs/rules.md.
 */
const SHARED_PURPOSE_GROUPS: readonly (readonly string[])[] = [['01', '02']];

/** Do two withdrawals for these reasons citing the same evidence pay for the same thing twice? */
export function reasonsConflict(a: string, b: string): boolean {
  return a === b || SHARED_PURPOSE_GROUPS.some((group) => group.includes(a) && group.includes(b));
}

/** Kinds of document evidence. The ledger holds only the SHA-256 of a normalised reference. */
export const EVIDENCE_KINDS = [
  'PURCHASE_CONTRACT',
  'TITLE_DEED',
  'BUILD_PERMIT',
  'RENOVATION_CONTRACT',
  'LOAN_CONTRACT',
  'RENT_CONTRACT',
  'MEDICAL_CERTIFICATE',
  'DEATH_CERTIFICATE',
  'RETIREMENT_CERTIFICATE',
  'OTHER',
] as const;

export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * Evidence about a home (purchase, build, renovation): the same person may not withdraw twice
 * against one of these inside the evidence window, at any centre.
 */
export const HOME_EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'PURCHASE_CONTRACT',
  'TITLE_DEED',
  'BUILD_PERMIT',
  'RENOVATION_CONTRACT',
];

/** Transfer-and-continue statuses with the national platform's code for each. */
export const TRANSFER_STATUSES = {
  REQUESTED: '01',
  ACCEPTED: '02',
  CANCELLED: '05',
  NEGOTIATING: '06',
  OUT_CONFIRMED: '08',
  REJECTED: '13',
  COMPLETED: '00',
  FAILED: '40',
} as const;

export type TransferStatus = keyof typeof TRANSFER_STATUSES;

/** Platform code of a transfer completed after a negotiation (协商后办结). */
export const PLATFORM_CODE_COMPLETED_AFTER_NEGOTIATION = '20';

/** Statuses from which no step leads anywhere. */
export const TERMINAL_TRANSFER_STATUSES: readonly TransferStatus[] = [
  'CANCELLED',
  'REJECTED',
  'COMPLETED',
  'FAILED',
];

/** Account status 04: closed by external transfer-out (外部转出销户). */
export const ACCOUNT_CLOSED_BY_TRANSFER_OUT = '04';

/**
 * Province-level division codes (GB/T 2260). A centre's code is one of these. 660000 is the code
 * national systems use for 新疆生产建设兵团, which runs its own fund centre; it is not in GB/T 2260.
 */
export const PROVINCE_CODES = {
  '110000': '北京市',
  '120000': '天津市',
  '130000': '河北省',
  '140000': '山西省',
  '150000': '内蒙古自治区',
  '210000': '辽宁省',
  '220000': '吉林省',
  '230000': '黑龙江省',
  '310000': '上海市',
  '320000': '江苏省',
  '330000': '浙江省',
  '340000': '安徽省',
  '350000': '福建省',
  '360000': '江西省',
  '370000': '山东省',
  '410000': '河南省',
  '420000': '湖北省',
  '430000': '湖南省',
  '440000': '广东省',
  '450000': '广西壮族自治区',
  '460000': '海南省',
  '500000': '重庆市',
  '510000': '四川省',
  '520000': '贵州省',
  '530000': '云南省',
  '540000': '西藏自治区',
  '610000': '陕西省',
  '620000': '甘肃省',
  '630000': '青海省',
  '640000': '宁夏回族自治区',
  '650000': '新疆维吾尔自治区',
  '660000': '新疆生产建设兵团',
  '710000': '台湾省',
  '810000': '香港特别行政区',
  '820000': '澳门特别行政区',
} as const;

export type ProvinceCode = keyof typeof PROVINCE_CODES;

function hasKey<T extends object>(table: T, key: string): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(table, key);
}

export function isIdType(value: string): value is IdType {
  return hasKey(ID_TYPES, value);
}

export function isWithdrawalReasonCode(value: string): value is WithdrawalReasonCode {
  return hasKey(WITHDRAWAL_REASONS, value);
}

export function isEvidenceKind(value: string): value is EvidenceKind {
  return (EVIDENCE_KINDS as readonly string[]).includes(value);
}

export function isProvinceCode(value: string): value is ProvinceCode {
  return hasKey(PROVINCE_CODES, value);
}

export function isTransferStatus(value: string): value is TransferStatus {
  return hasKey(TRANSFER_STATUSES, value);
}

/** The Chinese label of each transfer status (docs/domain.md), shown beside our name and the platform code. */
export const TRANSFER_STATUS_LABELS: Readonly<Record<TransferStatus, string>> = {
  REQUESTED: '转入申请',
  ACCEPTED: '确认接收',
  CANCELLED: '转入撤销',
  NEGOTIATING: '协商',
  OUT_CONFIRMED: '确认转出',
  REJECTED: '驳回',
  COMPLETED: '办结',
  FAILED: '失败办结',
};

/** Withdrawal statuses and their Chinese labels; the national platform has no code for them. */
export const WITHDRAWAL_STATUS_LABELS = {
  RECORDED: '已提取',
  REVERSED: '已冲正',
} as const;
