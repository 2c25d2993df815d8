# Helpers that only tests may use (tests/support/, included as "support/<file>.h"): no production target
# has that folder on its include path, so nothing test-only can end up in the binary.
add_library(ss_test_support INTERFACE)
target_include_directories(ss_test_support INTERFACE ${CMAKE_SOURCE_DIR}/tests)

# superstore_test(NAME SOURCES... LIBS ...): one GoogleTest executable whose cases ctest lists one by one.
# Test helpers follow one scheme: a layer's own in src/<layer>/test_support.h (and .cpp), those of
# several layers in tests/support/.
function(superstore_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} ss_test_support GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      SUPERSTORE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      SUPERSTORE_BINARY="${CMAKE_BINARY_DIR}/superstore"
      SUPERSTORE_TESTDATA_DIR="${CMAKE_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
