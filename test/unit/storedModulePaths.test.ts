/**
 * The module path every Secret's and every RotatingApiKey's `__provider` stores: in a user's
 * install it is captured as `require("@pulumi-baseten/api-key/dist/provider/<folder>/sharedProvider.js")`,
 * and `pulumi destroy` loads exactly that path. Moving or renaming the module breaks every
 * existing stack's destroy. (ApiKey's, at the top, is in publicContract.test.ts.)
 */
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");

describe.each([
  ["Secret", "secret"],
  ["RotatingApiKey", "rotatingApiKey"],
])("the stored %s provider module path (a public contract)", (_cls, folder) => {
  const STORED_MODULE = `dist/provider/${folder}/sharedProvider.js`;

  it(`is where the build puts provider/${folder}/sharedProvider.ts`, () => {
    const build = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string };
    };
    const base = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string } };
    expect(fs.existsSync(path.join(REPO, "provider", folder, "sharedProvider.ts"))).toBe(true);
    const compiled = path.join(
      base.compilerOptions.outDir,
      path.relative(build.compilerOptions.rootDir, `provider/${folder}/sharedProvider.js`),
    );
    expect(path.normalize(compiled)).toBe(path.normalize(STORED_MODULE));
  });

  it("exports the whole provider object as the module itself", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const provider = require(path.join(REPO, "provider", folder, "sharedProvider")) as Record<string, unknown>;
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      expect(typeof provider[method]).toBe("function");
    }
  });

  it("is what the class registers (checked in its built form)", () => {
    const built = fs.readFileSync(path.join(REPO, "dist", "provider", folder, "resource.js"), "utf8");
    expect(built).toMatch(/require\("\.\/sharedProvider"\)/);
  });
});
