import { invalid } from './errors';

/** A parsed JSON object whose values are still unchecked. */
export type UncheckedObject = Readonly<Record<string, unknown>>;

/**
 * Small readers that turn `unknown` (a parsed JSON value) into typed fields, failing with
 * VALIDATION_FAILED naming the field path. Factories build every record and argument from them,
 * so nothing is ever cast from `JSON.parse`.
 */
export function readObject(value: unknown, path: string, allowedKeys?: readonly string[]): UncheckedObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path, 'must be a JSON object');
  }
  const object = value as UncheckedObject;
  if (allowedKeys !== undefined) {
    const unknownKey = Object.keys(object).find((key) => !allowedKeys.includes(key));
    if (unknownKey !== undefined) {
      throw invalid(path, `unexpected field "${unknownKey.slice(0, 40)}"`);
    }
  }
  return object;
}

function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function readString(object: UncheckedObject, key: string, path = ''): string {
  const value = object[key];
  if (typeof value !== 'string') {
    throw invalid(fieldPath(path, key), 'must be a string');
  }
  return value;
}

export function readOptionalString(object: UncheckedObject, key: string, path = ''): string | undefined {
  return object[key] === undefined ? undefined : readString(object, key, path);
}

export function readNullableString(object: UncheckedObject, key: string, path = ''): string | null {
  return object[key] === null ? null : readString(object, key, path);
}

export function readBoolean(object: UncheckedObject, key: string, path = ''): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') {
    throw invalid(fieldPath(path, key), 'must be true or false');
  }
  return value;
}

export function readInteger(
  object: UncheckedObject,
  key: string,
  min: number,
  max: number,
  path = '',
): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(fieldPath(path, key), `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function readOptionalInteger(
  object: UncheckedObject,
  key: string,
  min: number,
  max: number,
  path = '',
): number | undefined {
  return object[key] === undefined ? undefined : readInteger(object, key, min, max, path);
}

export function readArray(
  object: UncheckedObject,
  key: string,
  maxLength: number,
  path = '',
): readonly unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) {
    throw invalid(fieldPath(path, key), 'must be an array');
  }
  if (value.length > maxLength) {
    throw invalid(fieldPath(path, key), `must have at most ${maxLength} items`);
  }
  return value as readonly unknown[];
}
