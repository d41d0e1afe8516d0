/* cmd_density.c: `qdf density`: the model's learned electron density of one
 * molecule on a regular box grid, as a Gaussian cube file (density_map.h,
 * cube.h). */
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "commands.h"
#include "cube.h"
#include "density_map.h"
#include "exitcodes.h"
#include "model_io.h"
#include "reader.h"


/* Largest box accepted (points): 400^3 doubles would be 0.5 GB. */
#define MAX_BOX_POINTS 40000000L

static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf density --model M MOL_FILE --cube out.cube [--spacing 0.2] [--margin 2.0] [--index K]\n\n"
        "The electron density learned by the model, rho(r) = sum_j psi_j(r)^2, of one molecule of\n"
        "MOL_FILE (txt, XYZ, extended XYZ, SDF, raw QM9), on a regular grid in a box around the\n"
        "molecule, written as a Gaussian cube file (bohr; values in electrons / bohr^3).\n"
        "The orbitals are normalised on the molecule's own grid field as in the model (the density\n"
        "sums to N_electrons over the field points); the cube holds rho / h^3 (h = the model's grid\n"
        "interval), converted to electrons per bohr^3. The field covers only spheres around the\n"
        "atoms, so the integral over the whole box exceeds N_electrons (printed; about 3x for a\n"
        "random model of water).\n\n"
        "  --model FILE      the model (.h5)\n"
        "  --cube FILE       the cube file to write (atomically)\n"
        "  --spacing A       box grid spacing, Angstrom (0.2)\n"
        "  --margin A        space around the atoms, Angstrom (2.0)\n"
        "  --index K         which molecule of the file, 1-based (1)\n"
        "  --threads N       OpenMP threads (default: all cores)\n\n"
        "exit codes: 0 ok, 2 usage, 3 unreadable input / no such molecule, 4 bad model, 5 cannot write\n");
}

