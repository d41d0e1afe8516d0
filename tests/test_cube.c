/* test_cube.c: box grids and the Gaussian cube writer. Cubes of a known
 * function of position are written, re-read with a small parser written here,
 * and checked field by field: header in bohr (1 bohr = 0.529177210903 A),
 * counts, atom lines, value order (z fastest), line breaking (6 per line and a
 * break after every z-run), values to the printed precision (%13.5E: 6
 * significant digits, relative error <= 5e-6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cube.h"
#include "testutil.h"

#define BOHR 0.529177210903

static char g_dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/qdf_test_cube_XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}
static int teardown(void **state) {
    (void)state;
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(g_dir);
    return 0;
}
static int count_files(void) {
    DIR *d = opendir(g_dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* A function with signs and a wide range of magnitudes. */
static double f_of(double x, double y, double z) {
    return (x - 0.3 * y + 2 * z) * exp(-(x * x + y * y + z * z)) * 1e3 + 1e-7 * (1 + y);
}

/* Read whole lines into an array (the test's parser). */
typedef struct {
    char **line;
    int n;
} lines;
static lines read_lines(const char *path) {
    lines L = {NULL, 0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[4096];
    while (fgets(buf, sizeof buf, f)) {
        L.line = realloc(L.line, sizeof(char *) * (L.n + 1));
        size_t k = strlen(buf);
        assert_true(k > 0 && buf[k - 1] == '\n');   /* every line ends with a newline */
        buf[k - 1] = '\0';
        L.line[L.n++] = strdup(buf);
    }
    fclose(f);
    return L;
}
static void free_lines(lines *L) {
    for (int i = 0; i < L->n; i++) free(L->line[i]);
    free(L->line);
}
/* Parse "%5d" followed by k "%12.6f" fields, checking the fixed widths. */
static void parse_fixed(const char *s, int *iv, double *dv, int k) {
    assert_int_equal((int)strlen(s), 5 + 12 * k);
    char field[16];
    memcpy(field, s, 5);
    field[5] = '\0';
    *iv = atoi(field);
    for (int j = 0; j < k; j++) {
        memcpy(field, s + 5 + 12 * j, 12);
        field[12] = '\0';
        dv[j] = strtod(field, NULL);
    }
}

static void write_and_check(int n0, int n1, int n2) {
    const int Z[] = {8, 1, 1};
    const double xyz[] = {0.0, 0.0, 0.1173, 0.0, 0.7572, -0.4692, 0.0, -0.7572, -0.4692};
    qdf_box b = {{-1.25, 0.5, 2.0}, {n0, n1, n2}, 0.3};
    const long N = qdf_box_count(&b);
    double *pts = malloc(sizeof(double) * 3 * N), *val = malloc(sizeof(double) * N);
    qdf_box_points(&b, pts);
    for (long q = 0; q < N; q++) val[q] = f_of(pts[3 * q], pts[3 * q + 1], pts[3 * q + 2]);

    char path[400], err[512];
    snprintf(path, sizeof path, "%s/water_%dx%dx%d.cube", g_dir, n0, n1, n2);
    const int files_before = count_files();
    assert_int_equal(qdf_cube_write(path, "density of water\nsecond line folded", &b, Z, xyz, 3, val,
                                    err, sizeof err),
                     0);
    assert_int_equal(count_files(), files_before + 1);   /* no temporary left */

    lines L = read_lines(path);
    const int per_run = (n2 + 5) / 6;
    assert_int_equal(L.n, 2 + 1 + 3 + 3 + n0 * n1 * per_run);
    assert_string_equal(L.line[0], "density of water second line folded");
    int iv;
    double dv[4];
    parse_fixed(L.line[2], &iv, dv, 3);
    assert_int_equal(iv, 3);
    double max_hdr = 0;
    for (int a = 0; a < 3; a++) max_hdr = fmax(max_hdr, fabs(dv[a] - b.origin[a] / BOHR));
    const int nn[3] = {n0, n1, n2};
    for (int a = 0; a < 3; a++) {
        parse_fixed(L.line[3 + a], &iv, dv, 3);
        assert_int_equal(iv, nn[a]);
        for (int c = 0; c < 3; c++) max_hdr = fmax(max_hdr, fabs(dv[c] - (a == c ? 0.3 / BOHR : 0)));
    }
    for (int t = 0; t < 3; t++) {
        parse_fixed(L.line[6 + t], &iv, dv, 4);
        assert_int_equal(iv, Z[t]);
        max_hdr = fmax(max_hdr, fabs(dv[0] - Z[t]));
        for (int c = 0; c < 3; c++) max_hdr = fmax(max_hdr, fabs(dv[1 + c] - xyz[3 * t + c] / BOHR));
    }
    printf("  %dx%dx%d: header max |error| %.2e bohr (printed to 1e-6)\n", n0, n1, n2, max_hdr);
    assert_true(max_hdr <= 5.1e-7);
    /* the example origin in bohr, by hand: -1.25 A = -2.3621577 bohr */
    assert_non_null(strstr(L.line[2], "   -2.362158"));

    /* values: each z-run starts a new line; lines of 6, the last one shorter */
    double max_rel = 0;
    int line = 9;
    long q = 0;
    for (int i = 0; i < n0; i++)
        for (int j = 0; j < n1; j++)
            for (int k0 = 0; k0 < n2; k0 += 6, line++) {
                const int cnt = n2 - k0 < 6 ? n2 - k0 : 6;
                const char *s = L.line[line];
                assert_int_equal((int)strlen(s), 13 * cnt);
                for (int c = 0; c < cnt; c++, q++) {
                    char field[14];
                    memcpy(field, s + 13 * c, 13);
                    field[13] = '\0';
                    assert_true(field[0] == ' ');              /* fields never run together */
                    assert_non_null(strchr(field, 'E'));
                    const double v = strtod(field, NULL);
                    /* value of point (i, j, k0 + c), computed here from the box */
                    const double x = b.origin[0] + i * b.spacing, y = b.origin[1] + j * b.spacing,
                                 z = b.origin[2] + (k0 + c) * b.spacing;
                    const double ref = f_of(x, y, z);
                    const double r = fabs(v - ref) / fabs(ref);
                    if (r > max_rel) max_rel = r;
                }
            }
    assert_int_equal(q, N);
    printf("  %dx%dx%d: %ld values, max rel error %.2e (printed precision 5e-6)\n", n0, n1, n2, N,
           max_rel);
    assert_true(max_rel <= 5.0001e-6);
    free_lines(&L);
    free(pts);
    free(val);
}

static void test_cube_3x4x5(void **s) { (void)s; write_and_check(3, 4, 5); }
static void test_cube_2x3x8(void **s) { (void)s; write_and_check(2, 3, 8); }   /* 6 + 2 per run */
static void test_cube_2x2x12(void **s) { (void)s; write_and_check(2, 2, 12); } /* 6 + 6 per run */

static void test_box_points_order(void **s) {
    (void)s;
    qdf_box b = {{1, 2, 3}, {3, 4, 5}, 0.5};
    assert_int_equal(qdf_box_count(&b), 60);
    double p[180];
    qdf_box_points(&b, p);
    /* z fastest: point 1 is (0,0,1), point 5 is (0,1,0), point 20 is (1,0,0) */
    assert_true(p[3] == 1 && p[4] == 2 && p[5] == 3.5);
    assert_true(p[15] == 1 && p[16] == 2.5 && p[17] == 3);
    assert_true(p[60] == 1.5 && p[61] == 2 && p[62] == 3);
    assert_true(p[177] == 2 && p[178] == 3.5 && p[179] == 5);
}

static void test_box_around(void **s) {
    (void)s;
    const int Z[] = {6, 1, 1, 8};
    const double xyz[] = {0, 0, 0, 1.09, 0, 0, -0.36, 1.03, 0, 0.2, -0.4, 1.3};
    const double margin = 2.5, h = 0.2;
    qdf_box b = qdf_box_around(Z, xyz, 4, margin, h);
    const double lo[3] = {-0.36, -0.4, 0}, hi[3] = {1.09, 1.03, 1.3};
    for (int a = 0; a < 3; a++) {
        const double end = b.origin[a] + (b.n[a] - 1) * h;
        printf("  axis %d: %d points, %.4f .. %.4f A (atoms %.2f .. %.2f)\n", a, b.n[a], b.origin[a],
               end, lo[a], hi[a]);
        assert_true(b.origin[a] <= lo[a] - margin + 1e-9);
        assert_true(end >= hi[a] + margin - 1e-9);
        assert_true((b.n[a] - 2) * h < hi[a] - lo[a] + 2 * margin);   /* smallest such box */
        /* centred */
        assert_true(fabs((b.origin[a] + end) / 2 - (lo[a] + hi[a]) / 2) < 1e-9);
    }
    assert_true(b.spacing == h);
    /* an extent of exactly k spacings: k + 1 points, no extra */
    const double two[] = {0, 0, 0, 1.0, 0, 0};
    qdf_box c = qdf_box_around(Z, two, 2, 1.0, 0.1);
    assert_int_equal(c.n[0], 31);
    assert_int_equal(c.n[1], 21);
    qdf_box e = qdf_box_around(Z, xyz, 0, 1.0, 0.1);
    assert_int_equal(qdf_box_count(&e), 0);
}

static void test_cube_errors(void **s) {
    (void)s;
    const int Z[] = {1};
    const double xyz[] = {0, 0, 0};
    qdf_box b = {{0, 0, 0}, {1, 1, 2}, 0.5};
    double v[2] = {1, 2};
    char err[512];
    const char *bad = "/nonexistent_qdf_dir/x.cube";
    assert_int_equal(qdf_cube_write(bad, NULL, &b, Z, xyz, 1, v, err, sizeof err), -1);
    printf("  %s\n", err);
    assert_true(strncmp(err, "/nonexistent_qdf_dir/x.cube: ", strlen(bad) + 2) == 0);

    char path[400];
    snprintf(path, sizeof path, "%s/nan.cube", g_dir);
    const int before = count_files();
    v[1] = NAN;
    assert_int_equal(qdf_cube_write(path, NULL, &b, Z, xyz, 1, v, err, sizeof err), -1);
    printf("  %s\n", err);
    assert_non_null(strstr(err, "not finite"));
    assert_int_equal(count_files(), before);

    /* replacing an existing file */
    v[1] = 3;
    assert_int_equal(qdf_cube_write(path, "first", &b, Z, xyz, 1, v, err, sizeof err), 0);
    assert_int_equal(qdf_cube_write(path, "second", &b, Z, xyz, 1, v, err, sizeof err), 0);
    lines L = read_lines(path);
    assert_string_equal(L.line[0], "second");
    assert_string_equal(L.line[7], "  1.00000E+00  3.00000E+00");
    assert_int_equal(L.n, 8);
    free_lines(&L);
    assert_int_equal(count_files(), before + 1);

    /* tiny values: no 3-digit exponents that would run fields together */
    v[0] = -1e-120;
    v[1] = 1e-99;
    assert_int_equal(qdf_cube_write(path, NULL, &b, Z, xyz, 1, v, err, sizeof err), 0);
    L = read_lines(path);
    assert_string_equal(L.line[7], "  0.00000E+00  1.00000E-99");
    free_lines(&L);

    qdf_box empty = {{0, 0, 0}, {0, 1, 1}, 0.5};
    assert_int_equal(qdf_cube_write(path, NULL, &empty, Z, xyz, 1, v, err, sizeof err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cube_3x4x5),       cmocka_unit_test(test_cube_2x3x8),
        cmocka_unit_test(test_cube_2x2x12),      cmocka_unit_test(test_box_points_order),
        cmocka_unit_test(test_box_around),       cmocka_unit_test(test_cube_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
