/* test_density_map.c: the learned density at arbitrary points (density_map.h)
 * and `qdf density`.
 *  - at the molecule's own field points, qdf_density_on_points reproduces the
 *    forward's rho (want_hk = 1) to 1e-5 relative: the normalisation factors
 *    (orbital norms n_k, normalised coefficients C, column norms m_j) are those
 *    of the model;
 *  - the density integrates sensibly over a box (see the comment there);
 *  - qdf density writes a cube file for water that parses (header counts, atoms).
 * Small random model: dim 8, seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "cube.h"
#include "density_map.h"
#include "exitcodes.h"
#include "model_io.h"
#include "molecules.h"
#include "testutil.h"

static void small_model(qdf_model *m) {
    assert_int_equal(tu_small_model(m, 8, 6, 1, 1, 7), 0);
    /* different exponents per orbital type, so that a mix-up of types shows */
    for (int t = 0; t < m->basis.n_types; t++) m->zeta->data[t] = (real)(0.6 + 0.17 * (t % 7));
}

static void check_field(const qdf_molecule *mol) {
    qdf_model m;
    small_model(&m);
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_ctx_set_grad(ctx, 0);
    qdf_field f;
    char err[256];
    assert_int_equal(qdf_field_build(ctx, &f, &mol, 1, &m.basis, &m.grid, m.hp.frame, err, sizeof err), 0);
    qdf_forward_out o;
    qdf_model_forward(ctx, &m, &f, 0, 1, &o);
    const int P = f.n_points;
    double *pts = malloc(sizeof *pts * 3 * P), *rho = malloc(sizeof *rho * P);
    memcpy(pts, f.points, sizeof *pts * 3 * P);
    assert_int_equal(qdf_density_on_points(&m, mol, pts, P, rho, err, sizeof err), 0);
    double worst = 0, sum = 0, sum_model = 0, maxrho = 0;
    for (int p = 0; p < P; p++) maxrho = fmax(maxrho, o.rho->data[p]);
    for (int p = 0; p < P; p++) {
        /* relative to the point's value, with a floor of 1e-6 of the largest value
         * (float32 forward) */
        const double e = tu_relerr(rho[p], o.rho->data[p], 1e-6 * maxrho);
        if (e > worst) worst = e;
        sum += rho[p];
        sum_model += o.rho->data[p];
    }
    printf("# %s: %d field points, worst relative difference %.2e, sum %.6f (model %.6f, N_e %d)\n", mol->id,
           P, worst, sum, sum_model, qdf_molecule_electrons(mol));
    assert_true(worst < 1e-5);
    assert_true(fabs(sum - qdf_molecule_electrons(mol)) < 1e-9 * sum);
    free(pts);
    free(rho);
    qdf_ctx_free(ctx);
    qdf_model_free(&m);
}

static void test_field_points_water(void **st) {
    (void)st;
    qdf_molecule mol;
    tm_water(&mol);
    check_field(&mol);
    qdf_molecule_free(&mol);
}

static void test_field_points_ethanol_rotated(void **st) {
    (void)st;
    qdf_molecule mol;
    tm_ethanol(&mol);
    double R[9], t[3] = {1.5, -0.7, 2.2};
    tm_random_rotation(11, R);
    tm_transform(&mol, R, t);
    check_field(&mol);
    qdf_molecule_free(&mol);
}

/* Integral over a box. The field sums rho to N_e exactly by construction,
 * every field point standing for a cell of volume h^3 (h = grid interval 0.3 A),
 * so sum over a box of rho (s / h)^3 estimates an electron count. The whole
 * box does NOT give N_e for this model: the field covers only spheres of radius
 * 0.75 A around the atoms, and the orbitals (exp(-zeta d^2), zeta ~ 0.6-1.6 /A^2
 * here) have much of their weight beyond 0.75 A, so the density is normalised
 * to N_e inside the spheres only and the box integral is about 3 N_e (water,
 * this seeded model: 31.4 electrons, printed). What must hold:
 *  - restricted to the spheres, and counting a point once per sphere it lies in
 *    (the field's overlapping spheres count the overlap twice), the box
 *    integral matches N_e up to the sampling of the spheres by the field's
 *    lattice (56 points x h^3 = 1.51 A^3 vs 4/3 pi r^3 = 1.77 A^3): within 25%;
 *  - the whole-box integral converges as the box grows (margin 3 vs 4 A: 1%)
 *    and exceeds the in-sphere part. */
static void test_integral_water(void **st) {
    (void)st;
    qdf_model m;
    small_model(&m);
    qdf_molecule mol;
    tm_water(&mol);
    char err[256];
    double integral[2], in_spheres = 0;
    const double margins[2] = {3.0, 4.0}, s = 0.1, r = m.grid.radius;
    for (int i = 0; i < 2; i++) {
        qdf_box b = qdf_box_around(mol.z, mol.xyz, mol.n_atoms, margins[i], i == 0 ? s : 2 * s);
        const double sp = b.spacing;
        const long n = qdf_box_count(&b);
        double *pts = malloc(sizeof *pts * 3 * n), *rho = malloc(sizeof *rho * n);
        qdf_box_points(&b, pts);
        assert_int_equal(qdf_density_on_points(&m, &mol, pts, (int)n, rho, err, sizeof err), 0);
        double sum = 0, sum_in = 0;
        for (long p = 0; p < n; p++) {
            assert_true(rho[p] >= 0 && isfinite(rho[p]));
            sum += rho[p];
            int mult = 0;
            for (int a = 0; a < mol.n_atoms; a++) {
                const double dx = pts[3 * p] - mol.xyz[3 * a], dy = pts[3 * p + 1] - mol.xyz[3 * a + 1],
                             dz = pts[3 * p + 2] - mol.xyz[3 * a + 2];
                if (dx * dx + dy * dy + dz * dz <= r * r) mult++;
            }
            sum_in += mult * rho[p];
        }
        const double w = sp * sp * sp / qdf_grid_cell_volume(&m.grid);
        integral[i] = sum * w;
        if (i == 0) in_spheres = sum_in * w;
        printf("# water: box margin %.1f A, spacing %.2f A, %ld points: integral %.3f electrons, "
               "in the field's spheres %.3f (N_e = 10)\n",
               margins[i], sp, n, integral[i], sum_in * w);
        free(pts);
        free(rho);
    }
    assert_true(fabs(integral[1] - integral[0]) < 0.01 * integral[1]);
    assert_true(fabs(in_spheres - 10) < 0.25 * 10);
    assert_true(integral[0] > in_spheres);
    qdf_molecule_free(&mol);
    qdf_model_free(&m);
}

