/* cube.c: box grids and the Gaussian cube writer (see cube.h). */
#include "cube.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

qdf_box qdf_box_around(const int *z, const double *xyz, int n_atoms, double margin,
                       double spacing) {
    (void)z;
    qdf_box b;
    memset(&b, 0, sizeof b);
    b.spacing = spacing;
    if (n_atoms <= 0 || !(spacing > 0)) return b;
    if (margin < 0) margin = 0;
    for (int a = 0; a < 3; a++) {
        double lo = xyz[a], hi = xyz[a];
        for (int i = 1; i < n_atoms; i++) {
            const double v = xyz[3 * i + a];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        const double need = hi - lo + 2 * margin;
        /* tolerate rounding: an extent of exactly k spacings needs k + 1 points */
        const int steps = (int)ceil(need / spacing - 1e-9);
        b.n[a] = steps + 1;
        const double extra = steps * spacing - need;   /* >= 0 (up to rounding) */
        b.origin[a] = lo - margin - extra / 2;
    }
    return b;
}

long qdf_box_count(const qdf_box *b) { return (long)b->n[0] * b->n[1] * b->n[2]; }

void qdf_box_points(const qdf_box *b, double *out) {
    size_t q = 0;
    for (int i = 0; i < b->n[0]; i++)
        for (int j = 0; j < b->n[1]; j++)
            for (int k = 0; k < b->n[2]; k++) {
                out[q++] = b->origin[0] + i * b->spacing;
                out[q++] = b->origin[1] + j * b->spacing;
                out[q++] = b->origin[2] + k * b->spacing;
            }
}

static int fail(char *err, int errlen, const char *path, const char *why) {
    if (err && errlen > 0) snprintf(err, (size_t)errlen, "%s: %s", path, why);
    return -1;
}

int qdf_cube_write(const char *path, const char *comment, const qdf_box *b, const int *z,
                   const double *xyz, int n_atoms, const double *values, char *err, int errlen) {
    const double A2B = 1.0 / QDF_CUBE_BOHR_ANGSTROM;
    if (b->n[0] <= 0 || b->n[1] <= 0 || b->n[2] <= 0)
        return fail(err, errlen, path, "empty box");
    if (n_atoms < 0) return fail(err, errlen, path, "negative atom count");
    const size_t total = (size_t)b->n[0] * b->n[1] * b->n[2];
    for (size_t q = 0; q < total; q++)
        if (!isfinite(values[q])) {
            char why[96];
            snprintf(why, sizeof why, "value %zu is not finite", q);
            return fail(err, errlen, path, why);
        }

    /* temporary file in the target's directory, so rename is atomic */
    const size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) return fail(err, errlen, path, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    const int fd = mkstemp(tmp);
    if (fd < 0) {
        const int e = errno;
        free(tmp);
        return fail(err, errlen, path, strerror(e));
    }
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        const int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return fail(err, errlen, path, strerror(e));
    }

    /* comment line 1: the caller's text on one line */
    const char *c = comment ? comment : "qdf";
    for (; *c; c++) fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
    fputc('\n', f);
    fprintf(f, "qdf cube: outer loop x, middle loop y, inner loop z (bohr)\n");
    fprintf(f, "%5d%12.6f%12.6f%12.6f\n", n_atoms, b->origin[0] * A2B, b->origin[1] * A2B,
            b->origin[2] * A2B);
    const double h = b->spacing * A2B;
    fprintf(f, "%5d%12.6f%12.6f%12.6f\n", b->n[0], h, 0.0, 0.0);
    fprintf(f, "%5d%12.6f%12.6f%12.6f\n", b->n[1], 0.0, h, 0.0);
    fprintf(f, "%5d%12.6f%12.6f%12.6f\n", b->n[2], 0.0, 0.0, h);
    for (int a = 0; a < n_atoms; a++)
        fprintf(f, "%5d%12.6f%12.6f%12.6f%12.6f\n", z[a], (double)z[a], xyz[3 * a] * A2B,
                xyz[3 * a + 1] * A2B, xyz[3 * a + 2] * A2B);
    const int n2 = b->n[2];
    for (size_t run = 0; run < total / (size_t)n2; run++) {
        const double *v = values + run * (size_t)n2;
        for (int k = 0; k < n2; k++) {
            /* |v| < 1e-99 would print a 3-digit exponent, and a negative one
             * would fill all 13 columns and run into the previous field */
            fprintf(f, "%13.5E", fabs(v[k]) < 1e-99 ? 0.0 : v[k]);
            if (k % 6 == 5 || k == n2 - 1) fputc('\n', f);
        }
    }

    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = bad ? errno : 0;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(tmp);
        free(tmp);
        return fail(err, errlen, path, e ? strerror(e) : "write error");
    }
    free(tmp);
    return 0;
}
