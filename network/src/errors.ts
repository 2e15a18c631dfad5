/**
 * Errors a command reports as a message, without a stack (see `runMain`), that are not tied to one
 * leaf module (the definition, data-dir, Fabric install and organisation-file errors live beside
 * their checks).
 */

/** A command's flags are wrong; the message names the flag. */
export class UsageError extends Error {}

/** An organisation cannot join as asked (the network is down, too few centres to sign). */
export class JoinError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JoinError';
  }
}

/** The orderer refused a config update (too few signatures, a stale update); nothing changed. */
export class ConfigUpdateRejected extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigUpdateRejected';
  }
}
