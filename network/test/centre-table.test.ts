import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CENTRE_CODES, isCentreCode, provinceOf } from '../../chaincode/src/domain';
import {
  nationalCentres,
  nationalDefinition,
  openApiWithCentreCodes,
  transferIdPattern,
  attestationIdPattern,
} from '../src/centre-table';

const REPO = path.join(__dirname, '..', '..');

describe('the table of centre codes', () => {
  it('holds the province-level codes and 333 prefecture-level ones, each in a province of the table', () => {
    const codes = Object.keys(CENTRE_CODES);
    const prefectures = codes.filter((code) => !code.endsWith('0000'));
    expect(prefectures).toHaveLength(333);
    for (const code of prefectures) {
      expect(code).toMatch(/^\d{4}00$/);
      expect(provinceOf(code)).toBeDefined();
    }
    expect(CENTRE_CODES['440300']).toBe('深圳市');
    expect(isCentreCode('440300')).toBe(true);
    expect(isCentreCode('110100')).toBe(false); // a municipality has one centre, 110000
    expect(isCentreCode('371200')).toBe(false); // 莱芜, merged into 济南 in 2019
    expect(isCentreCode('toString')).toBe(false);
  });

  it('gives each national province its 省直 centre first, and none beyond it to a municipality', () => {
    const centres = nationalCentres();
    expect(centres.size).toBe(31);
    expect(centres.get('110000')).toEqual([{ code: '110000', name: '北京住房公积金管理中心' }]);
    expect(
      centres
        .get('440000')
        ?.map((c) => c.code)
        .slice(0, 4),
    ).toEqual(['440000', '440100', '440200', '440300']);
  });

  it('matches the committed national definition and OpenAPI document (run scripts/centre-table.ts)', () => {
    expect(readFileSync(path.join(REPO, 'network', 'consortium-national.yaml'), 'utf8')).toBe(
      nationalDefinition(),
    );
    const openapi = readFileSync(path.join(REPO, 'gateway', 'src', 'openapi.yaml'), 'utf8');
    expect(openApiWithCentreCodes(openapi)).toBe(openapi);
  });

  it('builds a TransferId pattern that takes city centres and refuses unknown codes', () => {
    const pattern = new RegExp(transferIdPattern());
    expect(pattern.test('4403002611200001')).toBe(true);
    expect(pattern.test('1101002611200001')).toBe(false);
    expect(pattern.test('4403002602300001')).toBe(false);
  });

  it('builds an AttestationId pattern that names only centres of the table', () => {
    const pattern = new RegExp(attestationIdPattern());
    expect(pattern.test('transfer:4403002611200001')).toBe(true);
    expect(pattern.test('withdrawal:440300:W-2026-0001')).toBe(true);
    // Found by Schemathesis: a code of the form xxxx00 that no centre has.
    expect(pattern.test('transfer:1000000001010000')).toBe(false);
    expect(pattern.test('withdrawal:100000:W-1')).toBe(false);
    expect(pattern.test('transfer:4403002602300001')).toBe(false);
  });
});
