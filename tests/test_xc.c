/* test_xc.c: libxc energy ops against closed forms and independent formulas
 * (float32 build; tolerance 1e-5 relative). The double build repeats the
 * uniform-gas checks at 1e-10 in test64_xc_gradcheck.c.
 *
 * Closed forms for the uniform electron gas of density n (bohr^-3), volume V:
 *   Slater exchange  E_x = -(3/4)(3/pi)^(1/3) n^(4/3) V,  v_x = -(3/pi)^(1/3) n^(1/3)
 *   Thomas-Fermi     T   = (3/10)(3 pi^2)^(2/3) n^(5/3) V, v_T = (1/2)(3 pi^2)^(2/3) n^(2/3)
 *   PW92 correlation, unpolarised (J. P. Perdew and Y. Wang, Phys. Rev. B 45,
 *   13244 (1992), eq. 10 with Table I, column eps_c(r_s, 0)):
 *     eps_c = -2A(1 + a1 rs) ln(1 + 1 / (2A(b1 rs^1/2 + b2 rs + b3 rs^3/2 + b4 rs^2)))
 *     A = 0.031091, a1 = 0.21370, b1 = 7.5957, b2 = 3.5876, b3 = 1.6382, b4 = 0.49294
 *   (libxc's lda_c_pw uses these published digits; lda_c_pw_mod and PBE's
 *   correlation use A = 0.0310907.) PW92 fits the Ceperley-Alder QMC energies:
 *   eps_c(1, 2, 5) = -0.0598, -0.0448, -0.0282 Hartree to three figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ops.h"
#include "testutil.h"
#include "xc_terms.h"

#define TOL 1e-5

static double dv_of(double h_angstrom) {
    const double hb = h_angstrom / QDF_BOHR_ANGSTROM;
    return hb * hb * hb;
}
static double ex_slater(double n) { return -0.75 * cbrt(3 / M_PI) * cbrt(n); }      /* per particle */
static double t_tf(double n) { return 0.3 * pow(3 * M_PI * M_PI, 2.0 / 3) * pow(n, 2.0 / 3); }
static double pw92(double rs, double A) {
    const double a1 = 0.21370, b1 = 7.5957, b2 = 3.5876, b3 = 1.6382, b4 = 0.49294;
    const double q1 = 2 * A * (b1 * sqrt(rs) + b2 * rs + b3 * rs * sqrt(rs) + b4 * rs * rs);
    return -2 * A * (1 + a1 * rs) * log(1 + 1 / q1);
}
static double n_of_rs(double rs) { return 3 / (4 * M_PI * rs * rs * rs); }

static qdf_xc *xc_or_die(const char *names) {
    char err[256] = "";
    qdf_xc *xc = qdf_xc_new(names, err, sizeof err);
    if (!xc) fprintf(stderr, "%s\n", err);
    assert_non_null(xc);
    return xc;
}

/* Energy of M points of constant density n (one segment), grid spacing h. */
static double uniform_energy(const qdf_xc *xc, double n, int M, double h) {
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    const double dV = dv_of(h);
    qdf_tensor *rho = qdf_tensor_new(ctx, M, 1);
    for (int p = 0; p < M; p++) rho->data[p] = (real)(n * dV);
    const int off[] = {0, M};
    qdf_tensor *E = qdf_xc_energy(ctx, xc, rho, (qdf_segs){1, off}, dV);
    const double e = E->data[0];
    qdf_ctx_free(ctx);
    return e;
}

static void test_uniform_gas_x_tf(void **state) {
    (void)state;
    qdf_xc *x = xc_or_die("lda_x"), *tf = xc_or_die("lda_k_tf");
    const double ns[] = {0.003, 0.05, 0.3, 1.0, 7.5};
    const int M = 600;   /* more than two chunks */
    const double h = 0.25;
    double worst_x = 0, worst_t = 0;
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        const double n = ns[i], V = M * dv_of(h);
        const double ex = ex_slater(n) * n * V, t = t_tf(n) * n * V;
        const double rx = tu_relerr(uniform_energy(x, n, M, h), ex, 1e-30);
        const double rt = tu_relerr(uniform_energy(tf, n, M, h), t, 1e-30);
        printf("  n = %-6g  E_x = %.8e (rel err %.2e)  T_TF = %.8e (rel err %.2e)\n", n, ex, rx, t, rt);
        worst_x = fmax(worst_x, rx);
        worst_t = fmax(worst_t, rt);
    }
    assert_true(worst_x <= TOL);
    assert_true(worst_t <= TOL);
    qdf_xc_free(x);
    qdf_xc_free(tf);
}

