/* test_bad_input.c: every file of tests/bad_input/ (see its README.md) is read to
 * the end: no crash, the expected numbers of good and skipped molecules, one-line
 * messages naming the file and a line number; unreadable inputs give NULL / -2
 * with a message naming the file. A 2 MiB line is generated at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "reader.h"
#include "testutil.h"

typedef struct {
    const char *file;
    int open_fails; /* qdf_reader_open returns NULL */
    int good, skipped, fatal;
} bad_case;

static const bad_case CASES[] = {
    {"txt_truncated.txt", 0, 1, 1, 0},        {"txt_unknown_element.txt", 0, 2, 1, 0},
    {"txt_nan_inf.txt", 0, 2, 2, 0},          {"txt_same_position.txt", 0, 1, 1, 0},
    {"txt_bad_number.txt", 0, 1, 4, 0},       {"txt_missing_target.txt", 0, 2, 1, 0},
    {"txt_target_not_last.txt", 0, 1, 1, 0},  {"txt_empty_block.txt", 0, 1, 1, 0},
    {"txt_too_many_fields.txt", 0, 1, 1, 0},  {"txt_crlf.txt", 0, 2, 0, 0},
    {"empty.txt", 0, 0, 0, 0},                {"txt_nul_late.txt", 0, 1200, 0, 1},
    {"xyz_too_few_atoms.xyz", 0, 1, 1, 0},    {"xyz_too_many_atoms.xyz", 0, 1, 1, 0},
    {"xyz_count_zero.xyz", 0, 1, 1, 0},       {"xyz_500_atoms.xyz", 0, 1, 1, 0},
    {"xyz_bad_count.xyz", 0, 1, 2, 0},        {"xyz_truncated.xyz", 0, 1, 1, 0},
    {"xyz_unknown_element.xyz", 0, 1, 2, 0},  {"xyz_same_position.xyz", 0, 1, 1, 0},
    {"extxyz_bad_energy.extxyz", 0, 1, 3, 0}, {"qm9_truncated.xyz", 0, 0, 1, 0},
    {"qm9_bad_property.xyz", 0, 0, 1, 0},     {"qm9_star_exponent.xyz", 0, 1, 0, 0},
    {"qm9_wrong_count.xyz", 0, 0, 1, 0},      {"sdf_v3000.sdf", 0, 1, 1, 0},
    {"sdf_truncated.sdf", 0, 1, 1, 0},        {"sdf_unknown_element.sdf", 0, 1, 1, 0},
    {"sdf_bad_counts.sdf", 0, 1, 2, 0},       {"sdf_bad_energy.sdf", 0, 1, 1, 0},
    {"sdf_2d.sdf", 0, 1, 1, 0},               {"sdf_no_m_end.sdf", 0, 1, 1, 0},
    {"garbage.xyz", 1, 0, 0, 0},              {"not_a_model.h5", 1, 0, 0, 0},
};

/* A one-line message "PATH:LINE: ..." naming the file. */
static void check_msg(const char *msg, const char *file, int need_line) {
    assert_non_null(strstr(msg, file));
    assert_null(strchr(msg, '\n'));
    if (need_line) {
        const char *p = strstr(msg, file) + strlen(file);
        assert_int_equal(*p, ':');
        p++;
        assert_true(*p >= '0' && *p <= '9');
        while (*p >= '0' && *p <= '9') p++;
        assert_int_equal(*p, ':');
        assert_non_null(strstr(msg, ": molecule "));
    }
}

static void run_case(const bad_case *c) {
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/bad_input/%s", tu_tests_dir(), c->file);
    qdf_reader *r = qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err);
    if (c->open_fails) {
        assert_null(r);
        check_msg(err, c->file, 0);
        printf("  %-26s open fails: %s\n", c->file, err);
        return;
    }
    if (!r) fail_msg("%s: %s", c->file, err);
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    int good = 0, skipped = 0, fatal = 0, rc;
    while ((rc = qdf_reader_next(r, &m, err, sizeof err)) != 0) {
        if (rc == 1) {
            good++;
            assert_true(m.n_atoms >= 1 && m.n_atoms <= QDF_MAX_ATOMS);
        } else if (rc == -1) {
            skipped++;
            check_msg(err, c->file, 1);
            printf("  %-26s skipped: %s\n", c->file, err);
        } else {
            assert_int_equal(rc, -2);
            fatal++;
            check_msg(err, c->file, 0);
            printf("  %-26s fatal: %s\n", c->file, err);
        }
        assert_true(good + skipped + fatal < 100000);
    }
    if (good != c->good || skipped != c->skipped || fatal != c->fatal)
        fail_msg("%s: good %d skipped %d fatal %d, expected %d %d %d", c->file, good, skipped, fatal, c->good,
                 c->skipped, c->fatal);
    qdf_molecule_free(&m);
    qdf_reader_close(r);
}

static void test_corpus(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) run_case(&CASES[i]);
}

/* The good molecules survive next to the bad ones, with their values. */
static void test_resync_values(void **state) {
    (void)state;
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/bad_input/extxyz_bad_energy.extxyz", tu_tests_dir());
    qdf_reader *r = qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err);
    assert_non_null(r);
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    int rc, found = 0;
    while ((rc = qdf_reader_next(r, &m, err, sizeof err)) != 0)
        if (rc == 1) {
            assert_string_equal(m.id, "good1");
            assert_int_equal(m.n_targets, 1);
            assert_true(m.target[0] > -10.0 - 1e-9 && m.target[0] < -10.0 + 1e-9); /* -230.605 kcal/mol */
            found++;
        }
    assert_int_equal(found, 1);
    qdf_reader_close(r);
    snprintf(path, sizeof path, "%s/bad_input/qm9_star_exponent.xyz", tu_tests_dir());
    r = qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(qdf_reader_format(r), QDF_FMT_QM9);
    assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 1);
    assert_true(m.target[0] > -17.172181 - 1e-5 && m.target[0] < -17.172181 + 1e-5);
    qdf_reader_close(r);
    qdf_molecule_free(&m);
}

/* Missing files, directories without files, a 2 MiB line. */
static void test_open_errors(void **state) {
    (void)state;
    char err[512], path[256];
    assert_null(qdf_reader_open("/nonexistent/x.xyz", QDF_FMT_AUTO, NULL, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/x.xyz: "));
    snprintf(path, sizeof path, "/tmp/qdf_badin_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", path, path);
    assert_int_equal(system(cmd), 0);
    assert_null(qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err));
    assert_non_null(strstr(err, "directory has no regular files"));
    char f[400];
    snprintf(f, sizeof f, "%s/long.xyz", path);
    FILE *fp = fopen(f, "w");
    assert_non_null(fp);
    fprintf(fp, "1\n");
    for (int i = 0; i < (2 << 20); i++) fputc('a', fp);
    fprintf(fp, "\nH 0 0 0\n");
    fclose(fp);
    qdf_reader *r = qdf_reader_open(f, QDF_FMT_AUTO, NULL, err, sizeof err);
    assert_non_null(r);
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), -2);
    assert_non_null(strstr(err, "long.xyz:2: line longer than 1 MiB"));
    assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 0);
    qdf_reader_close(r);
    qdf_molecule_free(&m);
    snprintf(cmd, sizeof cmd, "rm -rf %s", path);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_resync_values),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
