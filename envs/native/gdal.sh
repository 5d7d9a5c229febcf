#!/usr/bin/env bash
# GDAL for the GDAL readers, into PREFIX (bin/ gdalinfo gdal_translate gdalmdiminfo gdalmdimtranslate gdal-config, lib/, share/gdal).
#
#   bash gdal.sh PREFIX [DOWNLOAD_DIR [RELEASE]]     (RELEASE: 3.13.3, the default, or 3.6.2)
#
# 3.13.3: built from source, Debian's gdal source package of that release (its
#   +dfsg .orig tarball is OSGeo's release with a few non-free data files taken out),
#   taken from the pool of this machine's own apt sources and checked against the
#   sha256 of Debian's gdal_3.13.3+dfsg-1.dsc. CMake + Ninja with the smallest driver
#   set the readers need: the always-built core (MEM, VRT, GTiff, the /vsizip/ and
#   /vsicurl/ virtual file systems) plus the Zarr driver and its codecs (blosc, zstd,
#   lz4, lzma, zlib/libdeflate from Debian's -dev packages; GDAL's own crc32c), and the
#   utilities. No other driver: GDAL_BUILD_OPTIONAL_DRIVERS=OFF, OGR_BUILD_OPTIONAL_DRIVERS=OFF.
# 3.6.2: Debian bookworm's own binary build (packages libgdal-dev and gdal-bin, the GDAL
#   `apt install` gives): nothing is compiled; PREFIX/bin holds links to its tools and
#   gdal-config, after checking that the installed package is that release.
#
# The Python bindings are not built here: the environment's post step builds the
# registry's GDAL==<release> source distribution against PREFIX/bin/gdal-config.
# Debian packages needed (installed by the suite when it runs as root, envs/environments.toml):
#   cmake ninja-build libproj-dev libsqlite3-dev libcurl4-gnutls-dev zlib1g-dev libdeflate-dev
#   libblosc-dev libzstd-dev liblz4-dev liblzma-dev curl xz-utils   (3.13.3)
#   libgdal-dev gdal-bin                                             (3.6.2)
set -euo pipefail

VERSION=${3:-3.13.3}
PREFIX=${1:?usage: gdal.sh PREFIX [DOWNLOAD_DIR [RELEASE]]}
DOWNLOADS=${2:-${PREFIX}.downloads}
TOOLS="gdalinfo gdal_translate gdalmdiminfo gdalmdimtranslate gdal-config"
say() { echo "gdal: $*" >&2; }

case "$VERSION" in   # sha256 of gdal_<release>+dfsg.orig.tar.xz, from Debian's .dsc of the source package
    3.13.3) SHA256=8323ef0d4e3f721d4b66ef9ec5b4ec812e2c17894a5a5389fba18a8193f1e060 ;;
    3.6.2)  SHA256="" ;;   # Debian bookworm's binary packages: nothing to fetch
    *) say "no recipe for release $VERSION (known: 3.13.3 from source, 3.6.2 Debian's binary build)"; exit 2 ;;
esac
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)

if [ -z "$SHA256" ]; then
    installed=$(dpkg-query -W -f='${Version}' libgdal-dev 2>/dev/null || true)
    case "$installed" in
        "$VERSION"+*|"$VERSION"-*) ;;
        *) say "Debian's libgdal-dev is '${installed:-not installed}', not $VERSION (apt-get install -y libgdal-dev gdal-bin)"; exit 3 ;;
    esac
    mkdir -p "$PREFIX/bin"
    for tool in $TOOLS; do
        found=$(command -v "$tool") || { say "$tool is missing (apt-get install -y gdal-bin libgdal-dev)"; exit 3; }
        ln -sf "$found" "$PREFIX/bin/$tool"
    done
    say "linked Debian's GDAL $installed into $PREFIX/bin"
    exit 0
fi

TARBALL=gdal_${VERSION}+dfsg.orig.tar.xz
POOL_PATHS="pool/main/g/gdal/$TARBALL pool/universe/g/gdal/$TARBALL"  # Debian; Ubuntu keeps it in universe
mkdir -p "$DOWNLOADS"

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
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gdal-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tar -xJf "$DOWNLOADS/$TARBALL" -C "$WORK"
SRC=$WORK/gdal-$VERSION
# +dfsg removed two non-free CRS dictionaries that ogr/CMakeLists.txt still installs; Debian's
# packaging drops them from that list, and so do we (they serve the ECW and CubeWerx formats only)
sed -i '/data\/cubewerx_extra\.wkt/d; /data\/ecw_cs\.wkt/d' "$SRC/ogr/CMakeLists.txt"

say "configuring $VERSION (Zarr driver, core drivers, utilities; into $PREFIX)"
cmake -S "$SRC" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_INSTALL_RPATH="$PREFIX/lib" \
    -DBUILD_TESTING=OFF -DBUILD_APPS=ON -DBUILD_PYTHON_BINDINGS=OFF -DBUILD_JAVA_BINDINGS=OFF -DBUILD_CSHARP_BINDINGS=OFF \
    -DGDAL_BUILD_OPTIONAL_DRIVERS=OFF -DOGR_BUILD_OPTIONAL_DRIVERS=OFF -DGDAL_ENABLE_DRIVER_ZARR=ON \
    -DGDAL_USE_EXTERNAL_LIBS=OFF -DGDAL_USE_ZLIB=ON -DGDAL_USE_DEFLATE=ON -DGDAL_USE_ZSTD=ON -DGDAL_USE_LZ4=ON \
    -DGDAL_USE_BLOSC=ON -DGDAL_USE_LIBLZMA=ON -DGDAL_USE_CURL=ON -DGDAL_USE_SQLITE3=ON \
    -DGDAL_USE_TIFF_INTERNAL=ON -DGDAL_USE_GEOTIFF_INTERNAL=ON -DGDAL_USE_JSONC_INTERNAL=ON \
    > "$WORK/configure.log" 2>&1 || { tail -30 "$WORK/configure.log" >&2; exit 4; }
for need in ZARR BLOSC ZSTD LZ4 LIBLZMA CURL; do   # what the readers need must really be in the build
    grep -qE "^-- (Enabled drivers|Enabled third party|  [*] )?.*\b$need\b" "$WORK/configure.log" \
        || grep -q "GDAL_USE_$need:BOOL=ON\|GDAL_ENABLE_DRIVER_$need:BOOL=ON" "$WORK/build/CMakeCache.txt" \
        || { say "configure did not enable $need (is its -dev package installed?)"; grep -iE "$need" "$WORK/configure.log" >&2 || true; exit 4; }
done
say "compiling (about 20 minutes on 2 cores)"
cmake --build "$WORK/build" -j"$(nproc)" > "$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log" >&2; exit 5; }
cmake --install "$WORK/build" > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log" >&2; exit 5; }
for tool in $TOOLS; do
    [ -x "$PREFIX/bin/$tool" ] || { say "the install left no $PREFIX/bin/$tool"; exit 5; }
done
"$PREFIX/bin/gdalinfo" --formats | grep -q "Zarr" || { say "the installed gdalinfo has no Zarr driver"; exit 5; }
say "installed $("$PREFIX/bin/gdalinfo" --version) into $PREFIX"
