/* grid.c: see grid.h. */
#include "grid.h"

#include <math.h>
#include <stdio.h>

int qdf_grid_init(qdf_grid *g, double radius, double spacing, char *err, int errlen) {
    if (!(radius > 0) || !(spacing > 0) || !isfinite(radius) || !isfinite(spacing)) {
        snprintf(err, errlen, "grid radius and spacing must be positive (got %g A, %g A)", radius, spacing);
        return -1;
    }
    g->radius = radius;
    g->spacing = spacing;
    g->n = 0;
    const double tol = 1e-9, r2 = radius * radius + tol;
    const int steps = (int)floor(2 * radius / spacing + tol);
    for (int i = 0; i <= steps; i++)
        for (int j = 0; j <= steps; j++)
            for (int k = 0; k <= steps; k++) {
                const double x = -radius + i * spacing, y = -radius + j * spacing, z = -radius + k * spacing;
                if (x * x + y * y + z * z > r2) continue;
                if (g->n == QDF_GRID_MAX_OFFSETS) {
                    snprintf(err, errlen, "grid too fine: more than %d points per atom (radius %g A, spacing %g A)",
                             QDF_GRID_MAX_OFFSETS, radius, spacing);
                    return -1;
                }
                g->off[g->n][0] = x;
                g->off[g->n][1] = y;
                g->off[g->n][2] = z;
                g->n++;
            }
    if (g->n == 0) {
        snprintf(err, errlen, "grid has no points (radius %g A, spacing %g A)", radius, spacing);
        return -1;
    }
    return 0;
}

void qdf_grid_points(const qdf_grid *g, const double *xyz, int n_atoms, const double *F, double *out) {
    for (int a = 0; a < n_atoms; a++)
        for (int i = 0; i < g->n; i++) {
            const double *s = g->off[i];
            double *p = out + 3 * ((size_t)a * g->n + i);
            for (int c = 0; c < 3; c++)
                p[c] = xyz[3 * a + c] + (F ? F[3 * c + 0] * s[0] + F[3 * c + 1] * s[1] + F[3 * c + 2] * s[2] : s[c]);
        }
}
