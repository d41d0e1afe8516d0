/* cli_args.c: see cli_args.h. */
#include "cli_args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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
    int k;
    if (qdf_parse_int(cmd, "--orientations", v, 1, QDF_MAX_ORIENTATIONS, &k)) return -1;
    return k;
}

/* strtod/strtol skip leading blanks and stop at the first stray character:
 * accept only a value that fills the whole string. */
static int whole(const char *v, const char *end) { return end != v && *end == '\0' && !isspace((unsigned char)v[0]); }

int qdf_parse_double(const char *cmd, const char *flag, const char *v, double *out) {
    char *end;
    errno = 0;
    const double x = strtod(v, &end);
    if (!whole(v, end) || errno == ERANGE || !isfinite(x)) {
        fprintf(stderr, "%s: %s takes a number, not '%s'\n", cmd, flag, v);
        return -1;
    }
    *out = x;
    return 0;
}

int qdf_parse_int(const char *cmd, const char *flag, const char *v, long lo, long hi, int *out) {
    char *end;
    errno = 0;
    const long x = strtol(v, &end, 10);
    if (!whole(v, end) || errno == ERANGE || x < lo || x > hi) {
        fprintf(stderr, "%s: %s takes a whole number from %ld to %ld, not '%s'\n", cmd, flag, lo, hi, v);
        return -1;
    }
    *out = (int)x;
    return 0;
}

int qdf_parse_u64(const char *cmd, const char *flag, const char *v, unsigned long long *out) {
    char *end;
    errno = 0;
    const unsigned long long x = strtoull(v, &end, 10);
    if (!whole(v, end) || errno == ERANGE || v[0] == '-') {
        fprintf(stderr, "%s: %s takes a whole number >= 0, not '%s'\n", cmd, flag, v);
        return -1;
    }
    *out = x;
    return 0;
}
