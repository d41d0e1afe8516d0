/* gemm_bench.c: OpenBLAS vs oneDNN on the products of our dense layers.
 *
 * For M = 700 (one molecule), 2800 (batch of 4), 5600 (batch of 8) grid rows
 * and N = K = 250 features, times the three products of one dense layer as
 * op_linear.c issues them (all with beta = 1: the forward pre-fills the bias,
 * the backward accumulates into the gradients):
 *   fwd  y  = x W^T   qdf_gemm(0,1, M,250,250)
 *   dx   dx += g W    qdf_gemm(0,0, M,250,250)
 *   dW   dW += g^T x  qdf_gemm(1,0, 250,250,M)
 * with backends
 *   OpenBLAS      cblas_sgemm through qdf_gemm
 *   oneDNN        qdf_gemm -> matmul primitive with runtime M/K (the default mode)
 *   oneDNN-static matmul primitive created for the exact shape (for comparison)
 * plus the whole dense forward (bias + product + ReLU): op_linear's way
 * (memcpy bias, OpenBLAS gemm, ReLU loop) vs qdf_dense_dnnl_forward (one fused
 * primitive), and a square SGEMM n = 1024 as the machine's reference rate.
 *
 * Every repetition runs every (kernel, backend) once, in an order that rotates
 * between repetitions, so that load from other processes hits all backends
 * alike. Reported: median time, GFLOP/s from it, ratio of that rate to the
 * OpenBLAS n = 1024 rate, and the median over repetitions of the paired ratio
 * t(OpenBLAS)/t(backend) (> 1: faster than OpenBLAS).
 *
 * Usage: gemm_bench [--tsv] [--reps N]     (threads: OMP_NUM_THREADS for oneDNN
 * and the ReLU loop, OPENBLAS_NUM_THREADS for OpenBLAS; both are printed). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm.h"

int openblas_get_num_threads(void);
void qdf_gemm_dnnl_set_runtime_dims(int on);
int qdf_dense_dnnl_forward(const float *x, int n, int in_f, const float *w, const float *b,
                           int out_f, int relu, float *y);

enum { BE_BLAS, BE_DNNL, BE_DNNL_STATIC, NBE };
static const char *be_name[NBE] = {"OpenBLAS", "oneDNN", "oneDNN-static"};

typedef struct {
    const char *name;
    int kind; /* 0: gemm, 1: dense forward, 2: square reference */
    int ta, tb, M, N, K;
    int nbe; /* backends measured: 2 or 3 */
    float *A, *B, *C, *bias;
    double *t[NBE];
} kernel;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
static float *buf(size_t n) {
    float *p = aligned_alloc(64, ((sizeof(float) * n + 63) / 64) * 64);
    if (!p) {
        perror("gemm_bench");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u % 2001) / 1000.0 - 1.0) * 0.1f;
    return p;
}
static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : "(unset)";
}
static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(const double *v, int n) {
    double *s = malloc(sizeof(double) * n);
    memcpy(s, v, sizeof(double) * n);
    qsort(s, n, sizeof(double), cmpd);
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return m;
}

static void dense_blas(kernel *k) { /* op_linear.c's forward, verbatim in effect */
    const int n = k->M, in_f = k->K, out_f = k->N;
    for (int r = 0; r < n; r++) memcpy(k->C + (size_t)r * out_f, k->bias, sizeof(float) * out_f);
    qdf_gemm(0, 1, n, out_f, in_f, 1, k->A, in_f, k->B, in_f, 1, k->C, out_f);
    const size_t total = (size_t)n * out_f;
    float *y = k->C;
#pragma omp parallel for if (total > 65536) schedule(static)
    for (size_t i = 0; i < total; i++)
        if (y[i] < 0) y[i] = 0;
}

static void run_one(kernel *k, int be) {
    if (k->kind == 1) {
        if (be == BE_BLAS) {
            qdf_gemm_set_backend(QDF_GEMM_OPENBLAS);
            dense_blas(k);
        } else if (qdf_dense_dnnl_forward(k->A, k->M, k->K, k->B, k->bias, k->N, 1, k->C)) {
            fprintf(stderr, "gemm_bench: qdf_dense_dnnl_forward failed\n");
            exit(1);
        }
        return;
    }
    qdf_gemm_set_backend(be == BE_BLAS ? QDF_GEMM_OPENBLAS : QDF_GEMM_ONEDNN);
    qdf_gemm_dnnl_set_runtime_dims(be != BE_DNNL_STATIC);
    const int lda = k->ta ? k->M : k->K, ldb = k->tb ? k->K : k->N;
    const float beta = k->kind == 2 ? 0.0f : 1.0f;
    qdf_gemm(k->ta, k->tb, k->M, k->N, k->K, 1, k->A, lda, k->B, ldb, beta, k->C, k->N);
}

