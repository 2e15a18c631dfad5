import path from 'node:path';
import { Definition } from '../../network';

/**
 * The consortium every integration test runs against: one real network per `npm test` run.
 * `HPF_TEST_DEFINITION` points at another definition (other ports, other data dir), so that two
 * checkouts on one machine can run their integration tests at the same time.
 */
export const TEST_DEFINITION =
  process.env.HPF_TEST_DEFINITION ?? path.join(Definition.REPO_ROOT, 'test', 'consortium.test.yaml');

export function testConsortium(options: { includeJoined?: boolean } = {}): Definition.Consortium {
  return Definition.loadDefinition(TEST_DEFINITION, Definition.REPO_ROOT, options);
}

/** Log sink for network steps during tests: prefixed, so the Jest output stays readable. */
export function testLog(line: string): void {
  process.stdout.write(`[network] ${line}\n`);
}

/**
 * `HPF_TEST_REUSE_NETWORK=1`: run against the network already up for TEST_DEFINITION (started with
 * `npm start -- --definition <file> --detach`), neither wiped first nor stopped after. For iterating on
 * one integration test; a full run (`npm test`) always starts a fresh network.
 */
export function reuseNetwork(): boolean {
  return process.env.HPF_TEST_REUSE_NETWORK === '1';
}
