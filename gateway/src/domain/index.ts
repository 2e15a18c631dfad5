/** The gateway's domain helpers: one import point, so that their source can change in one place. */
export * from './canonical-json';
export * from './codes';
export * from './money';
export * from './pseudonym';
export * from './resident-id';
