/**
 * The contract (/openapi.json) and the chaincode's validators must agree, field by field: every
 * value the document accepts the chaincode accepts (values generated from the document's patterns),
 * and at the edges (lengths, ranges, dates, characters) both say the same. The chaincode is the
 * authority; when this fails, fix the document (or the chaincode, deliberately), never the test data.
 */
import fc from 'fast-check';
import {
  EVIDENCE_KINDS,
  ID_TYPES,
  CENTRE_CODES,
  TRANSFER_STATUSES,
  WITHDRAWAL_REASONS,
  codePointLength,
  isCalendarDate,
  canonicalIdentity,
  normaliseUscc,
  parseMoneyToFen,
  usccCheckChar,
  validateCentreCode,
  validateContactLetterNumber,
  validateDate,
  validateReference,
  validateSha256Hex,
  validateSubjectRef,
  validateText,
  validateWithdrawalId,
  validateYearMonth,
} from '../../chaincode/src/domain';
import { rejectionFromJson, transferOutFromJson } from '../../chaincode/src/model/transfer';
import { withdrawalInputFromJson } from '../../chaincode/src/model/withdrawal';
import { loadOpenApiDocument } from '../src/openapi-document';
import { confirmOutBody } from '../../test/support/fixtures';

type Schema = Readonly<Record<string, unknown>>;

const document = loadOpenApiDocument() as Schema;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema at a path of property names from the document's root, through $ref and one-item allOf. */
function schemaAt(...path: string[]): Schema {
  let node: unknown = document;
  for (const key of path) {
    node = resolve(node);
    if (!isSchema(node)) throw new Error(`no schema at ${path.join('/')}`);
    node = node[key];
  }
  return resolve(node);
}

