import { invalidField } from '../errors';

/**
 * The HTTP page token is the chaincode's Fabric bookmark in base64url. A bookmark is a composite
 * key, which holds U+0000 separators: sent as it is, it could not travel back in a query string.
 */
export function pageTokenOf(bookmark: unknown): string | null {
  return typeof bookmark === 'string' && bookmark !== ''
    ? Buffer.from(bookmark, 'utf8').toString('base64url')
    : null;
}

/** The bookmark inside a page token; a token this gateway could not have given is VALIDATION_FAILED. */
export function bookmarkOf(pageToken: string): string {
  const bookmark = Buffer.from(pageToken, 'base64url').toString('utf8');
  if (pageTokenOf(bookmark) !== pageToken) {
    throw invalidField('pageToken', 'is not a page token this API returned');
  }
  return bookmark;
}
