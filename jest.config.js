// Three tiers: unit specs beside the code, e2e suites against the real app (test/e2e), and
// browser suites driving the hosted pages in Debian's headless Chromium (test/browser).
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

// oidc-provider, openid-client and jose ship ES modules only; jest's CommonJS loader
// needs them transpiled, which is all this second transform does.
const ESM_PACKAGES = ['oidc-provider', 'openid-client', 'oauth4webapi', 'jose'];
const esmToCommonJs = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true }];

const common = {
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: { '^.+\\.ts$': tsJest, '^.+\\.m?js$': esmToCommonJs },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
};

module.exports = {
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    // src/console is browser code with its own tsconfig (DOM, ES modules); the browser suite covers it.
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/src/console/'] },
    { ...common, displayName: 'e2e', rootDir: '.', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'browser', rootDir: '.', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
