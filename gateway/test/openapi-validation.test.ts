import { createRequire } from 'node:module';
import path from 'node:path';
import request from 'supertest';
import { prepareApp } from '../src/app';
import { loadOpenApiDocument, pathMethods } from '../src/openapi-document';
import { memoisePathToRegexp } from '../src/http/openapi-validation';
import { OPERATOR_KEY, bearer, buildApp } from './support/test-app';

/** The modules express-openapi-validator itself loads (it has its own copy of AJV). */
const fromValidator = createRequire(require.resolve('express-openapi-validator'));
const ajvCompile = fromValidator(path.join(path.dirname(fromValidator.resolve('ajv')), 'compile')) as {
  compileSchema: (...args: unknown[]) => unknown;
};
const pathToRegexpModule = fromValidator('path-to-regexp') as {
  pathToRegexp: (path: string, options?: object) => { regexp: RegExp; keys: unknown[] };
};

const AUTH = bearer(OPERATOR_KEY);
const document = loadOpenApiDocument();

/** Every operation of the document as the first request of a client would send it. */
function firstRequests(): { method: string; url: string; contentType?: string }[] {
  const paths = (document as { paths: Record<string, Record<string, { requestBody?: object }>> }).paths;
  const result: { method: string; url: string; contentType?: string }[] = [];
  for (const [template, methods] of pathMethods(document)) {
    const url = template.replace(/\{[^}]+\}/g, 'W-1');
    for (const method of methods) {
      const body = paths[template]?.[method.toLowerCase()]?.requestBody;
      const contentTypes =
        body === undefined
          ? [undefined]
          : Object.keys((body as { content?: object }).content ?? { 'application/json': {} });
      for (const contentType of contentTypes) result.push({ method, url, contentType });
    }
  }
  return result;
}

async function send(
  app: Parameters<typeof request>[0],
  { method, url, contentType }: { method: string; url: string; contentType?: string },
): Promise<request.Response> {
  const call = request(app)[method.toLowerCase() as 'get' | 'post'](url).set('Authorization', AUTH);
  if (contentType === 'application/pdf')
    return call.set('Content-Type', contentType).send(Buffer.from('%PDF-1.7'));
  if (contentType !== undefined) return call.send({});
  return call;
}

describe('OpenAPI validators compiled at start-up', () => {
  let compiles: jest.SpyInstance;
  beforeEach(() => {
    compiles = jest.spyOn(ajvCompile, 'compileSchema');
  });
  afterEach(() => {
    compiles.mockRestore();
  });

  it('without prepareApp, the first withdrawal compiles its validators (what the spy sees)', async () => {
    const { app } = buildApp();
    const res = await send(app, { method: 'POST', url: '/v1/withdrawals', contentType: 'application/json' });
    expect(res.status).toBe(400);
    expect(compiles).toHaveBeenCalled();
  });

  it('after prepareApp, the first request of every operation compiles nothing', async () => {
    const { app, ledger } = buildApp();
    await prepareApp(app);
    // The warm-up called no ledger function and sent nothing.
    expect(ledger.calls).toEqual([]);
    const requests = firstRequests();
    expect(requests.length).toBeGreaterThan(40);
    compiles.mockClear();
    const statuses = new Set<number>();
    for (const r of requests) {
      statuses.add((await send(app, r)).status);
    }
    expect(compiles).not.toHaveBeenCalled();
    // The requests did reach the validator: bodies of {} are refused, naming fields.
    expect(statuses).toContain(400);
  });

  it('JSON with charset=utf-8 is compiled too', async () => {
    const { app } = buildApp();
    await prepareApp(app);
    compiles.mockClear();
    const res = await request(app)
      .post('/v1/verify')
      .set('Authorization', AUTH)
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({}));
    expect(res.status).toBe(400);
    expect(compiles).not.toHaveBeenCalled();
  });

  it('answers the same with and without the warm-up', async () => {
    const answers = async (prepare: boolean): Promise<unknown[]> => {
      const { app } = buildApp();
      if (prepare) await prepareApp(app);
      const out: unknown[] = [];
      for (const r of [
        { method: 'POST', url: '/v1/withdrawals', contentType: 'application/json' },
        { method: 'GET', url: '/v1/withdrawals/W-1?centre=1' },
        { method: 'POST', url: '/v1/transfers/4400002611200001/accept' },
        { method: 'GET', url: '/v1/bans/B-1' },
      ]) {
        const res = await send(app, r);
        out.push([res.status, res.headers['content-type'], res.headers.allow, res.body]);
      }
      return out;
    };
    expect(await answers(true)).toEqual(await answers(false));
  });
});

describe('path-to-regexp memoised for the validator', () => {
  it('returns the same expression for the same template and flags, a fresh one otherwise', () => {
    memoisePathToRegexp();
    memoisePathToRegexp(); // idempotent
    const { pathToRegexp } = pathToRegexpModule;
    const a = pathToRegexp('/v1/withdrawals/:id', { sensitive: false, strict: false });
    expect(pathToRegexp('/v1/withdrawals/:id', { sensitive: false, strict: false })).toBe(a);
    expect(pathToRegexp('/v1/withdrawals/:id', { sensitive: true, strict: false })).not.toBe(a);
    expect(pathToRegexp('/v1/withdrawals/:id', { end: false })).not.toBe(a);
    expect(a.regexp.exec('/v1/withdrawals/W-1')?.[1]).toBe('W-1');
    expect(a.regexp.exec('/v1/withdrawals/W-2')?.[1]).toBe('W-2');
  });
});
