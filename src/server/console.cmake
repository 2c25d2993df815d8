# The web console (web/, issue 5): built with npm and Vite, then compiled into the server as bytes by
# cmake/EmbedFiles.cmake (with Brotli and gzip variants made by superstore_precompress), so the one binary
# serves it at /. Included by CMakeLists.txt; sets CONSOLE_ASSETS_CPP.
option(SUPERSTORE_WEB_CONSOLE "Build the web console from web/ (needs Node.js and npm); OFF serves a note instead" ON)

set(CONSOLE_ASSETS_CPP ${CMAKE_CURRENT_BINARY_DIR}/console_assets.cpp)
set(CONSOLE_EMBED_SCRIPT ${CMAKE_SOURCE_DIR}/cmake/EmbedFiles.cmake)

if(SUPERSTORE_WEB_CONSOLE)
  find_program(NODE_EXECUTABLE node)
  find_program(NPM_EXECUTABLE npm)
  if(NOT NODE_EXECUTABLE OR NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "The web console needs Node.js (20.19 or later) and npm, and this machine lacks "
                        "them: run scripts/install-deps.sh (or `make deps`), or configure with "
                        "-DSUPERSTORE_WEB_CONSOLE=OFF to build the server without the console.")
  endif()
  set(WEB_DIR ${CMAKE_SOURCE_DIR}/web)
  set(WEB_DIST ${CMAKE_CURRENT_BINARY_DIR}/web-dist)
  file(GLOB_RECURSE WEB_SOURCES CONFIGURE_DEPENDS ${WEB_DIR}/src/*)
  add_custom_command(
    OUTPUT ${CONSOLE_ASSETS_CPP}
    COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${WEB_DIR} -DDIST_DIR=${WEB_DIST} -DNPM=${NPM_EXECUTABLE}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/build_console.cmake
    COMMAND ${CMAKE_COMMAND} -DKIND=console -DDIST_DIR=${WEB_DIST} -DPRECOMPRESS=$<TARGET_FILE:superstore_precompress>
            -DOUTPUT=${CONSOLE_ASSETS_CPP} -P ${CONSOLE_EMBED_SCRIPT}
    DEPENDS superstore_precompress ${WEB_SOURCES} ${WEB_DIR}/index.html ${WEB_DIR}/package.json ${WEB_DIR}/package-lock.json
            ${WEB_DIR}/vite.config.js ${WEB_DIR}/tsconfig.json
            ${CMAKE_CURRENT_SOURCE_DIR}/build_console.cmake ${CONSOLE_EMBED_SCRIPT}
    COMMENT "Building the web console (npm ci when needed, vite build) and embedding it"
    USES_TERMINAL
    VERBATIM)
else()
  add_custom_command(
    OUTPUT ${CONSOLE_ASSETS_CPP}
    COMMAND ${CMAKE_COMMAND} -DKIND=console -DDIST_DIR= -DOUTPUT=${CONSOLE_ASSETS_CPP} -P ${CONSOLE_EMBED_SCRIPT}
    DEPENDS ${CONSOLE_EMBED_SCRIPT}
    COMMENT "Embedding no web console (SUPERSTORE_WEB_CONSOLE=OFF)"
    VERBATIM)
endif()
# `make web` builds this alone.
add_custom_target(web_console DEPENDS ${CONSOLE_ASSETS_CPP})
