// Keeps this checkout's scripts out of the packed package.json (as pinst does for postinstall).
//
// Every script here needs files the package does not carry: `prepare` (scripts/link-self.js)
// links this checkout for the examples, `prepack`/`postpack` run this file, `build` needs the
// sources and tsconfig, `test`, `demo`, `lint`... the tests and tools. Shipped, they break what
// a user does with the package: npm 11 lists every install-time script of a package its users
// install ("install-scripts ... not yet covered by allowScripts"), and packing the extracted
// package again (to vendor it) runs `prepack`, which fails (exit 127). npm packs package.json as
// it is on disk after `prepack`, so:
//
//   node scripts/packed-manifest.js strip     (end of prepack) saves package.json byte for byte
//                                             to .tmp/package.json.before-pack, drops `scripts`
//   node scripts/packed-manifest.js restore   (postpack) puts the saved file back
//
// A pack that died between the two leaves the saved copy behind; the next strip or restore
// puts it back first (unless package.json got its scripts back meanwhile), so neither the
// scripts nor later edits are lost.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const manifest = path.join(root, "package.json");
const saved = path.join(root, ".tmp", "package.json.before-pack");

/** Puts the saved package.json back, unless package.json has its scripts already (the saved copy is then stale). */
function restore() {
  if (!fs.existsSync(saved)) return;
  const current = JSON.parse(fs.readFileSync(manifest, "utf8"));
  if (current.scripts === undefined) fs.copyFileSync(saved, manifest);
  fs.rmSync(saved);
}

const command = process.argv[2];
if (command === "strip") {
  restore();
  const text = fs.readFileSync(manifest, "utf8");
  const json = JSON.parse(text);
  fs.mkdirSync(path.dirname(saved), { recursive: true });
  fs.writeFileSync(saved, text);
  delete json.scripts;
  fs.writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);
} else if (command === "restore") {
  restore();
} else {
  console.error("usage: node scripts/packed-manifest.js strip|restore");
  process.exit(2);
}
