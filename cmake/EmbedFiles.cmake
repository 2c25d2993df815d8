# Compiles files into the binary as C++ byte arrays, so that superstore needs nothing beside it at run
# time. One script for both kinds of embedded files; run at build time:
#   cmake -DKIND=data -DDATA_DIR=<folder> -DNAMES=<a.tsv,b.tsv,...> -DOUTPUT=<file.cpp> -P EmbedFiles.cmake
#       the fake-data word lists, for src/fakedata/embedded_files.h (kEmbeddedFiles)
#   cmake -DKIND=api -DDATA_DIR=<folder> -DNAMES=openapi.json -DOUTPUT=<file.cpp> -P EmbedFiles.cmake
#       the API's OpenAPI document (docs/openapi.json), for src/server/api_document.h (kApiDocuments)
#   cmake -DKIND=console -DDIST_DIR=<folder or empty> -DPRECOMPRESS=<tool> -DOUTPUT=<file.cpp> -P EmbedFiles.cmake
#       the web console's build (the files Vite wrote to DIST_DIR), for src/server/console_assets.h
#       (kConsoleAssets); an empty DIST_DIR embeds no file (a build with -DSUPERSTORE_WEB_CONSOLE=OFF).
#       Files of a text type are also embedded compressed (Brotli at quality 11, gzip at level 9, by the
#       build-time tool src/server/precompress.cpp), each variant only where it is smaller: compressing once
#       here is what lets the server send them compressed at no cost per request.
#
# Bytes are written as hex initialisers rather than a raw string literal so that no file content can ever
# end the literal early; each array ends in a NUL that the size does not count. The output is only
# touched when it changed, so an unchanged input rebuilds nothing.
cmake_minimum_required(VERSION 3.25)

# The console's rules. The server's Router accepts public routes only as literal paths of letters, digits,
# '/', '_' and '-', so every file's URL must be one: web/vite.config.js names files accordingly, and this
# refuses others rather than let the server fail at start-up. The Content-Type comes from the folder Vite
# put a file in (assets/js/, assets/css/, ...), since the names carry no extension. Sets `fields` to the
# entry's fields before the bytes: path, Content-Type, ETag, immutable.
function(console_entry_fields name dir)
  if(name STREQUAL "index.html")
    set(url "/")
    set(type "text/html; charset=utf-8")
    set(immutable false)
  elseif(name MATCHES "^assets/([a-z0-9]+)/[A-Za-z0-9_-]+$")
    set(url "/${name}")
    set(kind "${CMAKE_MATCH_1}")
    set(immutable true)
    if(kind STREQUAL "js")
      set(type "text/javascript; charset=utf-8")
    elseif(kind STREQUAL "css")
      set(type "text/css; charset=utf-8")
    elseif(kind STREQUAL "svg")
      set(type "image/svg+xml")
    elseif(kind STREQUAL "png")
      set(type "image/png")
    elseif(kind STREQUAL "woff2")
      set(type "font/woff2")
    elseif(kind STREQUAL "json")
      set(type "application/json")
    else()
      message(FATAL_ERROR "EmbedFiles: no Content-Type known for ${name}; add its kind '${kind}' here")
    endif()
  else()
    message(FATAL_ERROR "EmbedFiles: ${name} cannot be served: the console's files must be index.html or "
                        "assets/<kind>/<name>, with letters, digits, '_' and '-' only (see web/vite.config.js)")
  endif()
  file(SHA256 "${dir}/${name}" sha)
  string(SUBSTRING "${sha}" 0 20 etag)
  set(fields "\"${url}\", \"${type}\", \"\\\"${etag}\\\"\", ${immutable}" PARENT_SCOPE)
  if(kind MATCHES "^(js|css|svg|json)$" OR name STREQUAL "index.html")
    set(compress true PARENT_SCOPE)
  else()
    set(compress false PARENT_SCOPE)
  endif()
endfunction()

# Appends to `arrays` the bytes of `path` as the array `array_name`, and sets `array_size` to their number.
function(embed_array array_name path comment)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  # Thirty-two bytes to a line keeps the generated file readable in an editor.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){32})" "\\1\n    " bytes "${bytes}")
  set(arrays "${arrays}// ${comment}\nconst unsigned char ${array_name}[${size} + 1] = {\n    ${bytes}0x00};\n" PARENT_SCOPE)
  set(array_size ${size} PARENT_SCOPE)
