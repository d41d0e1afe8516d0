/* revive.c: see revive.h. */
#include "revive.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define CHUNK 32

/* A ReLU layer: y = relu(x W^T + b); next reads y (next->cols == W->rows). */
typedef struct {
    qdf_tensor *W, *b, *next;
} relu_layer;

static int n_layers(const qdf_model *m, int stack) { return stack == 0 ? m->hp.layer_functional : m->hp.layer_HK; }

static relu_layer layer_of(const qdf_model *m, int stack, int l) {
    relu_layer r;
    const int L = n_layers(m, stack);
    if (stack == 0) {
        r.W = m->fW[l];
        r.b = m->fb[l];
        r.next = l + 1 < L ? m->fW[l + 1] : m->propW;
    } else {
        r.W = m->hkW[l];
        r.b = m->hkb[l];
        r.next = l + 1 < L ? m->hkW[l + 1] : m->potW;
    }
    return r;
}

static int param_index(const qdf_model *m, const qdf_tensor *t) {
    for (int k = 0; k < m->params.n; k++)
        if (m->params.p[k] == t) return k;
    return -1;
}

/* Set entry i of parameter t to v, with its first Adam moment zeroed, its
 * second moment set to the tensor's mean (vmean[k], taken before any change)
 * and its average set to v. A zero second moment would make the first
 * updates of the entry several times lr (Adam's bias correction is global,
 * not per entry), which throws a revived unit about. */
static void set_entry(const qdf_model *m, qdf_adam *opt, const real *vmean, qdf_ema *ema, qdf_tensor *t, size_t i,
                      real v) {
    t->data[i] = v;
    const int k = param_index(m, t);
    if (k < 0) return;
    if (opt) {
        opt->m[k][i] = 0;
        opt->v[k][i] = vmean[k];
    }
    if (ema) ema->avg[k][i] = v;
}

static int cmp_real(const void *a, const void *b) {
    const real x = *(const real *)a, y = *(const real *)b;
    return (x > y) - (x < y);
}

static double median_of(real *v, int n) {
    qsort(v, (size_t)n, sizeof(real), cmp_real);
    return n % 2 ? v[n / 2] : 0.5 * ((double)v[n / 2 - 1] + v[n / 2]);
}

static double spread(const real *z, int n, int stride) {
    double s = 0, ss = 0;
    for (int r = 0; r < n; r++) {
        const double v = z[(size_t)r * stride];
        s += v;
        ss += v * v;
    }
    const double mean = s / n, var = ss / n - mean * mean;
    return var > 0 ? sqrt(var) : 0;
}

/* The input of a stack's first ReLU layer on a chunk: psi (functional), or the
 * density layer's output (HK: no activation). Returns its width. */
static int stack_input(const qdf_model *m, int stack, const qdf_forward_out *o, real *x) {
    const int P = o->psi->rows;
    if (stack == 0) {
        memcpy(x, o->psi->data, sizeof(real) * (size_t)P * m->hp.dim);
        return m->hp.dim;
    }
    qdf_dense_forward(P, 1, m->hp.hidden_HK, o->rho->data, m->densW->data, m->densb->data, 0, x);
    return m->hp.hidden_HK;
}

/* Revive the dead units of layer ly on the chunk input x (P x in); z (P x out)
 * and col (P) are scratch. Returns the number revived. */
static int revive_layer(const qdf_model *m, relu_layer ly, const real *x, int P, const long *active, qdf_rng *rng,
                        qdf_adam *opt, const real *vmean, qdf_ema *ema, real *z, real *col) {
    const int out = ly.W->rows, in = ly.W->cols;
    int n_dead = 0;
    for (int j = 0; j < out; j++) n_dead += active[j] == 0;
    if (n_dead == 0) return 0;
    /* new random rows first (PyTorch's bound), then one product gives every
     * unit's pre-activation without bias: live ones for the target spread,
     * new ones to be scaled to it */
    const double bound = 1.0 / sqrt((double)in);
    for (int j = 0; j < out; j++)
        if (active[j] == 0)
            for (int i = 0; i < in; i++) ly.W->data[(size_t)j * in + i] = (real)((2 * qdf_rng_uniform(rng) - 1) * bound);
    qdf_dense_forward(P, in, out, x, ly.W->data, NULL, 0, z);
    real *sds = malloc(sizeof(real) * (size_t)out);
    int n_live = 0;
    for (int j = 0; j < out; j++)
        if (active[j] > 0) sds[n_live++] = (real)spread(z + j, P, out);
    const double sd_target = n_live > 0 ? median_of(sds, n_live) : 1.0;
    free(sds);
    for (int j = 0; j < out; j++) {
        if (active[j] != 0) continue;
        const double sd = spread(z + j, P, out);
        const double scale = sd > 0 && sd_target > 0 ? sd_target / sd : 1.0;
        for (int r = 0; r < P; r++) col[r] = (real)(z[(size_t)r * out + j] * scale);
        const double med = median_of(col, P);
        for (int i = 0; i < in; i++)
            set_entry(m, opt, vmean, ema, ly.W, (size_t)j * in + i, (real)(ly.W->data[(size_t)j * in + i] * scale));
        set_entry(m, opt, vmean, ema, ly.b, (size_t)j, (real)(-med));
        for (int r = 0; r < ly.next->rows; r++) set_entry(m, opt, vmean, ema, ly.next, (size_t)r * ly.next->cols + j, 0);
    }
    return n_dead;
}

