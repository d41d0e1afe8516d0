/* testutil.c: see testutil.h. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "molecules.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

const char *tu_datasets_dir(void) {
    const char *d = getenv("QDF_DATASETS");
    return d && *d ? d : QDF_DATASETS_DEFAULT;
}

const char *tu_tests_dir(void) {
    const char *d = getenv("QDF_TESTS_DIR");
    return d && *d ? d : QDF_SOURCE_DIR "/tests";
}

int tu_slurp(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    const size_t n = fread(buf, 1, len - 1, f);
    buf[n] = 0;
    fclose(f);
    return 0;
}

int tu_small_model(qdf_model *m, int dim, int hidden_hk, int layers_functional, int layers_hk, uint64_t seed) {
    qdf_hparams hp;
    qdf_hparams_default(&hp);
    hp.dim = dim;
    hp.hidden_HK = hidden_hk;
    hp.layer_functional = layers_functional;
    hp.layer_HK = layers_hk;
    const int el[] = {1, 6, 7, 8};
    qdf_rng r;
    qdf_rng_seed(&r, seed);
    char err[256];
    return qdf_model_init(m, &hp, el, 4, &r, err, sizeof err);
}

int tu_energy_rows(qdf_model *m, const qdf_molecule *mol, const double *turn, real *E) {
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    qdf_ctx_set_grad(ctx, 0);
    qdf_field f;
    char err[256];
    const qdf_molecule *mols[1] = {mol};
    int rc = qdf_field_build(ctx, &f, mols, 1, &m->basis, &m->grid, m->hp.frame, err, sizeof err);
    if (rc == 0) {
        if (turn) qdf_field_turn(&f, &m->grid, turn);
        qdf_forward_out o;
        qdf_model_forward(ctx, m, &f, 1, 0, &o);
        memcpy(E, o.E->data, sizeof(real) * m->hp.n_out);
    }
    qdf_ctx_free(ctx);
    return rc;
}

int tu_run_cmd(int (*cmd)(int, char **), char **argv, const char *stdout_path) {
    int argc = 0;
    while (argv[argc]) argc++;
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr) || !freopen(stdout_path ? stdout_path : "/dev/null", "w", stdout))
            _exit(127);
        const int rc = cmd(argc, argv);
        fflush(stdout); /* _exit does not flush stdio */
        _exit(rc);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

double tu_relerr(double a, double b, double floor) {
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    if (m < floor) m = floor;
    return fabs(a - b) / m;
}

#include <stdio.h>
#include <string.h>

#include "rng.h"

qdf_tensor *gc_input(int rows, int cols, unsigned seed, double lo, double hi) {
    qdf_tensor *t = calloc(1, sizeof *t);
    t->rows = rows;
    t->cols = cols;
    t->data = calloc((size_t)rows * cols + 1, sizeof(real));
    t->grad = calloc((size_t)rows * cols + 1, sizeof(real));
    t->requires_grad = 1;
    t->is_param = 1;
    qdf_rng r;
    qdf_rng_seed(&r, seed);
    for (size_t i = 0; i < (size_t)rows * cols; i++) t->data[i] = (real)(lo + (hi - lo) * qdf_rng_uniform(&r));
    return t;
}

void gc_input_free(qdf_tensor *t) {
    free(t->data);
    free(t->grad);
    free(t);
}

static double weighted_sum(qdf_ctx *ctx, gc_build_fn build, qdf_tensor **in, void *user,
                           qdf_tensor **out_keep) {
    qdf_ctx_reset(ctx);
    qdf_tensor *out = build(ctx, in, user);
    qdf_rng r;
    qdf_rng_seed(&r, 12345);
    double s = 0;
    for (size_t i = 0; i < qdf_numel(out); i++) s += out->data[i] * (qdf_rng_uniform(&r) - 0.3);
    if (out_keep) *out_keep = out;
    return s;
}

double gc_check(gc_build_fn build, qdf_tensor **in, int n_in, void *user, double h, const char *label) {
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    for (int k = 0; k < n_in; k++) memset(in[k]->grad, 0, sizeof(real) * qdf_numel(in[k]));
    qdf_tensor *out = NULL;
    weighted_sum(ctx, build, in, user, &out);
    real *g = qdf_grad(ctx, out);
    qdf_rng r;
    qdf_rng_seed(&r, 12345);
    for (size_t i = 0; i < qdf_numel(out); i++) g[i] = (real)(qdf_rng_uniform(&r) - 0.3);
    qdf_backward(ctx, NULL);
    double worst = 0;
    for (int k = 0; k < n_in; k++) {
        if (!in[k]->requires_grad) continue;
        const size_t n = qdf_numel(in[k]);
        double *num = malloc(sizeof(double) * (n + 1));
        double scale = 1e-12, maxdiff = 0;
        for (size_t i = 0; i < n; i++) {
            const real x0 = in[k]->data[i];
            in[k]->data[i] = x0 + (real)h;
            const double fp = weighted_sum(ctx, build, in, user, NULL);
            in[k]->data[i] = x0 - (real)h;
            const double fm = weighted_sum(ctx, build, in, user, NULL);
            in[k]->data[i] = x0;
            num[i] = (fp - fm) / (2 * h);
            if (fabs(num[i]) > scale) scale = fabs(num[i]);
        }
        for (size_t i = 0; i < n; i++) {
            const double d = fabs(num[i] - in[k]->grad[i]);
            if (d > maxdiff) maxdiff = d;
        }
        const double rel = maxdiff / scale;
        if (rel > worst) worst = rel;
        printf("  gradcheck %-28s input %d (%d x %d): max rel err %.3g\n", label, k, in[k]->rows,
               in[k]->cols, rel);
        free(num);
    }
    qdf_ctx_free(ctx);
    return worst;
}

void tu_jittered_dataset(qdf_dataset *d, int n) {
    void (*make[5])(qdf_molecule *) = {tm_water, tm_hcn, tm_methane, tm_ethanol, tm_benzene};
    memset(d, 0, sizeof *d);
    d->mols = calloc((size_t)n, sizeof(qdf_molecule));
    d->n = d->cap = n;
    for (int i = 0; i < n; i++) {
        make[i % 5](&d->mols[i]);
        for (int k = 0; k < 3 * d->mols[i].n_atoms; k++) d->mols[i].xyz[k] += 0.01 * ((k * 7 + i * 3) % 11 - 5);
    }
}
