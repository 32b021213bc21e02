// Two tiers: unit specs beside the code, e2e suites against the real app (test/e2e).
// The swagger plugin runs in ts-jest too, so /docs-json in tests is the document users get.
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    astTransformers: {
      before: ['<rootDir>/test/support/swagger-transformer.js'],
    },
  },
];

const common = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j)s$': tsJest },
  testEnvironment: 'node',
};

module.exports = {
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
