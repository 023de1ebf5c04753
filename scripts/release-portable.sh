#!/usr/bin/env bash
# Build a portable carepath for older enterprise Linux: x86_64, glibc 2.28 or newer (RHEL 8,
# Debian 10, Ubuntu 20.04 and later), no system libstdc++ needed. Zig (PyPI package `ziglang`)
# links against glibc 2.28's symbol versions and links its own C++ runtime (libc++) and unwinder
# statically; cargo-zigbuild (PyPI, a prebuilt binary) drives cargo with it.
#
#   scripts/release-portable.sh            # -> dist/carepath-VERSION-x86_64-linux-glibc2.28
#
# DuckDB's C++ compiles from source again for this target (about 45-60 minutes on 2 cores the
# first time); the target folder is kept apart from the everyday one so neither rebuilds the
# other: $CAREPATH_PORTABLE_TARGET_DIR, default ~/.cache/carepath-target-portable.
# Ends by running scripts/check-glibc.sh on the result; exits non-zero if that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

glibc="${CAREPATH_GLIBC:-2.28}"
triple="x86_64-unknown-linux-gnu"
export CARGO_TARGET_DIR="${CAREPATH_PORTABLE_TARGET_DIR:-$HOME/.cache/carepath-target-portable}"
# The versions this script was proven with; other recent ones are likely to work as well.
ziglang_version="${CAREPATH_ZIGLANG_VERSION:-0.17.1}"
zigbuild_version="${CAREPATH_ZIGBUILD_VERSION:-0.24.1}"

if ! command -v cargo-zigbuild >/dev/null 2>&1 || ! python3 -m ziglang version >/dev/null 2>&1; then
  echo "release-portable: installing ziglang $ziglang_version and cargo-zigbuild $zigbuild_version from PyPI" >&2
  if ! python3 -m pip install --quiet "ziglang==$ziglang_version" "cargo-zigbuild==$zigbuild_version"; then
    echo "release-portable: could not install ziglang / cargo-zigbuild with pip; install them (pip install ziglang cargo-zigbuild) and run this again" >&2
    exit 1
  fi
  hash -r
fi
if ! command -v cargo-zigbuild >/dev/null 2>&1; then
  echo "release-portable: cargo-zigbuild is installed but not on PATH (pip's scripts folder, e.g. ~/.local/bin); add it and run this again" >&2
  exit 1
fi
echo "zig $(python3 -m ziglang version), $(cargo-zigbuild --version), $(cargo --version)"

mkdir -p "$CARGO_TARGET_DIR"
start=$(date +%s)
cargo zigbuild --release --locked --bin carepath --target "$triple.$glibc"
echo "build took $(( $(date +%s) - start )) s"

built="$CARGO_TARGET_DIR/$triple/release/carepath"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
mkdir -p dist
out="dist/carepath-$version-x86_64-linux-glibc$glibc"
cp "$built" "$out"
( cd dist && sha256sum "$(basename "$out")" > "$(basename "$out").sha256" )
echo "portable binary: $out ($(du -h "$out" | cut -f1))"
scripts/check-glibc.sh "$out" "$glibc"