function resolve(node: unknown): Schema {
  if (!isSchema(node)) throw new Error('not a schema');
  const ref = node.$ref;
  if (typeof ref === 'string') {
    return resolve(schemaAt(...ref.replace(/^#\//, '').split('/')));
  }
  const allOf = node.allOf;
  if (Array.isArray(allOf) && allOf.length === 1) {
    return resolve(allOf[0]);
  }
  return node;
}

const propertyOf = (schema: Schema, name: string): Schema => resolve((schema.properties as Schema)[name]);

/** What the gateway's OpenAPI validator checks on a string: enum, pattern, lengths in code points, format date. */
function documentAccepts(schema: Schema, value: string): boolean {
  const length = codePointLength(value);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
  return schema.format !== 'date' || isIsoDate(value);
}

/** ajv-formats' `date`: a real calendar date. */
function isIsoDate(value: string): boolean {
  const at = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(at) && new Date(at).toISOString().slice(0, 10) === value;
}

function chaincodeAccepts(check: (value: string) => unknown, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

/** Values matching the schema's pattern (fast-check cannot run lookaheads: it filters on them instead). */
function documentValues(schema: Schema): fc.Arbitrary<string> {
  const pattern = String(schema.pattern);
  const generator = new RegExp(pattern.replace(/\(\?![^)]*\)/g, ''), 'u');
  return fc.stringMatching(generator).filter((value) => documentAccepts(schema, value));
}

const withdrawal = schemaAt('components', 'schemas', 'Withdrawal');
const confirmOut = schemaAt('components', 'schemas', 'ConfirmOut');
const person = schemaAt('components', 'schemas', 'Person');
const transferRequest = schemaAt('components', 'schemas', 'TransferRequest');
const employer = propertyOf(transferRequest, 'formerEmployer');
const rejectBody = resolve(
  schemaAt(
    'paths',
    '/v1/transfers/{id}/reject',
    'post',
    'requestBody',
    'content',
    'application/json',
    'schema',
  ),
);
const schema = (name: string): Schema => schemaAt('components', 'schemas', name);

/** Replaces the last character of a code with its right check character, so only the rest is compared. */
function withUsccCheckChar(value: string): string {
  const code = value.trim().toUpperCase();
  return code.length === 18 && /^[0-9A-Z]{17}/.test(code)
    ? code.slice(0, 17) + usccCheckChar(code.slice(0, 17))
    : value;
}

const LONG = (n: number, c = 'x'): string => c.repeat(n);
const TEXT_EDGES = (max: number): string[] => [
  '',
  ' ',
  '\u3000\ufeff',
  'a',
  ' a ',
  LONG(max),
  LONG(max + 1),
  LONG(max, '😀'),
  LONG(max + 1, '😀'),
  'a\u0007b',
  'a\nb',
  'a\u007fb',
  'a\u2028b',
  '张三',
];

interface FieldCase {
  readonly name: string;
  readonly schema: Schema;
  readonly check: (value: string) => unknown;
  readonly edges: readonly string[];
}

const FIELDS: readonly FieldCase[] = [
  {
    name: 'CentreCode',
    schema: schema('CentreCode'),
    check: (v) => validateCentreCode(v, 'centre'),
    edges: [
      '110000',
      '440300',
      '445300',
      '110100',
      '440200',
      '441000',
      '660000',
      '710000',
      '820000',
      '100000',
      '190000',
      '910000',
      '11000',
      '1100000',
      '830000',
    ],
  },
  {
    name: 'TransferId',
    schema: schema('TransferId'),
    check: (v) => validateContactLetterNumber(v),
    edges: [
      '1100002611200001',
      '4403002611200001',
      '4401002611200001',
      '1101002611200001',
      '4402002611200001',
      '6600002611200001',
      '1100002402290001',
      '1100000002290001',
      '1100002602290001',
      '1100002604310001',
      '1100002612310001',
      '1100002613010001',
      '1100002600010001',
      '1900002611200001',
      '110000261120000',
      '11000026112000011',
    ],
  },
  {
    name: 'WithdrawalId',
    schema: schema('WithdrawalId'),
    check: (v) => validateWithdrawalId(v),
    edges: ['', 'W-1', LONG(40), LONG(41), 'W_1', 'W 1', '提取1'],
  },
  {
    name: 'SubjectRef',
    schema: schema('SubjectRef'),
    check: (v) => validateSubjectRef(v),
    edges: [
      LONG(43, 'A'),
      `${LONG(42, 'A')}B`,
      `${LONG(42, '_')}w`,
      LONG(42, 'A'),
      LONG(44, 'A'),
      `${LONG(42, '+')}A`,
    ],
  },
  {
    name: 'Sha256',
    schema: schema('Sha256'),
    check: (v) => validateSha256Hex(v, 'hash'),
    edges: [LONG(64, 'a'), LONG(64, 'A'), LONG(63, 'a'), LONG(65, 'a'), LONG(64, 'g')],
  },
  {
    name: 'Money (zero allowed: interest)',
    schema: schema('Money'),
    check: (v) => parseMoneyToFen(v, 'interest', true),
    edges: [
      '0',
      '0.00',
      '0.01',
      '1',
      '1.5',
      '999999999999.99',
      '1000000000000',
      '01',
      '1.234',
      '-1',
      '1.',
      '.5',
      '',
    ],
  },
  {
    name: 'PositiveMoney (amounts)',
    schema: schema('PositiveMoney'),
    check: (v) => parseMoneyToFen(v, 'amount'),
    edges: [
      '0',
      '0.0',
      '0.00',
      '0.01',
      '0.1',
      '0.10',
      '0.09',
      '1',
      '999999999999.99',
      '1000000000000',
      '00.1',
      '',
    ],
  },
  {
    name: 'Date',
    schema: schema('Date'),
    check: (v) => validateDate(v, 'date'),
    edges: [
      '2026-02-28',
      '2026-02-29',
      '2024-02-29',
      '2000-02-29',
      '1900-02-29',
      '1000-01-01',
      '0999-12-31',
      '9999-12-31',
      '2026-04-31',
      '2026-13-01',
      '2026-1-01',
      '20260101',
    ],
  },
  {
    name: 'YearMonth',
    schema: schema('YearMonth'),
    check: (v) => validateYearMonth(v, 'paidUpTo'),
    edges: ['202601', '202612', '202600', '202613', '100001', '099912', '2026-01', '20261'],
  },
  {
    name: 'Message (public free text)',
    schema: schema('Message'),
    check: (v) => validateText(v, 'message', 500, true),
    edges: [
      ...TEXT_EDGES(500),
      LONG(14, '1'),
      LONG(15, '1'),
      `号码 ${LONG(18, '9')}`,
      `a\u2028${LONG(15, '1')}`,
    ],
  },
  {
    name: 'Person.name',
    schema: propertyOf(person, 'name'),
    check: (v) => validateText(v, 'name', 64),
    edges: [...TEXT_EDGES(64), LONG(15, '1')],
  },
  {
    name: 'Person.idNumber (types other than 01)',
    schema: propertyOf(person, 'idNumber'),
    check: (v) => canonicalIdentity('03', v, undefined),
    edges: ['E1234567', ' e1234567 ', 'AB-12', LONG(32, 'A'), LONG(33, 'A'), '', ' ', 'E_1', 'E.1', 'Ｅ１２'],
  },
  {
    name: 'formerEmployer.code (with its check character)',
    schema: propertyOf(employer, 'code'),
    check: (v) => normaliseUscc(withUsccCheckChar(v), 'code'),
    edges: [
      '91110000600037341L',
      '9111000060003734',
      'I1110000600037341L',
      '91A10000600037341L',
      '91110000600037341l',
      ' 91110000600037341L ',
    ],
  },
  {
    name: 'formerEmployer.name',
    schema: propertyOf(employer, 'name'),
    check: (v) => validateText(v, 'name', 100),
    edges: TEXT_EDGES(100),
  },
  {
    name: 'formerAccount / receivingAccount',
    schema: propertyOf(transferRequest, 'formerAccount'),
    check: (v) => validateReference(v, 'formerAccount', 40),
    edges: ['A-1', LONG(40), LONG(41), '', 'A_1', 'A 1'],
  },
  {
    name: 'ConfirmOut.settlementRef',
    schema: propertyOf(confirmOut, 'settlementRef'),
    check: (v) => validateReference(v, 'settlementRef', 64),
    edges: ['SR-0001', LONG(64), LONG(65), '', 'SR_0001', 'SR 1'],
  },
  {
    name: 'reject.reasonCode',
    schema: propertyOf(rejectBody, 'reasonCode'),
    check: (v) => rejectionFromJson({ reasonCode: v, messageHash: '0'.repeat(64) }),
    edges: ['01', '99', '1', '001', 'AB', 'A1', ''],
  },
];

describe('the contract and the chaincode agree on every field', () => {
  describe.each(FIELDS)('$name', ({ schema: fieldSchema, check, edges }) => {
    it('the chaincode accepts what the document accepts (generated from its pattern)', () => {
      if (typeof fieldSchema.pattern !== 'string') {
        expect(fieldSchema.enum).toBeDefined();
        for (const value of fieldSchema.enum as string[]) expect(chaincodeAccepts(check, value)).toBe(true);
        return;
      }
      fc.assert(
        fc.property(documentValues(fieldSchema), (value) => chaincodeAccepts(check, value)),
        { numRuns: 300 },
      );
    });

    it.each(edges.map((value) => [JSON.stringify(value).slice(0, 40), value]))(
      'both say the same at the edge %s',
      (_label, value) => {
        expect(documentAccepts(fieldSchema, value)).toBe(chaincodeAccepts(check, value));
      },
    );
  });
});

describe('the contract and the chaincode agree on every code list and range', () => {
  const enumOf = (s: Schema): unknown[] => [...(s.enum as unknown[])].sort();

  it.each([
    ['CentreCode', schema('CentreCode'), Object.keys(CENTRE_CODES)],
    ['Person.idType', propertyOf(person, 'idType'), Object.keys(ID_TYPES)],
    ['Withdrawal.reasonCode', propertyOf(withdrawal, 'reasonCode'), Object.keys(WITHDRAWAL_REASONS)],
    ['Evidence.kind', propertyOf(schema('Evidence'), 'kind'), [...EVIDENCE_KINDS]],
    ['TransferStatus', schema('TransferStatus'), Object.keys(TRANSFER_STATUSES)],
  ])('%s lists the chaincode codes', (_name, s, codes) => {
    expect(enumOf(s)).toEqual([...codes].sort());
  });

  const TRANSFER_OUT = confirmOutBody({
    principal: '1.00',
    interest: '0.00',
    openedOn: '2015-03-01',
    loanCount: 0,
    settlementRef: 'SR-1',
  });

  it('ConfirmOut.loanCount has the chaincode range', () => {
    const loanCount = propertyOf(confirmOut, 'loanCount');
    const { minimum, maximum } = loanCount as { minimum: number; maximum: number };
    const accepts = (n: number): boolean =>
      chaincodeAccepts(() => transferOutFromJson({ ...TRANSFER_OUT, loanCount: n }), '');
    expect([accepts(minimum - 1), accepts(minimum), accepts(maximum), accepts(maximum + 1)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('ConfirmOut lists exactly the fields the chaincode reads', () => {
    expect(Object.keys(confirmOut.properties as Schema).sort()).toEqual(Object.keys(TRANSFER_OUT).sort());
    expect(chaincodeAccepts(() => transferOutFromJson(TRANSFER_OUT), '')).toBe(true);
  });

  it('Withdrawal.evidence has the chaincode maximum of items', () => {
    const { maxItems } = propertyOf(withdrawal, 'evidence') as { maxItems: number };
    const evidence = (n: number): { kind: string; hash: string }[] =>
      Array.from({ length: n }, (_, i) => ({
        kind: 'PURCHASE_CONTRACT',
        hash: i.toString(16).padStart(64, '0'),
      }));
    const accepts = (n: number): boolean =>
      chaincodeAccepts(
        () =>
          withdrawalInputFromJson({
            withdrawalId: 'W-1',
            centre: '110000',
            subjectRef: LONG(43, 'A'),
            reasonCode: '01',
            amount: '1.00',
            closesAccount: false,
            evidence: evidence(n),
            withdrawnOn: '2026-01-01',
          }),
        '',
      );
    expect([accepts(maxItems), accepts(maxItems + 1)]).toEqual([true, false]);
  });

  it('the document describes dates as the chaincode reads them', () => {
    expect(isCalendarDate('2024-02-29')).toBe(documentAccepts(schema('Date'), '2024-02-29'));
  });
});
