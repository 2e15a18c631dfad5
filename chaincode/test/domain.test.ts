import {
  canonicalJson,
  computeSubjectRef,
  formatFen,
  HOME_EVIDENCE_KINDS,
  isCalendarDate,
  isEvidenceKind,
  isIdType,
  isProvinceCode,
  isValidResidentId,
  isWithdrawalReasonCode,
  isYearMonth,
  monthsBefore,
  normaliseIdNumber,
  normaliseResidentId,
  normaliseUscc,
  parseHpfErrorMessage,
  parseMoneyToFen,
  residentIdCheckChar,
  TRANSFER_STATUSES,
  usccCheckChar,
  validateContactLetterNumber,
  validateDate,
  validateSha256Hex,
  validateSubjectRef,
  validateText,
  validateYearMonth,
  WITHDRAWAL_REASONS,
  hpfError,
} from '../src/domain';
import { decodeJson, encodeJson, parseJson } from '../src/codec';
import { ALICE } from './harness';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return 'no error';
}

describe('resident ID (GB 11643-1999)', () => {
  it('computes the MOD 11-2 check character, including X', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdCheckChar('11010119900307457')).toBe('3');
  });

  it('accepts a valid 18-character number and upper-cases a trailing x', () => {
    expect(normaliseResidentId('110101199003074573')).toBe('110101199003074573');
    expect(normaliseResidentId('11010519491231002x')).toBe('11010519491231002X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
  });

  it('rejects a wrong check digit without echoing the number', () => {
    const message = messageOf(() => normaliseResidentId('110101199003074578'));
    expect(message).toBe(
      'HPF:VALIDATION_FAILED: idNumber: check character does not match (GB 11643 MOD 11-2)',
    );
    expect(message).not.toContain('110101199003074578');
    expect(isValidResidentId('110101199003074578')).toBe(false);
  });

  it('converts 15 digits to 18 by inserting 19 and appending the check character', () => {
    expect(normaliseResidentId('110105800101001')).toBe('110105198001010016');
    expect(isValidResidentId('110105198001010016')).toBe(true);
  });

  it('keeps old division codes valid but refuses unknown provinces and impossible birth dates', () => {
    const oldCode = '51022119650101001'; // 四川 prefix of a county now in 重庆
    expect(normaliseResidentId(oldCode + residentIdCheckChar(oldCode))).toHaveLength(18);
    const unknownProvince = '99010119900101001';
    expect(
      messageOf(() => normaliseResidentId(unknownProvince + residentIdCheckChar(unknownProvince))),
    ).toContain('address code');
    const badDate = '11010119900230001';
    expect(messageOf(() => normaliseResidentId(badDate + residentIdCheckChar(badDate)))).toContain(
      'birth date',
    );
    expect(messageOf(() => normaliseResidentId('11010119900307'))).toContain('18 characters');
  });

  it('normalises other ID types to upper case; one subjectRef whatever the form of the number', () => {
    expect(normaliseIdNumber('03', ' e1234567 ')).toBe('E1234567');
    expect(messageOf(() => normaliseIdNumber('03', 'bad number!'))).toContain('idNumber');
    const key = Buffer.from('k');
    expect(computeSubjectRef(key, '01', '11010519491231002x', undefined)).toBe(
      computeSubjectRef(key, '01', '11010519491231002X', undefined),
    );
    expect(computeSubjectRef(key, '01', '110105800101001', undefined)).toBe(
      computeSubjectRef(key, '01', '110105198001010016', undefined),
    );
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('computes and verifies the check character', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(normaliseUscc('91350100m000100y43')).toBe('91350100M000100Y43');
  });

  it('rejects a wrong check character and characters outside the set', () => {
    expect(messageOf(() => normaliseUscc('91350100M000100Y44'))).toContain('check character');
    expect(messageOf(() => normaliseUscc('91350100M000100I43'))).toContain('GB 32100');
    expect(messageOf(() => normaliseUscc('9135'))).toContain('18 characters');
  });
});

