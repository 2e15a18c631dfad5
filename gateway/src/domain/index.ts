/**
 * The gateway's domain helpers: one import point. Validation and pseudonyms come from the chaincode's
 * domain module (shared.ts); hashing of evidence, salts and the URL check are the gateway's own.
 */
export * from './canonical-json';
export * from './pseudonym';
export * from './shared';
export * from './url-personal-data';
