// Runs on `npm install` / `npm ci` in this checkout (npm's `prepare`; never on users' machines).
// Links node_modules/@pulumi-baseten/api-key to this checkout, so the examples import the
// package by its published name exactly as a user's program does, and get this checkout's build.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const { name } = require(path.join(root, "package.json"));
const link = path.join(root, "node_modules", ...name.split("/"));
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
  if (fs.readlinkSync(link) === path.relative(path.dirname(link), root)) process.exit(0);
} catch {
  // not a link yet
}
fs.rmSync(link, { recursive: true, force: true });
fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
