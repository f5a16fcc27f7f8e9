"""Issue 2: --check-config reports every mistake with file:line and exits 1; a good conf exits 0."""
import re
import unittest

import ghtest


class CheckConfigTest(unittest.TestCase):
    def setUp(self):
        self.conf = ghtest.ConfTree()

    def tearDown(self):
        self.conf.cleanup()

    def check(self):
        return ghtest.run_cli("--check-config", "--conf", self.conf.dir)

    def line_of(self, rel, needle):
        with open(self.conf.path(rel)) as f:
            for i, line in enumerate(f, 1):
                if needle in line:
                    return i
        raise AssertionError("%s not in %s" % (needle, rel))

    def test_default_conf_is_valid(self):
        rc, out, err = self.check()
        self.assertEqual(rc, 0, err)
        self.assertIn("valid", out)

    def test_missing_datasource_named_with_line(self):
        self.conf.edit("user-mgt.xml", r'(<Property name="dataSource">)[^<]*(</Property>)', r"\g<1>jdbc/NOPE\g<2>")
        line = self.line_of("user-mgt.xml", "jdbc/NOPE")
        rc, out, err = self.check()
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"user-mgt\.xml:%d: error: .*jdbc/NOPE" % line)

    def test_broken_xml_names_the_line(self):
        self.conf.edit("api-manager.xml", r"</DataSourceName>", "</DataSourceNam>")
        line = self.line_of("api-manager.xml", "</DataSourceNam>")
        rc, out, err = self.check()
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"api-manager\.xml:%d: error" % line)

    def test_several_mistakes_all_reported(self):
        self.conf.edit("carbon.xml", r"<Offset>\s*\d+\s*</Offset>", "<Offset>abc</Offset>")
        self.conf.edit("user-mgt.xml", r'(<Property name="dataSource">)[^<]*(</Property>)', r"\g<1>jdbc/NOPE\g<2>")
        self.conf.edit("datasources/master-datasources.xml", r"<maxActive>\d+</maxActive>", "<maxActive>-3</maxActive>")
        rc, out, err = self.check()
        self.assertEqual(rc, 1)
        self.assertIn("carbon.xml:%d" % self.line_of("carbon.xml", "<Offset>abc"), err)
        self.assertIn("user-mgt.xml:%d" % self.line_of("user-mgt.xml", "jdbc/NOPE"), err)
        self.assertIn("master-datasources.xml:%d" % self.line_of("datasources/master-datasources.xml", "-3"), err)
        self.assertGreaterEqual(len(re.findall(r": error: ", err)), 3)

    def test_server_refuses_to_start_on_bad_conf(self):
        self.conf.edit("carbon.xml", r"<Offset>\s*\d+\s*</Offset>", "<Offset>abc</Offset>")
        rc, out, err = ghtest.run_cli("--conf", self.conf.dir)
        self.assertEqual(rc, 1)
        self.assertIn("carbon.xml", err)
        self.assertIn("nothing was started", err)

    def test_embedded_ldap_enabled_is_refused(self):
        self.conf.write("identity/embedded-ldap.xml",
                        '<?xml version="1.0"?>\n<EmbeddedLDAPConfig>\n<EmbeddedLDAP>\n'
                        '<Property name="enable">true</Property>\n</EmbeddedLDAP>\n</EmbeddedLDAPConfig>\n')
        rc, out, err = self.check()
        self.assertEqual(rc, 1)
        self.assertIn("embedded-ldap.xml:4", err)
        self.assertIn("false", err)

    def test_unknown_driver_class_lists_known(self):
        self.conf.edit("datasources/master-datasources.xml", r"<driverClassName>[^<]*</driverClassName>",
                       "<driverClassName>com.example.NoDriver</driverClassName>")
        rc, out, err = self.check()
        self.assertEqual(rc, 1)
        self.assertIn("com.example.NoDriver", err)
        self.assertIn("org.postgresql.Driver", err)

    def test_unknown_element_is_only_a_warning(self):
        self.conf.edit("api-manager.xml", r"</DataSourceName>", "</DataSourceName>\n    <NoSuchThing>1</NoSuchThing>")
        rc, out, err = self.check()
        self.assertEqual(rc, 0, err)
        self.assertIn("warning", err)
        self.assertIn("NoSuchThing", err)


if __name__ == "__main__":
    ghtest.main()
