/* test_cli_args.c: the strict option-value parsers of src/train/cli_args.c.
 * A value is accepted only when the whole string is one number in range; the
 * output is left untouched on refusal. atof/atoi, used before, read "abc" as 0
 * and "1e-4x" as 1e-4 without a word. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "cli_args.h"
#include "frame.h"

static void test_double(void **st) {
    (void)st;
    const struct { const char *v; double want; } good[] = {
        {"0.05", 0.05}, {"1e-4", 1e-4}, {"-2.5", -2.5}, {"7", 7.0}, {"+3E2", 300.0}, {".5", 0.5}};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        double x = -1234.0;
        assert_int_equal(qdf_parse_double("t", "--x", good[k].v, &x), 0);
        assert_true(fabs(x - good[k].want) <= 1e-15 * fabs(good[k].want));
    }
    const char *bad[] = {"", "abc", "1e-4x", "0.1 ", " 0.1", "nan", "inf", "-inf", "1e999", "0x", "--", "1,5"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        double x = -1234.0;
        assert_int_equal(qdf_parse_double("t", "--x", bad[k], &x), -1);
        assert_true(x == -1234.0);
    }
}

static void test_int(void **st) {
    (void)st;
    int x = -7;
    assert_int_equal(qdf_parse_int("t", "--n", "0", 0, 10, &x), 0);
    assert_int_equal(x, 0);
    assert_int_equal(qdf_parse_int("t", "--n", "10", 0, 10, &x), 0);
    assert_int_equal(x, 10);
    assert_int_equal(qdf_parse_int("t", "--n", "-3", -5, 10, &x), 0);
    assert_int_equal(x, -3);
    assert_int_equal(qdf_parse_int("t", "--n", "2147483647", 0, INT_MAX, &x), 0);
    assert_int_equal(x, INT_MAX);
    const char *bad[] = {"", "11", "-1", "3.5", "1e2", "4x", " 4", "4 ", "two", "99999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        x = -7;
        assert_int_equal(qdf_parse_int("t", "--n", bad[k], 0, 10, &x), -1);
        assert_int_equal(x, -7);
    }
    /* beyond INT_MAX on a 64-bit long: refused by the range, not truncated */
    assert_int_equal(qdf_parse_int("t", "--n", "4294967297", 0, INT_MAX, &x), -1);
}

static void test_u64(void **st) {
    (void)st;
    unsigned long long x = 5;
    assert_int_equal(qdf_parse_u64("t", "--seed", "18446744073709551615", &x), 0);
    assert_true(x == 18446744073709551615ULL);
    assert_int_equal(qdf_parse_u64("t", "--seed", "0", &x), 0);
    assert_true(x == 0);
    const char *bad[] = {"", "-1", "18446744073709551616", "12a", "1.0"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        x = 5;
        assert_int_equal(qdf_parse_u64("t", "--seed", bad[k], &x), -1);
        assert_true(x == 5);
    }
}

static void test_orientations(void **st) {
    (void)st;
    assert_int_equal(qdf_parse_orientations("t", "1"), 1);
    assert_int_equal(qdf_parse_orientations("t", "4"), 4);
    char v[16];
    snprintf(v, sizeof v, "%d", QDF_MAX_ORIENTATIONS);
    assert_int_equal(qdf_parse_orientations("t", v), QDF_MAX_ORIENTATIONS);
    snprintf(v, sizeof v, "%d", QDF_MAX_ORIENTATIONS + 1);
    assert_int_equal(qdf_parse_orientations("t", v), -1);
    assert_int_equal(qdf_parse_orientations("t", "0"), -1);
    assert_int_equal(qdf_parse_orientations("t", "2x"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_orientations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
