/* model_path.c: where the shipped default model lives (commands.h).
 *
 * Candidates, in order (EXE_DIR = directory of /proc/self/exe):
 *   EXE_DIR/../share/qdf/models/default.h5    installed layout (PREFIX/bin/qdf)
 *   QDF_SOURCE_DIR/models/default.h5          the source tree this was built from
 *   EXE_DIR/../models/default.h5              a build directory inside the tree
 * No environment variable is consulted. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

#ifndef QDF_SOURCE_DIR
#define QDF_SOURCE_DIR "."
#endif

#define QDF_N_MODEL_CANDIDATES 3

static char cand[QDF_N_MODEL_CANDIDATES][PATH_MAX + 64];
static char searched[3 * (PATH_MAX + 64) + 16];

static void fill_candidates(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(exe, sizeof exe, ".");
        n = 1;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash && slash != exe) *slash = 0;
    else if (slash) slash[1] = 0;
    snprintf(cand[0], sizeof cand[0], "%s/../share/qdf/models/default.h5", exe);
    snprintf(cand[1], sizeof cand[1], "%s/models/default.h5", QDF_SOURCE_DIR);
    snprintf(cand[2], sizeof cand[2], "%s/../models/default.h5", exe);
    snprintf(searched, sizeof searched, "%s, %s, %s", cand[0], cand[1], cand[2]);
}

const char *qdf_default_model_path(void) {
    fill_candidates();
    for (int i = 0; i < QDF_N_MODEL_CANDIDATES; i++)
        if (access(cand[i], R_OK) == 0) return cand[i];
    return NULL;
}

/* The candidate paths, comma-separated (for "no default model" messages). */
const char *qdf_default_model_searched(void) {
    fill_candidates();
    return searched;
}

const char *qdf_model_or_default(const char *given, const char *cmd) {
    if (given) return given;
    const char *path = qdf_default_model_path();
    if (!path)
        fprintf(stderr, "qdf %s: no --model given and no default model found (looked for %s)\n", cmd,
                qdf_default_model_searched());
    return path;
}
