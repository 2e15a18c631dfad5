import { createHash } from 'node:crypto';
import { certificateContent, type CertificateContent } from '../src/domain';
import { renderCertificatePdf } from '../src/services/certificate-pdf';

/**
 * Golden PDFs: the renderer's exact bytes for fixed certificates.
 *
 * The ledger records the SHA-256 of each certificate's PDF at issue, and a download renders the
 * document again and must give the same bytes. Anything that shapes them (pdfkit, fontkit and its
 * restructure/unicode-properties/unicode-trie/dfa, linebreak, png-js, crypto-js, qrcode and its
 * pngjs, the vendored font, Node's zlib, and certificate-pdf.ts itself) is pinned exactly
 * (docs/decisions/0163-pins-vendored-font-custom-echarts.md); this test fails when any of them
 * changes the output.
 *
 * Updating the hashes is a deliberate act, never a way to make the test pass: a gateway that renders
 * differently can no longer serve the PDFs of certificates issued before (their download answers 409;
 * the issuer supersedes them), while those PDFs still verify by their recorded hash. To update: make
 * the change, run this test, check the new rendering by eye (`HPF_GOLDEN_PDF_DIR=/tmp/golden` writes
 * the PDFs there), put the printed hashes below, and say in the commit message and
 * docs/certificates.md which change moved them and what happens to earlier certificates.
 */

const DEPOSIT_USE: CertificateContent = certificateContent({
  version: 1,
  certificateNo: 'ZM-2026-0001',
  type: 'DEPOSIT_USE',
  issuer: '110000',
  issuerName: '北京住房公积金管理中心',
  person: { idType: '01', idNumber: '11010519491231002X', name: '张三' },
  facts: {
    accountNo: '110001234567',
    employerName: '北京某某科技有限公司',
    openedOn: '2015-03-01',
    accountStatus: '01',
    depositBase: '10000.00',
    employerRate: '12.00',
    personalRate: '12.00',
    monthlyDeposit: '2400.00',
    paidUpTo: '202610',
    continuousFrom: '201503',
    continuousTo: '202610',
    balance: '86500.25',
    loansUsed: 0,
    loanOutstanding: false,
  },
  validUntil: '2027-12-31T16:00:00.000Z',
});

const LOAN_SETTLED: CertificateContent = certificateContent({
  version: 1,
  certificateNo: 'JQ-2026-0002',
  type: 'LOAN_SETTLED',
  issuer: '440300',
  issuerName: '深圳市住房公积金管理中心',
  person: { idType: '03', idNumber: 'E12345678', name: 'Jane Roe' },
  facts: { loanContractNo: 'JK-2016-0815', loanAmount: '300000.00', settledOn: '2026-10-01' },
  validUntil: '2027-06-30T16:00:00.000Z',
  supersedes: 'JQ-2026-0001',
});

const GOLDEN: readonly (readonly [string, CertificateContent, string, string])[] = [
  [
    'DEPOSIT_USE',
    DEPOSIT_USE,
    '2026-11-23T08:00:00.000Z',
    'aba0320afef039d223cb88cd74b07a4b3363897c06f2510520f422f462e4ca87',
  ],
  [
    'LOAN_SETTLED superseding another',
    LOAN_SETTLED,
    '2026-12-01T01:02:03.456Z',
    '8cdc564757e7b4b5c13761628869c7fb6145c11f2d40b20d3ca89aba038239a0',
  ],
];

describe('golden certificate PDFs', () => {
  it.each(GOLDEN)('renders %s to the pinned bytes', async (name, content, issuedAt, expected) => {
    const pdf = await renderCertificatePdf(content, issuedAt);
    const dir = process.env.HPF_GOLDEN_PDF_DIR;
    if (dir !== undefined && dir !== '') {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${dir}/${content.certificateNo}.pdf`, pdf);
    }
    const hash = createHash('sha256').update(pdf).digest('hex');
    expect({ name, hash }).toEqual({ name, hash: expected });
  });
});
