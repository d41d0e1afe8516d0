/* xc_terms.c: libxc functionals as energy ops (see xc.h for the formulas).
 *
 * Forward: the points are evaluated in chunks of CHUNK (one libxc call per
 * chunk and component, in double; OpenMP over chunks for large grids). Each
 * point's energy exc_p rho_p goes into a double buffer that is then summed per
 * segment in double. When a backward will be recorded, vrho_p and vsigma_p dV
 * are kept in the arena (as `real`), so the backward is a segment broadcast:
 *     d rho_p += g_s vrho_p,   d sigma_p += g_s vsigma_p dV. */
#include "xc_terms.h"
#include "ops.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xc.h> /* libxc (our own header is xc_terms.h, so nothing shadows it) */

#define QDF_XC_MAX 8
#define CHUNK 1024
#define PAR_MIN_POINTS 8192

struct qdf_xc {
    int n;                       /* components */
    int gga;                     /* some component is a GGA */
    double min_thr;              /* smallest density threshold */
    int family[QDF_XC_MAX];
    xc_func_type f[QDF_XC_MAX];
};

static void set_err(char *err, int errlen, const char *fmt, const char *a, const char *b) {
    if (err && errlen > 0) snprintf(err, (size_t)errlen, fmt, a, b);
}

qdf_xc *qdf_xc_new(const char *names, char *err, int errlen) {
    if (!names) {
        set_err(err, errlen, "xc: no functional named%s%s", "", "");
        return NULL;
    }
    qdf_xc *xc = calloc(1, sizeof *xc);
    char *buf = strdup(names);
    if (!xc || !buf) {
        free(xc);
        free(buf);
        set_err(err, errlen, "xc: out of memory%s%s", "", "");
        return NULL;
    }
    xc->min_thr = INFINITY;
    char *p = buf;
    for (;;) {
        char *plus = strchr(p, '+');
        if (plus) *plus = '\0';
        while (isspace((unsigned char)*p)) p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1])) *--e = '\0';
        if (!*p) {
            set_err(err, errlen, "xc: empty functional name in '%s'%s", names, "");
            goto fail;
        }
        if (xc->n == QDF_XC_MAX) {
            set_err(err, errlen, "xc: too many functionals in '%s'%s", names, "");
            goto fail;
        }
        const int id = xc_functional_get_number(p);
        if (id <= 0) {
            set_err(err, errlen, "xc: unknown libxc functional '%s' (in '%s')", p, names);
            goto fail;
        }
        xc_func_type *f = &xc->f[xc->n];
        if (xc_func_init(f, id, XC_UNPOLARIZED) != 0) {
            set_err(err, errlen, "xc: libxc cannot initialise '%s' (in '%s')", p, names);
            goto fail;
        }
        const int fam = f->info->family, flags = f->info->flags;
        const int need = XC_FLAGS_HAVE_EXC | XC_FLAGS_HAVE_VXC | XC_FLAGS_3D;
        if ((fam != XC_FAMILY_LDA && fam != XC_FAMILY_GGA) || (flags & need) != need ||
            (flags & XC_FLAGS_VV10)) {
            xc_func_end(f);
            set_err(err, errlen,
                    "xc: '%s' (in '%s') is not a plain 3-D LDA or GGA with energy and potential "
                    "(hybrids, meta-GGAs and nonlocal functionals are not supported)",
                    p, names);
            goto fail;
        }
        xc->family[xc->n] = fam;
        if (fam == XC_FAMILY_GGA) xc->gga = 1;
        if (f->dens_threshold < xc->min_thr) xc->min_thr = f->dens_threshold;
        xc->n++;
        if (!plus) break;
        p = plus + 1;
    }
    free(buf);
    return xc;
fail:
    free(buf);
    qdf_xc_free(xc);
    return NULL;
}

void qdf_xc_free(qdf_xc *xc) {
    if (!xc) return;
    for (int k = 0; k < xc->n; k++) xc_func_end(&xc->f[k]);
    free(xc);
}

int qdf_xc_is_gga(const qdf_xc *xc) { return xc->gga; }
int qdf_xc_count(const qdf_xc *xc) { return xc->n; }
double qdf_xc_dens_threshold(const qdf_xc *xc) { return xc->min_thr; }

/* Per-point energies e[p] = exc_p rho_p (double); if vrho != NULL also
 * vrho_p, and if vsdv != NULL also vsigma_p dV. sigma may be NULL (LDA). */
static void evaluate(const qdf_xc *xc, int R, const real *rho, const real *sigma, double dV,
                     double *e, real *vrho, real *vsdv) {
    const int n_chunks = (R + CHUNK - 1) / CHUNK;
    const int want_v = vrho != NULL || vsdv != NULL;
#pragma omp parallel for if (R >= PAR_MIN_POINTS) schedule(static)
    for (int c = 0; c < n_chunks; c++) {
        const int p0 = c * CHUNK, m = R - p0 < CHUNK ? R - p0 : CHUNK;
        double n[CHUNK], s[CHUNK], zk[CHUNK], vr[CHUNK], vs[CHUNK];
        double zk_sum[CHUNK], vr_sum[CHUNK], vs_sum[CHUNK];
        for (int i = 0; i < m; i++) {
            const double r = rho[p0 + i];
            n[i] = r < 0 ? 0 : r / dV;   /* NaN stays NaN */
            const double sg = sigma ? (double)sigma[p0 + i] : 0;
            s[i] = sg < 0 ? 0 : sg;
            zk_sum[i] = vr_sum[i] = vs_sum[i] = 0;
        }
        for (int k = 0; k < xc->n; k++) {
            const xc_func_type *f = &xc->f[k];
            if (xc->family[k] == XC_FAMILY_LDA) {
                if (want_v)
                    xc_lda_exc_vxc(f, (size_t)m, n, zk, vr);
                else
                    xc_lda_exc(f, (size_t)m, n, zk);
                for (int i = 0; i < m; i++) {
                    zk_sum[i] += zk[i];
                    if (want_v) vr_sum[i] += vr[i];
                }
            } else {
                if (want_v)
                    xc_gga_exc_vxc(f, (size_t)m, n, s, zk, vr, vs);
                else
                    xc_gga_exc(f, (size_t)m, n, s, zk);
                for (int i = 0; i < m; i++) {
                    zk_sum[i] += zk[i];
                    if (want_v) {
                        vr_sum[i] += vr[i];
                        vs_sum[i] += vs[i];
                    }
                }
            }
        }
        for (int i = 0; i < m; i++) {
            /* exc n dV = exc rho; zk is exactly 0 below the threshold */
            e[p0 + i] = zk_sum[i] * (n[i] * dV);
            if (vrho) vrho[p0 + i] = (real)vr_sum[i];
            if (vsdv) vsdv[p0 + i] = (real)(vs_sum[i] * dV);
        }
    }
}

