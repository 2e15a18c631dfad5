/**
 * Micro-benchmark of the personal-data checks an attestation now runs in the gateway and in each
 * endorser: the evidence fold, the ID detector and the keyed hashes (HKDF + HMAC). Figures only,
 * never pass/fail: `npx tsx test/bench/bench-keyed-hash.ts [--calls N]`.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';

import {
  evidenceHashOf,
  findIdShapedRun,
  foldReference,
  freeTextHash,
  hashKeysOf,
  validateEvidenceReference,
  validateWithdrawalId,
} from '@hpf/chaincode/dist/domain';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' } } });
const calls = Number(values.calls);
if (!Number.isInteger(calls) || calls < 100 || calls > 10_000_000) {
  throw new Error(`--calls must be an integer from 100 to 10000000, got ${values.calls}`);
}

const KEY = Buffer.alloc(32, 7);
/** What a chaincode server (config.ts) and a gateway (domain/shared.ts) derive once from K. */
const KEYS = hashKeysOf(KEY);
const REFERENCES = ['京（2026）朝阳区不动产权第０００１号', 'GF-2026-000123', '沪房地浦字(2025)第012345号'];

function microseconds(label: string, run: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(calls, 2000); i += 1) run(i); // warm-up
  // CPU time of this process (user + system), not wall time: on a shared machine the wall clock
  // mostly measures the other processes.
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i += 1) run(i);
  const used = process.cpuUsage(start);
  const perCall = (used.user + used.system) / calls;
  console.log(`${label.padEnd(72)} ${perCall.toFixed(2).padStart(8)} µs CPU/call`);
  return perCall;
}

const ref = (i: number): string => `${REFERENCES[i % REFERENCES.length] ?? ''}${i % 97}`;
console.log(`${calls} calls each, node ${process.version}`);
microseconds('unkeyed sha256 of the folded reference (before)', (i) =>
  createHash('sha256')
    .update(foldReference(ref(i)))
    .digest('hex'),
);
microseconds('foldReference (evidence fold)', (i) => foldReference(ref(i)));
microseconds('findIdShapedRun (detector)', (i) => findIdShapedRun(ref(i)));
microseconds('validateEvidenceReference + evidenceHashOf (keys derived once, as deployed)', (i) =>
  evidenceHashOf(KEYS, validateEvidenceReference(ref(i), 'evidence[0].reference')),
);
microseconds('the same, deriving the keys from K on every call (HKDF, raw-key HMAC)', (i) =>
  evidenceHashOf(KEY, validateEvidenceReference(ref(i), 'evidence[0].reference')),
);
microseconds('validateWithdrawalId (with the detector)', (i) => validateWithdrawalId(`W-2026-${i % 10000}`));
microseconds('freeTextHash (keys derived once, as deployed)', (i) =>
  freeTextHash(KEYS, `录入错误 ${i % 97}`),
);
microseconds('unkeyed sha256 of the NFC text (before)', (i) =>
  createHash('sha256')
    .update(`录入错误 ${i % 97}`.normalize('NFC'))
    .digest('hex'),
);
