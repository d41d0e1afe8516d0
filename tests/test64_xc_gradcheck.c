/* test64_xc_gradcheck.c: the libxc energy ops in double precision.
 *   - dE/drho (LDA x + c, Thomas-Fermi, PBE) and dE/dsigma (PBE) against central
 *     finite differences (gc_check, tolerance 1e-6 relative), on random
 *     densities n in 0.01 .. 2 bohr^-3, in segments of unequal length (one of a
 *     single point);
 *   - the uniform-gas closed forms of test_xc.c at 1e-10 relative. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>

#include "ops.h"
#include "testutil.h"
#include "xc_terms.h"

#define TOL 1e-6
#define H 1e-6

/* four segments: 6, 1, 9 and 4 points */
static const int OFF[] = {0, 6, 7, 16, 20};
static const qdf_segs SEGS = {4, OFF};
#define R 20

typedef struct {
    qdf_xc *xc;
    double dV;
} xc_case;

static double dv_of(double h_angstrom) {
    const double hb = h_angstrom / QDF_BOHR_ANGSTROM;
    return hb * hb * hb;
}

static qdf_xc *xc_or_die(const char *names) {
    char err[256] = "";
    qdf_xc *xc = qdf_xc_new(names, err, sizeof err);
    if (!xc) fprintf(stderr, "%s\n", err);
    assert_non_null(xc);
    return xc;
}

static qdf_tensor *b_lda(qdf_ctx *c, qdf_tensor **in, void *u) {
    const xc_case *k = u;
    return qdf_xc_energy(c, k->xc, in[0], SEGS, k->dV);
}
static qdf_tensor *b_gga(qdf_ctx *c, qdf_tensor **in, void *u) {
    const xc_case *k = u;
    return qdf_xc_energy_gga(c, k->xc, in[0], in[1], SEGS, k->dV);
}
/* composed: the energy of a density built from "orbitals" rho = psi^2 */
static qdf_tensor *b_lda_of_psi(qdf_ctx *c, qdf_tensor **in, void *u) {
    const xc_case *k = u;
    return qdf_xc_energy(c, k->xc, qdf_square(c, in[0]), SEGS, k->dV);
}

static void check_lda(const char *names, double spacing, unsigned seed) {
    xc_case k = {xc_or_die(names), dv_of(spacing)};
    /* rho in electrons per grid point for n in 0.01 .. 2 bohr^-3 */
    qdf_tensor *rho = gc_input(R, 1, seed, 0.01 * k.dV, 2.0 * k.dV);
    char label[64];
    snprintf(label, sizeof label, "%s h=%g", names, spacing);
    const double err = gc_check(b_lda, &rho, 1, &k, H, label);
    assert_true(err <= TOL);
    gc_input_free(rho);
    qdf_xc_free(k.xc);
}

static void test_grad_lda_xc(void **s) { (void)s; check_lda("lda_x+lda_c_pw", 0.5, 11); }
static void test_grad_lda_xc_fine(void **s) { (void)s; check_lda("lda_x+lda_c_pw", 0.3, 12); }
static void test_grad_tf(void **s) { (void)s; check_lda("lda_k_tf", 0.5, 13); }

static void test_grad_psi(void **s) {
    (void)s;
    xc_case k = {xc_or_die("lda_x+lda_c_pw+lda_k_tf"), dv_of(0.5)};
    const double a = sqrt(0.01 * k.dV), b = sqrt(2.0 * k.dV);
    qdf_tensor *psi = gc_input(R, 1, 14, a, b);
    const double err = gc_check(b_lda_of_psi, &psi, 1, &k, H, "x+c+tf of psi^2");
    assert_true(err <= TOL);
    gc_input_free(psi);
    qdf_xc_free(k.xc);
}

static void check_gga(const char *names, unsigned seed) {
    xc_case k = {xc_or_die(names), dv_of(0.5)};
    qdf_tensor *in[2];
    in[0] = gc_input(R, 1, seed, 0.01 * k.dV, 2.0 * k.dV);
    /* sigma = |grad n|^2 (bohr^-8): reduced gradients s from 0 to a few over
     * this density range */
    in[1] = gc_input(R, 1, seed + 100, 1e-4, 2.0);
    char label[64];
    snprintf(label, sizeof label, "%s", names);
    const double err = gc_check(b_gga, in, 2, &k, H, label);
    assert_true(err <= TOL);
    gc_input_free(in[0]);
    gc_input_free(in[1]);
    qdf_xc_free(k.xc);
}

static void test_grad_pbe(void **s) { (void)s; check_gga("gga_x_pbe+gga_c_pbe", 21); }
static void test_grad_pbe_c(void **s) { (void)s; check_gga("gga_c_pbe", 22); }
/* LDA functionals through the GGA op: sigma gets a zero gradient */
static void test_grad_lda_in_gga_op(void **s) { (void)s; check_gga("lda_x+lda_c_pw", 23); }

/* Uniform gas in double: Slater exchange and Thomas-Fermi at 1e-10. */
static void test_uniform_gas_double(void **s) {
    (void)s;
    qdf_xc *x = xc_or_die("lda_x"), *tf = xc_or_die("lda_k_tf");
    const double ns[] = {0.003, 0.05, 0.3, 1.0, 7.5};
    const int M = 600;
    const double dV = dv_of(0.25);
    double worst = 0;
    for (int i = 0; i < 5; i++) {
        const double n = ns[i], V = M * dV;
        qdf_ctx *ctx = qdf_ctx_new(1 << 20);
        qdf_tensor *rho = qdf_tensor_new(ctx, M, 1);
        for (int p = 0; p < M; p++) rho->data[p] = n * dV;
        const int off[] = {0, M};
        qdf_tensor *Ex = qdf_xc_energy(ctx, x, rho, (qdf_segs){1, off}, dV);
        qdf_tensor *T = qdf_xc_energy(ctx, tf, rho, (qdf_segs){1, off}, dV);
        const double ex = -0.75 * cbrt(3 / M_PI) * pow(n, 4.0 / 3) * V;
        const double t = 0.3 * pow(3 * M_PI * M_PI, 2.0 / 3) * pow(n, 5.0 / 3) * V;
        const double rx = tu_relerr(Ex->data[0], ex, 1e-300), rt = tu_relerr(T->data[0], t, 1e-300);
        printf("  n = %-6g E_x rel err %.2e, T_TF rel err %.2e\n", n, rx, rt);
        worst = fmax(worst, fmax(rx, rt));
        qdf_ctx_free(ctx);
    }
    assert_true(worst <= 1e-10);
    qdf_xc_free(x);
    qdf_xc_free(tf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_lda_xc),      cmocka_unit_test(test_grad_lda_xc_fine),
        cmocka_unit_test(test_grad_tf),          cmocka_unit_test(test_grad_psi),
        cmocka_unit_test(test_grad_pbe),         cmocka_unit_test(test_grad_pbe_c),
        cmocka_unit_test(test_grad_lda_in_gga_op), cmocka_unit_test(test_uniform_gas_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
