/* testutil.h: helpers shared by the tests. */
#ifndef QDF_TESTUTIL_H
#define QDF_TESTUTIL_H

#include <stddef.h>

/* Directory of the shared datasets (QDF_DATASETS, else the configured default). */
const char *tu_datasets_dir(void);
/* Directory of tests/ in the source tree (QDF_TESTS_DIR). */
const char *tu_tests_dir(void);
/* Relative error |a - b| / max(|a|, |b|, floor). */
double tu_relerr(double a, double b, double floor);
/* The whole file (at most len - 1 bytes) into buf, NUL-terminated; 0, or -1
 * if it cannot be opened. */
int tu_slurp(const char *path, char *buf, size_t len);

/* A freshly initialised model for the elements H, C, N, O with PyTorch's
 * initialisation from seed, default hyperparameters but these sizes; the
 * qdf_model_init return code (0 ok). */
#include <stdint.h>
#include "model.h"
int tu_small_model(qdf_model *m, int dim, int hidden_hk, int layers_functional, int layers_hk, uint64_t seed);

/* The model's output rows (model units, n_out values) for one molecule, no
 * gradients; turn (may be NULL) a 3x3 rotation of its grid (qdf_field_turn).
 * 0, or -1 if the field cannot be built. */
int tu_energy_rows(qdf_model *m, const qdf_molecule *mol, const double *turn, real *E);

/* n molecules (water, HCN, methane, ethanol, benzene in turn), each with its
 * coordinates moved by a distinct small pattern (up to 0.05 A), so that no two
 * are alike; free with qdf_dataset_free. */
#include "dataset.h"
void tu_jittered_dataset(qdf_dataset *d, int n);

/* Run a qdf subcommand (argv NULL-terminated, argv[0] its name) in a forked
 * child with stderr to /dev/null and stdout to stdout_path (NULL: /dev/null);
 * its exit code, or 128 if it did not exit normally. The parent stays free of
 * OpenMP threads, which libgomp cannot carry across a fork. */
int tu_run_cmd(int (*cmd)(int, char **), char **argv, const char *stdout_path);

#endif

/* Finite-difference gradient check (meant for the float64 build).
 * build(ctx, inputs, user) composes ops on the inputs (parameter tensors made
 * with gc_input) and returns an output tensor; the check takes the scalar
 * L = sum(out * W) for fixed pseudo-random weights W, runs qdf_backward, and
 * compares every input gradient with central differences of step h.
 * Returns the largest relative error, measured per input as
 * max_i |analytic_i - numeric_i| / max(max_i |numeric_i|, 1e-12). */
#include "tape.h"
typedef qdf_tensor *(*gc_build_fn)(qdf_ctx *ctx, qdf_tensor **inputs, void *user);
qdf_tensor *gc_input(int rows, int cols, unsigned seed, double lo, double hi);
void gc_input_free(qdf_tensor *t);
double gc_check(gc_build_fn build, qdf_tensor **inputs, int n_inputs, void *user, double h,
                const char *label);
