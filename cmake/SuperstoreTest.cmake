# superstore_test(NAME SOURCES... LIBS ...): one GoogleTest executable whose cases ctest lists one by one.
function(superstore_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
      SUPERSTORE_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
      SUPERSTORE_BINARY="${CMAKE_BINARY_DIR}/superstore"
      SUPERSTORE_TESTDATA_DIR="${CMAKE_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
