# Builds the web console at build time: installs web/'s npm packages from package-lock.json when they are
# missing or older than the lock file (npm ci), then runs its build (type check, Vite) into DIST_DIR.
#   cmake -DWEB_DIR=<repo>/web -DDIST_DIR=<folder> -DNPM=<npm> -P build_console.cmake
# Build folders share web/node_modules, so a lock keeps two builds from running npm ci into it at once.
cmake_minimum_required(VERSION 3.25)

file(LOCK "${WEB_DIR}/.build.lock" GUARD PROCESS TIMEOUT 900 RESULT_VARIABLE locked)
if(NOT locked EQUAL 0)
  message(FATAL_ERROR "build_console: cannot lock ${WEB_DIR}/.build.lock: ${locked}")
endif()

set(installed "${WEB_DIR}/node_modules/.package-lock.json")
if(NOT EXISTS "${installed}" OR "${WEB_DIR}/package-lock.json" IS_NEWER_THAN "${installed}")
  message(STATUS "web console: npm ci (packages from web/package-lock.json)")
  execute_process(
    COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${WEB_DIR}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "web console: `npm ci` in ${WEB_DIR} failed (${result}). It needs the npm registry, or "
                        "the packages in npm's cache. Configure with -DSUPERSTORE_WEB_CONSOLE=OFF to build the "
                        "server without the console.")
  endif()
endif()

message(STATUS "web console: npm run build")
execute_process(
  COMMAND "${NPM}" run build --silent -- --outDir "${DIST_DIR}" --emptyOutDir --logLevel warn
  WORKING_DIRECTORY "${WEB_DIR}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "web console: `npm run build` in ${WEB_DIR} failed (${result}); see the errors above")
endif()
