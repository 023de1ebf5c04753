#!/usr/bin/env bash
# Make one tarball from which carepath builds on a machine with no network: the source (git
# archive of HEAD), every dependency vendored by `cargo vendor` (DuckDB's C++ sources travel
# inside the vendored libduckdb-sys crate, as duckdb.tar.gz), and a .cargo/config.toml that
# replaces crates.io with the vendored copy. On the offline machine:
#
#   tar -xzf carepath-VERSION-COMMIT-offline.tar.gz && cd carepath-VERSION-COMMIT
#   cargo build --release --offline --frozen          # -> target/release/carepath
#
#   scripts/offline-bundle.sh [OUT_DIR]               # default OUT_DIR: dist/
#
# Needs git, cargo and, on this (networked) machine, crates.io for crates not yet in cargo's
# cache. Uncommitted changes are not included: the bundle is exactly a commit. The archive is
# reproducible for a commit (sorted names, fixed owners, mtimes clamped to the commit time; the
# vendored crates keep the mtimes they were published with, which also lets a build reuse a
# target folder built from the registry's copies).
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir="${1:-dist}"
if ! git rev-parse --verify -q HEAD >/dev/null; then
  echo "offline-bundle: not a git checkout with a commit; run it from a carepath clone" >&2
  exit 1
fi
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "offline-bundle: note: uncommitted changes are left out (the bundle is HEAD, $(git rev-parse --short=12 HEAD))" >&2
fi
commit="$(git rev-parse HEAD)"
epoch="$(git log -1 --format=%ct HEAD)"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
name="carepath-$version-${commit:0:12}"

work="$(mktemp -d "${TMPDIR:-/tmp}/carepath-bundle.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage"
git archive --format=tar HEAD | tar -x -C "$stage"
# build.rs reads this when there is no .git (see build.rs).
printf '%s\n' "$commit" > "$stage/.source-commit"

echo "offline-bundle: vendoring dependencies (cargo vendor)" >&2
if ! (cd "$stage" && cargo vendor --locked --versioned-dirs --quiet vendor > "$work/vendor-config.toml"); then
  echo "offline-bundle: cargo vendor failed: crates.io must be reachable from this machine (or every crate already in cargo's cache)" >&2
  exit 1
fi
if ! compgen -G "$stage/vendor/libduckdb-sys-*/duckdb.tar.gz" >/dev/null; then
  echo "offline-bundle: the vendored libduckdb-sys carries no duckdb.tar.gz, so DuckDB could not be built offline" >&2
  exit 1
fi

mkdir -p "$stage/.cargo"
cat > "$stage/.cargo/config.toml" <<'TOML'
# Written by scripts/offline-bundle.sh: build from the vendored crates in vendor/, never from
# the network. `cargo build --release --offline --frozen` (or plain `cargo build --release`).
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"

[net]
offline = true
TOML

mkdir -p "$out_dir"
tarball="$out_dir/$name-offline.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --clamp-mtime \
  -C "$work" -cf - "$name" | gzip -n -6 > "$tarball.partial"
mv "$tarball.partial" "$tarball"
(cd "$out_dir" && sha256sum "$(basename "$tarball")" > "$(basename "$tarball").sha256")
crates="$(find "$stage/vendor" -mindepth 1 -maxdepth 1 -type d | wc -l)"
echo "offline bundle: $tarball ($(du -h "$tarball" | cut -f1), commit ${commit:0:12}, $crates vendored crates)"
