/* cli_args.c: see cli_args.h. */
#include "cli_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int qdf_take_list(int argc, char **argv, int *i, char ***out, int *n) {
    int start = *i + 1, k = start;
    while (k < argc && strncmp(argv[k], "--", 2) != 0) k++;
    *out = argv + start;
    *n = k - start;
    *i = k - 1;
    return *n > 0 ? 0 : -1;
}

int qdf_parse_orientations(const char *cmd, const char *v) {
    const int k = atoi(v);
    if (k >= 1 && k <= QDF_MAX_ORIENTATIONS) return k;
    fprintf(stderr, "%s: --orientations must be 1-%d, not '%s'\n", cmd, QDF_MAX_ORIENTATIONS, v);
    return -1;
}
