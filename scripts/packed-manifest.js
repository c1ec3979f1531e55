// Keeps the `prepare` script out of the packed package.json (as pinst does for postinstall).
//
// `prepare` (scripts/link-self.js) is for this checkout: `npm ci` runs it to link the package
// into node_modules for the examples. Users must not get it: the file is not shipped, and npm 11
// lists every install-time script of a package its users install ("install-scripts ... not yet
// covered by allowScripts"). npm packs package.json as it is on disk after `prepack`, so:
//
//   node scripts/packed-manifest.js strip     (end of prepack) saves package.json byte for byte
//                                             to .tmp/package.json.before-pack, drops `prepare`
//   node scripts/packed-manifest.js restore   (postpack) puts the saved file back
//
// A pack that died between the two leaves the saved copy behind; the next strip or restore
// puts it back first (unless package.json got its `prepare` back meanwhile), so neither the
// script nor later edits are lost.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const manifest = path.join(root, "package.json");
const saved = path.join(root, ".tmp", "package.json.before-pack");

/** Puts the saved package.json back, unless package.json has its `prepare` already (the saved copy is then stale). */
function restore() {
  if (!fs.existsSync(saved)) return;
  const current = JSON.parse(fs.readFileSync(manifest, "utf8"));
  if (!current.scripts?.prepare) fs.copyFileSync(saved, manifest);
  fs.rmSync(saved);
}

const command = process.argv[2];
if (command === "strip") {
  restore();
  const text = fs.readFileSync(manifest, "utf8");
  const json = JSON.parse(text);
  fs.mkdirSync(path.dirname(saved), { recursive: true });
  fs.writeFileSync(saved, text);
  delete json.scripts.prepare;
  fs.writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);
} else if (command === "restore") {
  restore();
} else {
  console.error("usage: node scripts/packed-manifest.js strip|restore");
  process.exit(2);
}
