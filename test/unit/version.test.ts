import { PROVIDER_VERSION } from "../../provider/version";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require("../../package.json") as { version: string };

it("records the package version in every resource", () => {
  expect(PROVIDER_VERSION).toBe(pkg.version);
});
