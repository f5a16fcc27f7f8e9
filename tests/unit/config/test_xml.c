/* modules/config/xml.c and vars.c: parsing, getters, variables, comments in text, Secure Vault, directives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "xml.h"
#include "gatehouse/mem.h"

typedef struct {
    char *dir;
    gh_diag_list_t d;
    gh_xml_pool_t pool;
    gh_xml_vars_t vars;
    gh_xml_doc_t x;
} t_env;

static int setup(void **state)
{
    t_env *e = gh_calloc(1, sizeof(*e));

    e->dir = fx_copy(NULL);
    gh_xml_vars_standard(&e->vars, "/opt/gh", "gw.example.com", 3, "root", "pw");
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    t_env *e = *state;

    gh_xml_close(&e->x);
    gh_diag_dispose(&e->d);
    gh_xml_pool_dispose(&e->pool);
    gh_xml_vars_dispose(&e->vars);
    fx_remove(e->dir);
    free(e);
    return 0;
}

/* Write text as t.xml and open it; returns gh_xml_open's result. */
static int open_text(t_env *e, const char *text, const char *root)
{
    char *path = gh_asprintf("%s/t.xml", e->dir);
    int r;

    fx_write(e->dir, "t.xml", text);
    memset(&e->x, 0, sizeof(e->x));
    e->x.file = "t.xml";
    e->x.d = &e->d;
    e->x.pool = &e->pool;
    e->x.vars = &e->vars;
    e->x.base_dir = "/opt/gh";
    r = gh_xml_open(&e->x, path, root);
    free(path);
    return r;
}

static void test_open_absent_and_malformed(void **state)
{
    t_env *e = *state;

    e->x.file = "none.xml";
    e->x.d = &e->d;
    assert_int_equal(gh_xml_open(&e->x, "/nonexistent/none.xml", "A"), 0);
    assert_int_equal(e->d.n, 0);
    assert_int_equal(open_text(e, "<A>\n  <B>1</B>\n  <C>\n</A>\n", "A"), -1);
    assert_null(e->x.doc);
    assert_true(fx_count(&e->d, GH_DIAG_ERROR,
                         "t.xml:4: error: malformed XML: Opening and ending tag mismatch") >= 1);
}

static void test_wrong_root(void **state)
{
    t_env *e = *state;

    assert_int_equal(open_text(e, "<Other/>\n", "Server"), -1);
    assert_int_equal(
        fx_count(&e->d, GH_DIAG_ERROR, "t.xml:1: error: <Other>: the root element must be <Server>"), 1);
}

/* No entity expansion: an external entity stays unexpanded instead of reading /etc/passwd. */
static void test_no_entity_expansion(void **state)
{
    t_env *e = *state;
    char *v = NULL;

    assert_int_equal(
        open_text(e, "<!DOCTYPE A [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<A><B>&x;</B></A>\n", "A"),
        1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "B", GH_XML_OPTIONAL, &v), 1);
    assert_null(strstr(v, "root:"));
}

static void test_getters(void **state)
{
    t_env *e = *state;
    int i = -7;
    char *s = NULL;

    assert_int_equal(open_text(e,
                               "<A xmlns=\"urn:x\">\n<N> 42 </N>\n<Neg>-3</Neg>\n<Bad>abc</Bad>\n"
                               "<T>TRUE</T>\n<F>false</F>\n<M>maybe</M>\n<S>  hi there\n</S>\n<E></E>\n"
                               "<P><Q>deep</Q></P>\n</A>\n",
                               "A"),
                     1);
    assert_int_equal(gh_xml_get_int(&e->x, e->x.root, "N", 0, 0, 100, &i), 1);
    assert_int_equal(i, 42);
    assert_int_equal(gh_xml_get_int(&e->x, e->x.root, "Neg", 0, 1, 100, &i), -1);
    assert_int_equal(i, 42); /* untouched on error */
    assert_int_equal(
        fx_count(&e->d, GH_DIAG_ERROR, "t.xml:3: error: <Neg>: '-3' is not a whole number between 1 and 100"),
        1);
    assert_int_equal(gh_xml_get_int(&e->x, e->x.root, "Bad", 0, 0, 100, &i), -1);
    assert_int_equal(gh_xml_get_int(&e->x, e->x.root, "Nope", 0, 0, 100, &i), 0);
    assert_int_equal(gh_xml_get_int(&e->x, e->x.root, "E", 0, 0, 100, &i), 0); /* empty = absent */
    assert_int_equal(gh_xml_get_bool(&e->x, e->x.root, "T", 0, &i), 1);
    assert_int_equal(i, 1);
    assert_int_equal(gh_xml_get_bool(&e->x, e->x.root, "F", 0, &i), 1);
    assert_int_equal(i, 0);
    assert_int_equal(gh_xml_get_bool(&e->x, e->x.root, "M", 0, &i), -1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "t.xml:7: error: <M>: 'maybe' is not a boolean"), 1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "S", 0, &s), 1);
    assert_string_equal(s, "hi there");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "P/Q", 0, &s), 1);
    assert_string_equal(s, "deep");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "E", 0, &s), 1); /* an empty optional string is "" */
    assert_string_equal(s, "");
    assert_int_equal(e->d.n_errors, 3);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "Missing", GH_XML_REQUIRED, &s), 0);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "t.xml:1: error: <Missing>: required element is missing"),
                     1);
    assert_int_equal(gh_xml_get_path(&e->x, e->x.root, "P/Q", 0, &s), 1);
    assert_string_equal(s, "/opt/gh/deep");
}

