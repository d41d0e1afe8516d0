/* test_readers.c: readers against the shared datasets (skipped when absent), raw
 * QM9 methane, the example library in four formats, energy unit conversions,
 * directory input and stdin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "reader.h"
#include "testutil.h"

static int count(const char *path, int *amin, int *amax, int *nt) {
    char err[512];
    qdf_reader *r = qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err);
    if (!r) fail_msg("%s", err);
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    int n = 0, rc;
    if (amin) *amin = 1 << 30, *amax = 0;
    while ((rc = qdf_reader_next(r, &m, err, sizeof err)) == 1) {
        n++;
        if (amin && m.n_atoms < *amin) *amin = m.n_atoms;
        if (amax && m.n_atoms > *amax) *amax = m.n_atoms;
        if (nt) *nt = m.n_targets;
    }
    if (rc != 0) fail_msg("%s", err);
    qdf_molecule_free(&m);
    qdf_reader_close(r);
    return n;
}

static int have(const char *rel, char *path, size_t len) {
    snprintf(path, len, "%s/%s", tu_datasets_dir(), rel);
    return access(path, R_OK) == 0;
}

static void test_qm9_u0_val(void **state) {
    (void)state;
    char path[1024];
    if (!have("qm9_u0/le14_val.txt", path, sizeof path)) {
        printf("  datasets not found at %s: skipped\n", tu_datasets_dir());
        skip();
    }
    int lo, hi;
    assert_int_equal(count(path, &lo, &hi, NULL), 296);
    /* README says 4-14 atoms; the file's smallest molecule has 9 atoms */
    assert_true(lo >= 4 && hi == 14);
    /* first molecule against an independent parse of the file's first lines */
    FILE *f = fopen(path, "r");
    char id[128], sym[8];
    double x, y, z;
    assert_int_equal(fscanf(f, "%127s %7s %lf %lf %lf", id, sym, &x, &y, &z), 5);
    fclose(f);
    char err[512];
    qdf_reader *r = qdf_reader_open(path, QDF_FMT_TXT, NULL, err, sizeof err);
    qdf_molecule m;
    memset(&m, 0, sizeof m);
    assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 1);
    assert_string_equal(m.id, id);
    assert_string_equal(m.id, "dsgdb9nsd_000078");
    assert_int_equal(m.z[0], 6);
    assert_true(m.xyz[0] == x && m.xyz[1] == y && m.xyz[2] == z);
    assert_true(m.xyz[0] == -0.0264577138 && m.xyz[1] == 1.3830575346 && m.xyz[2] == 0.0208565982);
    assert_int_equal(m.n_targets, 1);
    /* the last line of the first block */
    f = fopen(path, "r");
    char line[256], last[256] = "";
    while (fgets(line, sizeof line, f) && line[0] != '\n') strcpy(last, line);
    fclose(f);
    assert_true(m.target[0] == strtod(last, NULL));
    qdf_molecule_free(&m);
    qdf_reader_close(r);
}

static void test_qm9_eel_and_homolumo(void **state) {
    (void)state;
    char p0[1024], p1[1024], ph[1024];
    if (!have("qm9_eel/le14_train_part00.txt", p0, sizeof p0) ||
        !have("qm9_eel/le14_train_part01.txt", p1, sizeof p1) ||
        !have("qm9_homolumo_tiny/train.txt", ph, sizeof ph)) {
        printf("  datasets not found at %s: skipped\n", tu_datasets_dir());
        skip();
    }
    assert_int_equal(count(p0, NULL, NULL, NULL) + count(p1, NULL, NULL, NULL), 7878);
    int nt = -1;
    assert_int_equal(count(ph, NULL, NULL, &nt), 34);
    assert_int_equal(nt, 2);
}

static void test_directory(void **state) {
    (void)state;
    char path[1024];
    if (!have("qm9_homolumo_tiny", path, sizeof path)) skip();
    /* test.txt, train.txt, val.txt in name order: 5 + 34 + 4 */
    assert_int_equal(count(path, NULL, NULL, NULL), 43);
}

static void test_raw_qm9(void **state) {
    (void)state;
    char path[1024], err[512];
    if (!have("formats/dsgdb9nsd_000001.xyz", path, sizeof path)) skip();
    const char *names[] = {"u0_atomization", "u0", "homo", "lumo", "gap"};
    const double want[] = {-17.172181, -40.47893 * 27.211386, -0.3877 * 27.211386, 0.1171 * 27.211386,
                           0.5048 * 27.211386};
    for (int p = 0; p < 5; p++) {
        qdf_reader_opts o = {.qm9_property = qdf_qm9_property_from_name(names[p])};
        assert_int_equal(o.qm9_property, p);
        qdf_reader *r = qdf_reader_open(path, QDF_FMT_AUTO, &o, err, sizeof err);
        assert_non_null(r);
        assert_int_equal(qdf_reader_format(r), QDF_FMT_QM9);
        qdf_molecule m;
        memset(&m, 0, sizeof m);
        assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 1);
        assert_string_equal(m.id, "dsgdb9nsd_000001");
        assert_int_equal(m.n_atoms, 5);
        assert_int_equal(m.z[0], 6);
        assert_true(fabs(m.target[0] - want[p]) < 1e-5);
        assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 0);
        qdf_molecule_free(&m);
        qdf_reader_close(r);
    }
    assert_int_equal(qdf_qm9_property_from_name("nonsense"), -1);
}

