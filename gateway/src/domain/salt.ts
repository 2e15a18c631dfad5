import { randomBytes } from 'node:crypto';

/** A fresh random salt for the transient person record, so personHash cannot be guessed. */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}