int qdf_revive_dead_units(qdf_ctx *ctx, qdf_model *m, const qdf_dataset *d, int n_sample, qdf_rng *rng,
                          qdf_adam *opt, qdf_ema *ema, qdf_revive_stats *stats, char *err, int errlen) {
    memset(stats, 0, sizeof *stats);
    const qdf_molecule **mols = malloc(sizeof(*mols) * (size_t)(n_sample > 0 ? n_sample : 1));
    const int k = qdf_dataset_sample_even(d, &m->basis, n_sample, mols);
    if (k == 0) {
        free(mols);
        snprintf(err, errlen, "dead-unit check: no training molecule the model can handle");
        return -1;
    }
    stats->molecules = k;
    const int D = m->hp.dim, H = m->hp.hidden_HK, W_ = D > H ? D : H;
    long *active[2][QDF_MAX_LAYERS];
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < n_layers(m, s); l++) active[s][l] = calloc((size_t)W_, sizeof(long));
    const int was = ctx->grad_enabled;
    qdf_ctx_set_grad(ctx, 0);
    real *x = NULL, *y = NULL, *psi0 = NULL, *rho0 = NULL;
    int P0 = 0, rc = 0;
    /* pass 1: which units are active on any sample point */
    for (int c0 = 0; c0 < k && rc == 0; c0 += CHUNK) {
        const int nc = k - c0 < CHUNK ? k - c0 : CHUNK;
        qdf_ctx_reset(ctx);
        qdf_field f;
        if (qdf_field_build(ctx, &f, mols + c0, nc, &m->basis, &m->grid, m->hp.frame, err, errlen) != 0) {
            rc = -1;
            break;
        }
        qdf_forward_out o;
        qdf_model_forward(ctx, m, &f, 0, 1, &o);
        const int P = o.psi->rows;
        stats->points += P;
        x = realloc(x, sizeof(real) * (size_t)P * W_);
        y = realloc(y, sizeof(real) * (size_t)P * W_);
        if (c0 == 0) {
            P0 = P;
            psi0 = malloc(sizeof(real) * (size_t)P * D);
            rho0 = malloc(sizeof(real) * (size_t)P);
            memcpy(psi0, o.psi->data, sizeof(real) * (size_t)P * D);
            memcpy(rho0, o.rho->data, sizeof(real) * (size_t)P);
        }
        for (int s = 0; s < 2; s++) {
            int in = stack_input(m, s, &o, x);
            for (int l = 0; l < n_layers(m, s); l++) {
                const relu_layer ly = layer_of(m, s, l);
                const int out = ly.W->rows;
                qdf_dense_forward(P, in, out, x, ly.W->data, ly.b->data, 1, y);
                for (int r = 0; r < P; r++)
                    for (int j = 0; j < out; j++) active[s][l][j] += y[(size_t)r * out + j] > 0;
                real *t = x;
                x = y;
                y = t;
                in = out;
            }
        }
    }
    /* pass 2: layer by layer on the first chunk, revive */
    if (rc == 0) {
        real vmean[QDF_MAX_PARAMS] = {0}; /* each tensor's mean second moment, before any change */
        for (int j = 0; opt && j < m->params.n; j++) {
            const size_t n = qdf_numel(m->params.p[j]);
            double sv = 0;
            for (size_t i = 0; i < n; i++) sv += opt->v[j][i];
            vmean[j] = n ? (real)(sv / n) : 0;
        }
        qdf_forward_out o0;
        qdf_tensor psi_t = {.rows = P0, .cols = D, .data = psi0}, rho_t = {.rows = P0, .cols = 1, .data = rho0};
        o0.psi = &psi_t;
        o0.rho = &rho_t;
        real *z = malloc(sizeof(real) * (size_t)P0 * W_), *col = malloc(sizeof(real) * (size_t)P0);
        x = realloc(x, sizeof(real) * (size_t)P0 * W_);
        y = realloc(y, sizeof(real) * (size_t)P0 * W_);
        for (int s = 0; s < 2; s++) {
            int in = stack_input(m, s, &o0, x);
            for (int l = 0; l < n_layers(m, s); l++) {
                const relu_layer ly = layer_of(m, s, l);
                const int out = ly.W->rows;
                const int nd = revive_layer(m, ly, x, P0, active[s][l], rng, opt, vmean, ema, z, col);
                stats->dead[s][l] = nd;
                stats->total += nd;
                qdf_dense_forward(P0, in, out, x, ly.W->data, ly.b->data, 1, y);
                real *t = x;
                x = y;
                y = t;
                in = out;
            }
        }
        free(z);
        free(col);
    }
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < n_layers(m, s); l++) free(active[s][l]);
    free(x);
    free(y);
    free(psi0);
    free(rho0);
    free(mols);
    qdf_ctx_reset(ctx);
    qdf_ctx_set_grad(ctx, was);
    return rc;
}
