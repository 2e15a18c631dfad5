import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The only way files move between the rehearsal's hosts, as they would by mail: a host hands a file
 * to the courier, which copies it into the courier directory and logs its name, size, sender and
 * receivers; a receiving host reads it from there.
 */

export interface Parcel {
  readonly file: string;
  readonly bytes: number;
  readonly from: string;
  readonly to: readonly string[];
  /** True for the consortium's shared pseudonymisation key (in reality sent over a secure channel). */
  readonly secret: boolean;
}

export class Courier {
  readonly dir: string;
  readonly parcels: Parcel[] = [];
  readonly #log: (line: string) => void;

  constructor(dir: string, log: (line: string) => void) {
    this.dir = dir;
    this.#log = log;
    mkdirSync(dir, { recursive: true });
  }

  /** Copies `source` into the courier directory under `name`; returns the courier's copy. */
  send(from: string, to: readonly string[], source: string, name: string, secret = false): string {
    const target = path.join(this.dir, name);
    copyFileSync(source, target);
    const bytes = statSync(target).size;
    this.parcels.push({ file: name, bytes, from, to, secret });
    this.#log(`  courier: ${from} -> ${to.join(', ')}: ${name} (${bytes} bytes)${secret ? ' [secret]' : ''}`);
    return target;
  }
}
