import request from 'supertest';
import { loadOpenApiDocument } from '../src/openapi-document';
import { OPERATOR_KEY, bearer, buildApp } from './support/test-app';

/**
 * Every JSON request body in /openapi.json carries an example, and the example is valid: sent as it
 * is to the gateway (fake ledger behind it), neither the schema validator nor the gateway's own
 * checks refuse it with 400. PDF bodies (binary) have no JSON example.
 */

type Json = Readonly<Record<string, unknown>>;

/** Path parameters that satisfy the document's patterns. */
const PATH_VALUES: Readonly<Record<string, string>> = {
  '/v1/transfers/{id}': '4400002611200001',
  '/v1/withdrawals/{id}': 'W-2026-0001',
  '/v1/bans/{banId}': 'BAN-2026-0001',
  '/v1/certificates/{no}': 'ZM-2026-0001',
  '/v1/certificate-requests/{id}': 'RQ-440000-0001',
};

function concretePath(template: string): string {
  const prefix = Object.keys(PATH_VALUES).find((p) => template.startsWith(p));
  if (prefix === undefined) return template;
  const name = prefix.slice(prefix.lastIndexOf('{'));
  return template.replace(name, PATH_VALUES[prefix] ?? '');
}

function resolve(document: Json, value: unknown): Json {
  const object = value as Json;
  const ref = object.$ref;
  if (typeof ref !== 'string') return object;
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((node, key) => node[key] as Json, document);
}

interface Case {
  readonly method: string;
  readonly template: string;
  readonly example: unknown;
}

function jsonBodies(): Case[] {
  const document = loadOpenApiDocument() as Json;
  const cases: Case[] = [];
  for (const [template, item] of Object.entries(document.paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      const body = (operation as Json).requestBody;
      if (body === undefined) continue;
      const content = resolve(document, body).content as Json;
      const json = content['application/json'] as Json | undefined;
      if (json !== undefined) cases.push({ method, template, example: json.example });
    }
  }
  return cases;
}

describe('request body examples', () => {
  const cases = jsonBodies();

  it('covers every JSON request body', () => {
    expect(cases.length).toBeGreaterThanOrEqual(19);
    expect(cases.filter((c) => c.example === undefined).map((c) => `${c.method} ${c.template}`)).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.method.toUpperCase()} ${c.template}`, c] as const))(
    '%s: its example passes validation',
    async (_name, c) => {
      const { app } = buildApp();
      const res = await request(app)
        .post(concretePath(c.template))
        .set('Authorization', bearer(OPERATOR_KEY))
        .send(c.example as object);
      expect({
        status: res.status,
        body: res.status === 400 ? (res.body as unknown) : undefined,
      }).not.toEqual(expect.objectContaining({ status: 400 }));
      expect(res.status).not.toBe(415);
    },
  );
});
