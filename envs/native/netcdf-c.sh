#!/usr/bin/env bash
# Build netCDF-C (4.10.1 or 4.9.3) with NCZarr zip support (libzip) and its filter plugins
# (blosc, zstd, bzip2, ...) into PREFIX: the build conda users get, which the
# netCDF4 wheel lacks ("feature not turned on" for #mode=...,zip). Its
# command-line utilities (ncdump, ncgen, nccopy) are built too: PREFIX/bin/ncdump
# is the library's own reader, run by the ncdump-* readers.
#
#   bash netcdf-c.sh PREFIX [DOWNLOAD_DIR [RELEASE]]     (RELEASE: 4.10.1, the default, or 4.9.3)
#
# The source is Debian's netcdf source package of that release (its .orig
# tarball is Unidata's release), taken from the pool of this machine's own apt
# sources and checked against the sha256 in Debian's .dsc for it (netcdf_4.10.1-1.dsc,
# and the 4.9.3 one). The environment that builds it passes RELEASE
# (envs/environments.toml `native = ["netcdf-c==RELEASE"]`). Debian packages
# needed (installed by the suite when it runs as root):
#   libhdf5-dev libzip-dev libblosc-dev libzstd-dev libbz2-dev libxml2-dev m4 curl
set -euo pipefail

VERSION=${3:-4.10.1}
case "$VERSION" in   # sha256 of netcdf_<release>.orig.tar.gz, from Debian's .dsc of the source package
    4.10.1) SHA256=33c27231c478c3b35da7c7758fbdd02da1fe407abcb16ddfe195f69d164f930d ;;
    4.9.3)  SHA256=990f46d49525d6ab5dc4249f8684c6deeaf54de6fec63a187e9fb382cc0ffdff ;;
    *) echo "netcdf-c: no sha256 recorded for release $VERSION (known: 4.10.1, 4.9.3)" >&2; exit 2 ;;
esac
TARBALL=netcdf_${VERSION}.orig.tar.gz
POOL_PATHS="pool/main/n/netcdf/$TARBALL pool/universe/n/netcdf/$TARBALL"  # Debian; Ubuntu keeps it in universe

PREFIX=${1:?usage: netcdf-c.sh PREFIX [DOWNLOAD_DIR [RELEASE]]}
DOWNLOADS=${2:-${PREFIX}.downloads}
mkdir -p "$PREFIX" "$DOWNLOADS"
PREFIX=$(cd "$PREFIX" && pwd)

say() { echo "netcdf-c: $*" >&2; }

fetch() {
    local target=$DOWNLOADS/$TARBALL
    if [ -f "$target" ] && echo "$SHA256  $target" | sha256sum -c --quiet - 2>/dev/null; then
        return 0
    fi
    # every archive this machine's apt is configured with, in apt's own order
    local uris
    uris=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | awk '!seen[$0]++')
    [ -n "$uris" ] || { say "no apt sources configured: cannot locate $TARBALL"; exit 3; }
    for uri in $uris; do
        for pool_path in $POOL_PATHS; do
            if curl -fsSL --retry 2 -o "$target.part" "${uri%/}/$pool_path" 2>/dev/null; then
                say "fetched $pool_path from the apt source $uri"
                if echo "$SHA256  $target.part" | sha256sum -c --quiet - 2>/dev/null; then
                    mv "$target.part" "$target"
                    return 0
                fi
                say "sha256 mismatch for $TARBALL from $uri (expected $SHA256)"
            fi
            rm -f "$target.part"
        done
    done
    say "could not fetch $TARBALL with sha256 $SHA256 from any apt source"
    exit 3
}

fetch
WORK=$(mktemp -d "${TMPDIR:-/tmp}/netcdf-c-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$DOWNLOADS/$TARBALL" -C "$WORK"
cd "$WORK/netcdf-c-$VERSION"

HDF5_INC=/usr/include/hdf5/serial
HDF5_LIB=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/hdf5/serial
say "configuring $VERSION (NCZarr with zip, plugins into $PREFIX/plugins)"
CPPFLAGS="-I$HDF5_INC" LDFLAGS="-L$HDF5_LIB" ./configure --prefix="$PREFIX" \
    --enable-nczarr --disable-dap --disable-byterange --disable-testsets \
    --disable-doxygen --disable-static --with-plugin-dir="$PREFIX/plugins" > "$WORK/configure.log" 2>&1 \
    || { tail -30 "$WORK/configure.log" >&2; exit 4; }
if ! grep -q "NCZarr Zip Support:[[:space:]]*yes" "$WORK/configure.log"; then
    grep -E "NCZarr|Zip" "$WORK/configure.log" >&2
    say "configure did not enable NCZarr zip support (is libzip-dev installed?)"
    exit 4
fi
say "compiling"
make -j"$(nproc)" > "$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log" >&2; exit 5; }
make install > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log" >&2; exit 5; }
[ -x "$PREFIX/bin/ncdump" ] || { say "make install left no $PREFIX/bin/ncdump"; exit 5; }
say "installed into $PREFIX: $(grep -E 'NCZarr Zip Support' "$PREFIX/lib/libnetcdf.settings" | tr -s ' \t' ' ')"