static void test_pw92_correlation(void **state) {
    (void)state;
    qdf_xc *c = xc_or_die("lda_c_pw"), *xc = xc_or_die("lda_x+lda_c_pw");
    const double rs[] = {1, 2, 5}, qmc[] = {-0.0598, -0.0448, -0.0282};
    const int M = 10;
    const double h = 0.3;
    for (int i = 0; i < 3; i++) {
        const double n = n_of_rs(rs[i]), N = n * M * dv_of(h);
        const double eps = uniform_energy(c, n, M, h) / N;
        const double ref = pw92(rs[i], 0.031091);
        const double r = tu_relerr(eps, ref, 1e-30);
        printf("  r_s = %g: eps_c = %.10f, PW92 formula %.10f (rel err %.2e), QMC %.4f\n", rs[i],
               eps, ref, r, qmc[i]);
        assert_true(r <= TOL);
        assert_true(fabs(eps - qmc[i]) < 1.5e-4);
        /* the sum of components is the sum of energies */
        const double sum = uniform_energy(xc, n, M, h) / N;
        assert_true(tu_relerr(sum, ex_slater(n) + ref, 1e-30) <= TOL);
    }
    qdf_xc_free(c);
    qdf_xc_free(xc);
}

/* Molecules of different densities in one batch, segments not aligned with
 * the evaluation chunks, an empty segment, and (with 3 large segments) the
 * OpenMP path. */
static void test_segments(void **state) {
    (void)state;
    qdf_xc *x = xc_or_die("lda_x");
    const double h = 0.2, dV = dv_of(h);
    const int sizes[] = {7, 0, 3, 5000, 9001};
    const double dens[] = {0.8, 1.0, 0.02, 0.4, 2.5};
    const int S = 5;
    int off[6] = {0};
    for (int s = 0; s < S; s++) off[s + 1] = off[s] + sizes[s];
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_tensor *rho = qdf_tensor_new(ctx, off[S], 1);
    for (int s = 0; s < S; s++)
        for (int p = off[s]; p < off[s + 1]; p++) rho->data[p] = (real)(dens[s] * dV);
    qdf_tensor *E = qdf_xc_energy(ctx, x, rho, (qdf_segs){S, off}, dV);
    assert_int_equal(E->rows, S);
    for (int s = 0; s < S; s++) {
        const double ref = ex_slater(dens[s]) * dens[s] * sizes[s] * dV;
        const double alone = sizes[s] ? uniform_energy(x, dens[s], sizes[s], h) : 0;
        printf("  segment %d (%d points, n = %g): E = %.8e, closed form %.8e, alone %.8e\n", s,
               sizes[s], dens[s], (double)E->data[s], ref, alone);
        if (sizes[s] == 0) {
            assert_true(E->data[s] == 0);
        } else {
            assert_true(tu_relerr(E->data[s], ref, 1e-30) <= TOL);
            assert_true(tu_relerr(E->data[s], alone, 1e-30) <= 1e-6);
        }
    }
    qdf_ctx_free(ctx);
    qdf_xc_free(x);
}

/* rho = 0, negative rounding noise and densities below libxc's threshold give
 * zero energy and a zero (finite) gradient; the gradient elsewhere is v_xc. */
