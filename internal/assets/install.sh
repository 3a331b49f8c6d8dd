#!/bin/sh
# EdgeBox installer: curl -fsSL <release-base>/install.sh | sh [-s -- --version X.Y.Z]
#
# Downloads the archive for this OS and architecture from $EDGEBOX_INSTALL_BASE,
# checks its SHA-256 against the release's SHA256SUMS, and installs `edgebox`
# into ${EDGEBOX_INSTALL:-$HOME/.edgebox}/bin. The new binary replaces the old
# one with a rename, so an interrupted install leaves the previous one working.
#
# Release layout under the base URL:
#   latest                                   the newest version, one line
#   v<version>/edgebox-<version>-<os>-<arch>.tar.gz
#   v<version>/SHA256SUMS

set -eu

BASE="${EDGEBOX_INSTALL_BASE:-https://edgebox.dev/releases}"
INSTALL="${EDGEBOX_INSTALL:-$HOME/.edgebox}"
VERSION=""

say() { printf 'edgebox install: %s\n' "$*" >&2; }
die() { printf 'edgebox install: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a version (e.g. --version 0.1.0)"; VERSION="${2#v}"; shift 2 ;;
    --version=*) VERSION="${1#--version=}"; VERSION="${VERSION#v}"; shift ;;
    -h|--help)
      printf 'usage: install.sh [--version X.Y.Z]\n  EDGEBOX_INSTALL_BASE  where releases are (%s)\n  EDGEBOX_INSTALL       where to install (%s)\n' "$BASE" "$INSTALL"
      exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

os="$(uname -s)"
arch="$(uname -m)"
case "$os" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "unsupported platform: $os $arch (EdgeBox is built for Linux and macOS, x64 and arm64)" ;;
esac
case "$arch" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "unsupported platform: $os $arch (EdgeBox is built for Linux and macOS, x64 and arm64)" ;;
esac

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "neither curl nor wget is installed; install one of them and run this again"
fi

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  die "neither sha256sum nor shasum is installed: cannot verify the download"
fi

tmp="$(mktemp -d 2>/dev/null || mktemp -d -t edgebox)"
# An interrupted install removes its partial copy; the installed binary is untouched until the mv.
trap 'rm -rf "$tmp" "$INSTALL/bin/.edgebox.new.$$"' EXIT
trap 'exit 130' INT TERM

if [ -z "$VERSION" ]; then
  fetch "$BASE/latest" "$tmp/latest" || die "cannot reach $BASE/latest to find the newest version"
  VERSION="$(tr -d ' \r\n' < "$tmp/latest")"
  VERSION="${VERSION#v}"
  [ -n "$VERSION" ] || die "$BASE/latest is empty"
fi

name="edgebox-$VERSION-$os-$arch"
say "downloading $name"
fetch "$BASE/v$VERSION/$name.tar.gz" "$tmp/$name.tar.gz" || die "download failed: $BASE/v$VERSION/$name.tar.gz (is $VERSION a released version? is there a build for $os-$arch?)"
fetch "$BASE/v$VERSION/SHA256SUMS" "$tmp/SHA256SUMS" || die "download failed: $BASE/v$VERSION/SHA256SUMS"

expected="$(awk -v f="$name.tar.gz" '$2 == f { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$expected" ] || die "SHA256SUMS has no entry for $name.tar.gz"
actual="$(sha256 "$tmp/$name.tar.gz")"
[ "$expected" = "$actual" ] || die "checksum mismatch for $name.tar.gz (expected $expected, got $actual); nothing was installed"

mkdir -p "$tmp/x"
tar -xzf "$tmp/$name.tar.gz" -C "$tmp/x" || die "cannot unpack $name.tar.gz"
[ -f "$tmp/x/$name/edgebox" ] || die "$name.tar.gz does not contain $name/edgebox"

mkdir -p "$INSTALL/bin" || die "cannot create $INSTALL/bin"
# Copy next to the target, then rename over it: the switch is atomic.
cp "$tmp/x/$name/edgebox" "$INSTALL/bin/.edgebox.new.$$" || die "cannot write to $INSTALL/bin"
chmod 755 "$INSTALL/bin/.edgebox.new.$$"
mv -f "$INSTALL/bin/.edgebox.new.$$" "$INSTALL/bin/edgebox" || { rm -f "$INSTALL/bin/.edgebox.new.$$"; die "cannot replace $INSTALL/bin/edgebox"; }

say "installed edgebox $VERSION to $INSTALL/bin/edgebox"
case ":$PATH:" in
  *":$INSTALL/bin:"*) ;;
  *) say "add it to your PATH, e.g. in ~/.profile:  export PATH=\"$INSTALL/bin:\$PATH\"" ;;
esac
