#!/usr/bin/env bash
# Install what `make test-vscode` needs, once, into $VSCODE_TEST_HOME (outside the repo):
# code-server (VS Code served to a browser, the normal Node extension host) and
# puppeteer-core, pinned. Chromium and ripgrep come from Debian.
#
# npm blocks dependency install scripts (and code-server's own refuses to run as root),
# so everything is installed with --ignore-scripts and the native modules are built here
# with node-gyp against the local Node headers (--nodedir=/usr): nothing is downloaded
# but npm packages. @vscode/ripgrep's postinstall would download rg: Debian's is used.
# Idempotent: a stamp file records a finished install; a second run returns at once.
# Prints the folder on stdout.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3   # VS Code 1.100.3; the newest whose engines allow Node 20
PUPPETEER_VERSION=24.43.1
home=${VSCODE_TEST_HOME:-$HOME/.cache/frugal-lsp/code-server-$CODE_SERVER_VERSION}
stamp=$home/.installed-$CODE_SERVER_VERSION-$PUPPETEER_VERSION
[ -f "$stamp" ] && { echo "$home"; exit 0; }
exec 3>&1 1>&2   # progress on stderr; the folder alone on stdout (read by session.mjs)

need() { command -v "$1" >/dev/null 2>&1 || { echo "test-vscode: $1 not found — $2" >&2; exit 1; }; }
need node "install Node.js 20"
need chromium "apt-get install chromium"
need rg "apt-get install ripgrep"
need g++ "apt-get install g++ make (native modules are built here)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" = 20 ] || { echo "test-vscode: code-server $CODE_SERVER_VERSION needs Node 20, this is $(node --version)" >&2; exit 1; }
[ -f /usr/include/node/common.gypi ] || { echo "test-vscode: Node headers missing in /usr/include/node — apt-get install libnode-dev" >&2; exit 1; }
gyp=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js
[ -f "$gyp" ] || { echo "test-vscode: npm's node-gyp not found at $gyp" >&2; exit 1; }

log=$home/install.log
mkdir -p "$home"
: >"$log"
echo ">> installing code-server $CODE_SERVER_VERSION and puppeteer-core $PUPPETEER_VERSION into $home (log: $log)"
step() { echo "   $1"; shift; (cd "$dir" && "$@") >>"$log" 2>&1 || { echo "test-vscode: failed: $*  (in $dir; see $log)" >&2; tail -20 "$log" >&2; exit 1; }; }
npmi() { npm install --ignore-scripts --no-audit --no-fund --loglevel=error "$@"; }

dir=$home
[ -f "$home/package.json" ] || echo '{"name":"frugal-vscode-test","private":true,"version":"0.0.0"}' >"$home/package.json"
PUPPETEER_SKIP_DOWNLOAD=1 step "npm: code-server, puppeteer-core" npmi --save-exact "code-server@$CODE_SERVER_VERSION" "puppeteer-core@$PUPPETEER_VERSION"

cs=$home/node_modules/code-server
dir=$cs/lib/vscode
step "npm: VS Code's own dependencies" npmi --omit=dev
dir=$cs/lib/vscode/extensions
step "npm: built-in extensions' dependencies" npmi --omit=dev

# What code-server's postinstall.sh does besides installing.
dir=$cs/lib/vscode
step "links (node_modules.asar, bin scripts)" bash -c '
  ln -sfn node_modules node_modules.asar
  ln -sfn code-linux.sh bin/remote-cli/code-server
  ln -sfn browser-linux.sh bin/helpers/browser.sh'

dir=$home/node_modules/argon2
step "build argon2" node "$home/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp" rebuild --build-from-source --nodedir=/usr
for m in native-watchdog @vscode/deviceid @vscode/spdlog node-pty; do
  dir=$cs/lib/vscode/node_modules/$m
  step "build $m" node "$gyp" rebuild --nodedir=/usr
done
dir=$cs/lib/vscode/node_modules/@vscode/ripgrep
step "ripgrep from Debian" bash -c 'mkdir -p bin && cp "$(command -v rg)" bin/rg'

touch "$stamp"
echo "$home" >&3