describe('contact letter number (联系函编号)', () => {
  it('accepts destination code + YYMMDD + sequence and returns the destination', () => {
    expect(validateContactLetterNumber('4400002611200001')).toBe('440000');
  });

  it.each([
    ['440000261120001', '16 digits'],
    ['44000026112000A1', '16 digits'],
    ['9900002611200001', 'destination centre code'],
    ['4400002613200001', 'YYMMDD'],
    ['4400002602300001', 'YYMMDD'],
  ])('rejects %s', (value, problem) => {
    expect(messageOf(() => validateContactLetterNumber(value))).toContain(problem);
  });
});

describe('money', () => {
  it.each([
    ['1234.50', 123450],
    ['12', 1200],
    ['0.01', 1],
    ['0.1', 10],
    ['999999999999.99', 99999999999999],
  ])('parses %s to %d fen', (value, fen) => {
    expect(parseMoneyToFen(value, 'amount')).toBe(fen);
  });

  it.each([
    '-1.00',
    '0',
    '0.00',
    '1.005',
    '1.',
    '.5',
    '01.00',
    '1e3',
    '1,000.00',
    ' 1.00',
    '1000000000000.00',
    '',
  ])('rejects %p', (value) => {
    expect(messageOf(() => parseMoneyToFen(value, 'amount'))).toMatch(/^HPF:VALIDATION_FAILED: amount: /);
  });

  it('allows zero only when asked (interest)', () => {
    expect(parseMoneyToFen('0.00', 'interest', true)).toBe(0);
    expect(messageOf(() => parseMoneyToFen('0.00', 'amount'))).toBe(
      'HPF:VALIDATION_FAILED: amount: must be greater than 0',
    );
  });

  it('formats fen with exactly two places and round-trips', () => {
    expect(formatFen(123450)).toBe('1234.50');
    expect(formatFen(1)).toBe('0.01');
    expect(formatFen(1200)).toBe('12.00');
    expect(formatFen(parseMoneyToFen('0.07', 'amount'))).toBe('0.07');
    expect(messageOf(() => formatFen(1.5))).toContain('integer');
  });
});

describe('dates', () => {
  it('accepts calendar-valid dates only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(messageOf(() => validateDate('2026/11/20', 'withdrawnOn'))).toBe(
      'HPF:VALIDATION_FAILED: withdrawnOn: must be a calendar date YYYY-MM-DD',
    );
  });

  it('accepts year-months 01-12', () => {
    expect(isYearMonth('202611')).toBe(true);
    expect(isYearMonth('202613')).toBe(false);
    expect(isYearMonth('202600')).toBe(false);
    expect(messageOf(() => validateYearMonth('2026-11', 'paidUpTo'))).toContain('paidUpTo');
  });

  it('goes back calendar months, clamping the day', () => {
    expect(monthsBefore('2026-11-20T02:00:00.000Z', 12)).toBe('2025-11-20T02:00:00.000Z');
    expect(monthsBefore('2026-03-31T00:00:00.000Z', 1)).toBe('2026-02-28T00:00:00.000Z');
    expect(monthsBefore('2024-03-31T00:00:00.000Z', 1)).toBe('2024-02-29T00:00:00.000Z');
    expect(monthsBefore('2026-01-15T00:00:00.000Z', 13)).toBe('2024-12-15T00:00:00.000Z');
  });
});

