/** @type {import('jest').Config} */
// Three projects so each suite can be run alone (`npx jest --selectProjects e2e`).
// `npm test` runs them all; the e2e and reliability suites drive the real Pulumi CLI.
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/test/{unit,emulator,contract}/**/*.test.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
    },
    {
      displayName: "reliability",
      testEnvironment: "node",
      transform: tsJest,
      testMatch: ["<rootDir>/test/reliability/**/*.test.ts"],
    },
  ],
};