static void test_cube_command(void **st) {
    (void)st;
    char dir[] = "/tmp/qdf_density_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char model[512], xyz[512], cube[512];
    snprintf(model, sizeof model, "%s/m.h5", dir);
    snprintf(xyz, sizeof xyz, "%s/w.xyz", dir);
    snprintf(cube, sizeof cube, "%s/w.cube", dir);
    qdf_model m;
    small_model(&m);
    char err[256];
    assert_int_equal(qdf_model_save(model, &m, NULL, "", NULL, err, sizeof err), 0);
    qdf_molecule mol;
    tm_water(&mol);
    FILE *f = fopen(xyz, "w");
    /* two molecules: methane-like junk first is not needed; water is #2 */
    fprintf(f, "1\nhydrogen atom first\nH 0 0 0\n");
    fprintf(f, "%d\nwater\n", mol.n_atoms);
    static const char *sym[] = {"", "H", "", "", "", "", "C", "N", "O"};
    for (int a = 0; a < mol.n_atoms; a++)
        fprintf(f, "%s %.10f %.10f %.10f\n", sym[mol.z[a]], mol.xyz[3 * a], mol.xyz[3 * a + 1], mol.xyz[3 * a + 2]);
    fclose(f);
    char *argv[] = {"density", "--model", model, xyz, "--cube", cube, "--index", "2", "--spacing", "0.3",
                    "--margin", "2", NULL};
    assert_int_equal(qdf_cmd_density(12, argv), QDF_EXIT_OK);
    /* parse */
    f = fopen(cube, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "water"));
    assert_non_null(fgets(line, sizeof line, f));
    int na, n[3];
    double o[3], ax[3][3];
    assert_int_equal(fscanf(f, "%d %lf %lf %lf", &na, &o[0], &o[1], &o[2]), 4);
    assert_int_equal(na, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(fscanf(f, "%d %lf %lf %lf", &n[i], &ax[i][0], &ax[i][1], &ax[i][2]), 4);
    qdf_box b = qdf_box_around(mol.z, mol.xyz, mol.n_atoms, 2, 0.3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(n[i], b.n[i]);
        assert_true(fabs(ax[i][i] - 0.3 / QDF_CUBE_BOHR_ANGSTROM) < 1e-5);
    }
    for (int a = 0; a < 3; a++) {
        int z;
        double q, x, y, zz;
        assert_int_equal(fscanf(f, "%d %lf %lf %lf %lf", &z, &q, &x, &y, &zz), 5);
        assert_int_equal(z, mol.z[a]);
        assert_true(fabs(x * QDF_CUBE_BOHR_ANGSTROM - mol.xyz[3 * a]) < 1e-5);
        assert_true(fabs(zz * QDF_CUBE_BOHR_ANGSTROM - mol.xyz[3 * a + 2]) < 1e-5);
    }
    long count = 0;
    double v, sum = 0, vmax = 0;
    while (fscanf(f, "%lf", &v) == 1) {
        count++;
        sum += v;
        vmax = fmax(vmax, v);
    }
    fclose(f);
    assert_int_equal(count, (long)n[0] * n[1] * n[2]);
    /* the values are rho / h^3 in e/bohr^3: their integral (bohr^3 cells) is
     * the box integral of qdf_density_on_points on the same box */
    const double cell = pow(0.3 / QDF_CUBE_BOHR_ANGSTROM, 3);
    const long nb = qdf_box_count(&b);
    double *pts = malloc(sizeof *pts * 3 * nb), *rho = malloc(sizeof *rho * nb), direct = 0;
    qdf_box_points(&b, pts);
    assert_int_equal(qdf_density_on_points(&m, &mol, pts, (int)nb, rho, err, sizeof err), 0);
    for (long p = 0; p < nb; p++) direct += rho[p] * 0.027 / qdf_grid_cell_volume(&m.grid);
    free(pts);
    free(rho);
    printf("# cube: %d x %d x %d, max %.4f e/bohr^3, integral %.4f electrons (direct %.4f)\n", n[0], n[1], n[2],
           vmax, sum * cell, direct);
    assert_true(fabs(sum * cell - direct) < 1e-4 * direct);
    /* a molecule that is not there: exit 3 */
    char *argv2[] = {"density", "--model", model, xyz, "--cube", cube, "--index", "5", NULL};
    assert_int_equal(qdf_cmd_density(8, argv2), QDF_EXIT_INPUT);
    unlink(cube);
    unlink(xyz);
    unlink(model);
    rmdir(dir);
    qdf_molecule_free(&mol);
    qdf_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_points_water),
        cmocka_unit_test(test_field_points_ethanol_rotated),
        cmocka_unit_test(test_integral_water),
        cmocka_unit_test(test_cube_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