int main(int argc, char **argv) {
    int tsv = 0, reps = 25;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tsv"))
            tsv = 1;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--tsv] [--reps N]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1) reps = 1;
    const int F = 250, Ms[] = {700, 2800, 5600};
    kernel ks[16];
    int nk = 0;
    ks[nk++] = (kernel){"sgemm1024", 2, 0, 0, 1024, 1024, 1024, 2, 0, 0, 0, 0, {0}};
    for (int i = 0; i < 3; i++) {
        const int M = Ms[i];
        ks[nk++] = (kernel){"fwd_xWt", 0, 0, 1, M, F, F, 3, 0, 0, 0, 0, {0}};
        ks[nk++] = (kernel){"dx_gW", 0, 0, 0, M, F, F, 3, 0, 0, 0, 0, {0}};
        ks[nk++] = (kernel){"dW_gTx", 0, 1, 0, F, F, M, 3, 0, 0, 0, 0, {0}};
        ks[nk++] = (kernel){"dense_b_relu", 1, 0, 1, M, F, F, 2, 0, 0, 0, 0, {0}};
    }
    for (int i = 0; i < nk; i++) {
        kernel *k = &ks[i];
        k->A = buf((size_t)k->M * k->K);
        k->B = buf((size_t)k->K * k->N);
        k->C = buf((size_t)k->M * k->N);
        k->bias = buf((size_t)k->N);
        for (int b = 0; b < NBE; b++) k->t[b] = calloc(reps, sizeof(double));
        for (int b = 0; b < k->nbe; b++) run_one(k, b); /* warm-up, primitive creation */
    }
    const double t0 = now();
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < nk; i++) {
            kernel *k = &ks[i];
            for (int j = 0; j < k->nbe; j++) {
                const int b = (j + r + i) % k->nbe; /* rotate the order */
                const double s = now();
                run_one(k, b);
                k->t[b][r] = now() - s;
            }
        }
    const double wall = now() - t0;

    const int omp = omp_get_max_threads(), ob = openblas_get_num_threads();
    double ref = 0;
    if (tsv)
        printf("omp_threads\topenblas_threads\twait_policy\tkernel\tM\tN\tK\tbackend\tmedian_ms\tgflops\t"
               "ratio_to_sgemm1024\tspeedup_vs_openblas\n");
    else
        printf("gemm_bench: OMP_NUM_THREADS -> %d, OpenBLAS threads %d, OMP_WAIT_POLICY=%s, "
               "OPENBLAS_CORETYPE=%s, %d repetitions (interleaved), medians; %.1f s\n"
               "%-13s %5s %4s %5s  %-13s %9s %8s %8s %9s\n",
               omp, ob, env("OMP_WAIT_POLICY"), env("OPENBLAS_CORETYPE"), reps, wall, "kernel", "M", "N", "K", "backend", "ms", "GFLOP/s", "/ref1024",
               "vs BLAS");
    for (int i = 0; i < nk; i++) {
        kernel *k = &ks[i];
        const double flop = 2.0 * k->M * k->N * k->K;
        for (int b = 0; b < k->nbe; b++) {
            const double tm = median(k->t[b], reps), gf = flop / tm * 1e-9;
            if (i == 0 && b == BE_BLAS) ref = gf;
            double *ratio = malloc(sizeof(double) * reps);
            for (int r = 0; r < reps; r++) ratio[r] = k->t[BE_BLAS][r] / k->t[b][r];
            const double sp = median(ratio, reps);
            free(ratio);
            if (tsv)
                printf("%d\t%d\t%s\t%s\t%d\t%d\t%d\t%s\t%.4f\t%.2f\t%.3f\t%.3f\n", omp, ob,
                       env("OMP_WAIT_POLICY"), k->name, k->M,
                       k->N, k->K, be_name[b], tm * 1e3, gf, gf / ref, sp);
            else
                printf("%-13s %5d %4d %5d  %-13s %9.3f %8.1f %8.2f %9.3f\n", k->name, k->M, k->N, k->K,
                       be_name[b], tm * 1e3, gf, gf / ref, sp);
        }
    }
    for (int i = 0; i < nk; i++) {
        free(ks[i].A);
        free(ks[i].B);
        free(ks[i].C);
        free(ks[i].bias);
        for (int b = 0; b < NBE; b++) free(ks[i].t[b]);
    }
    return 0;
}
