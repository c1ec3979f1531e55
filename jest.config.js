/** @type {import('jest').Config} */
// One project per suite so each can be run alone (`npx jest --selectProjects e2e`).
// `npm test` runs unit, e2e and package; `npm run test:reliability` runs the long reliability
// suite. Every project but unit drives the real Pulumi CLI.
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
// Copies of the repo under .tmp/ (the Node 22 run) must not shadow its modules.
const ignoreCopies = ["<rootDir>/.tmp/"];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: tsJest,
      modulePathIgnorePatterns: ignoreCopies,
      testMatch: ["<rootDir>/test/{unit,emulator,contract}/**/*.test.ts"],
      // A bound on a hang, not a speed check: Jest's 5 s default failed a test of seven local
      // requests once on a loaded 2-core CI machine (test/emulator/limits.test.ts).
      testTimeout: 60_000,
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform: tsJest,
      modulePathIgnorePatterns: ignoreCopies,
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
    },
    {
      displayName: "package",
      testEnvironment: "node",
      transform: tsJest,
      modulePathIgnorePatterns: ignoreCopies,
      testMatch: ["<rootDir>/test/{package,examples}/**/*.test.ts"],
    },
    {
      displayName: "reliability",
      testEnvironment: "node",
      transform: tsJest,
      modulePathIgnorePatterns: ignoreCopies,
      testMatch: ["<rootDir>/test/reliability/**/*.test.ts"],
    },
  ],
};
