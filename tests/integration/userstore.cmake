# The user store suite (included by tests/integration/CMakeLists.txt when present).
add_executable(userstore_suite userstore_suite.c userstore_suite_more.c)
target_compile_definitions(userstore_suite PRIVATE GH_US_DBSCRIPTS="${CMAKE_SOURCE_DIR}/dbscripts")
target_link_libraries(userstore_suite PRIVATE gh_test_support gh_userstore gh_db gh_base ${CMOCKA_LIB} Threads::Threads)
add_test(NAME userstore_sqlite COMMAND userstore_suite --driver sqlite)
add_test(NAME userstore_pgsql COMMAND userstore_suite --driver postgresql)
add_test(NAME userstore_mysql COMMAND userstore_suite --driver mysql)
set_tests_properties(userstore_sqlite userstore_pgsql userstore_mysql PROPERTIES
    LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
set_tests_properties(userstore_pgsql PROPERTIES RESOURCE_LOCK gh_pg)
set_tests_properties(userstore_mysql PROPERTIES RESOURCE_LOCK gh_mysql)
