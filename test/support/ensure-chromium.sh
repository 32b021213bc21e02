#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser). A fresh machine
# lacks it: install it when we can (root with apt), otherwise say what to do.
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's Chromium for the browser tests (once)..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } && exit 0
fi
echo "The browser tests need Debian's Chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium' (or run 'npm run test:unit' and 'npm run test:e2e' without it)." >&2
exit 1
