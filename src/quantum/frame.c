/* frame.c: see frame.h. */
#include "frame.h"

#include <math.h>
#include <string.h>

#include "rng.h"

void qdf_frame_identity(double F[9]) {
    memset(F, 0, 9 * sizeof(double));
    F[0] = F[4] = F[8] = 1;
}

void qdf_frame_random_rotation(qdf_rng *r, double R[9]) {
    double q[4], n2 = 0;
    do {
        n2 = 0;
        for (int k = 0; k < 4; k++) {
            q[k] = qdf_rng_normal(r);
            n2 += q[k] * q[k];
        }
    } while (n2 < 1e-12);
    const double s = 1 / sqrt(n2), w = q[0] * s, x = q[1] * s, y = q[2] * s, z = q[3] * s;
    R[0] = 1 - 2 * (y * y + z * z), R[1] = 2 * (x * y - w * z), R[2] = 2 * (x * z + w * y);
    R[3] = 2 * (x * y + w * z), R[4] = 1 - 2 * (x * x + z * z), R[5] = 2 * (y * z - w * x);
    R[6] = 2 * (x * z - w * y), R[7] = 2 * (y * z + w * x), R[8] = 1 - 2 * (x * x + y * y);
}

void qdf_frame_orientation(int k, double R[9]) {
    if (k <= 0) {
        qdf_frame_identity(R);
        return;
    }
    qdf_rng r;
    qdf_rng_seed(&r, 0x51444F5249454E54ULL + (uint64_t)k);
    qdf_frame_random_rotation(&r, R);
}

