# packages: gdal-bin
# expected: gdal-json
# judges: values

read_values() {  # the array's values as gdalmdiminfo prints them (JSON)
  info=$(gdalmdiminfo -detailed -array "/$ARRAY" "/vsizip/$1") || return
  case "$info" in *'"values":'*) ;; *) return 1 ;; esac  # an array it cannot find: an ERROR line on stderr, no values
  printf '%s' "$info" | tr -d ' \n' | sed 's/.*"values"://; s/}$//'
}
