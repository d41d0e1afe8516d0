/* bench_qdf.c: the performance figures of qdf, taken in one run (issue 6).
 *
 * usage: bench_qdf [--data FILE] [--large FILE] [--n N] [--model M] [--tsv]
 * Prints: the machine's SGEMM rate (n = 1024, oneDNN and OpenBLAS) measured in
 * this process; prediction molecules/s (batch 1 and batch 8); training ms per
 * molecule split into input building, energy step and potential step; the
 * GFLOP/s of all matrix products in prediction and training and that as a
 * fraction of the SGEMM rate; the dense layer stack alone on one molecule's
 * shape (700 x 250, three layers); time per molecule by atom count; peak RSS.
 * Default model: a freshly initialised default-size model (dim 250): the
 * speed does not depend on the weights. */
#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dataset.h"
#include "evaluate.h"
#include "gemm.h"
#include "model_io.h"
#include "ops.h"
#include "train.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double sgemm_rate(qdf_gemm_backend b) {
    const int n = 1024;
    float *A = malloc(sizeof(float) * n * n), *B = malloc(sizeof(float) * n * n), *C = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) A[i] = (float)((i % 17) - 8) / 8, B[i] = (float)((i % 13) - 6) / 6;
    const qdf_gemm_backend old = qdf_gemm_get_backend();
    qdf_gemm_set_backend(b);
    qdf_gemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n); /* warm-up, primitive creation */
    double best = 0;
    for (int r = 0; r < 5; r++) {
        const double t = now_s();
        qdf_gemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n);
        const double g = 2.0 * n * n * n / (now_s() - t) / 1e9;
        if (g > best) best = g;
    }
    qdf_gemm_set_backend(old);
    free(A), free(B), free(C);
    return best;
}

