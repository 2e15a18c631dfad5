import { certificateFont } from './certificate-font';
import {
  ACCOUNT_STATUSES,
  CERTIFICATE_TYPES,
  certificateContentBytes,
  certificateContentHash,
  type CertificateContent,
} from '../domain';

/**
 * The certificate as a PDF, and the way back from its bytes to what the ledger can check.
 *
 * The document is a pure function of the canonical content and the issue time: no clock, no
 * randomness (the creation date is the issue time, fonts are subset in glyph order of use, pdfkit's
 * streams are deflated deterministically). It is rendered once at issue, and the ledger keeps the
 * SHA-256 of its bytes: a verifier hashes an upload and asks the ledger, so any byte changed (the
 * printed facts, the QR image, the embedded content) is TAMPERED, and verification never renders.
 * Its Info dictionary carries the verification reference (`/HpfRef`, the QR code's text: which
 * certificate to ask about) and the canonical content (`/HpfContent`, `hpfcontent:1:` + base64url),
 * whose hash serves certificates issued before the ledger recorded PDF hashes. The exact bytes
 * depend on the pinned renderer (pdfkit, fontkit, the vendored font, qrcode, pngjs, Node's zlib):
 * `gateway/test/certificate-golden.test.ts` fails when any of them changes the output.
 */

/** The text the QR code carries: what verification needs, no personal data. */
export function qrPayload(issuer: string, certificateNo: string, contentHash: string): string {
  return `hpfcert:1:${issuer}:${certificateNo}:${contentHash}`;
}

export interface EmbeddedCertificate {
  readonly issuer: string;
  readonly certificateNo: string;
  readonly contentHash: string;
  /** The embedded content bytes, when the PDF carries any. */
  readonly contentBytes?: Buffer;
}

/** pdfkit writes each Info value as its own string object: found by their prefixes. */
const REF_PATTERN = /\(hpfcert:1:([0-9]{6}):([A-Za-z0-9-]{1,40}):([0-9a-f]{64})\)/;
const CONTENT_PREFIX = 'hpfcontent:1:';
const CONTENT_PATTERN = /\(hpfcontent:1:([A-Za-z0-9_-]{1,20000})\)/;

/** Reads the verification reference and the content out of a certificate PDF; undefined when absent. */
export function embeddedCertificate(pdf: Buffer): EmbeddedCertificate | undefined {
  const text = pdf.toString('latin1');
  const ref = REF_PATTERN.exec(text);
  if (ref?.[1] === undefined || ref[2] === undefined || ref[3] === undefined) {
    return undefined;
  }
  const content = CONTENT_PATTERN.exec(text)?.[1];
  return {
    issuer: ref[1],
    certificateNo: ref[2],
    contentHash: ref[3],
    contentBytes: content === undefined ? undefined : Buffer.from(content, 'base64url'),
  };
}

/** The template centres print; a row whose fact is absent (no employer: a flexible depositor) is left out. */
const DEPOSIT_USE_LABELS: readonly (readonly [string, string])[] = [
  ['accountNo', '个人账号'],
  ['employerName', '单位名称'],
  ['openedOn', '开户日期'],
  ['accountStatus', '账户状态'],
  ['depositBase', '缴存基数（元）'],
  ['employerRate', '单位缴存比例（%）'],
  ['personalRate', '个人缴存比例（%）'],
  ['monthlyDeposit', '月缴存额（元）'],
  ['paidUpTo', '缴至年月'],
  ['continuousPeriod', '最近连续缴存期间'],
  ['balance', '账户余额（元）'],
  ['loansUsed', '使用住房公积金贷款次数'],
  ['loanOutstanding', '是否有未结清的住房公积金贷款'],
];

const LOAN_SETTLED_LABELS: readonly (readonly [string, string])[] = [
  ['loanContractNo', '借款合同编号'],
  ['loanAmount', '贷款金额（元）'],
  ['settledOn', '结清日期'],
];

const ID_TYPE_NAMES: Readonly<Record<string, string>> = {
  '01': '居民身份证',
  '02': '军官证',
  '03': '护照',
  '04': '外国人永久居留身份证',
  '99': '其他证件',
};

const yearMonth = (value: string): string => `${value.slice(0, 4)}年${value.slice(4)}月`;

