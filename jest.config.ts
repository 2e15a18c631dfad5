import type { Config } from 'jest';

/**
 * fabric-gateway 1.12 requires @noble/curves 2 and @noble/hashes 2, which are ES modules only. Node ≥ 22.12
 * loads them through require(esm), but Jest 29 has its own module loader that does not: Jest compiles
 * them to CommonJS (TypeScript's transpiler, no type check) like our own sources.
 */
const ESM_ONLY_PACKAGES = ['@noble/curves', '@noble/hashes'];
const tsJest: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  [`/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/.+\\.js$`]: [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true },
  ],
};
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`];

/**
 * Unit tests run in-process against fakes; integration tests share one real network per run; the fault
 * suite (`npm run test:faults`) has its own supervised 3-orderer network.
 */
const config: Config = {
  // The first request of a unit test file compiles the OpenAPI validator; on a shared 2-core machine
  // under load (several checkouts testing at once) that alone has taken more than Jest's default 5 s.
  // Integration tests set their own (longer) timeout in test/support/jest-setup.ts.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      transformIgnorePatterns,
      testMatch: [
        '<rootDir>/chaincode/test/**/*.test.ts',
        '<rootDir>/gateway/test/**/*.test.ts',
        '<rootDir>/network/test/**/*.test.ts',
        '<rootDir>/test/rehearsal/**/*.test.ts',
        '<rootDir>/test/docs/**/*.test.ts',
      ],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: tsJest,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
    {
      displayName: 'faults',
      testEnvironment: 'node',
      transform: tsJest,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      globalSetup: '<rootDir>/test/faults/global-setup.ts',
      globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
  ],
};

export default config;
