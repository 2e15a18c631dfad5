// @ts-check
/**
 * Unit tests run in-process against fakes; integration tests share one real network per run; the fault
 * suite (`npm run test:faults`) has its own supervised 3-orderer network.
 *
 * Plain ES module, so Jest loads it without ts-node. Our TypeScript is compiled by ts-jest.
 */

import vm from 'node:vm';

/**
 * fabric-gateway 1.12 requires @noble/curves 2 and @noble/hashes 2, which are ES modules only. Jest 30
 * loads them natively (require(esm)) when Node gives it synchronous module evaluation: Node ≥ 24.9
 * started with `--experimental-vm-modules`, as the npm scripts do (`npm test`, `npm run test:unit`).
 * A bare `npx jest` lacks that flag; only then are the two packages compiled to CommonJS by ts-jest.
 */
const ESM_ONLY_PACKAGES = ['@noble/curves', '@noble/hashes'];
const loadsEsmNatively = typeof vm.SourceTextModule?.prototype?.hasAsyncGraph === 'function';

/** @type {import('jest').Config['transform']} */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
if (!loadsEsmNatively) {
  transform[`/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/.+\\.js$`] = [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
  ];
}
/** @type {import('jest').Config} */
const esmFallback = loadsEsmNatively
  ? {}
  : { transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`] };

/** @type {import('jest').Config} */
const config = {
  // The first request of a unit test file compiles the OpenAPI validator; on a shared 2-core machine
  // under load (several checkouts testing at once) that alone has taken more than Jest's default 5 s.
  // Integration tests set their own (longer) timeout in test/support/jest-setup.ts.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      ...esmFallback,
      testMatch: [
        '<rootDir>/chaincode/test/**/*.test.ts',
        '<rootDir>/gateway/test/**/*.test.ts',
        '<rootDir>/network/test/**/*.test.ts',
        '<rootDir>/test/rehearsal/**/*.test.ts',
        '<rootDir>/test/docs/**/*.test.ts',
        '<rootDir>/test/platform/**/*.test.ts',
      ],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      ...esmFallback,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      ...esmFallback,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/faults/global-setup.ts',
      globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};

export default config;
