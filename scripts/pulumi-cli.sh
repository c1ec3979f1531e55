#!/usr/bin/env bash
# Provides, in one bin folder, what `pulumi` needs to run this project's programs, and prints
# that folder's path as the last line of stdout:
#   pulumi                         the CLI and engine;
#   pulumi-language-nodejs         the Node.js language host, which runs a project folder's
#                                  program (`pulumi up` next to a Pulumi.yaml, and the
#                                  Automation API with a workDir);
#   pulumi-resource-pulumi-nodejs  the dynamic-provider host, a script shipped in
#                                  node_modules/@pulumi/pulumi, which runs the SDK of the
#                                  program's folder.
#
# Where they come from, in order of preference:
#   1. a complete install on PATH: a `pulumi` at least $PULUMI_MIN_VERSION with its own
#      language host and dynamic-provider host beside it (as official installs ship them);
#      its folder is printed as is;
#   2. else $PULUMI_BUILD_DIR/bin: each binary is a previous build, reused only while its
#      version matches ($PULUMI_VERSION; sdk/v3 $LANGUAGE_HOST_VERSION for the language host),
#      or else built from Go modules through the Go module proxy (the official installer is
#      not reachable on our machines; see CONTRIBUTING.md "The Pulumi CLI"), each in a wrapper
#      Go module of its own: the CLI's pins sdk/v3 to the CLI's version, the language host's
#      to $LANGUAGE_HOST_VERSION. Cold: 10-25 min on 2 cores for the CLI, about a minute for
#      the host; warm (Go's caches under $HOME filled): under a minute each.
# It never downloads anything except Go modules through the configured Go proxy. Anything it
# cannot provide is an error: the suites and the demo run project folders, which need all three.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
PULUMI_MIN_VERSION="${PULUMI_MIN_VERSION:-v3.216.0}"
# The language host's own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is refused by the
# Go proxy; sdk/v3 still contains the host at nodejs/cmd/pulumi-language-nodejs up to v3.68.0.
LANGUAGE_HOST_VERSION="${LANGUAGE_HOST_VERSION:-v3.68.0}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${PULUMI_BUILD_DIR:-$repo_root/.pulumi-cli}"
bin_dir="$build_dir/bin"
sdk_module="github.com/pulumi/pulumi/sdk/v3"
version_pkg="$sdk_module/go/common/version"
cli_pkg="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
host_pkg="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"

say() { echo "[pulumi-cli] $*" >&2; }
die() {
  echo "[pulumi-cli] error: $*" >&2
  exit 1
}

dynamic_host_script="$repo_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
[ -f "$dynamic_host_script" ] || die "missing $dynamic_host_script: run 'npm ci' in $repo_root first"
mkdir -p "$bin_dir"

