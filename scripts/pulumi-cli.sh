#!/usr/bin/env bash
# Provides the Pulumi CLI, the Node.js language host and the dynamic-provider host in one bin
# folder, and prints that folder's path as the last line of stdout.
#
# Order of preference:
#   1. a `pulumi` already on PATH whose version is at least $PULUMI_MIN_VERSION;
#   2. a previous build in $PULUMI_BUILD_DIR whose `pulumi version` matches $PULUMI_VERSION;
#   3. a build from Go modules through the Go module proxy (the official installer is not
#      reachable on our machines; see README "The Pulumi CLI"). Cold: ~10-25 min on 2 cores.
# It never downloads anything except Go modules through the configured Go proxy.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
PULUMI_MIN_VERSION="${PULUMI_MIN_VERSION:-v3.216.0}"
# The language host module has no tags: it is addressed by the commit of tag pkg/$PULUMI_VERSION.
LANGUAGE_HOST_VERSION="${LANGUAGE_HOST_VERSION:-v3.0.0-20260624180030-dc7edd58bc13}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PULUMI_BUILD_DIR:-$repo_root/.pulumi-cli}"
bin_dir="$build_dir/bin"

say() { echo "[pulumi-cli] $*" >&2; }
die() { echo "[pulumi-cli] error: $*" >&2; exit 1; }

dynamic_host_script="$repo_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
[ -f "$dynamic_host_script" ] || die "missing $dynamic_host_script: run 'npm ci' in $repo_root first"

# version_ge A B: true when semver A >= B (both like v3.1.2).
version_ge() { [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -n1)" = "${2#v}" ]; }

link_dynamic_host() {
  ln -sf "$dynamic_host_script" "$1/pulumi-resource-pulumi-nodejs"
  ln -sf "$(command -v node)" "$1/node" 2>/dev/null || true
}

# 1. A pulumi on PATH (outside our own build folder) that is new enough.
if path_pulumi="$(command -v pulumi 2>/dev/null)" && [ "$(dirname "$path_pulumi")" != "$bin_dir" ]; then
  have="$(pulumi version 2>/dev/null || true)"
  if [ -n "$have" ] && version_ge "$have" "$PULUMI_MIN_VERSION"; then
    say "using pulumi $have from PATH ($path_pulumi)"
    mkdir -p "$bin_dir"
    ln -sf "$path_pulumi" "$bin_dir/pulumi"
    if lh="$(command -v pulumi-language-nodejs 2>/dev/null)"; then ln -sf "$lh" "$bin_dir/pulumi-language-nodejs"; fi
    link_dynamic_host "$bin_dir"
    echo "$bin_dir"
    exit 0
  fi
  [ -n "$have" ] && say "pulumi $have on PATH is older than $PULUMI_MIN_VERSION; building $PULUMI_VERSION instead"
fi

# 2. A previous build of the same version.
if [ -x "$bin_dir/pulumi" ] && [ "$("$bin_dir/pulumi" version 2>/dev/null || true)" = "$PULUMI_VERSION" ]; then
  say "reusing pulumi $PULUMI_VERSION built in $bin_dir"
  [ -x "$bin_dir/pulumi-language-nodejs" ] || say "note: no language host in $bin_dir (work-dir programs unavailable)"
  link_dynamic_host "$bin_dir"
  echo "$bin_dir"
  exit 0
fi

# 3. Build from Go modules.
command -v go >/dev/null || die "Go is not installed; install Go >= 1.25 (or put pulumi >= $PULUMI_MIN_VERSION on PATH)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mod_dir="$build_dir/module"
mkdir -p "$mod_dir" "$bin_dir"
start=$(date +%s)
say "building pulumi $PULUMI_VERSION from Go modules into $bin_dir (cold: 10-25 minutes; warm: about a minute)"
cd "$mod_dir"
rm -f go.mod go.sum
go mod init baseten-apikey/pulumi-cli >/dev/null 2>&1
# pkg/go.mod's own replace for clipboard; `go get` only honours replaces of the main module.
go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
say "resolving modules (go get) ..."
go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" >&2 \
  || die "go get of pulumi $PULUMI_VERSION failed: is the Go module proxy reachable (go env GOPROXY)?"
with_language_host=1
go get -tool "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$LANGUAGE_HOST_VERSION" >&2 \
  || { with_language_host=0; say "warning: the language host module could not be resolved; building the CLI only"; }
# The language host asks for an older pkg/sdk: pin both to the CLI's version.
go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" >&2 \
  || die "could not pin pkg/sdk to $PULUMI_VERSION"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
say "compiling pulumi ..."
go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin_dir/pulumi" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2 || die "go build of pulumi failed"
if [ "$with_language_host" = 1 ]; then
  say "compiling pulumi-language-nodejs ..."
  go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$bin_dir/pulumi-language-nodejs" \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 >&2 \
    || say "warning: the language host did not build; work-dir programs will be unavailable"
fi
link_dynamic_host "$bin_dir"
got="$("$bin_dir/pulumi" version)"
[ "$got" = "$PULUMI_VERSION" ] || die "built pulumi reports '$got', expected $PULUMI_VERSION"
say "built pulumi $got in $(( $(date +%s) - start ))s"
echo "$bin_dir"
