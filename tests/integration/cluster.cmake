# The cluster's event relay against real databases (included by tests/integration/CMakeLists.txt).
add_executable(relay_suite ${CMAKE_CURRENT_LIST_DIR}/relay_suite.c)
target_link_libraries(relay_suite PRIVATE gh_test_support gh_cluster gh_schema gh_db gh_base ${CMOCKA_LIB} Threads::Threads)
add_test(NAME relay_sqlite COMMAND relay_suite --driver sqlite)
add_test(NAME relay_pgsql COMMAND relay_suite --driver postgresql)
add_test(NAME relay_mysql COMMAND relay_suite --driver mysql)
set_tests_properties(relay_sqlite relay_pgsql relay_mysql PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
set_tests_properties(relay_pgsql PROPERTIES RESOURCE_LOCK gh_pg)
set_tests_properties(relay_mysql PROPERTIES RESOURCE_LOCK gh_mysql)
