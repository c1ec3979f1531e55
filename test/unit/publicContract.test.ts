/**
 * Paths that existing stacks depend on. Every resource an installed package created stores
 * `__provider` as `require("@pulumi-baseten/api-key/dist/provider/sharedProvider.js")` (see
 * provider/sharedProvider.ts), and `pulumi destroy` loads exactly that path from the user's
 * node_modules: moving or renaming the module breaks every existing stack's destroy.
 */
import * as fs from "fs";
import * as path from "path";

const REPO = path.resolve(__dirname, "../..");
const STORED_MODULE = "dist/provider/sharedProvider.js";

describe("the stored provider module path (a public contract)", () => {
  it("is where the build puts provider/sharedProvider.ts", () => {
    const build = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.build.json"), "utf8")) as {
      compilerOptions: { rootDir: string };
    };
    const base = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8")) as { compilerOptions: { outDir: string } };
    expect(fs.existsSync(path.join(REPO, "provider", "sharedProvider.ts"))).toBe(true);
    const compiled = path.join(
      base.compilerOptions.outDir,
      path.relative(build.compilerOptions.rootDir, "provider/sharedProvider.js"),
    );
    expect(path.normalize(compiled)).toBe(path.normalize(STORED_MODULE));
  });

  it("is published: package.json ships it and exports ./dist/*", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
      name: string;
      files: string[];
      exports: Record<string, unknown>;
    };
    expect(pkg.name).toBe("@pulumi-baseten/api-key");
    expect(pkg.files).toContain("dist/provider/**/*.js");
    expect(pkg.exports["./dist/*"]).toBe("./dist/*");
  });

  it("exports the whole provider object as the module itself", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const provider = require(path.join(REPO, "provider", "sharedProvider")) as Record<string, unknown>;
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
      expect(typeof provider[method]).toBe("function");
    }
  });
});
