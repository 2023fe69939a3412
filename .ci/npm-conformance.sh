#!/usr/bin/env bash
# Install the official RealtimeKit web SDK (@cloudflare/realtimekit 2.0.2, pinned with its
# dependencies by tests/conformance/npm/package-lock.json) into .cache/npm-conformance/, for the
# byte-conformance tests in tests/conformance/npm/. Installs Node.js and npm from Debian's packages
# when they are missing (CI). Idempotent: does nothing when the pinned tree is already there.
#
# Prints the absolute path of the install folder as the last line of stdout; progress goes to stderr.
# Environment: RTK_NPM_CONFORMANCE_DIR overrides the install folder.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
spec_dir="$repo/tests/conformance/npm"
dir="${RTK_NPM_CONFORMANCE_DIR:-$repo/.cache/npm-conformance}"
pkg="@cloudflare/realtimekit"
version="2.0.2"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "npm-conformance: installing nodejs and npm from Debian's packages" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  else
    echo "npm-conformance: node and npm are required (install Node.js >= 18.19 with npm)" >&2
    exit 1
  fi
fi

# module.register() (used by encode.mjs to observe the SDK's protobuf types) needs Node >= 18.19.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>18||(a===18&&b>=19)?0:1)'; then
  echo "npm-conformance: Node.js >= 18.19 is required, found $(node --version)" >&2
  exit 1
fi

installed="$dir/node_modules/$pkg/package.json"
if [ -f "$installed" ] && cmp -s "$spec_dir/package-lock.json" "$dir/package-lock.json" \
  && node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' "$installed" "$version"; then
  echo "$dir"
  exit 0
fi

echo "npm-conformance: installing $pkg@$version into $dir" >&2
mkdir -p "$dir"
cp "$spec_dir/package.json" "$spec_dir/package-lock.json" "$dir/"
start=$(date +%s.%N)
# --ignore-scripts: nothing from the registry runs at install time.
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
end=$(date +%s.%N)
node -e 'process.exit(require(process.argv[1]).version===process.argv[2]?0:1)' "$installed" "$version" || {
  echo "npm-conformance: $pkg@$version missing after npm ci" >&2
  exit 1
}
echo "npm-conformance: installed in $(node -e "console.log((${end}-${start}).toFixed(1))") s" >&2
echo "$dir"
