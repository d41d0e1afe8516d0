/* test_elements.c: element table and molecule helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "elements.h"
#include "molecule.h"

static void test_symbols(void **state) {
    (void)state;
    assert_int_equal(qdf_element_z("H"), 1);
    assert_int_equal(qdf_element_z("C"), 6);
    assert_int_equal(qdf_element_z("Cl"), 17);
    assert_int_equal(qdf_element_z("CL"), 17);
    assert_int_equal(qdf_element_z("cl"), 17);
    assert_int_equal(qdf_element_z("c"), 6);
    assert_int_equal(qdf_element_z("Ar"), 18);
    assert_int_equal(qdf_element_z("Xx"), 0);
    assert_int_equal(qdf_element_z("K"), 0);
    assert_int_equal(qdf_element_z(""), 0);
    assert_int_equal(qdf_element_z("Cla"), 0);
    for (int z = 1; z <= QDF_MAX_Z; z++) {
        assert_int_equal(qdf_element_z(qdf_element_symbol(z)), z);
        assert_true(qdf_element_mass(z) > qdf_element_mass(z - 1) || z == 19);
    }
    assert_null(qdf_element_symbol(0));
    assert_null(qdf_element_symbol(19));
    assert_true(fabs(qdf_element_mass(6) - 12.011) < 1e-9);
    assert_true(fabs(qdf_element_mass(8) - 15.999) < 1e-9);
}

static void test_molecule(void **state) {
    (void)state;
    qdf_molecule m, c;
    memset(&m, 0, sizeof m);
    memset(&c, 0, sizeof c);
    assert_int_equal(qdf_molecule_alloc(&m, 3), 0);
    assert_int_not_equal(qdf_molecule_alloc(&c, QDF_MAX_ATOMS + 1), 0);
    const int z[3] = {8, 1, 1};
    const double x[9] = {0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0};
    memcpy(m.z, z, sizeof z);
    memcpy(m.xyz, x, sizeof x);
    strcpy(m.id, "water");
    char buf[64];
    qdf_molecule_formula(&m, buf, sizeof buf);
    assert_string_equal(buf, "H2O");
    assert_int_equal(qdf_molecule_electrons(&m), 10);
    assert_int_equal(qdf_molecule_validate(&m, buf, sizeof buf), 0);
    assert_int_equal(qdf_molecule_copy(&c, &m), 0);
    assert_string_equal(c.id, "water");
    assert_memory_equal(c.xyz, m.xyz, sizeof x);
    c.xyz[3] = 0.05;
    assert_int_not_equal(qdf_molecule_validate(&c, buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "apart"));
    c.xyz[3] = NAN;
    assert_int_not_equal(qdf_molecule_validate(&c, buf, sizeof buf), 0);
    c.xyz[3] = 2e4;
    assert_int_not_equal(qdf_molecule_validate(&c, buf, sizeof buf), 0);
    c.n_atoms = 0;
    assert_int_not_equal(qdf_molecule_validate(&c, buf, sizeof buf), 0);
    /* Hill order: C, H, then alphabetical */
    const int z2[5] = {8, 6, 1, 7, 6};
    assert_int_equal(qdf_molecule_alloc(&c, 5), 0);
    memcpy(c.z, z2, sizeof z2);
    qdf_molecule_formula(&c, buf, sizeof buf);
    assert_string_equal(buf, "C2HNO");
    qdf_molecule_free(&m);
    qdf_molecule_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_symbols), cmocka_unit_test(test_molecule)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