static void test_zero_density(void **state) {
    (void)state;
    const char *names[] = {"lda_x+lda_c_pw", "lda_k_tf", "gga_x_pbe+gga_c_pbe"};
    const double h = 0.3, dV = dv_of(h);
    const real vals[] = {0, (real)(0.5 * dV), (real)-1e-9, (real)1e-30, 0, (real)(0.1 * dV), (real)-0.0};
    const int R = 7;
    for (int f = 0; f < 3; f++) {
        qdf_xc *xc = xc_or_die(names[f]);
        qdf_ctx *ctx = qdf_ctx_new(1 << 20);
        qdf_tensor *rho = qdf_tensor_new(ctx, R, 1);
        memcpy(rho->data, vals, sizeof vals);
        rho->requires_grad = 1;   /* a leaf that wants a gradient */
        qdf_tensor *sig = qdf_tensor_zeros(ctx, R, 1);
        sig->data[1] = (real)0.3;
        sig->data[3] = (real)1e-6;
        sig->requires_grad = 1;
        const int off[] = {0, 3, R};
        qdf_segs segs = {2, off};
        qdf_tensor *E = qdf_xc_is_gga(xc) ? qdf_xc_energy_gga(ctx, xc, rho, sig, segs, dV)
                                          : qdf_xc_energy(ctx, xc, rho, segs, dV);
        qdf_tensor *loss = qdf_seg_sum(ctx, E, (qdf_segs){1, (const int[]){0, 2}});
        qdf_backward(ctx, loss);
        printf("  %-20s E = %.6e %.6e; dE/drho =", names[f], (double)E->data[0], (double)E->data[1]);
        for (int p = 0; p < R; p++) printf(" %.4g", (double)rho->grad[p]);
        printf("\n");
        for (int s = 0; s < 2; s++) assert_true(isfinite(E->data[s]));
        for (int p = 0; p < R; p++) {
            assert_true(isfinite(rho->grad[p]));
            if (qdf_xc_is_gga(xc)) assert_true(isfinite(sig->grad[p]));
            if (p != 1 && p != 5) {
                assert_true(rho->grad[p] == 0);
                if (qdf_xc_is_gga(xc)) assert_true(sig->grad[p] == 0);
            }
        }
        /* energies equal those of the nonzero points alone */
        qdf_ctx *c2 = qdf_ctx_new(1 << 20);
        qdf_tensor *r2 = qdf_tensor_new(c2, 2, 1), *s2 = qdf_tensor_zeros(c2, 2, 1);
        r2->data[0] = vals[1];
        r2->data[1] = vals[5];
        s2->data[0] = (real)0.3;
        const int off2[] = {0, 1, 2};
        qdf_tensor *E2 = qdf_xc_is_gga(xc) ? qdf_xc_energy_gga(c2, xc, r2, s2, (qdf_segs){2, off2}, dV)
                                           : qdf_xc_energy(c2, xc, r2, (qdf_segs){2, off2}, dV);
        assert_true(tu_relerr(E->data[0], E2->data[0], 1e-30) <= 1e-6);
        assert_true(tu_relerr(E->data[1], E2->data[1], 1e-30) <= 1e-6);
        if (f == 1) {   /* TF: v = (1/2)(3 pi^2)^(2/3) n^(2/3) */
            const double v = 0.5 * pow(3 * M_PI * M_PI, 2.0 / 3) * pow(0.5, 2.0 / 3);
            assert_true(tu_relerr(rho->grad[1], v, 1e-30) <= TOL);
        }
        qdf_ctx_free(c2);
        qdf_ctx_free(ctx);
        qdf_xc_free(xc);
    }
}

/* Slater potential as the gradient: dE/drho_p = v_x(n_p), times the upstream g_s. */
static void test_lda_potential(void **state) {
    (void)state;
    qdf_xc *x = xc_or_die("lda_x");
    const double h = 0.2, dV = dv_of(h);
    const double ns[] = {0.01, 0.2, 1.3, 4.0, 0.7};
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_tensor *rho = qdf_tensor_new(ctx, 5, 1);
    for (int p = 0; p < 5; p++) rho->data[p] = (real)(ns[p] * dV);
    rho->requires_grad = 1;
    const int off[] = {0, 2, 5};
    qdf_tensor *E = qdf_xc_energy(ctx, x, rho, (qdf_segs){2, off}, dV);
    real *g = qdf_grad(ctx, E);
    g[0] = 2;
    g[1] = -0.5;
    qdf_backward(ctx, NULL);
    for (int p = 0; p < 5; p++) {
        const double v = -cbrt(3 / M_PI) * cbrt((double)rho->data[p] / dV) * (p < 2 ? 2 : -0.5);
        assert_true(tu_relerr(rho->grad[p], v, 1e-30) <= TOL);
    }
    qdf_ctx_free(ctx);
    qdf_xc_free(x);
}

/* PBE at sigma = 0 is LDA (F_x(0) = 1, H(t = 0) = 0 on PW92 with A = 0.0310907);
 * at sigma > 0 exchange follows the PBE enhancement factor
 *   F_x(s) = 1 + kappa - kappa / (1 + mu s^2 / kappa),  kappa = 0.804,
 *   mu = beta pi^2 / 3 = 0.2195149727645171,  s = |grad n| / (2 (3 pi^2)^(1/3) n^(4/3))
 * (Perdew, Burke, Ernzerhof, PRL 77, 3865 (1996), eq. 14). */
