# packages: native:netcdf-c
# expected: cdl
# judges: values
NCDUMP="${ZIPCOMPAT_NETCDF_C_PREFIX:-$PWD/native}/bin/ncdump"  # netCDF-C built with libzip

read_values() {  # the array's values as ncdump prints them (a value equal to the fill value is printed as _)
  cdl=$("$NCDUMP" -p 9,17 -v "$ARRAY" "file://$1#mode=$MODE") || return
  printf '%s\n' "$cdl" | sed -n '/^ *data:/,$p' | tr '\n' ' ' | sed "s/.* ${ARRAY##*/} = //; s/ ;.*//; s/\b_\b/$FILL/g"
}