endfunction()

# The console's compressed variants of file number `index`: sets `variants` to the entry's last four fields.
function(console_variants index path size)
  set(variants "nullptr, 0, nullptr, 0")
  if(NOT compress)
    set(variants "${variants}" PARENT_SCOPE)
    return()
  endif()
  set(out "${OUTPUT}.compressed")
  file(MAKE_DIRECTORY "${out}")
  execute_process(COMMAND "${PRECOMPRESS}" "${path}" "${out}/${index}.br" "${out}/${index}.gz" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "EmbedFiles: cannot compress ${path} with '${PRECOMPRESS}': ${failed}")
  endif()
  set(fields "")
  foreach(coding br gz)
    file(SIZE "${out}/${index}.${coding}" compressed_size)
    if(compressed_size LESS size)
      embed_array("file${index}_${coding}" "${out}/${index}.${coding}" "the same, ${coding}")
      list(APPEND fields "file${index}_${coding}, ${array_size}")
    else()
      list(APPEND fields "nullptr, 0")
    endif()
  endforeach()
  list(JOIN fields ", " variants)
  set(variants "${variants}" PARENT_SCOPE)
  set(arrays "${arrays}" PARENT_SCOPE)
endfunction()

set(files "")
if(KIND STREQUAL "data")
  set(dir "${DATA_DIR}")
  string(REPLACE "," ";" files "${NAMES}")
  set(header "fakedata/embedded_files.h")
  set(namespace "superstore::fakedata")
  set(table "EmbeddedFile kEmbeddedFiles")
  set(count "kEmbeddedFileCount")
  set(origin "the word lists of src/fakedata/data/")
  set(empty_entry "{\"\", nullptr, 0}")
elseif(KIND STREQUAL "api")
  set(dir "${DATA_DIR}")
  string(REPLACE "," ";" files "${NAMES}")
  set(header "server/api_document.h")
  set(namespace "superstore::server")
  set(table "ApiDocument kApiDocuments")
  set(count "kApiDocumentCount")
  set(origin "docs/openapi.json")
  set(empty_entry "{\"\", nullptr, 0}")
elseif(KIND STREQUAL "console")
  set(dir "${DIST_DIR}")
  if(dir)
    file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${dir}" "${dir}/*")
    list(FILTER files EXCLUDE REGEX "\\.map$")
    list(SORT files)
    if(NOT "index.html" IN_LIST files)
      message(FATAL_ERROR "EmbedFiles: ${dir} holds no index.html; did the web build (npm run build) fail?")
    endif()
  endif()
  set(header "server/console_assets.h")
  set(namespace "superstore::server")
  set(table "ConsoleAsset kConsoleAssets")
  set(count "kConsoleAssetCount")
  set(origin "the web console's build")
  set(empty_entry "{\"\", \"\", \"\", false, nullptr, 0, nullptr, 0, nullptr, 0}")
  if(dir AND NOT PRECOMPRESS)
    message(FATAL_ERROR "EmbedFiles: KIND=console needs -DPRECOMPRESS=<the superstore_precompress tool>")
  endif()
else()
  message(FATAL_ERROR "EmbedFiles: KIND must be 'data', 'api' or 'console', not '${KIND}'")
endif()

set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS files)
  if(KIND STREQUAL "console")
    console_entry_fields("${name}" "${dir}")
  else()
    set(fields "\"${name}\"")
  endif()
  embed_array("file${index}" "${dir}/${name}" "${name}")
  set(size ${array_size})
  if(KIND STREQUAL "console")
    console_variants(${index} "${dir}/${name}" ${size})
    string(APPEND entries "    {${fields}, file${index}, ${size}, ${variants}},\n")
  else()
    string(APPEND entries "    {${fields}, file${index}, ${size}},\n")
  endif()
  math(EXPR index "${index} + 1")
endforeach()
if(index EQUAL 0)
  # C++ has no empty arrays; a count of 0 says there is nothing in it.
  set(entries "    ${empty_entry},\n")
endif()

file(WRITE "${OUTPUT}.tmp"
"// Generated by cmake/EmbedFiles.cmake from ${origin}. Do not edit.
#include \"${header}\"

namespace ${namespace} {
namespace {
${arrays}}  // namespace

extern const ${table}[] = {
${entries}};
extern const size_t ${count} = ${index};

}  // namespace ${namespace}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