function factText(key: string, value: unknown): string {
  if (key === 'accountStatus' && typeof value === 'string') {
    const label: string | undefined = ACCOUNT_STATUSES[value];
    return label === undefined ? value : `${value} ${label}`;
  }
  if (typeof value === 'boolean') {
    return value ? '是' : '否';
  }
  if (key === 'paidUpTo' && typeof value === 'string') {
    return yearMonth(value);
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** An instant shown as a date and time in China (UTC+8). */
function chinaTime(iso: string): string {
  return `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}（北京时间）`;
}

function rows(content: CertificateContent): [string, string][] {
  const facts = content.facts as Readonly<Record<string, unknown>>;
  const labels = content.type === 'DEPOSIT_USE' ? DEPOSIT_USE_LABELS : LOAN_SETTLED_LABELS;
  return [
    ['姓名', content.person.name],
    ['证件类型', ID_TYPE_NAMES[content.person.idType] ?? content.person.idType],
    ['证件号码', content.person.idNumber],
    ...labels.flatMap(([key, label]): [string, string][] => {
      if (key === 'continuousPeriod') {
        const from = facts.continuousFrom;
        const to = facts.continuousTo;
        return typeof from === 'string' && typeof to === 'string'
          ? [[label, `${yearMonth(from)}至${yearMonth(to)}`]]
          : [];
      }
      return facts[key] === undefined ? [] : [[label, factText(key, facts[key])]];
    }),
  ];
}

function drawTable(doc: PDFKit.PDFDocument, lines: readonly [string, string][], top: number): number {
  const left = 60;
  const labelWidth = 190;
  const width = 475;
  let y = top;
  for (const [label, value] of lines) {
    const height = Math.max(24, doc.heightOfString(value, { width: width - labelWidth - 16 }) + 10);
    doc.rect(left, y, labelWidth, height).stroke();
    doc.rect(left + labelWidth, y, width - labelWidth, height).stroke();
    doc.text(label, left + 8, y + 6, { width: labelWidth - 16 });
    doc.text(value, left + labelWidth + 8, y + 6, { width: width - labelWidth - 16 });
    y += height;
  }
  return y;
}

/**
 * pdfkit (with fontkit) and qrcode, loaded on the first render: about 6 MiB of heap that a gateway
 * which renders no certificate (a regulator, a centre that only records attestations) never holds.
 */
async function renderer(): Promise<{
  PDFDocument: typeof import('pdfkit');
  QRCode: typeof import('qrcode');
}> {
  const [pdfkit, qrcode] = await Promise.all([import('pdfkit'), import('qrcode')]);
  return { PDFDocument: pdfkit.default, QRCode: qrcode.default };
}

/** Renders the certificate; identical inputs give identical bytes. */
export async function renderCertificatePdf(content: CertificateContent, issuedAt: string): Promise<Buffer> {
  const { PDFDocument, QRCode } = await renderer();
  const contentHash = certificateContentHash(content);
  const reference = qrPayload(content.issuer, content.certificateNo, contentHash);
  const qr = await QRCode.toBuffer(reference, { errorCorrectionLevel: 'M', margin: 2, scale: 4 });
  const embedded: Readonly<Record<string, string>> = {
    HpfRef: reference,
    HpfContent: CONTENT_PREFIX + certificateContentBytes(content).toString('base64url'),
  };
  const doc = new PDFDocument({
    size: 'A4',
    margin: 60,
    info: {
      Title: `${CERTIFICATE_TYPES[content.type] ?? content.type} ${content.certificateNo}`,
      Author: content.issuerName,
      Producer: 'hpf-gateway',
      Creator: 'hpf-gateway',
      CreationDate: new Date(issuedAt),
      ...embedded,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => doc.on('end', resolve));
  doc.font(certificateFont());
  doc.fontSize(20).text(CERTIFICATE_TYPES[content.type] ?? content.type, { align: 'center' });
  doc.moveDown(0.5).fontSize(10).text(`证明编号：${content.certificateNo}`, { align: 'right' });
  doc.moveDown(0.5).fontSize(11);
  const bottom = drawTable(doc, rows(content), doc.y + 6);
  doc.fontSize(10);
  doc.text(`出具单位：${content.issuerName}（${content.issuer}）`, 60, bottom + 20);
  doc.text(`出具时间：${chinaTime(issuedAt)}`);
  doc.text(`有效期至：${chinaTime(content.validUntil)}`);
  if (content.supersedes !== undefined) {
    doc.text(`本证明替代证明编号 ${content.supersedes}`);
  }
  const qrTop = doc.y + 16;
  doc.image(qr, 60, qrTop, { width: 120 });
  doc
    .fontSize(8)
    .text(
      `扫描二维码或将本文件提交至核验接口，即可在住房公积金区块链上核验本证明的真实性与状态。内容摘要（SHA-256）：${contentHash}`,
      200,
      qrTop + 10,
      { width: 335 },
    );
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
