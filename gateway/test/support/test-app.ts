import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { pino } from 'pino';
import { createApp, type AppSettings } from '../../src/app';
import { canonicalIdentity, chinaToday, subjectRefOf } from '../../src/domain';
import type { LedgerIndex } from '../../src/services/ledger-index';
import type { VerificationCache } from '../../src/services/verification-cache';
import { newMetrics, type Metrics } from '../../src/metrics';
import { FakeLedger } from './fake-ledger';

export const OPERATOR_KEY = 'operator-key-440000-0123456789abcdef';
export const AUDITOR_KEY = 'auditor-key-440000-0123456789abcdef';
/** An operator key of the same (Guangdong) gateway bound to another of its centres: 深圳 440300. */
export const SHENZHEN_OPERATOR_KEY = 'operator-key-440300-0123456789abcdef';
export const PSEUDONYM_KEY = Buffer.alloc(32, 7);

/** A valid 18-character resident ID (GB 11643 example) and its 15-digit form. */
export const RESIDENT_ID = '11010519491231002X';
export const RESIDENT_ID_15 = '110105491231002';

/** The subjectRef the gateway computes for a person with the test key (the claimed type does not matter). */
export function subjectRefWithTestKey(idType: string, idNumber: string): string {
  return subjectRefOf(PSEUDONYM_KEY, canonicalIdentity(idType, idNumber, chinaToday(), 'idNumber'));
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface TestApp {
  readonly app: Express;
  readonly ledger: FakeLedger;
  readonly logs: string[];
  /** The app's metrics, which the operations listener serves. */
  readonly metrics: Metrics;
}

export function buildApp(
  overrides: Partial<AppSettings> = {},
  extra: { verifications?: VerificationCache; index?: LedgerIndex } = {},
): TestApp {
  const ledger = new FakeLedger();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const centreCode = overrides.centreCode === undefined ? '440000' : overrides.centreCode;
  const settings: AppSettings = {
    centreCode,
    mspId: centreCode === null ? 'RegulatorMSP' : `C${centreCode}MSP`,
    regulatorMspId: 'RegulatorMSP',
    endorsingFallbackMsps: ['C110000MSP', 'C310000MSP'],
    pseudonymKey: PSEUDONYM_KEY,
    apiKeys: [
      ...(centreCode === null
        ? []
        : [
            { id: 'ops', role: 'operator' as const, sha256: sha256(OPERATOR_KEY), centre: centreCode },
            ...(centreCode === '440000'
              ? [
                  {
                    id: 'ops-440300',
                    role: 'operator' as const,
                    sha256: sha256(SHENZHEN_OPERATOR_KEY),
                    centre: '440300',
                  },
                ]
              : []),
          ]),
      { id: 'audit', role: 'auditor', sha256: sha256(AUDITOR_KEY), centre: null },
    ],
    rateLimitPerMinute: 1000,
    unauthenticatedRateLimitPerMinute: 1000,
    publicVerifyRateLimitPerMinute: 1000,
    readinessTimeoutMs: 1000,
    readinessCacheMs: 0,
    bodyLimit: '32kb',
    batchBodyLimit: '512kb',
    maxConflictRetries: 3,
    conflictBackoffMs: 1,
    sseHeartbeatMs: 60_000,
    sseStallTimeoutMs: 60_000,
    consoleSessionMinutes: 30,
    consoleSessionsPerKey: 5,
    secureCookies: false,
    consoleOverdueWorkingDays: 10,
    ...overrides,
  };
  const metrics = newMetrics();
  const app = createApp({
    ledger,
    settings,
    logger: pino({ level: 'info' }, sink),
    metrics,
    ...(extra.verifications === undefined ? {} : { verifications: extra.verifications }),
    ...(extra.index === undefined ? {} : { index: extra.index }),
  });
  return { app, ledger, logs, metrics };
}

export const bearer = (key: string): string => `Bearer ${key}`;