static void test_pbe(void **state) {
    (void)state;
    qdf_xc *px = xc_or_die("gga_x_pbe"), *pc = xc_or_die("gga_c_pbe");
    assert_true(qdf_xc_is_gga(px));
    const double h = 0.25, dV = dv_of(h);
    const double ns[] = {0.02, 0.3, 1.5};
    const double ss[] = {0, 0.5, 1.2, 3.0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            const double n = ns[i];
            const double grad = ss[j] * 2 * cbrt(3 * M_PI * M_PI) * pow(n, 4.0 / 3);
            qdf_ctx *ctx = qdf_ctx_new(1 << 20);
            qdf_tensor *rho = qdf_tensor_new(ctx, 3, 1), *sig = qdf_tensor_new(ctx, 3, 1);
            for (int p = 0; p < 3; p++) {
                rho->data[p] = (real)(n * dV);
                sig->data[p] = (real)(grad * grad);
            }
            const int off[] = {0, 3};
            qdf_tensor *Ex = qdf_xc_energy_gga(ctx, px, rho, sig, (qdf_segs){1, off}, dV);
            qdf_tensor *Ec = qdf_xc_energy_gga(ctx, pc, rho, sig, (qdf_segs){1, off}, dV);
            const double N = 3 * n * dV, s2 = ss[j] * ss[j];
            const double kappa = 0.804, mu = 0.2195149727645171;
            const double fx = 1 + kappa - kappa / (1 + mu * s2 / kappa);
            const double rx = tu_relerr(Ex->data[0] / N, ex_slater(n) * fx, 1e-30);
            printf("  PBE n = %-5g s = %-4g: eps_x rel err %.2e", n, ss[j], rx);
            assert_true(rx <= TOL);
            if (j == 0) {
                const double rs = cbrt(3 / (4 * M_PI * n));
                const double rc = tu_relerr(Ec->data[0] / N, pw92(rs, 0.0310907), 1e-30);
                printf(", eps_c(s=0) vs PW92 rel err %.2e", rc);
                assert_true(rc <= TOL);
            } else {
                /* gradient correction raises the correlation energy (H > 0) */
                assert_true(Ec->data[0] / N > pw92(cbrt(3 / (4 * M_PI * n)), 0.0310907));
            }
            printf("\n");
            qdf_ctx_free(ctx);
        }
    qdf_xc_free(px);
    qdf_xc_free(pc);
}

static void test_names(void **state) {
    (void)state;
    char err[256];
    qdf_xc *xc = qdf_xc_new("lda_x+no_such_functional", err, sizeof err);
    printf("  %s\n", err);
    assert_null(xc);
    assert_non_null(strstr(err, "no_such_functional"));

    assert_null(qdf_xc_new("hyb_gga_xc_b3lyp", err, sizeof err));
    printf("  %s\n", err);
    assert_non_null(strstr(err, "hyb_gga_xc_b3lyp"));
    assert_null(qdf_xc_new("mgga_x_scan", err, sizeof err));
    assert_non_null(strstr(err, "mgga_x_scan"));
    assert_null(qdf_xc_new("lda_x++lda_c_pw", err, sizeof err));
    printf("  %s\n", err);
    assert_null(qdf_xc_new("", err, sizeof err));
    assert_null(qdf_xc_new(NULL, err, sizeof err));
    assert_null(qdf_xc_new("nope", NULL, 0));   /* no buffer: no crash */
    char tiny[8];
    assert_null(qdf_xc_new("nope_nope_nope", tiny, sizeof tiny));
    assert_int_equal(strlen(tiny), 7);

    xc = qdf_xc_new(" LDA_X + lda_c_pw ", err, sizeof err);
    assert_non_null(xc);
    assert_int_equal(qdf_xc_count(xc), 2);
    assert_false(qdf_xc_is_gga(xc));
    assert_true(qdf_xc_dens_threshold(xc) > 0 && qdf_xc_dens_threshold(xc) < 1e-10);
    qdf_xc_free(xc);
    xc = qdf_xc_new("gga_x_pbe+gga_c_pbe", err, sizeof err);
    assert_non_null(xc);
    assert_true(qdf_xc_is_gga(xc));
    qdf_xc_free(xc);
    qdf_xc_free(NULL);
}

/* No tape, no saved potentials when gradients are off. */
static void test_no_grad(void **state) {
    (void)state;
    qdf_xc *x = xc_or_die("lda_x+lda_c_pw");
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_ctx_set_grad(ctx, 0);
    qdf_tensor *rho = qdf_tensor_new(ctx, 4, 1);
    for (int p = 0; p < 4; p++) rho->data[p] = (real)0.01 * (p + 1);
    rho->requires_grad = 1;
    const int off[] = {0, 4};
    qdf_tensor *E = qdf_xc_energy(ctx, x, rho, (qdf_segs){1, off}, 0.1);
    assert_int_equal(ctx->n_nodes, 0);
    assert_true(isfinite(E->data[0]) && E->data[0] < 0);
    qdf_ctx_free(ctx);
    qdf_xc_free(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_gas_x_tf), cmocka_unit_test(test_pw92_correlation),
        cmocka_unit_test(test_segments),         cmocka_unit_test(test_zero_density),
        cmocka_unit_test(test_lda_potential),    cmocka_unit_test(test_pbe),
        cmocka_unit_test(test_names),            cmocka_unit_test(test_no_grad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
