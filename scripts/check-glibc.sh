#!/usr/bin/env bash
# Check that a Linux binary starts on older enterprise Linux: its highest GLIBC symbol version
# must be at most MAX (default 2.28, RHEL 8) and it must not need the system's C++ runtime
# (no GLIBCXX_ / CXXABI_ symbol versions, no libstdc++.so). Reads the dynamic symbol table
# only (readelf, else objdump); the binary is never run.
#
#   scripts/check-glibc.sh BINARY [MAX]        e.g. scripts/check-glibc.sh dist/carepath 2.28
#
# Exit 0: within the limit. Exit 1: above it (the offending versions are listed). Exit 2: the
# check could not be made (no such file, not an ELF binary, no readelf/objdump).
set -euo pipefail

bin="${1:-}"
max="${2:-2.28}"
if [[ -z "$bin" ]]; then
  echo "usage: $0 BINARY [MAX_GLIBC_VERSION]" >&2
  exit 2
fi
if [[ ! -f "$bin" ]]; then
  echo "check-glibc: $bin: no such file (build it first, e.g. scripts/release-portable.sh)" >&2
  exit 2
fi
if [[ "$(head -c 4 "$bin" | od -An -c | tr -d ' ')" != '177ELF' ]]; then
  echo "check-glibc: $bin is not an ELF binary" >&2
  exit 2
fi

# The version names the binary asks of shared libraries (GLIBC_2.17, GLIBCXX_3.4.30, ...).
if command -v readelf >/dev/null 2>&1; then
  versions="$(readelf --wide --dyn-syms "$bin" | grep -o '@\{1,2\}[A-Z_]*[0-9][0-9.]*' | tr -d '@' | sort -u -V || true)"
  needed="$(readelf --wide --dynamic "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' || true)"
elif command -v objdump >/dev/null 2>&1; then
  versions="$(objdump -T "$bin" | grep -o '[A-Z_]*_[0-9][0-9.]*' | sort -u -V || true)"
  needed="$(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }' || true)"
else
  echo "check-glibc: needs readelf or objdump (Debian/RHEL package binutils)" >&2
  exit 2
fi

glibc="$(grep '^GLIBC_[0-9]' <<<"$versions" | sed 's/^GLIBC_//' | sort -V | uniq || true)"
highest="$(tail -n 1 <<<"$glibc")"
too_new="$(while read -r v; do
  [[ -n "$v" ]] || continue
  if [[ "$(printf '%s\n%s\n' "$v" "$max" | sort -V | tail -n 1)" != "$max" ]]; then echo "GLIBC_$v"; fi
done <<<"$glibc")"
cxx="$(grep -E '^(GLIBCXX|CXXABI)_' <<<"$versions" || true)"
cxx_libs="$(grep -E '^libstdc\+\+|^libc\+\+' <<<"$needed" || true)"

echo "binary:            $bin"
echo "needs libraries:   $(tr '\n' ' ' <<<"$needed")"
echo "highest GLIBC:     ${highest:-none} (limit $max)"
echo "GLIBCXX / CXXABI:  $( [[ -n "$cxx" ]] && tr '\n' ' ' <<<"$cxx" || echo none)"
other="$(grep -vE '^(GLIBC|GLIBCXX|CXXABI)_' <<<"$versions" | tr '\n' ' ' || true)"
[[ -n "${other// /}" ]] && echo "other versions:    $other"

fail=0
if [[ -n "$too_new" ]]; then
  echo "FAIL: symbol versions above GLIBC_$max: $(tr '\n' ' ' <<<"$too_new")"
  fail=1
fi
if [[ -n "$cxx" || -n "$cxx_libs" ]]; then
  echo "FAIL: needs the system C++ runtime ($(tr '\n' ' ' <<<"$cxx $cxx_libs")); link libstdc++ statically (scripts/release-portable.sh)"
  fail=1
fi
if [[ "$fail" == 0 ]]; then
  echo "OK: runs with glibc >= ${highest:-any} and needs no system libstdc++"
fi
exit "$fail"
