import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The OpenAPI document, read once (from src/ under ts-jest, from dist/ when built). */
export function loadOpenApiDocument(file = path.join(__dirname, 'openapi.yaml')): object {
  const document: unknown = parse(readFileSync(file, 'utf8'));
  if (document === null || typeof document !== 'object' || !('paths' in document)) {
    throw new Error(`${file} is not an OpenAPI document`);
  }
  return document;
}

/** The path templates of the document, e.g. /v1/transfers/{id}/accept. */
export function pathTemplates(document: object): string[] {
  const paths = 'paths' in document ? document.paths : undefined;
  return paths !== null && typeof paths === 'object' ? Object.keys(paths) : [];
}

/**
 * The document for express-openapi-validator: without response `links`, whose parameter maps
 * (`{ id: '$response.body#/transferId' }`) its ajv would read as schemas with an `id`. It validates
 * requests only, so links are nothing to it; /openapi.json serves them for clients and fuzzers.
 */
export function withoutLinks(document: object): object {
  return JSON.parse(
    JSON.stringify(document, (key, value: unknown) => (key === 'links' ? undefined : value)),
  ) as object;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Each path template with the methods the document lists for it, upper-case (`GET`, `POST`). */
export function pathMethods(document: object): Map<string, string[]> {
  const paths = 'paths' in document ? document.paths : undefined;
  const result = new Map<string, string[]>();
  if (paths === null || typeof paths !== 'object') {
    return result;
  }
  for (const [template, item] of Object.entries(paths as Readonly<Record<string, unknown>>)) {
    const keys = item !== null && typeof item === 'object' ? Object.keys(item) : [];
    result.set(
      template,
      keys
        .filter((key) => HTTP_METHODS.includes(key))
        .map((key) => key.toUpperCase())
        .sort(),
    );
  }
  return result;
}