/* examples.{txt,xyz,extxyz,sdf} (written by make_examples.py) read back alike. */
static void test_examples_round_trip(void **state) {
    (void)state;
    const char *ext[] = {"txt", "xyz", "extxyz", "sdf"};
    qdf_reader *r[4];
    char path[1024], err[512];
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/../datasets/examples/examples.%s", tu_tests_dir(), ext[k]);
        r[k] = qdf_reader_open(path, QDF_FMT_AUTO, NULL, err, sizeof err);
        if (!r[k]) fail_msg("%s", err);
    }
    qdf_molecule m[4];
    memset(m, 0, sizeof m);
    int n = 0;
    for (;;) {
        int rc[4];
        for (int k = 0; k < 4; k++) rc[k] = qdf_reader_next(r[k], &m[k], err, sizeof err);
        for (int k = 1; k < 4; k++) assert_int_equal(rc[k], rc[0]);
        if (rc[0] == 0) break;
        assert_int_equal(rc[0], 1);
        n++;
        for (int k = 1; k < 4; k++) {
            assert_string_equal(m[k].id, m[0].id);
            assert_int_equal(m[k].n_atoms, m[0].n_atoms);
            assert_memory_equal(m[k].z, m[0].z, sizeof(int) * m[0].n_atoms);
            const double tol = k == 3 ? 5.1e-5 : 1e-12; /* SDF prints 4 decimals, the others 6 */
            for (int i = 0; i < 3 * m[0].n_atoms; i++) assert_true(fabs(m[k].xyz[i] - m[0].xyz[i]) <= tol);
            assert_int_equal(m[k].n_targets, 0);
        }
    }
    assert_true(n >= 30);
    for (int k = 0; k < 4; k++) {
        qdf_molecule_free(&m[k]);
        qdf_reader_close(r[k]);
    }
}

/* Targets and unit conversions: one molecule written in each format with a target. */
static void test_targets_round_trip(void **state) {
    (void)state;
    char dir[256], f[4][400], err[512];
    snprintf(dir, sizeof dir, "/tmp/qdf_rt_%d", (int)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
    assert_int_equal(system(cmd), 0);
    const char *at = "O 0.000000 0.000000 0.117300\nH 0.000000 0.757200 -0.469200\nH 0.000000 -0.757200 -0.469200\n";
    const double e = -14.2125;
    snprintf(f[0], sizeof f[0], "%s/a.txt", dir);
    snprintf(f[1], sizeof f[1], "%s/b.xyz", dir);
    snprintf(f[2], sizeof f[2], "%s/c.extxyz", dir);
    snprintf(f[3], sizeof f[3], "%s/d.sdf", dir);
    FILE *fp = fopen(f[0], "w");
    fprintf(fp, "water\n%s%.6f\n", at, e);
    fclose(fp);
    fp = fopen(f[1], "w");
    fprintf(fp, "3\nwater energy=%.6f\n%s", e, at);
    fclose(fp);
    fp = fopen(f[2], "w");
    fprintf(fp, "3\nProperties=species:S:1:pos:R:3 energy_hartree=%.9f name=water\n%s", e / 27.211386, at);
    fclose(fp);
    fp = fopen(f[3], "w");
    fprintf(fp, "water\n  qdfgen            3D\n\n  3  2  0  0  0  0  0  0  0  0999 V2000\n"
                "    0.0000    0.0000    0.1173 O   0  0\n    0.0000    0.7572   -0.4692 H   0  0\n"
                "    0.0000   -0.7572   -0.4692 H   0  0\n  1  2  1  0\n  1  3  1  0\nM  END\n"
                "> <energy_kcal_mol>\n%.6f\n\n$$$$\n", e * 23.0605);
    fclose(fp);
    for (int k = 0; k < 4; k++) {
        qdf_reader *r = qdf_reader_open(f[k], QDF_FMT_AUTO, NULL, err, sizeof err);
        if (!r) fail_msg("%s", err);
        qdf_molecule m;
        memset(&m, 0, sizeof m);
        assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 1);
        assert_string_equal(m.id, "water");
        assert_int_equal(m.n_atoms, 3);
        assert_int_equal(m.z[0], 8);
        assert_true(fabs(m.xyz[4] - 0.7572) < 1e-9 && fabs(m.xyz[8] + 0.4692) < 1e-9);
        assert_int_equal(m.n_targets, 1);
        assert_true(fabs(m.target[0] - e) < 1e-6);
        assert_int_equal(qdf_reader_next(r, &m, err, sizeof err), 0);
        qdf_molecule_free(&m);
        qdf_reader_close(r);
    }
    /* the directory: 4 files, 4 molecules */
    assert_int_equal(count(dir, NULL, NULL, NULL), 4);
    /* stdin: re-open the txt file as stdin */
    assert_non_null(freopen(f[1], "r", stdin));
    int nt = -1;
    assert_int_equal(count("-", NULL, NULL, &nt), 1);
    assert_int_equal(nt, 1);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qm9_u0_val),          cmocka_unit_test(test_qm9_eel_and_homolumo),
        cmocka_unit_test(test_directory),           cmocka_unit_test(test_raw_qm9),
        cmocka_unit_test(test_examples_round_trip), cmocka_unit_test(test_targets_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