# version_ge A B: true when semver A >= B (both like v3.1.2).
version_ge() { [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -n1)" = "${2#v}" ]; }

# The sdk/v3 version a Go binary was built from, read from the build information Go embeds
# (the language host has no --version flag, and -trimpath keeps -ldflags out of that
# information, so the stamp itself cannot be read back). Empty when unknown.
built_from_sdk() {
  command -v go >/dev/null || return 0
  go version -m "$1" 2>/dev/null | awk -v m="$sdk_module" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}

go_env() {
  command -v go >/dev/null || die "Go is not installed: install Go >= 1.25 (or put pulumi >= $PULUMI_MIN_VERSION and pulumi-language-nodejs on PATH)"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
}

# go_build NAME MODULE PACKAGE VERSION MODULE_DIR [REPLACE]: a wrapper Go module in MODULE_DIR
# whose only tool is PACKAGE (of MODULE), resolved by `go get -tool` with MODULE and sdk/v3
# pinned to VERSION (checked), compiled with VERSION stamped in (the Automation API refuses an unstamped
# CLI) into $bin_dir/NAME. Only the wrapper's own `replace` lines count, which is why
# `go install PACKAGE@VERSION` cannot build the CLI: REPLACE copies the one it needs.
go_build() {
  local name="$1" module="$2" pkg="$3" version="$4" mod_dir="$5" replace="${6:-}" start
  start=$(date +%s)
  rm -rf "$mod_dir" && mkdir -p "$mod_dir"
  (
    cd "$mod_dir"
    go mod init "baseten-apikey/$name" >/dev/null 2>&1
    [ -z "$replace" ] || go mod edit -replace "$replace"
    say "resolving $name $version (go get) ..."
    go get -tool "$pkg@$version" >&2 ||
      die "go get $pkg@$version failed (Go's message is above): is the Go module proxy reachable (go env GOPROXY), and does that version hold the package?"
    go get "$module@$version" "$sdk_module@$version" >&2 || die "could not pin $module and sdk/v3 to $version"
    for m in "$module" "$sdk_module"; do
      [ "$(go list -m -f '{{.Version}}' "$m")" = "$version" ] || die "$m resolved to $(go list -m -f '{{.Version}}' "$m"), not $version"
    done
    say "compiling $name ..."
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X $version_pkg.Version=$version" \
      -o "$bin_dir/$name" "$pkg" >&2 || die "go build of $name failed"
  ) || exit 1
  say "built $name $version in $(($(date +%s) - start))s"
}

# 1. A complete install on PATH (official installs ship all three side by side): its own
# folder is the answer. Linking its `pulumi` into $bin_dir instead would make the CLI warn on
# every run, since it expects its bundled plugins next to its resolved path, not on PATH.
if path_pulumi="$(command -v pulumi 2>/dev/null)" && [ "$(dirname "$path_pulumi")" != "$bin_dir" ] &&
  have="$(pulumi version 2>/dev/null)" && version_ge "$have" "$PULUMI_MIN_VERSION"; then
  install_dir="$(dirname "$(readlink -f "$path_pulumi")")"
  if [ -x "$install_dir/pulumi-language-nodejs" ] && [ -x "$install_dir/pulumi-resource-pulumi-nodejs" ]; then
    say "using pulumi $have installed in $install_dir"
    echo "$install_dir"
    exit 0
  fi
  say "pulumi $have on PATH ($path_pulumi) has no pulumi-language-nodejs and pulumi-resource-pulumi-nodejs beside it; using $bin_dir"
fi

# 2. The CLI: a previous build of $PULUMI_VERSION, else a build.
if [ -x "$bin_dir/pulumi" ] && [ "$("$bin_dir/pulumi" version 2>/dev/null || true)" = "$PULUMI_VERSION" ]; then
  say "reusing pulumi $PULUMI_VERSION in $bin_dir"
else
  go_env
  rm -f "$bin_dir/pulumi"
  say "building pulumi $PULUMI_VERSION from Go modules into $bin_dir (cold: 10-25 minutes; warm: about a minute)"
  # pkg/go.mod's own replace for clipboard; never sdk's golang.org/x/text one.
  go_build pulumi github.com/pulumi/pulumi/pkg/v3 "$cli_pkg" "$PULUMI_VERSION" "$build_dir/module" \
    github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
  got="$("$bin_dir/pulumi" version)"
  [ "$got" = "$PULUMI_VERSION" ] || die "built pulumi reports '$got', expected $PULUMI_VERSION"
fi

# 3. The language host: a previous build from sdk/v3 $LANGUAGE_HOST_VERSION, else a build.
host="$bin_dir/pulumi-language-nodejs"
if [ -x "$host" ] && [ "$(built_from_sdk "$host")" = "$LANGUAGE_HOST_VERSION" ]; then
  say "reusing pulumi-language-nodejs $LANGUAGE_HOST_VERSION in $bin_dir"
else
  go_env
  rm -f "$host"
  say "building pulumi-language-nodejs $LANGUAGE_HOST_VERSION from Go modules into $bin_dir (cold: about a minute or more; warm: under a minute)"
  go_build pulumi-language-nodejs "$sdk_module" "$host_pkg" "$LANGUAGE_HOST_VERSION" "$build_dir/language-host-module"
  [ "$(built_from_sdk "$host")" = "$LANGUAGE_HOST_VERSION" ] || die "the built pulumi-language-nodejs does not report sdk/v3 $LANGUAGE_HOST_VERSION"
fi

# 4. The dynamic-provider host and the `node` it runs. A copy, not a symlink: the CLI warns
# ("using pulumi-resource-pulumi-nodejs from $PATH at ... expected ...") whenever the plugin it
# finds on PATH resolves to another file than the one beside its own binary. The script finds
# @pulumi/pulumi from the program's folder, wherever it lives.
rm -f "$bin_dir/pulumi-resource-pulumi-nodejs"
cp "$dynamic_host_script" "$bin_dir/pulumi-resource-pulumi-nodejs"
chmod 755 "$bin_dir/pulumi-resource-pulumi-nodejs"
ln -sf "$(command -v node)" "$bin_dir/node" 2>/dev/null || true

echo "$bin_dir"