/* Stock WSO2 files put comments inside element text; CDATA counts as text. */
static void test_comments_and_cdata(void **state)
{
    t_env *e = *state;
    char *s = NULL;

    assert_int_equal(
        open_text(e,
                  "<A><U>jdbc:h2:<!-- remote: tcp://x -->repository/db<!-- x -->;AUTO_SERVER=TRUE</U>"
                  "<C><![CDATA[a&b<c>]]></C><R>x &amp; y</R></A>",
                  "A"),
        1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "U", 0, &s), 1);
    assert_string_equal(s, "jdbc:h2:repository/db;AUTO_SERVER=TRUE");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "C", 0, &s), 1);
    assert_string_equal(s, "a&b<c>");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "R", 0, &s), 1);
    assert_string_equal(s, "x & y");
}

static void test_variables(void **state)
{
    t_env *e = *state;
    char *s = NULL;

    assert_int_equal(open_text(e,
                               "<A>\n<K>${carbon.home}/x.jks</K>\n"
                               "<U>${carbon.protocol}://"
                               "${carbon.host}:${mgt.transport.https.port}${carbon.context}services/</U>\n"
                               "<G>${carbon.local.ip}:${https.nio.port},${http.nio.port}</G>\n"
                               "<W>${admin.username}/${admin.password} ${receiver.url.port} ${auth.url.port} "
                               "${jms.port} ${carbon.management.port}</W>\n"
                               "<X>${no.such.var}-${</X>\n</A>\n",
                               "A"),
                     1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "K", 0, &s), 1);
    assert_string_equal(s, "/opt/gh/x.jks");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "U", 0, &s), 1);
    assert_string_equal(s, "https://gw.example.com:9446/services/");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "G", 0, &s), 1);
    assert_string_equal(s, "gw.example.com:8246,8283");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "W", 0, &s), 1);
    assert_string_equal(s, "root/pw 9614 9714 5675 9446");
    assert_int_equal(e->d.n, 0);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "X", 0, &s), 1);
    assert_string_equal(s, "${no.such.var}-${");
    assert_int_equal(fx_count(&e->d, GH_DIAG_WARN,
                              "t.xml:6: warning: <X>: unknown variable ${no.such.var} is kept literally"),
                     1);
    assert_int_equal(e->d.n_errors, 0);
}

static void test_env_values(void **state)
{
    t_env *e = *state;
    char *s = NULL;

    setenv("GH_TEST_CONF_SECRET", "from-env", 1);
    unsetenv("GH_TEST_CONF_UNSET");
    assert_int_equal(
        open_text(e, "<A><P>$env{GH_TEST_CONF_SECRET}</P><Q>$env{GH_TEST_CONF_UNSET}</Q></A>", "A"), 1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "P", 0, &s), 1);
    assert_string_equal(s, "from-env");
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "Q", 0, &s), -1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "environment variable GH_TEST_CONF_UNSET"), 1);
}

