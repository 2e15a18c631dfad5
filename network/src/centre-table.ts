import { CENTRE_CODES, PROVINCE_CODES, prefecturesOf } from '../../chaincode/src/domain';

/**
 * Files generated from the table of centre codes (chaincode/src/domain/centre-codes.ts), so that the
 * table is the one source: the national definition (every province-level organisation with its real
 * centres) and the OpenAPI document's CentreCode enum and TransferId pattern. `npx tsx
 * scripts/centre-table.ts` rewrites them; `--check` (and a unit test) fails when one is stale.
 */

/** The 31 mainland provincial-level organisations of the national rehearsal. */
const NATIONAL_PROVINCES = Object.keys(PROVINCE_CODES).filter((code) => code < '660000');
const MUNICIPALITIES = ['110000', '120000', '310000', '500000'];
/** Centre names of the province-level (省直 / municipality) centres that differ from the pattern. */
const PROVINCE_CENTRE_NAMES: Readonly<Record<string, string>> = {
  '110000': '北京住房公积金管理中心',
  '310000': '上海市公积金管理中心',
};

function provinceCentreName(code: string): string {
  const province = PROVINCE_CODES[code as keyof typeof PROVINCE_CODES];
  return PROVINCE_CENTRE_NAMES[code] ?? `${province}住房公积金管理中心`;
}

export interface NationalCentre {
  readonly code: string;
  readonly name: string;
}

/** Each province's centres: its 省直 (or municipality) centre first, then one per prefecture. */
export function nationalCentres(): Map<string, NationalCentre[]> {
  const result = new Map<string, NationalCentre[]>();
  for (const province of NATIONAL_PROVINCES) {
    const prefectures = MUNICIPALITIES.includes(province) ? [] : prefecturesOf(province);
    result.set(province, [
      { code: province, name: provinceCentreName(province) },
      ...prefectures.map((code) => ({ code, name: `${CENTRE_CODES[code] ?? code}住房公积金管理中心` })),
    ]);
  }
  return result;
}

/** network/consortium-national.yaml. */
export function nationalDefinition(): string {
  const centres = nationalCentres();
  const count = [...centres.values()].reduce((n, list) => n + list.length, 0);
  const lines = [
    '# The national rehearsal (npm run bench -- --suite national): the 31 provincial-level organisations of',
    `# mainland China, each hosting its real centres (${count} in all: the 省直 or municipality centre and one`,
    '# per prefecture-level division), the regulator and 3 Raft orderers. GENERATED from the table of',
    '# centre codes (chaincode/src/domain/centre-codes.ts) by `npx tsx scripts/centre-table.ts`: do not edit.',
    '# Ports: orderers 28000-28029, the 32 organisations 28100-28419. The benchmark brings it up and down',
    '# itself, on its own data dir.',
    'channel: hpf',
    "chaincode: { name: hpf, label: hpf_1, version: '1.0' }",
    'orderers: { mspId: OrdererMSP, nodes: 3 }',
    'regulator: { mspId: RegulatorMSP, name: 全国住房公积金监管服务平台 }',
    'organisations:',
  ];
  for (const [province, list] of centres) {
    lines.push(`  - code: '${province}'`);
    lines.push(`    mspId: C${province}MSP`);
    lines.push(`    name: ${PROVINCE_CODES[province as keyof typeof PROVINCE_CODES]}`);
    lines.push('    centres:');
    for (const centre of list) lines.push(`      - { code: '${centre.code}', name: ${centre.name} }`);
  }
  lines.push(
    'host: 127.0.0.1',
    'basePort: 28000',
    'dataDir: .hpf-national',
    'rules: { evidenceWindowMonths: 12, multiCentreAlertThreshold: 2 }',
    'gateways: { rateLimitPerMinute: 6000 }',
  );
  return lines.join('\n') + '\n';
}

/** Every centre code, sorted: the OpenAPI CentreCode enum. */
export function centreCodeList(): string[] {
  return Object.keys(CENTRE_CODES).sort();
}

const DATE_OF_20YY =
  '([0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])|[0-9]{2}(0[13-9]|1[0-2])(29|30)|[0-9]{2}(0[13578]|1[02])31|([02468][048]|[13579][26])0229)';

/** The TransferId pattern: a centre code, a real date of 20YY (YYMMDD) and 4 digits. */
export function transferIdPattern(): string {
  return `^(${centreCodeList().join('|')})${DATE_OF_20YY}[0-9]{4}$`;
}

/**
 * The AttestationId pattern: `transfer:<TransferId>` or `withdrawal:<centre code>:<WithdrawalId>`,
 * with the centre codes of the table (an unknown code cannot name an attestation).
 */
export function attestationIdPattern(): string {
  const codes = centreCodeList().join('|');
  return `^(transfer:(${codes})${DATE_OF_20YY}[0-9]{4}|withdrawal:(${codes}):[A-Za-z0-9-]{1,40})$`;
}

/**
 * The OpenAPI document with the CentreCode enum and the TransferId and AttestationId patterns taken
 * from the table.
 * @throws when the document no longer has the blocks this rewrites.
 */
export function openApiWithCentreCodes(document: string): string {
  const enumBlock = /( {4}CentreCode:\n(?: {6}.*\n)*? {6}enum:\n)(?: {8}.*\n)+/;
  const patternLine = /( {4}TransferId:\n(?: {6}.*\n)*? {6}pattern: ).*\n/;
  const attestationLine = /( {4}AttestationId:\n(?: {6}.*\n)*? {6}pattern: ).*\n/;
  if (![enumBlock, patternLine, attestationLine].every((block) => block.test(document))) {
    throw new Error('openapi.yaml: no CentreCode enum, TransferId or AttestationId pattern to rewrite');
  }
  const codes = centreCodeList()
    .map((code) => `          '${code}',\n`)
    .join('');
  // Written as prettier writes them, so `npm run lint` and this agree.
  return document
    .replace(enumBlock, (_all, head: string) => `${head}        [\n${codes}        ]\n`)
    .replace(patternLine, (_all, head: string) => `${head}'${transferIdPattern()}'\n`)
    .replace(attestationLine, (_all, head: string) => `${head}'${attestationIdPattern()}'\n`);
}
