/* molecules.c: see molecules.h. */
#include "molecules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rng.h"

static void set(qdf_molecule *m, const char *id, int n, const int *z, const double *xyz) {
    memset(m, 0, sizeof *m);
    qdf_molecule_alloc(m, n);
    snprintf(m->id, sizeof m->id, "%s", id);
    memcpy(m->z, z, sizeof(int) * n);
    memcpy(m->xyz, xyz, sizeof(double) * 3 * n);
}

void tm_water(qdf_molecule *m) {
    const double r = 0.9572, th = 104.52 * M_PI / 180;
    const int z[] = {8, 1, 1};
    const double x[] = {0, 0, 0, r, 0, 0, r * cos(th), r * sin(th), 0};
    set(m, "water", 3, z, x);
}

void tm_methane(qdf_molecule *m) {
    const double a = 1.087 / sqrt(3);
    const int z[] = {6, 1, 1, 1, 1};
    const double x[] = {0, 0, 0, a, a, a, -a, -a, a, -a, a, -a, a, -a, -a};
    set(m, "methane", 5, z, x);
}

void tm_hcn(qdf_molecule *m) {
    const int z[] = {1, 6, 7};
    const double x[] = {0, 0, -1.066, 0, 0, 0, 0, 0, 1.153};
    set(m, "hcn", 3, z, x);
}

void tm_benzene(qdf_molecule *m) {
    int z[12];
    double x[36];
    for (int i = 0; i < 6; i++) {
        const double t = i * M_PI / 3;
        z[i] = 6;
        z[6 + i] = 1;
        x[3 * i] = 1.397 * cos(t), x[3 * i + 1] = 1.397 * sin(t), x[3 * i + 2] = 0;
        x[18 + 3 * i] = 2.481 * cos(t), x[18 + 3 * i + 1] = 2.481 * sin(t), x[18 + 3 * i + 2] = 0;
    }
    set(m, "benzene", 12, z, x);
}

void tm_ethanol(qdf_molecule *m) {
    const int z[] = {6, 6, 8, 1, 1, 1, 1, 1, 1};
    const double x[] = {-1.168, -0.222, 0.000, 0.247, 0.390, 0.000, 1.156, -0.707, 0.000,
                        -1.905, 0.584, 0.000, -1.296, -0.851, 0.882, -1.296, -0.851, -0.882,
                        0.391, 1.022, 0.885,  0.391, 1.022, -0.885, 2.050, -0.344, 0.000};
    set(m, "ethanol", 9, z, x);
}

void tm_transform(qdf_molecule *m, const double R[9], const double t[3]) {
    for (int a = 0; a < m->n_atoms; a++) {
        double *p = m->xyz + 3 * a, q[3];
        for (int i = 0; i < 3; i++) q[i] = R[3 * i] * p[0] + R[3 * i + 1] * p[1] + R[3 * i + 2] * p[2] + t[i];
        memcpy(p, q, sizeof q);
    }
}

void tm_random_rotation(unsigned long seed, double R[9]) {
    /* a uniformly random unit quaternion */
    qdf_rng r;
    qdf_rng_seed(&r, seed);
    double q[4], n = 0;
    for (int i = 0; i < 4; i++) {
        q[i] = qdf_rng_normal(&r);
        n += q[i] * q[i];
    }
    n = sqrt(n);
    const double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
    const double M[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                         2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                         2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)};
    memcpy(R, M, sizeof M);
}
