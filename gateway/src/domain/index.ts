/**
 * The gateway's domain helpers: one import point. Validation, canonical identity, pseudonyms and
 * evidence hashes come from the chaincode's domain module (shared.ts), so endorsers recompute exactly
 * what the gateway sends; salts and the URL check are the gateway's own.
 */
export * from './canonical-json';
export * from './salt';
export * from './shared';
export * from './url-personal-data';
