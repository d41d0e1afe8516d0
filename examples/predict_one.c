/* predict_one.c: the energy of water with the default qdf model, through the
 * library API. Build: cc predict_one.c $(pkg-config --cflags --libs qdf) */
#include <math.h>
#include <stdio.h>
#include <qdf/api.h>

int main(int argc, char **argv) {
    char err[512];
    qdf_model *m = qdf_open(argc > 1 ? argv[1] : NULL, err, sizeof err);
    if (!m) return fprintf(stderr, "%s\n", err), 1;
    qdf_molecule w = {0};
    const double xyz[9] = {0, 0, 0, 0.9572, 0, 0, -0.2400, 0.9266, 0}; /* O-H 0.9572 A, 104.5 deg */
    qdf_molecule_alloc(&w, 3);
    w.z[0] = 8, w.z[1] = w.z[2] = 1;
    for (int i = 0; i < 9; i++) w.xyz[i] = xyz[i];
    const double e = qdf_energy_ev(m, &w, err, sizeof err);
    if (isnan(e)) return fprintf(stderr, "%s\n", err), 1;
    printf("water: %.4f eV (%.2f kcal/mol)\n", e, e * 23.0605);
    qdf_molecule_free(&w);
    qdf_close(m);
    return 0;
}
