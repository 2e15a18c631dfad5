import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hostSchema, type Consortium, type OrgDefinition } from './definition';
import type { Layout } from './layout';

/**
 * The organisation file: what a host sends the others about its organisation, as a human would send
 * it by mail. Public material only: the MSP's CA and TLS CA certificates and its NodeOU config, the
 * MSP ID, code, name and host. It is written by the organisation's own host after generating its keys
 * there, and read on every other host through {@link readOrganisationFile}, which refuses anything
 * that is not a certificate or the NodeOU config, so a private key can never travel in one.
 */

export const ORGANISATION_FILE_KIND = 'hpf-organisation/1';

const pem = z
  .string()
  .refine((text) => !text.includes('PRIVATE KEY'), 'must not hold a private key')
  .refine(
    (text) => /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/.test(text),
    'must be one PEM certificate',
  );
const certName = z.string().regex(/^[A-Za-z0-9@._-]{1,200}\.pem$/, 'must be a certificate file name (*.pem)');

const organisationFileSchema = z.strictObject({
  kind: z.literal(ORGANISATION_FILE_KIND, { error: `must be ${ORGANISATION_FILE_KIND}` }),
  mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,38}MSP$/, 'must look like NameMSP'),
  role: z.enum(['orderer', 'regulator', 'centre'], { error: 'must be orderer, regulator or centre' }),
  code: z
    .string()
    .regex(/^\d{6}$/, 'must be a 6-digit code')
    .nullable(),
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  domain: z.string().regex(/^[a-z0-9.-]{1,200}$/, 'must be a lower-case DNS domain'),
  host: hostSchema,
  endpoints: z.strictObject({
    peer: z.string().nullable(),
    gateway: z.string().nullable(),
    orderers: z.array(z.string()),
  }),
  msp: z.strictObject({
    cacerts: z.record(certName, pem),
    tlscacerts: z.record(certName, pem),
    configYaml: z
      .string()
      .max(4000, 'must be at most 4000 characters')
      .refine((text) => !text.includes('PRIVATE KEY'), 'must not hold a private key'),
  }),
});

export type OrganisationFile = z.infer<typeof organisationFileSchema>;

export class OrganisationFileError extends Error {
  constructor(file: string, issues: readonly string[]) {
    super(`invalid organisation file ${file}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'OrganisationFileError';
  }
}

function certsIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.pem'))
      .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
  );
}

function mspOf(mspDir: string): OrganisationFile['msp'] {
  return {
    cacerts: certsIn(path.join(mspDir, 'cacerts')),
    tlscacerts: certsIn(path.join(mspDir, 'tlscacerts')),
    configYaml: readFileSync(path.join(mspDir, 'config.yaml'), 'utf8'),
  };
}

/** The organisation file of a peer organisation whose crypto is in `layout`. */
export function peerOrganisationFile(layout: Layout, org: OrgDefinition): OrganisationFile {
  return {
    kind: ORGANISATION_FILE_KIND,
    mspId: org.mspId,
    role: org.code === null ? 'regulator' : 'centre',
    code: org.code,
    name: org.name,
    domain: org.domain,
    host: org.address,
    endpoints: {
      peer: `${org.address}:${org.ports.peer}`,
      gateway: `http://${org.address}:${org.ports.gateway}`,
      orderers: [],
    },
    msp: mspOf(layout.orgMsp(org)),
  };
}

/** The organisation file of the orderer organisation whose crypto is in `layout`. */
export function ordererOrganisationFile(layout: Layout, consortium: Consortium): OrganisationFile {
  const { ordererOrg } = consortium;
  return {
    kind: ORGANISATION_FILE_KIND,
    mspId: ordererOrg.mspId,
    role: 'orderer',
    code: null,
    name: ordererOrg.mspId,
    domain: ordererOrg.domain,
    host: ordererOrg.nodes[0]?.address ?? '',
    endpoints: {
      peer: null,
      gateway: null,
      orderers: ordererOrg.nodes.map((node) => `${node.address}:${node.ports.listen}`),
    },
    msp: mspOf(layout.ordererMsp(ordererOrg.domain)),
  };
}

export function writeOrganisationFile(file: string, content: OrganisationFile): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}

/** Reads and validates an organisation file. @throws OrganisationFileError naming each bad field. */
export function readOrganisationFile(file: string): OrganisationFile {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OrganisationFileError(file, [`(file): ${(error as Error).message}`]);
  }
  const parsed = organisationFileSchema.safeParse(content);
  if (!parsed.success) {
    throw new OrganisationFileError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

function writeAll(dir: string, files: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

function writeMsp(mspDir: string, msp: OrganisationFile['msp']): void {
  writeAll(path.join(mspDir, 'cacerts'), msp.cacerts);
  writeAll(path.join(mspDir, 'tlscacerts'), msp.tlscacerts);
  writeFileSync(path.join(mspDir, 'config.yaml'), msp.configYaml);
}

function onlyCert(files: Readonly<Record<string, string>>, field: string): string {
  const certs = Object.values(files);
  const [cert] = certs;
  if (cert === undefined || certs.length !== 1) {
    throw new Error(`${field}: expected exactly one certificate, found ${certs.length}`);
  }
  return cert;
}

/**
 * Places another organisation's public material where this host's layout expects it: its MSP (for
 * configtxgen and the channel config), its TLS CA (to dial its peer or orderer).
 */
export function importOrganisation(layout: Layout, consortium: Consortium, content: OrganisationFile): void {
  const tlsCa = onlyCert(content.msp.tlscacerts, 'msp.tlscacerts');
  if (content.role === 'orderer') {
    const domain = consortium.ordererOrg.domain;
    writeMsp(layout.ordererMsp(domain), content.msp);
    mkdirSync(path.dirname(layout.ordererTlsCa(domain)), { recursive: true });
    writeFileSync(layout.ordererTlsCa(domain), tlsCa);
    return;
  }
  const org = consortium.orgs.find((o) => o.mspId === content.mspId);
  if (org === undefined) {
    throw new Error(`mspId: ${content.mspId} is not an organisation of this host's consortium definition`);
  }
  writeMsp(layout.orgMsp(org), content.msp);
  mkdirSync(path.dirname(layout.orgTlsCa(org)), { recursive: true });
  writeFileSync(layout.orgTlsCa(org), tlsCa);
  const peerCa = layout.peer(org).tls.ca;
  mkdirSync(path.dirname(peerCa), { recursive: true });
  writeFileSync(peerCa, tlsCa);
}