static void test_secure_vault(void **state)
{
    t_env *e = *state;
    char *s = NULL;

    assert_int_equal(open_text(e,
                               "<A xmlns:svns=\"http://org.wso2.securevault/configuration\">\n"
                               "<P svns:secretAlias=\"Db.Password\">x</P>\n<Q encrypted=\"true\">abc=</Q>\n"
                               "<R encrypted=\"false\">plain</R>\n</A>\n",
                               "A"),
                     1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "P", 0, &s), -1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "Q", 0, &s), -1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "t.xml:2: error: <P>: Secure Vault values"), 1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "t.xml:3: error: <Q>: Secure Vault values"), 1);
    assert_int_equal(gh_xml_get_str(&e->x, e->x.root, "R", 0, &s), 1);
    assert_string_equal(s, "plain");
}

typedef struct {
    int port;
    int flag;
    int other;
    char *name;
    char *file;
    char *absent;
} t_conf;

static const gh_xml_directive_t rows[] = {
    {"Ports/Port", GH_XML_INT, offsetof(t_conf, port), 1, 65535, "80", 0},
    {"Flag", GH_XML_BOOL, offsetof(t_conf, flag), 0, 0, "true", 0},
    {"Other", GH_XML_INT, offsetof(t_conf, other), 0, 10, "7", 0},
    {"Name", GH_XML_STRING, offsetof(t_conf, name), 0, 0, "dflt", 1},
    {"File", GH_XML_PATH, offsetof(t_conf, file), 0, 0, NULL, 0},
    {"Absent", GH_XML_STRING, offsetof(t_conf, absent), 0, 0, NULL, 0},
};

static void test_directives(void **state)
{
    t_env *e = *state;
    t_conf c;

    memset(&c, 0xff, sizeof(c));
    c.name = c.file = c.absent = NULL;
    assert_int_equal(
        open_text(e, "<A>\n<Ports><Port>8080</Port></Ports>\n<Other>11</Other>\n<File>k.pem</File>\n</A>\n",
                  "A"),
        1);
    assert_int_equal(gh_xml_apply(&e->x, e->x.root, rows, GH_ARRAY_SIZE(rows), &c), 2);
    assert_int_equal(c.port, 8080);
    assert_int_equal(c.flag, 1);  /* default */
    assert_int_equal(c.other, 7); /* a bad value leaves the default */
    assert_string_equal(c.name, "dflt");
    assert_string_equal(c.file, "/opt/gh/k.pem");
    assert_null(c.absent);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR,
                              "t.xml:3: error: <Other>: '11' is not a whole number between 0 and 10"),
                     1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_ERROR, "t.xml:1: error: <Name>: required element is missing"),
                     1);
}

static void test_warn_unknown(void **state)
{
    t_env *e = *state;
    static const char *const known[] = {"Known", NULL};

    assert_int_equal(open_text(e, "<A>\n<Known/>\n<!-- <Commented/> -->\n<Strange>1</Strange>\n</A>\n", "A"),
                     1);
    gh_xml_warn_unknown(&e->x, e->x.root, known);
    assert_int_equal(e->d.n, 1);
    assert_int_equal(fx_count(&e->d, GH_DIAG_WARN, "t.xml:4: warning: <Strange>: not used by Gatehouse"), 1);
}

static void test_helpers(void **state)
{
    gh_xml_vars_t v = {0};
    gh_xml_pool_t p = {0};
    char *s;
    int i = 0;

    (void)state;
    s = gh_xml_abspath("/home", "./a/b");
    assert_string_equal(s, "/home/a/b");
    free(s);
    s = gh_xml_abspath("/home", "/abs");
    assert_string_equal(s, "/abs");
    free(s);
    assert_int_equal(gh_xml_parse_int("12x", 0, 100, &i), -1);
    assert_int_equal(gh_xml_parse_int("", 0, 100, &i), -1);
    assert_int_equal(gh_xml_parse_int("99999999999999999999", 0, 100, &i), -1);
    assert_int_equal(gh_xml_parse_bool("False", &i), 0);
    assert_int_equal(i, 0);
    gh_xml_vars_set(&v, "a", "1");
    gh_xml_vars_set(&v, "a", "2");
    assert_string_equal(gh_xml_vars_get(&v, "a"), "2");
    assert_null(gh_xml_vars_get(&v, "b"));
    assert_int_equal(v.n, 1);
    gh_xml_vars_dispose(&v);
    assert_null(gh_xml_pool_keep(&p, NULL));
    assert_string_equal(gh_xml_pool_strdup(&p, "x"), "x");
    gh_xml_pool_dispose(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_absent_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_entity_expansion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_getters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments_and_cdata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secure_vault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_warn_unknown, setup, teardown),
        cmocka_unit_test(test_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
