/* cmd_info.c: `qdf info`: the model card of a model file (human-readable or JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_out.h"
#include "commands.h"
#include "elements.h"
#include "exitcodes.h"
#include "model_io.h"
#include "potential.h"


static void usage(FILE *f) {
    fprintf(f,
        "usage: qdf info [--model M] [--json]\n\n"
        "Prints the model card of a model file: target name and unit, training files, elements,\n"
        "atom-count range of the training molecules, the card text stored at training time\n"
        "(validation metrics, epochs, wall time), all hyperparameters, target handling (per-element\n"
        "reference energies in eV/atom, target scale in eV), the number of orbital types and of\n"
        "parameters, and the file size in bytes.\n\n"
        "options:\n"
        "  --model M   model file (default: the shipped models/default.h5, searched in\n"
        "              EXE_DIR/../share/qdf/models, the source tree, EXE_DIR/../models)\n"
        "  --json      one JSON object instead of text\n"
        "  --help      this text\n"
        "exit codes: 0 ok, 2 usage, 4 no model / bad model\n");
}

int qdf_cmd_info(int argc, char **argv) {
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return QDF_EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--model")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "qdf info: --model needs a value (see qdf info --help)\n");
                return QDF_EXIT_USAGE;
            }
            path = argv[++i];
        } else {
            fprintf(stderr, "qdf info: unknown argument '%s' (see qdf info --help)\n", argv[i]);
            return QDF_EXIT_USAGE;
        }
    }
    path = qdf_model_or_default(path, "info");
    if (!path) return QDF_EXIT_MODEL;
    static char files[8192], card[QDF_CARD_MAX];
    char err[4096];
    qdf_model *m = calloc(1, sizeof *m);
    if (qdf_model_load(path, m, NULL, files, sizeof files, card, sizeof card, err, sizeof err)) {
        fprintf(stderr, "qdf info: %s\n", err);
        free(m);
        return QDF_EXIT_MODEL;
    }
    struct stat sb;
    const long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    const qdf_hparams *hp = &m->hp;
    const size_t n_params = qdf_param_set_numel(&m->params);
    const char *pool = hp->pool_mean ? "mean" : "sum";
    const char *frame = hp->frame == QDF_FRAME_LAB ? "lab" : "principal";
    const char *pot = qdf_potential_name((qdf_potential_kind)hp->potential);
    if (!pot) pot = "?";
    FILE *f = stdout;

    if (json) {
        fprintf(f, "{\"path\": ");
        qdf_json_string(f, path);
        fprintf(f, ", \"file_size_bytes\": %lld, \"target_name\": ", size);
        qdf_json_string(f, m->target_name);
        fprintf(f, ", \"target_unit\": ");
        qdf_json_string(f, m->target_unit);
        fprintf(f, ", \"n_out\": %d, \"training_files\": [", hp->n_out);
        /* stored as one string; split on the separator used at training time */
        char tmp[sizeof files];
        snprintf(tmp, sizeof tmp, "%s", files);
        int first = 1;
        for (char *s = strtok(tmp, " \n"); s; s = strtok(NULL, " \n")) {
            if (!first) fputs(", ", f);
            qdf_json_string(f, s);
            first = 0;
        }
        fprintf(f, "], \"elements\": [");
        first = 1;
        for (int z = 1; z <= QDF_MAX_Z; z++)
            if (m->elements[z]) {
                if (!first) fputs(", ", f);
                qdf_json_string(f, qdf_element_symbol(z));
                first = 0;
            }
        fprintf(f, "], \"min_atoms\": %d, \"max_atoms\": %d, \"card\": ", m->min_atoms, m->max_atoms);
        qdf_json_string(f, card);
        fprintf(f, ", \"hyperparameters\": {\"basis\": ");
        qdf_json_string(f, hp->basis);
        fprintf(f,
                ", \"radius_A\": %g, \"grid_interval_A\": %g, \"dim\": %d, \"layer_functional\": %d, "
                "\"hidden_HK\": %d, \"layer_HK\": %d, \"pooling\": \"%s\", \"n_out\": %d, \"angular_p\": %s, "
                "\"frame\": \"%s\", \"potential\": \"%s\", \"coulomb_smear_A\": %g, \"orientations\": %d}",
                hp->radius, hp->grid_interval, hp->dim, hp->layer_functional, hp->hidden_HK, hp->layer_HK, pool,
                hp->n_out, hp->angular_p ? "true" : "false", frame, pot, hp->coulomb_smear, hp->orientations);
        fprintf(f, ", \"use_atomref\": %s, \"target_scale_eV\": %.17g, \"atomref_eV\": {",
                m->use_atomref ? "true" : "false", m->target_scale);
        first = 1;
        for (int z = 1; z <= QDF_MAX_Z; z++)
            if (m->elements[z]) {
                fprintf(f, "%s\"%s\": [", first ? "" : ", ", qdf_element_symbol(z));
                for (int j = 0; j < hp->n_out; j++) fprintf(f, "%s%.10g", j ? ", " : "", m->atomref[j][z]);
                fputc(']', f);
                first = 0;
            }
        fprintf(f, "}, \"orbital_types\": %d, \"parameters\": %zu}\n", m->basis.n_types, n_params);
    } else {
        fprintf(f, "model           %s (%lld bytes)\n", path, size);
        fprintf(f, "target          %s (%s), %d output%s\n", m->target_name, m->target_unit, hp->n_out,
                hp->n_out > 1 ? "s" : "");
        fprintf(f, "training files  %s\n", files[0] ? files : "(not recorded)");
        fprintf(f, "elements       ");
        for (int z = 1; z <= QDF_MAX_Z; z++)
            if (m->elements[z]) fprintf(f, " %s", qdf_element_symbol(z));
        fprintf(f, "\natoms           %d-%d per molecule in training\n", m->min_atoms, m->max_atoms);
        fprintf(f, "card            %s\n", card[0] ? card : "(none)");
        fprintf(f, "hyperparameters basis %s; radius %g A; grid interval %g A; dim %d; layer_functional %d;\n"
                   "                hidden_HK %d; layer_HK %d; pooling %s; angular_p %s; frame %s; potential %s",
                hp->basis, hp->radius, hp->grid_interval, hp->dim, hp->layer_functional, hp->hidden_HK,
                hp->layer_HK, pool, hp->angular_p ? "on" : "off", frame, pot);
        if (hp->potential == QDF_POT_COULOMB) fprintf(f, " (smear %g A)", hp->coulomb_smear);
        if (hp->orientations > 1) fprintf(f, "; energies averaged over %d grid orientations", hp->orientations);
        fprintf(f, "\ntarget handling atomref %s; scale %.6g eV\n", m->use_atomref ? "on" : "off", m->target_scale);
        if (m->use_atomref) {
            fprintf(f, "atomref eV/atom");
            for (int z = 1; z <= QDF_MAX_Z; z++)
                if (m->elements[z]) {
                    fprintf(f, " %s", qdf_element_symbol(z));
                    for (int j = 0; j < hp->n_out; j++) fprintf(f, "%s%.6f", j ? "/" : " ", m->atomref[j][z]);
                }
            fputc('\n', f);
        }
        fprintf(f, "orbital types   %d\n", m->basis.n_types);
        fprintf(f, "parameters      %zu\n", n_params);
    }
    qdf_model_free(m);
    free(m);
    return QDF_EXIT_OK;
}
