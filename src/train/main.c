/* main.c: the qdf command: dispatch to subcommands (commands.h). */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "gemm.h"

#include "commands.h"
#include "exitcodes.h"

/* Subcommands are linked in from their own files; weak so that the program
 * still builds while one is missing. */

static void usage(FILE *f) {
    fprintf(f,
            "qdf %s: physics-informed prediction of molecular energies (Quantum Deep Field)\n\n"
            "usage: qdf COMMAND [options]   (qdf COMMAND --help for each)\n\n"
            "  predict   energies (eV, kcal/mol) for molecules in txt, XYZ, extended XYZ, raw QM9 or SDF files\n"
            "  train     train a model on molecules with reference energies\n"
            "  eval      errors of a model on reference data, and the curve by molecule size\n"
            "  info      the model card of a model file\n"
            "  density   the learned electron density as a Gaussian cube file\n"
            "  refit     refit a model's energy readout and atomref by ridge regression on a training set\n\n"
            "exit codes: 0 ok, 2 usage, 3 unreadable input, 4 bad model, 5 cannot write output,\n"
            "            6 training diverged, 7 interrupted (checkpoint written), 8 some molecules skipped\n",
            QDF_VERSION);
}

int main(int argc, char **argv) {
    /* Dense algebra runs on oneDNN (gemm.c), threaded by OpenMP; OpenBLAS keeps
     * only LAPACK and fallbacks, on one thread, so that the two thread pools
     * never compete for the cores (measured: with both pools at 2 threads on
     * 2 cores a training step spent 30% of its time in sched_yield). */
    if (qdf_gemm_get_backend() == QDF_GEMM_ONEDNN) openblas_set_num_threads(1);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? QDF_EXIT_USAGE : QDF_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("qdf %s\n", QDF_VERSION);
        return QDF_EXIT_OK;
    }
    struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"train", qdf_cmd_train}, {"predict", qdf_cmd_predict}, {"eval", qdf_cmd_eval},
        {"info", qdf_cmd_info},   {"density", qdf_cmd_density},
        {"refit", qdf_cmd_refit},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) {
            if (!cmds[i].fn) {
                fprintf(stderr, "qdf: '%s' is not available in this build\n", argv[1]);
                return QDF_EXIT_USAGE;
            }
            return cmds[i].fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "qdf: unknown command '%s' (try qdf --help)\n", argv[1]);
    return QDF_EXIT_USAGE;
}
