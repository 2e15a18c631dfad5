/**
 * Domain facts and validators shared by the chaincode and the gateway. Nothing here imports Fabric,
 * so the gateway can import this module directly.
 */
export * from './attestation-id';
export * from './centre-codes';
export * from './codes';
export * from './dates';
export * from './errors';
export * from './evidence';
export * from './confusables';
export * from './fold';
export * from './free-text';
export * from './id-shaped';
export * from './identity';
export * from './json-fields';
export * from './keyed-hash';
export * from './permanent-residence-card';
export * from './pseudonym-key';
export * from './resident-id';
export * from './uscc';
export * from './validators';
export { canonicalJson, encodeJson, parseJson, type Json } from '../codec';
export * from './certificate';