static void check_args(const qdf_tensor *rho, const qdf_tensor *sigma, qdf_segs segs, double dV,
                       const char *op) {
    if (rho->cols != 1 || (sigma && (sigma->rows != rho->rows || sigma->cols != 1))) {
        fprintf(stderr, "qdf: %s: rho must be R x 1 (got %d x %d) and sigma alike (got %d x %d)\n",
                op, rho->rows, rho->cols, sigma ? sigma->rows : rho->rows, sigma ? sigma->cols : 1);
        abort();
    }
    if (segs.n < 0 || segs.off[0] != 0 || segs.off[segs.n] != rho->rows) {
        fprintf(stderr, "qdf: %s: segments cover rows %d..%d of a %d-row tensor\n", op,
                segs.off[0], segs.off[segs.n], rho->rows);
        abort();
    }
    if (!(dV > 0) || !isfinite(dV)) {
        fprintf(stderr, "qdf: %s: grid cell volume %g bohr^3 is not positive\n", op, dV);
        abort();
    }
}

static void xc_backward(qdf_ctx *ctx, qdf_node *nd) {
    const real *g = nd->out->grad;
    const real *vrho = nd->aux;
    const int R = nd->in[0]->rows;
    const real *vsdv = nd->n_in > 1 ? vrho + R : NULL;
    real *gr = nd->in[0]->requires_grad ? qdf_grad(ctx, nd->in[0]) : NULL;
    real *gs = vsdv && nd->in[1]->requires_grad ? qdf_grad(ctx, nd->in[1]) : NULL;
#pragma omp parallel for if (R >= PAR_MIN_POINTS) schedule(dynamic)
    for (int s = 0; s < nd->segs.n; s++) {
        const real gsv = g[s];
        for (int p = nd->segs.off[s]; p < nd->segs.off[s + 1]; p++) {
            if (gr) gr[p] += gsv * vrho[p];
            if (gs) gs[p] += gsv * vsdv[p];
        }
    }
}

static qdf_tensor *energy(qdf_ctx *ctx, const qdf_xc *xc, qdf_tensor *rho, qdf_tensor *sigma,
                          qdf_segs segs, double dV, const char *op) {
    check_args(rho, sigma, segs, dV, op);
    const int R = rho->rows, S = segs.n;
    const int need_grad =
        ctx->grad_enabled && (rho->requires_grad || (sigma && sigma->requires_grad));
    real *vrho = NULL, *vsdv = NULL;
    if (need_grad) {
        vrho = qdf_ctx_alloc(ctx, sizeof(real) * ((size_t)R * (sigma ? 2 : 1) + 1));
        if (sigma) vsdv = vrho + R;
    }
    double *e = malloc(sizeof(double) * ((size_t)R + 1));
    if (!e) {
        fprintf(stderr, "qdf: %s: out of memory for %d points\n", op, R);
        abort();
    }
    evaluate(xc, R, rho->data, sigma ? sigma->data : NULL, dV, e, vrho, vsdv);
    qdf_tensor *out = qdf_tensor_new(ctx, S, 1);
#pragma omp parallel for if (R >= PAR_MIN_POINTS) schedule(dynamic)
    for (int s = 0; s < S; s++) {
        double acc = 0;
        for (int p = segs.off[s]; p < segs.off[s + 1]; p++) acc += e[p];
        out->data[s] = (real)acc;
    }
    free(e);
    qdf_node *nd = sigma ? qdf_record(ctx, out, xc_backward, op, 2, rho, sigma)
                         : qdf_record(ctx, out, xc_backward, op, 1, rho);
    if (nd) {
        nd->aux = vrho;
        nd->segs = qdf_segs_copy(ctx, segs.off, S);
    }
    return out;
}

qdf_tensor *qdf_xc_energy(qdf_ctx *ctx, const qdf_xc *xc, qdf_tensor *rho, qdf_segs segs,
                          double dV_bohr3) {
    if (xc->gga) {
        fprintf(stderr, "qdf: xc_energy: the functional includes a GGA; use qdf_xc_energy_gga\n");
        abort();
    }
    return energy(ctx, xc, rho, NULL, segs, dV_bohr3, "xc_energy");
}

qdf_tensor *qdf_xc_energy_gga(qdf_ctx *ctx, const qdf_xc *xc, qdf_tensor *rho,
                              qdf_tensor *sigma, qdf_segs segs, double dV_bohr3) {
    return energy(ctx, xc, rho, sigma, segs, dV_bohr3, "xc_energy_gga");
}