int qdf_cmd_density(int argc, char **argv) {
    const char *model_path = NULL, *mol_path = NULL, *cube = NULL;
    double spacing = 0.2, margin = 2.0;
    int index = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const int takes = !strcmp(a, "--model") || !strcmp(a, "--cube") || !strcmp(a, "--spacing") ||
                          !strcmp(a, "--margin") || !strcmp(a, "--index") || !strcmp(a, "--threads");
        if (takes && !v) {
            fprintf(stderr, "qdf density: %s needs a value (see qdf density --help)\n", a);
            return QDF_EXIT_USAGE;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return QDF_EXIT_OK;
        } else if (!strcmp(a, "--model")) { model_path = v; i++;
        } else if (!strcmp(a, "--cube")) { cube = v; i++;
        } else if (!strcmp(a, "--spacing") || !strcmp(a, "--margin")) {
            if (qdf_parse_double("qdf density", a, v, a[2] == 's' ? &spacing : &margin)) return QDF_EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--index")) {
            if (qdf_parse_int("qdf density", a, v, 1, INT_MAX, &index)) return QDF_EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--threads")) {
            int nthr;
            if (qdf_parse_int("qdf density", a, v, 1, 1024, &nthr)) return QDF_EXIT_USAGE;
            omp_set_num_threads(nthr);
            i++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "qdf density: unknown option '%s' (see qdf density --help)\n", a);
            return QDF_EXIT_USAGE;
        } else if (!mol_path) {
            mol_path = a;
        } else {
            fprintf(stderr, "qdf density: one molecule file only ('%s' and '%s')\n", mol_path, a);
            return QDF_EXIT_USAGE;
        }
    }
    if (!model_path) model_path = qdf_default_model_path();
    if (!model_path || !mol_path || !cube) {
        fprintf(stderr, "qdf density: --model, a molecule file and --cube are required (see qdf density --help)\n");
        return QDF_EXIT_USAGE;
    }
    if (!(spacing >= 0.01 && spacing <= 5) || !(margin >= 0 && margin <= 50) || index < 1) {
        fprintf(stderr, "qdf density: --spacing must be 0.01-5 A, --margin 0-50 A, --index >= 1\n");
        return QDF_EXIT_USAGE;
    }

    char err[1024];
    qdf_model m;
    if (qdf_model_load(model_path, &m, NULL, NULL, 0, NULL, 0, err, sizeof err) != 0) {
        fprintf(stderr, "qdf density: %s\n", err);
        return QDF_EXIT_MODEL;
    }
    int rc = QDF_EXIT_OK;
    qdf_molecule mol;
    memset(&mol, 0, sizeof mol);
    double *pts = NULL, *rho = NULL;
    qdf_reader_opts ropts = {QDF_QM9_U0_ATOMIZATION};
    qdf_reader *r = qdf_reader_open(mol_path, QDF_FMT_AUTO, &ropts, err, sizeof err);
    if (!r) {
        fprintf(stderr, "qdf density: %s\n", err);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    int k = 0, got = 0;
    for (;;) {
        const int s = qdf_reader_next(r, &mol, err, sizeof err);
        if (s == 0) break;
        k++;   /* bad molecules count too: --index is the position in the file */
        if (s == -2) {
            fprintf(stderr, "qdf density: %s\n", err);
            break;
        }
        if (k == index) {
            if (s == 1) got = 1;
            else fprintf(stderr, "qdf density: %s\n", err);
            break;
        }
    }
    qdf_reader_close(r);
    if (!got) {
        if (k < index) fprintf(stderr, "qdf density: %s: no molecule #%d (the file has %d)\n", mol_path, index, k);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    qdf_box box = qdf_box_around(mol.z, mol.xyz, mol.n_atoms, margin, spacing);
    const long np = qdf_box_count(&box);
    if (np <= 0 || np > MAX_BOX_POINTS) {
        fprintf(stderr, "qdf density: the box has %ld points (limit %ld): use a larger --spacing\n", np,
                MAX_BOX_POINTS);
        rc = QDF_EXIT_USAGE;
        goto done;
    }
    pts = malloc(sizeof *pts * 3 * (size_t)np);
    rho = malloc(sizeof *rho * (size_t)np);
    if (!pts || !rho) {
        fprintf(stderr, "qdf density: out of memory for %ld points\n", np);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    qdf_box_points(&box, pts);
    if (qdf_density_on_points(&m, &mol, pts, (int)np, rho, err, sizeof err) != 0) {
        fprintf(stderr, "qdf density: %s\n", err);
        rc = QDF_EXIT_INPUT;
        goto done;
    }
    /* per field cell -> electrons / Angstrom^3 -> electrons / bohr^3 */
    const double b = QDF_CUBE_BOHR_ANGSTROM, to_bohr3 = b * b * b / qdf_grid_cell_volume(&m.grid);
    double sum = 0;
    for (long i = 0; i < np; i++) {
        sum += rho[i];
        rho[i] *= to_bohr3;
    }
    const double integral = sum * spacing * spacing * spacing / qdf_grid_cell_volume(&m.grid);
    char comment[512];
    snprintf(comment, sizeof comment, "qdf learned electron density (e/bohr^3) of %s; model %s", mol.id,
             model_path);
    if (qdf_cube_write(cube, comment, &box, mol.z, mol.xyz, mol.n_atoms, rho, err, sizeof err) != 0) {
        fprintf(stderr, "qdf density: %s\n", err);
        rc = QDF_EXIT_OUTPUT;
        goto done;
    }
    printf("%s: molecule %s (%d atoms, %d electrons), box %d x %d x %d points at %.3g A, "
           "integral of the density over the box %.3f electrons\n",
           cube, mol.id, mol.n_atoms, qdf_molecule_electrons(&mol), box.n[0], box.n[1], box.n[2], spacing,
           integral);
done:
    free(pts);
    free(rho);
    qdf_molecule_free(&mol);
    qdf_model_free(&m);
    return rc;
}
