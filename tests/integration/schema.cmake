# Schema suites (dbscripts + modules/schema), included by tests/integration/CMakeLists.txt.
# Both use the second test database (gatehouse2) on PostgreSQL and MariaDB, so they hold both locks.
add_executable(test_schema_setup ${CMAKE_CURRENT_LIST_DIR}/test_schema_setup.c)
target_link_libraries(test_schema_setup PRIVATE gh_test_support gh_schema gh_db gh_config gh_base ${CMOCKA_LIB})
add_test(NAME schema_setup_sqlite COMMAND test_schema_setup --driver sqlite)
add_test(NAME schema_setup_pgsql COMMAND test_schema_setup --driver postgresql)
add_test(NAME schema_setup_mysql COMMAND test_schema_setup --driver mysql)
add_test(NAME schema_catalog
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/test_schema_catalog.py ${CMAKE_SOURCE_DIR}/dbscripts)
set_tests_properties(schema_setup_sqlite schema_setup_pgsql schema_setup_mysql schema_catalog
                     PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
set_tests_properties(schema_setup_pgsql PROPERTIES RESOURCE_LOCK gh_pg)
set_tests_properties(schema_setup_mysql PROPERTIES RESOURCE_LOCK gh_mysql)
set_tests_properties(schema_catalog PROPERTIES RESOURCE_LOCK "gh_pg;gh_mysql")
