/**
 * The module path every Secret's `__provider` stores: in a user's install it is captured as
 * `require("@pulumi-baseten/api-key/dist/provider/secret/sharedProvider.js")`, and `pulumi destroy`
 * loads exactly that path. Moving or renaming the module breaks every existing stack's destroy.
 */
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const STORED_MODULE = "dist/provider/secret/sharedProvider.js";

describe("the stored Secret provider module path (a public contract)", () => {
  it("is where the build puts provider/secret/sharedProvider.ts", () => {
    const build = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string };
    };
    const base = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string } };
    expect(fs.existsSync(path.join(REPO, "provider", "secret", "sharedProvider.ts"))).toBe(true);
    const compiled = path.join(
      base.compilerOptions.outDir,
      path.relative(build.compilerOptions.rootDir, "provider/secret/sharedProvider.js"),
    );
    expect(path.normalize(compiled)).toBe(path.normalize(STORED_MODULE));
  });

  it("exports the whole provider object as the module itself", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const provider = require(path.join(REPO, "provider", "secret", "sharedProvider")) as Record<string, unknown>;
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      expect(typeof provider[method]).toBe("function");
    }
  });

  it("is what the Secret class registers (checked in its built form)", () => {
    const built = fs.readFileSync(path.join(REPO, "dist", "provider", "secret", "resource.js"), "utf8");
    expect(built).toMatch(/require\("\.\/sharedProvider"\)/);
  });
});