describe('references and hashes', () => {
  it('accepts a 43-character HMAC subjectRef and rejects others', () => {
    expect(validateSubjectRef(ALICE)).toBe(ALICE);
    expect(messageOf(() => validateSubjectRef(ALICE.slice(1)))).toContain('subjectRef');
    expect(messageOf(() => validateSubjectRef(`${ALICE.slice(0, 42)}B`))).toContain('43 base64url');
    expect(messageOf(() => validateSubjectRef(`${ALICE.slice(0, 42)}+`))).toContain('43 base64url');
  });

  it('accepts lowercase SHA-256 hex only', () => {
    const value = 'a'.repeat(64);
    expect(validateSha256Hex(value, 'hash')).toBe(value);
    expect(messageOf(() => validateSha256Hex('A'.repeat(64), 'hash'))).toContain('hash');
    expect(messageOf(() => validateSha256Hex('a'.repeat(63), 'hash'))).toContain('64 lowercase');
  });

  it('refuses ID-number-like digit runs and control characters in public texts', () => {
    expect(validateText('金额有误，请核对', 'message', 500, true)).toBe('金额有误，请核对');
    expect(messageOf(() => validateText('证件 110101199003074573 有误', 'message', 500, true))).toBe(
      'HPF:VALIDATION_FAILED: message: must not contain an ID number; public texts are visible to every member',
    );
    expect(messageOf(() => validateText('a\u0007b', 'message', 500))).toContain('control characters');
    expect(messageOf(() => validateText('   ', 'message', 500))).toContain('1-500 characters');
  });
});

describe('code tables', () => {
  it('lists the ID types of docs/domain.md', () => {
    expect(['01', '02', '03', '04', '99'].every(isIdType)).toBe(true);
    expect(isIdType('05')).toBe(false);
  });

  it('marks exactly the reasons that close the account', () => {
    const closing = Object.entries(WITHDRAWAL_REASONS)
      .filter(([, reason]) => reason.closesAccount)
      .map(([code]) => code);
    expect(closing).toEqual(['03', '04', '05', '08']);
    expect(Object.keys(WITHDRAWAL_REASONS).sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
      '08',
      '09',
      '10',
      '11',
      '99',
    ]);
    expect(isWithdrawalReasonCode('12')).toBe(false);
  });

  it('keeps platform codes beside our statuses', () => {
    expect(TRANSFER_STATUSES).toEqual({
      REQUESTED: '01',
      ACCEPTED: '02',
      CANCELLED: '05',
      NEGOTIATING: '06',
      OUT_CONFIRMED: '08',
      REJECTED: '13',
      COMPLETED: '00',
      FAILED: '40',
    });
  });

  it('knows evidence kinds, home evidence and province codes', () => {
    expect(isEvidenceKind('TITLE_DEED')).toBe(true);
    expect(isEvidenceKind('PAYSLIP')).toBe(false);
    expect(HOME_EVIDENCE_KINDS).toEqual([
      'PURCHASE_CONTRACT',
      'TITLE_DEED',
      'BUILD_PERMIT',
      'RENOVATION_CONTRACT',
    ]);
    expect(isProvinceCode('440000')).toBe(true);
    expect(isProvinceCode('440300')).toBe(false);
    expect(isProvinceCode('toString')).toBe(false);
  });
});

describe('canonical JSON codec and errors', () => {
  it('sorts keys at every depth, drops undefined members and adds no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same bytes for the same value regardless of key order', () => {
    const first = Buffer.from(encodeJson({ x: 1, y: [true, null] }));
    const second = Buffer.from(encodeJson({ y: [true, null], x: 1 }));
    expect(first.equals(second)).toBe(true);
  });

  it('refuses non-finite numbers and parses to unknown', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('finite');
    expect(decodeJson(Buffer.from('{"a":1}'), 'x')).toEqual({ a: 1 });
    expect(messageOf(() => parseJson('{', 'withdrawal'))).toBe(
      'HPF:VALIDATION_FAILED: withdrawal: must be valid JSON',
    );
  });

  it('makes and parses HPF:<CODE>: messages, also inside a Fabric wrapper', () => {
    const error = hpfError('CONFLICT', 'transferId: exists');
    expect(error.message).toBe('HPF:CONFLICT: transferId: exists');
    expect(error.name).toBe('HpfError');
    expect(parseHpfErrorMessage(`chaincode response 500, ${error.message}`)).toEqual({
      code: 'CONFLICT',
      text: 'transferId: exists',
    });
    expect(parseHpfErrorMessage('HPF:WHATEVER: x')).toBeUndefined();
    expect(parseHpfErrorMessage('plain failure')).toBeUndefined();
  });
});
