// Runs on `npm install` / `npm ci` in this checkout (npm's `prepare`; never on users' machines).
// Links node_modules/@pulumi-baseten/api-key to this checkout, so the examples import the
// package by its published name exactly as a user's program does, and get this checkout's build;
// and links the package's commands into node_modules/.bin, as npm does for a dependency, so
// `npx baseten-recover` in the examples and the test stacks runs this checkout's build.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const { name, bin = {} } = require(path.join(root, "package.json"));

/** Makes `link` a relative symlink to `target`, unless it already is one. */
function linkTo(target, link, type) {
  fs.mkdirSync(path.dirname(link), { recursive: true });
  const relative = path.relative(path.dirname(link), target);
  try {
    if (fs.readlinkSync(link) === relative) return;
  } catch {
    // not a link yet
  }
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(relative, link, type);
}

linkTo(root, path.join(root, "node_modules", ...name.split("/")), "dir");
for (const [command, file] of Object.entries(bin)) {
  // A shim rather than npm's symlink: it runs the build whether or not the build (which may not
  // exist yet, and which every `npm run build` rewrites) is executable.
  const shim = path.join(root, "node_modules", ".bin", command);
  const text = `#!/bin/sh\nexec node "$(dirname "$0")/${path.relative(path.dirname(shim), path.join(root, file))}" "$@"\n`;
  fs.mkdirSync(path.dirname(shim), { recursive: true });
  fs.rmSync(shim, { force: true });
  fs.writeFileSync(shim, text, { mode: 0o755 });
}
