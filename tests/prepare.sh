#!/usr/bin/env bash
# Run by `npm test` before the suites: the Debian packages they use.
# bubblewrap confines spawned commands (the sandbox tests), ruby checks the
# Homebrew formula (ruby -c), zsh and fish parse the completion scripts,
# openssl makes a certificate for the HTTPS test, umoci and runc unpack and
# run the OCI image, wine64 runs the Windows build, wabt's wasm2wat and
# wasm-objdump read the runtime's and the extensions' code (what a recycled
# instance may keep).
# As root with apt-get they are installed; otherwise one line names them.
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v ruby >/dev/null 2>&1 || missing="$missing ruby"
command -v zsh >/dev/null 2>&1 || missing="$missing zsh"
command -v fish >/dev/null 2>&1 || missing="$missing fish"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v umoci >/dev/null 2>&1 || missing="$missing umoci"
command -v runc >/dev/null 2>&1 || missing="$missing runc"
command -v wasm-objdump >/dev/null 2>&1 || missing="$missing wabt"
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || missing="$missing wine64"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing the packages the tests use:$missing"
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null 2>&1; then exit 0; fi
fi
echo "the tests need these packages, not installed:$missing (Debian: sudo apt-get install$missing); tests that need them are skipped, or fail under CI=true"
exit 0
