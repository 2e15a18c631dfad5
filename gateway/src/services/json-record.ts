import { ApiError } from '../errors';

/** A JSON object as returned by the chaincode: read through the typed accessors below. */
export type JsonObject = Readonly<Record<string, unknown>>;

function malformed(what: string): ApiError {
  return new ApiError('INTERNAL', `the chaincode returned a malformed ${what}`);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses a chaincode result that must be a JSON object. */
export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(what);
  }
  if (!isJsonObject(value)) {
    throw malformed(what);
  }
  return value;
}

/** Parses a chaincode result that must be a JSON array; its objects, in order. */
export function parseJsonArray(text: string, what: string): JsonObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(what);
  }
  if (!Array.isArray(value)) {
    throw malformed(what);
  }
  return value.filter(isJsonObject);
}

export function stringField(record: JsonObject, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') {
    throw malformed(`record (${key})`);
  }
  return value;
}

export function optionalObject(record: JsonObject, key: string): JsonObject | undefined {
  const value = record[key];
  return isJsonObject(value) ? value : undefined;
}

export function arrayField(record: JsonObject, key: string): readonly unknown[] {
  const value = record[key];
  return Array.isArray(value) ? (value as unknown[]) : [];
}