void qdf_eigen_sym3(const double A[9], double w[3], double V[9]) {
    double a[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) a[i][j] = A[3 * i + j];
    double v[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    for (int sweep = 0; sweep < 64; sweep++) {
        const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        const double diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
        if (off <= 1e-30 * (diag + 1e-300)) break;
        for (int p = 0; p < 2; p++)
            for (int q = p + 1; q < 3; q++) {
                if (a[p][q] == 0) continue;
                const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                const double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                const double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < 3; k++) { /* A <- J^T A J */
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++) {
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 3; k++) {
                    const double vkp = v[k][p], vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
    }
    int idx[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (a[idx[j]][idx[j]] > a[idx[i]][idx[i]]) {
                const int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
    for (int i = 0; i < 3; i++) {
        w[i] = a[idx[i]][idx[i]];
        for (int k = 0; k < 3; k++) V[3 * k + i] = v[k][idx[i]];
    }
}

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static void cross3(const double *a, const double *b, double *c) {
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}
static int normalize3(double *a) {
    const double n = sqrt(dot3(a, a));
    if (n < 1e-12) return -1;
    for (int i = 0; i < 3; i++) a[i] /= n;
    return 0;
}

/* Atoms in order of decreasing Z, then input order. */
static void heavy_first_order(const int *z, int n, int *order) {
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++) { /* stable insertion sort */
        const int t = order[i];
        int j = i - 1;
        while (j >= 0 && z[order[j]] < z[t]) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = t;
    }
}

/* Sign of axis e: third moment, else the first atom (input order) with a
 * clear projection. */
static void fix_sign(const int *z, const double *d, int n, double *e, double scale) {
    double m3 = 0, norm3 = 0;
    for (int a = 0; a < n; a++) {
        const double p = dot3(d + 3 * a, e);
        m3 += z[a] * p * p * p;
        norm3 += z[a] * fabs(p * p * p);
    }
    double s = 0;
    if (fabs(m3) > 1e-3 * norm3 && fabs(m3) > 1e-9) {
        s = m3;
    } else {
        for (int a = 0; a < n && s == 0; a++) {
            const double p = dot3(d + 3 * a, e);
            if (fabs(p) > 1e-3 * scale + 1e-6) s = p;
        }
    }
    if (s < 0)
        for (int i = 0; i < 3; i++) e[i] = -e[i];
}

/* The first atom (heavy first) whose part perpendicular to the unit vectors
 * in perp[0..np-1] is clearly non-zero; its normalised perpendicular part. */
static int atom_direction(const int *order, const double *d, int n, const double (*perp)[3], int np,
                          double scale, double *out) {
    for (int i = 0; i < n; i++) {
        const double *x = d + 3 * order[i];
        double v[3] = {x[0], x[1], x[2]};
        for (int k = 0; k < np; k++) {
            const double p = dot3(v, perp[k]);
            for (int c = 0; c < 3; c++) v[c] -= p * perp[k][c];
        }
        if (sqrt(dot3(v, v)) > 1e-2 * scale + 1e-6) {
            normalize3(v);
            memcpy(out, v, sizeof v);
            return 0;
        }
    }
    return -1;
}

void qdf_frame_principal(const int *z, const double *xyz, int n, double F[9]) {
    qdf_frame_identity(F);
    if (n < 2) return;
    double c[3] = {0, 0, 0}, zs = 0;
    for (int a = 0; a < n; a++) {
        zs += z[a];
        for (int k = 0; k < 3; k++) c[k] += z[a] * xyz[3 * a + k];
    }
    for (int k = 0; k < 3; k++) c[k] /= zs;
    double d[3 * 400 + 3];
    double T[9] = {0}, scale = 0;
    const int nn = n > 400 ? 400 : n;
    for (int a = 0; a < nn; a++) {
        for (int k = 0; k < 3; k++) d[3 * a + k] = xyz[3 * a + k] - c[k];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) T[3 * i + j] += z[a] * d[3 * a + i] * d[3 * a + j];
        const double r = sqrt(dot3(d + 3 * a, d + 3 * a));
        if (r > scale) scale = r;
    }
    double w[3], V[9];
    qdf_eigen_sym3(T, w, V);
    double e[3][3];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) e[i][k] = V[3 * k + i];
    const double tol = QDF_FRAME_DEGEN_TOL * w[0] + 1e-6;
    const int deg01 = w[0] - w[1] < tol, deg12 = w[1] - w[2] < tol;
    int order[400];
    heavy_first_order(z, nn, order);
    double u[3][3];
    if (!deg01 && !deg12) {
        fix_sign(z, d, nn, e[0], scale);
        fix_sign(z, d, nn, e[1], scale);
        memcpy(u[0], e[0], sizeof u[0]);
        memcpy(u[1], e[1], sizeof u[1]);
    } else if (deg01 && deg12) {
        /* spherical top: two atom directions */
        if (atom_direction(order, d, nn, NULL, 0, scale, u[0]) != 0) return;
        if (atom_direction(order, d, nn, (const double (*)[3])u, 1, scale, u[1]) != 0) {
            /* all atoms on one line through the centre: fall back below */
            double lab[3] = {0, 0, 0};
            int best = 0;
            for (int k = 1; k < 3; k++)
                if (fabs(u[0][k]) < fabs(u[0][best])) best = k;
            lab[best] = 1;
            const double p = dot3(lab, u[0]);
            for (int k = 0; k < 3; k++) u[1][k] = lab[k] - p * u[0][k];
            normalize3(u[1]);
        }
    } else {
        /* one unique axis: e[2] (oblate, deg01) or e[0] (prolate, deg12) */
        double *ax = deg01 ? e[2] : e[0];
        fix_sign(z, d, nn, ax, scale);
        double in_plane[3];
        const double axis[1][3] = {{ax[0], ax[1], ax[2]}};
        if (atom_direction(order, d, nn, axis, 1, scale, in_plane) != 0) {
            /* linear molecule: the lab axis least aligned with the molecular axis */
            double lab[3] = {0, 0, 0};
            int best = 0;
            for (int k = 1; k < 3; k++)
                if (fabs(ax[k]) < fabs(ax[best])) best = k;
            lab[best] = 1;
            const double p = dot3(lab, ax);
            for (int k = 0; k < 3; k++) in_plane[k] = lab[k] - p * ax[k];
            normalize3(in_plane);
        }
        if (deg12) { /* prolate: unique axis first */
            memcpy(u[0], ax, sizeof u[0]);
            memcpy(u[1], in_plane, sizeof u[1]);
        } else {     /* oblate: the plane first, unique axis third */
            memcpy(u[0], in_plane, sizeof u[0]);
            cross3(ax, in_plane, u[1]);
        }
    }
    cross3(u[0], u[1], u[2]);
    normalize3(u[2]);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) F[3 * k + i] = u[i][k];
}
