import type { Request } from 'express';
import { invalidField } from '../errors';
import { isJsonObject } from '../services/json-record';

/**
 * Reading a console request: every query value is a single string of at most 200 characters, checked
 * against a pattern; a bad one is a 400 naming the field. Pages build their query schema from these.
 */

export const CENTRE = /^[1-8]\d0000$/;
export const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A query value given at most once, or undefined when absent or empty. */
export function one(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidField(name, 'must be given once');
  if (value.length > 200) throw invalidField(name, 'must be at most 200 characters');
  return value;
}

/** A query value that must match `pattern` (`problem` says how, in the error). */
export function matching(req: Request, name: string, pattern: RegExp, problem: string): string | undefined {
  const value = one(req, name);
  if (value !== undefined && !pattern.test(value)) throw invalidField(name, problem);
  return value;
}

/** A route parameter (Express types them loosely). */
export function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** A field of a posted form (`urlencoded`), or undefined. */
export function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  const value = isJsonObject(body) ? body[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The page number (`page`, from 1). */
export function pageOf(req: Request): number {
  const value = matching(req, 'page', /^[1-9]\d{0,5}$/, 'must be a whole number from 1 to 999999');
  return value === undefined ? 1 : Number(value);
}

/** The given filters, for links that keep them (pagination, CSV). */
export function filtersOf(req: Request, names: readonly string[]): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of names) {
    const value = one(req, name);
    if (value !== undefined) query.set(name, value);
  }
  return query;
}
