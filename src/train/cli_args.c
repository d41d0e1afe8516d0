/* cli_args.c: see cli_args.h. */
#include "cli_args.h"

#include <string.h>

int qdf_take_list(int argc, char **argv, int *i, char ***out, int *n) {
    int start = *i + 1, k = start;
    while (k < argc && strncmp(argv[k], "--", 2) != 0) k++;
    *out = argv + start;
    *n = k - start;
    *i = k - 1;
    return *n > 0 ? 0 : -1;
}