static long peak_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv) {
    const char *data = QDF_DATASETS_DEFAULT "/qm9_u0/le14_val.txt", *large = QDF_DATASETS_DEFAULT "/qm9_u0/ge15_dev.txt";
    const char *model_path = NULL;
    int n = 200, tsv = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data = argv[++i];
        else if (!strcmp(argv[i], "--large") && i + 1 < argc) large = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--model") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "--tsv")) tsv = 1;
        else {
            fprintf(stderr, "usage: bench_qdf [--data FILE] [--large FILE] [--n N] [--model M] [--tsv]\n");
            return 2;
        }
    }
    if (qdf_gemm_get_backend() == QDF_GEMM_ONEDNN) openblas_set_num_threads(1);
    char err[512];
    qdf_dataset d = {0}, dl = {0};
    char *paths[1] = {(char *)data}, *lpaths[1] = {(char *)large};
    if (qdf_dataset_load(&d, paths, 1, NULL, stderr, err, sizeof err) || d.n == 0) {
        fprintf(stderr, "bench_qdf: %s\n", d.n ? err : "no molecules");
        return 3;
    }
    if (d.n > n) d.n = n;
    qdf_dataset_load(&dl, lpaths, 1, NULL, NULL, err, sizeof err);

    qdf_model m;
    if (model_path) {
        if (qdf_model_load(model_path, &m, NULL, NULL, 0, NULL, 0, err, sizeof err)) {
            fprintf(stderr, "bench_qdf: %s\n", err);
            return 4;
        }
    } else {
        qdf_hparams hp;
        qdf_hparams_default(&hp);
        const int el[] = {1, 6, 7, 8, 9};
        qdf_rng rng;
        qdf_rng_seed(&rng, 1);
        qdf_model_init(&m, &hp, el, 5, &rng, err, sizeof err);
    }
    long points = 0;
    for (int i = 0; i < d.n; i++) points += (long)d.mols[i].n_atoms * m.grid.n;

    const double sg_dnnl = sgemm_rate(QDF_GEMM_ONEDNN), sg_blas = sgemm_rate(QDF_GEMM_OPENBLAS);
    const double sg = sg_dnnl > sg_blas ? sg_dnnl : sg_blas;

    /* prediction */
    qdf_ctx *ctx = qdf_ctx_new(64 << 20), *fctx = qdf_ctx_new(8 << 20);
    double *e = malloc(sizeof(double) * d.n * QDF_MAX_TARGETS);
    qdf_predict_many(ctx, &m, d.mols, d.n < 8 ? d.n : 8, 8, e); /* warm-up */
    double rate[2], pred_gflops[2];
    const int batches[2] = {1, 8};
    for (int k = 0; k < 2; k++) {
        qdf_gemm_reset_flops();
        const double t = now_s();
        qdf_predict_many(ctx, &m, d.mols, d.n, batches[k], e);
        const double dt = now_s() - t;
        rate[k] = d.n / dt;
        pred_gflops[k] = qdf_gemm_flops() / dt / 1e9;
    }

    /* input building only */
    double t_in = now_s();
    for (int i = 0; i < d.n; i++) {
        qdf_ctx_reset(fctx);
        qdf_field f;
        const qdf_molecule *mp[1] = {&d.mols[i]};
        qdf_field_build(fctx, &f, mp, 1, &m.basis, &m.grid, m.hp.frame, err, sizeof err);
        real *v = qdf_ctx_alloc(fctx, sizeof(real) * f.n_points);
        qdf_potential_eval(&f, m.hp.potential, m.hp.coulomb_smear, v);
    }
    t_in = (now_s() - t_in) / d.n;

    /* training: batch 4, energy and potential steps timed apart */
    qdf_adam opt;
    qdf_adam_init(&opt, &m.params, 1e-6); /* tiny steps: speed, not learning */
    double sec[3], tot[3] = {0, 0, 0};
    qdf_gemm_reset_flops();
    const double t_train = now_s();
    for (int i = 0; i + 4 <= d.n; i += 4) {
        const qdf_molecule *mp[4] = {&d.mols[i], &d.mols[i + 1], &d.mols[i + 2], &d.mols[i + 3]};
        double lv, ae;
        qdf_train_step(fctx, ctx, &m, &opt, 0, mp, 4, NULL, 0, 0, &lv, &ae, sec);
        for (int k = 0; k < 3; k++) tot[k] += sec[k];
    }
    const int n_tr = d.n / 4 * 4;
    const double train_dt = now_s() - t_train, train_gflops = qdf_gemm_flops() / train_dt / 1e9;

    /* the dense layer stack alone, one molecule's shape */
    const int P = 700, D = m.hp.dim;
    qdf_ctx_set_grad(ctx, 0);
    qdf_ctx_reset(ctx);
    qdf_tensor *x = qdf_tensor_new(ctx, P, D);
    for (int i = 0; i < P * D; i++) x->data[i] = (real)(0.01 * ((i % 7) - 3));
    double best_dense = 0;
    for (int r = 0; r < 20; r++) {
        qdf_gemm_reset_flops();
        const double t = now_s();
        qdf_tensor *h = x;
        for (int l = 0; l < m.hp.layer_functional; l++) h = qdf_linear(ctx, h, m.fW[l], m.fb[l], 1);
        const double g = qdf_gemm_flops() / (now_s() - t) / 1e9;
        if (g > best_dense) best_dense = g;
    }
    qdf_ctx_reset(ctx);
    qdf_ctx_set_grad(ctx, 1);

    /* time per molecule by atom count (prediction, batch 1) */
    double by_t[QDF_MAX_ATOMS + 1] = {0};
    int by_n[QDF_MAX_ATOMS + 1] = {0};
    for (int pass = 0; pass < 2; pass++) {
        qdf_dataset *s = pass ? &dl : &d;
        for (int i = 0; i < s->n; i++) {
            /* of the larger molecules, at most 10 of each atom count */
            if (pass && by_n[s->mols[i].n_atoms] >= 10) continue;
            /* best of 3: one molecule takes a few ms, so a single timer
             * interrupt or page fault shows; the minimum is the cost */
            double best = INFINITY;
            for (int rep = 0; rep < 3; rep++) {
                const double t = now_s();
                qdf_predict_many(ctx, &m, &s->mols[i], 1, 1, e);
                const double dt = now_s() - t;
                if (dt < best) best = dt;
            }
            by_t[s->mols[i].n_atoms] += best;
            by_n[s->mols[i].n_atoms]++;
        }
    }

    /* growth with size: a 25-atom molecule against a 15-atom one (issue goal
     * <= 1.8 for 25/15 = 1.67 times the atoms and grid points) */
    const double ratio_25_15 = by_n[25] && by_n[15] ? (by_t[25] / by_n[25]) / (by_t[15] / by_n[15]) : NAN;
    const char *bk = qdf_gemm_backend_name(qdf_gemm_get_backend());
    if (tsv) {
        printf("figure\tvalue\tunit\n");
        printf("sgemm_1024_oneDNN\t%.1f\tGFLOP/s\nsgemm_1024_OpenBLAS\t%.1f\tGFLOP/s\n", sg_dnnl, sg_blas);
        printf("predict_batch1\t%.1f\tmolecules/s\npredict_batch8\t%.1f\tmolecules/s\n", rate[0], rate[1]);
        printf("predict_gflops_batch8\t%.1f\tGFLOP/s\n", pred_gflops[1]);
        printf("train_inputs\t%.3f\tms/molecule\n", 1e3 * tot[0] / n_tr);
        printf("train_energy_step\t%.3f\tms/molecule\ntrain_potential_step\t%.3f\tms/molecule\n",
               1e3 * tot[1] / n_tr, 1e3 * tot[2] / n_tr);
        printf("train_total\t%.3f\tms/molecule\ntrain_gflops\t%.1f\tGFLOP/s\n", 1e3 * train_dt / n_tr, train_gflops);
        printf("dense_stack_gflops\t%.1f\tGFLOP/s\ndense_fraction_of_sgemm\t%.3f\t-\n", best_dense, best_dense / sg);
        printf("input_build\t%.3f\tms/molecule\npeak_rss\t%.1f\tMiB\n", 1e3 * t_in, peak_rss_kib() / 1024.0);
        for (int a = 1; a <= QDF_MAX_ATOMS; a++)
            if (by_n[a]) printf("predict_ms_atoms_%d\t%.3f\tms/molecule\n", a, 1e3 * by_t[a] / by_n[a]);
        printf("predict_time_ratio_25_over_15_atoms\t%.3f\t-\n", ratio_25_15);
    } else {
        printf("qdf benchmark: %d molecules of %s (%.0f grid points each on average), dim %d, backend %s, %d OpenMP threads\n",
               d.n, data, (double)points / d.n, D, bk, omp_get_max_threads());
        printf("  SGEMM n=1024 in this process:   oneDNN %.1f GFLOP/s, OpenBLAS %.1f GFLOP/s (reference: %.1f)\n", sg_dnnl, sg_blas, sg);
        printf("  prediction:                      %.1f molecules/s at batch 1, %.1f at batch 8 (%.1f GFLOP/s, %.0f%% of SGEMM)\n",
               rate[0], rate[1], pred_gflops[1], 100 * pred_gflops[1] / sg);
        printf("  training (batch 4):              %.2f ms/molecule = inputs %.2f + energy step %.2f + potential step %.2f "
               "(%.1f GFLOP/s, %.0f%% of SGEMM); %.1f s per epoch of 2663 molecules\n",
               1e3 * train_dt / n_tr, 1e3 * tot[0] / n_tr, 1e3 * tot[1] / n_tr, 1e3 * tot[2] / n_tr, train_gflops,
               100 * train_gflops / sg, 2663 * train_dt / n_tr);
        printf("  dense layers alone (700 x %d):   %.1f GFLOP/s = %.0f%% of SGEMM\n", D, best_dense, 100 * best_dense / sg);
        printf("  building a molecule's inputs:    %.3f ms (grid, orbital table, potential target)\n", 1e3 * t_in);
        printf("  peak RSS:                        %.1f MiB\n", peak_rss_kib() / 1024.0);
        printf("  prediction time by atom count (batch 1, ms/molecule):");
        for (int a = 1; a <= QDF_MAX_ATOMS; a++)
            if (by_n[a]) printf(" %d:%.2f", a, 1e3 * by_t[a] / by_n[a]);
        printf("\n  25 atoms / 15 atoms:             %.2f x the time for 1.67 x the atoms\n", ratio_25_15);
    }
    free(e);
    qdf_adam_free(&opt);
    qdf_ctx_free(ctx);
    qdf_ctx_free(fctx);
    qdf_model_free(&m);
    qdf_dataset_free(&d);
    qdf_dataset_free(&dl);
    return 0;
}
