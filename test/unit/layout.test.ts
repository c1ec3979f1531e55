/**
 * The direction of imports that CONTRIBUTING.md ("Layout") promises, read from the source:
 * the client knows nothing of the provider; the core knows the client but no resource; a
 * resource folder knows the core and the client but no other resource; only the package's
 * entry points (index.ts, sharedProvider.ts) and the recover command sit above the folders.
 * A new resource is a folder: this test learns of it from the tree.
 */
import * as fs from "fs";
import * as path from "path";

const PROVIDER = path.join(__dirname, "..", "..", "provider");

/** Every .ts file under `dir`, relative to provider/. */
function sources(dir = PROVIDER): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [path.relative(PROVIDER, full)] : [];
  });
}

/** The provider-relative areas a file imports: "client", "core", a resource folder, or "." for the top. */
function importedAreas(file: string): string[] {
  const text = fs.readFileSync(path.join(PROVIDER, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const target = path.relative(PROVIDER, path.resolve(path.dirname(path.join(PROVIDER, file)), spec));
    return target.includes(path.sep) ? target.split(path.sep)[0] : ".";
  });
}

const areaOf = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0] : ".");

/** What each area may import besides itself. */
function allowed(area: string, resources: string[]): string[] {
  if (area === "client") return [];
  if (area === "core") return ["client"];
  if (resources.includes(area)) return ["core", "client", "."]; // "." only for version.ts and sharedProvider.ts (below)
  return ["core", "client", ".", ...resources]; // the top (index.ts, sharedProvider.ts) and recover/
}

describe("the layout's direction of imports (CONTRIBUTING.md, Layout)", () => {
  const files = sources();
  const areas = [...new Set(files.map(areaOf))];
  const resources = areas.filter((a) => ![".", "client", "core", "recover"].includes(a));

  it("finds the two resource folders and the shared parts", () => {
    expect(resources.sort()).toEqual(expect.arrayContaining(["apiKey", "secret"]));
    expect(areas).toEqual(expect.arrayContaining(["client", "core"]));
  });

  it("has every import point down the layers: resource folders -> core -> client, and no resource into another", () => {
    const wrong = files.flatMap((file) => {
      const area = areaOf(file);
      return importedAreas(file)
        .filter((to) => to !== area && !allowed(area, resources).includes(to))
        .map((to) => `${file} imports from ${to}/`);
    });
    expect(wrong).toEqual([]);
  });

  // ApiKey's shared provider object stays at the top: `dist/provider/sharedProvider.js` is the
  // module path its stored states name (a public contract), so ApiKey's resource.ts reaches up.
  it("lets a resource folder import from the top only version.ts and the stored sharedProvider", () => {
    const wrong = files
      .filter((file) => resources.includes(areaOf(file)))
      .flatMap((file) => {
        const text = fs.readFileSync(path.join(PROVIDER, file), "utf8");
        // Resolved, so a file in a subfolder of a resource (`rotatingApiKey/delivery/`) may import its folder's files.
        return [...text.matchAll(/from\s+"(\.\.\/[^"]+)"/g)]
          .map((m) => path.relative(PROVIDER, path.resolve(path.dirname(path.join(PROVIDER, file)), m[1])))
          .filter((target) => !target.includes(path.sep))
          .filter((name) => name !== "version" && name !== "sharedProvider")
          .map((n) => `${file} imports ${n} from the top`);
      });
    expect(wrong).toEqual([]);
  });
});
