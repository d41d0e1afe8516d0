/* model_io.c: see model_io.h. */
#include "model_io.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

#define FORMAT "qdf-model-1"

static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static int write_tensor(hid_t loc, const char *name, const qdf_tensor *t, const real *data) {
    hsize_t dims[2] = {(hsize_t)t->rows, (hsize_t)t->cols};
    float *buf = malloc(sizeof(float) * (qdf_numel(t) + 1));
    if (!buf) return -1;
    for (size_t i = 0; i < qdf_numel(t); i++) buf[i] = (float)data[i];
    const herr_t rc = H5LTmake_dataset_float(loc, name, 2, dims, buf);
    free(buf);
    return rc < 0 ? -1 : 0;
}

static int read_tensor(hid_t loc, const char *name, const qdf_tensor *t, real *data, char *why, int len) {
    int rank = 0;
    if (H5LTget_dataset_ndims(loc, name, &rank) < 0 || rank != 2) {
        snprintf(why, len, "missing or malformed dataset %s", name);
        return -1;
    }
    hsize_t dims[2];
    H5T_class_t cls;
    size_t sz;
    if (H5LTget_dataset_info(loc, name, dims, &cls, &sz) < 0 || dims[0] != (hsize_t)t->rows ||
        dims[1] != (hsize_t)t->cols) {
        snprintf(why, len, "dataset %s has shape %llux%llu, the model needs %dx%d", name,
                 (unsigned long long)dims[0], (unsigned long long)dims[1], t->rows, t->cols);
        return -1;
    }
    float *buf = malloc(sizeof(float) * (qdf_numel(t) + 1));
    if (!buf) return -1;
    if (H5LTread_dataset_float(loc, name, buf) < 0) {
        free(buf);
        snprintf(why, len, "cannot read dataset %s", name);
        return -1;
    }
    for (size_t i = 0; i < qdf_numel(t); i++) {
        if (!isfinite(buf[i])) {
            free(buf);
            snprintf(why, len, "dataset %s holds a non-finite value", name);
            return -1;
        }
        data[i] = (real)buf[i];
    }
    free(buf);
    return 0;
}

static int set_int(hid_t f, const char *name, int v) { return H5LTset_attribute_int(f, "/", name, &v, 1) < 0 ? -1 : 0; }
static int set_dbl(hid_t f, const char *name, double v) { return H5LTset_attribute_double(f, "/", name, &v, 1) < 0 ? -1 : 0; }
static int set_str(hid_t f, const char *name, const char *v) { return H5LTset_attribute_string(f, "/", name, v ? v : "") < 0 ? -1 : 0; }

int qdf_model_save(const char *path, const qdf_model *m, const qdf_train_state *st, const char *files,
                   const char *card, char *err, int errlen) {
    quiet_hdf5();
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot create (%s)", tmp, strerror(errno));
        return -1;
    }
    const qdf_hparams *hp = &m->hp;
    int rc = 0;
    char *types = malloc(QDF_BASIS_MAX_TYPES * QDF_TYPE_NAME_MAX + 1);
    qdf_basis_type_names(&m->basis, types, QDF_BASIS_MAX_TYPES * QDF_TYPE_NAME_MAX + 1);
    rc |= set_str(f, "format", FORMAT);
    rc |= set_str(f, "qdf_version", QDF_VERSION);
    rc |= set_str(f, "basis", hp->basis);
    rc |= set_dbl(f, "radius_A", hp->radius);
    rc |= set_dbl(f, "grid_interval_A", hp->grid_interval);
    rc |= set_int(f, "dim", hp->dim);
    rc |= set_int(f, "layer_functional", hp->layer_functional);
    rc |= set_int(f, "hidden_HK", hp->hidden_HK);
    rc |= set_int(f, "layer_HK", hp->layer_HK);
    rc |= set_str(f, "pooling", hp->pool_mean ? "mean" : "sum");
    rc |= set_int(f, "n_out", hp->n_out);
    rc |= set_int(f, "angular_p", hp->angular_p);
    rc |= set_str(f, "frame", hp->frame == QDF_FRAME_PRINCIPAL ? "principal" : "lab");
    rc |= set_str(f, "potential", qdf_potential_name(hp->potential));
    rc |= set_dbl(f, "coulomb_smear_A", hp->coulomb_smear);
    rc |= set_int(f, "orientations", hp->orientations);
    rc |= set_str(f, "target_name", m->target_name);
    rc |= set_str(f, "target_unit", m->target_unit);
    rc |= set_dbl(f, "target_scale", m->target_scale);
    rc |= set_int(f, "use_atomref", m->use_atomref);
    rc |= set_int(f, "min_atoms", m->min_atoms);
    rc |= set_int(f, "max_atoms", m->max_atoms);
    rc |= set_str(f, "orbital_types", types);
    rc |= set_str(f, "training_files", files);
    rc |= set_str(f, "card", card);
    free(types);
    int el[QDF_MAX_Z + 1], ne = 0;
    for (int z = 1; z <= QDF_MAX_Z; z++)
        if (m->elements[z]) el[ne++] = z;
    hsize_t d1 = (hsize_t)ne;
    rc |= H5LTmake_dataset_int(f, "/elements", 1, &d1, el) < 0;
    double ar[QDF_MAX_TARGETS * (QDF_MAX_Z + 1)];
    for (int j = 0; j < hp->n_out; j++)
        for (int z = 0; z <= QDF_MAX_Z; z++) ar[j * (QDF_MAX_Z + 1) + z] = m->atomref[j][z];
    hsize_t d2[2] = {(hsize_t)hp->n_out, QDF_MAX_Z + 1};
    rc |= H5LTmake_dataset_double(f, "/atomref_eV", 2, d2, ar) < 0;
    hid_t g = H5Gcreate2(f, "params", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    for (int i = 0; i < m->params.n; i++) rc |= write_tensor(g, m->params.p[i]->name, m->params.p[i], m->params.p[i]->data);
    H5Gclose(g);
    if (st) {
        hid_t t = H5Gcreate2(f, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (st->adam) {
            hid_t gm = H5Gcreate2(t, "adam_m", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            hid_t gv = H5Gcreate2(t, "adam_v", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            for (int i = 0; i < m->params.n; i++) {
                rc |= write_tensor(gm, m->params.p[i]->name, m->params.p[i], st->adam->m[i]);
                rc |= write_tensor(gv, m->params.p[i]->name, m->params.p[i], st->adam->v[i]);
            }
            H5Gclose(gm);
            H5Gclose(gv);
            long step = st->adam->step;
            rc |= H5LTset_attribute_long(t, ".", "adam_step", &step, 1) < 0;
            rc |= H5LTset_attribute_double(t, ".", "lr", &st->adam->lr, 1) < 0;
        }
        if (st->ema) {
            hid_t ge = H5Gcreate2(t, "ema", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            for (int i = 0; i < m->params.n; i++)
                rc |= write_tensor(ge, m->params.p[i]->name, m->params.p[i], st->ema->avg[i]);
            H5Gclose(ge);
            long upd = st->ema->updates;
            rc |= H5LTset_attribute_long(t, ".", "ema_updates", &upd, 1) < 0;
            rc |= H5LTset_attribute_double(t, ".", "ema_decay", &st->ema->decay, 1) < 0;
            long from = st->ema->uniform_from; /* -1: exponential; else the SWA start (ema.h) */
            rc |= H5LTset_attribute_long(t, ".", "ema_uniform_from", &from, 1) < 0;
        }
        hsize_t d4 = 4;
        rc |= H5LTmake_dataset(t, "rng_state", 1, &d4, H5T_NATIVE_UINT64, st->rng.s) < 0;
        rc |= H5LTmake_dataset(t, "epoch_rng_state", 1, &d4, H5T_NATIVE_UINT64, st->epoch_rng) < 0;
        rc |= H5LTmake_dataset_double(t, "epoch_sums", 1, &d4, st->acc) < 0;
        rc |= H5LTset_attribute_int(t, ".", "batch_pos", &st->batch_pos, 1) < 0;
        rc |= H5LTset_attribute_int(t, ".", "epoch", &st->epoch, 1) < 0;
        rc |= H5LTset_attribute_int(t, ".", "best_epoch", &st->best_epoch, 1) < 0;
        rc |= H5LTset_attribute_double(t, ".", "best_val_mae_eV", &st->best_val_mae, 1) < 0;
        rc |= H5LTset_attribute_double(t, ".", "elapsed_s", &st->elapsed_s, 1) < 0;
        H5Gclose(t);
    }
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) rc = -1;
    if (H5Fclose(f) < 0) rc = -1;
    if (rc) {
        unlink(tmp);
        snprintf(err, errlen, "%s: writing the model failed (disk full?); the previous file is kept", path);
        return -1;
    }
    /* fsync the data before the rename makes it visible */
    FILE *fp = fopen(tmp, "rb+");
    if (fp) {
        fflush(fp);
        fsync(fileno(fp));
        fclose(fp);
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: cannot rename the new model into place (%s)", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The H5LT readers fill caller buffers with the whole attribute / dataset and
 * write one dimension per rank into dims: check the shape before reading. */
/* 1 if attribute name of object obj holds exactly n elements with rank <= 1
 * (and, if fixed_str, is a fixed-length string). */
static int attr_shape_ok(hid_t loc, const char *obj, const char *name, hssize_t n, int fixed_str) {
    if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0) return 0;
    const hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return 0;
    const hid_t sp = H5Aget_space(a), ty = H5Aget_type(a);
    int ok = sp >= 0 && ty >= 0 && H5Sget_simple_extent_ndims(sp) <= 1 && H5Sget_simple_extent_npoints(sp) == n;
    if (ok && fixed_str) ok = H5Tget_class(ty) == H5T_STRING && H5Tis_variable_str(ty) == 0;
    if (ty >= 0) H5Tclose(ty);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(a);
    return ok;
}

/* 1 if dataset name (relative to loc) has rank 1 and exactly n elements. */
static int dset_len_ok(hid_t loc, const char *name, hsize_t n) {
    int rank = 0;
    hsize_t d[1];
    H5T_class_t cls;
    size_t sz;
    return H5LTget_dataset_ndims(loc, name, &rank) >= 0 && rank == 1 &&
           H5LTget_dataset_info(loc, name, d, &cls, &sz) >= 0 && d[0] == n;
}

static int get_int(hid_t f, const char *name, int *v, int lo, int hi, const char *path, char *err, int errlen) {
    if (!attr_shape_ok(f, "/", name, 1, 0) || H5LTget_attribute_int(f, "/", name, v) < 0) {
        snprintf(err, errlen, "%s: not a qdf model (attribute %s missing)", path, name);
        return -1;
    }
    if (*v < lo || *v > hi) {
        snprintf(err, errlen, "%s: attribute %s = %d out of range [%d, %d]", path, name, *v, lo, hi);
        return -1;
    }
    return 0;
}

static int get_dbl(hid_t f, const char *name, double *v, double lo, double hi, const char *path, char *err, int errlen) {
    if (!attr_shape_ok(f, "/", name, 1, 0) || H5LTget_attribute_double(f, "/", name, v) < 0) {
        snprintf(err, errlen, "%s: not a qdf model (attribute %s missing)", path, name);
        return -1;
    }
    if (!isfinite(*v) || *v < lo || *v > hi) {
        snprintf(err, errlen, "%s: attribute %s = %g out of range [%g, %g]", path, name, *v, lo, hi);
        return -1;
    }
    return 0;
}

/* String attribute into buf (truncated to len); "" if absent and optional. */
static int get_str(hid_t f, const char *name, char *buf, int len, int required, const char *path, char *err, int errlen) {
    buf[0] = '\0';
    hsize_t dims;
    H5T_class_t cls;
    size_t sz = 0;
    if (!attr_shape_ok(f, "/", name, 1, 1) || H5LTget_attribute_info(f, "/", name, &dims, &cls, &sz) < 0 ||
        cls != H5T_STRING) {
        if (!required) return 0;
        snprintf(err, errlen, "%s: not a qdf model (attribute %s missing)", path, name);
        return -1;
    }
    char *tmp = malloc(sz + 2);
    if (!tmp || H5LTget_attribute_string(f, "/", name, tmp) < 0) {
        free(tmp);
        snprintf(err, errlen, "%s: cannot read attribute %s", path, name);
        return -1;
    }
    tmp[sz] = '\0';
    snprintf(buf, len, "%s", tmp);
    free(tmp);
    return 0;
}

int qdf_model_load(const char *path, qdf_model *m, qdf_train_state *st, char *files, int files_len,
                   char *card, int card_len, char *err, int errlen) {
    quiet_hdf5();
    memset(m, 0, sizeof *m);
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: cannot open model (%s)", path, strerror(errno));
        return -1;
    }
    if (H5Fis_hdf5(path) <= 0) {
        snprintf(err, errlen, "%s: not an HDF5 file (truncated or not a model)", path);
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot open as HDF5 (truncated or damaged)", path);
        return -1;
    }
    int rc = -1;
    char s[256], types_file[QDF_BASIS_MAX_TYPES * QDF_TYPE_NAME_MAX + 1];
    char *types_model = malloc(sizeof types_file);
    qdf_hparams hp;
    qdf_hparams_default(&hp);
    int ne_, n_el = 0, elements[QDF_MAX_Z + 1];
    (void)ne_;
    if (get_str(f, "format", s, sizeof s, 1, path, err, errlen)) goto out;
    if (strcmp(s, FORMAT) != 0) {
        snprintf(err, errlen, "%s: model format '%s' is not %s", path, s, FORMAT);
        goto out;
    }
    if (get_str(f, "basis", hp.basis, sizeof hp.basis, 1, path, err, errlen)) goto out;
    if (get_dbl(f, "radius_A", &hp.radius, 0.05, 5, path, err, errlen)) goto out;
    if (get_dbl(f, "grid_interval_A", &hp.grid_interval, 0.01, 5, path, err, errlen)) goto out;
    if (get_int(f, "dim", &hp.dim, 1, 4096, path, err, errlen)) goto out;
    if (get_int(f, "layer_functional", &hp.layer_functional, 0, QDF_MAX_LAYERS, path, err, errlen)) goto out;
    if (get_int(f, "hidden_HK", &hp.hidden_HK, 1, 4096, path, err, errlen)) goto out;
    if (get_int(f, "layer_HK", &hp.layer_HK, 0, QDF_MAX_LAYERS, path, err, errlen)) goto out;
    if (get_int(f, "n_out", &hp.n_out, 1, QDF_MAX_TARGETS, path, err, errlen)) goto out;
    if (get_int(f, "angular_p", &hp.angular_p, 0, 1, path, err, errlen)) goto out;
    if (get_str(f, "pooling", s, sizeof s, 1, path, err, errlen)) goto out;
    hp.pool_mean = strcmp(s, "mean") == 0;
    if (get_str(f, "frame", s, sizeof s, 1, path, err, errlen)) goto out;
    hp.frame = strcmp(s, "lab") == 0 ? QDF_FRAME_LAB : QDF_FRAME_PRINCIPAL;
    if (get_str(f, "potential", s, sizeof s, 1, path, err, errlen)) goto out;
    if (qdf_potential_from_name(s) < 0) {
        snprintf(err, errlen, "%s: unknown potential '%s'", path, s);
        goto out;
    }
    hp.potential = qdf_potential_from_name(s);
    if (get_dbl(f, "coulomb_smear_A", &hp.coulomb_smear, 1e-3, 10, path, err, errlen)) goto out;
    /* files written before orientation averaging existed predict in one */
    if (H5Aexists_by_name(f, "/", "orientations", H5P_DEFAULT) > 0 &&
        get_int(f, "orientations", &hp.orientations, 1, QDF_MAX_ORIENTATIONS, path, err, errlen))
        goto out;
    {
        int rank;
        hsize_t d[2];
        H5T_class_t cls;
        size_t sz;
        if (H5LTget_dataset_ndims(f, "/elements", &rank) < 0 || rank != 1 ||
            H5LTget_dataset_info(f, "/elements", d, &cls, &sz) < 0 || d[0] < 1 || d[0] > QDF_MAX_Z) {
            snprintf(err, errlen, "%s: missing or malformed /elements", path);
            goto out;
        }
        n_el = (int)d[0];
        if (H5LTread_dataset_int(f, "/elements", elements) < 0) {
            snprintf(err, errlen, "%s: cannot read /elements", path);
            goto out;
        }
        for (int i = 0; i < n_el; i++)
            if (elements[i] < 1 || elements[i] > QDF_MAX_Z) {
                snprintf(err, errlen, "%s: /elements holds atomic number %d", path, elements[i]);
                goto out;
            }
    }
    if (qdf_model_init(m, &hp, elements, n_el, NULL, s, sizeof s) != 0) {
        snprintf(err, errlen, "%s: %s", path, s);
        goto out;
    }
    /* the orbital table must match the basis this code builds */
    if (get_str(f, "orbital_types", types_file, sizeof types_file, 1, path, err, errlen)) goto out;
    qdf_basis_type_names(&m->basis, types_model, sizeof types_file);
    if (strcmp(types_file, types_model) != 0) {
        snprintf(err, errlen, "%s: orbital table differs from basis %s for these elements (model from another qdf version?)",
                 path, hp.basis);
        goto out;
    }
    if (get_str(f, "target_name", m->target_name, sizeof m->target_name, 1, path, err, errlen)) goto out;
    if (get_str(f, "target_unit", m->target_unit, sizeof m->target_unit, 1, path, err, errlen)) goto out;
    if (get_dbl(f, "target_scale", &m->target_scale, 1e-12, 1e12, path, err, errlen)) goto out;
    if (get_int(f, "use_atomref", &m->use_atomref, 0, 1, path, err, errlen)) goto out;
    if (get_int(f, "min_atoms", &m->min_atoms, 0, QDF_MAX_ATOMS, path, err, errlen)) goto out;
    if (get_int(f, "max_atoms", &m->max_atoms, 0, QDF_MAX_ATOMS, path, err, errlen)) goto out;
    {
        hsize_t d[2];
        H5T_class_t cls;
        size_t sz;
        double ar[QDF_MAX_TARGETS * (QDF_MAX_Z + 1)];
        int rank = 0;
        if (H5LTget_dataset_ndims(f, "/atomref_eV", &rank) < 0 || rank != 2 ||
            H5LTget_dataset_info(f, "/atomref_eV", d, &cls, &sz) < 0 || d[0] != (hsize_t)hp.n_out ||
            d[1] != QDF_MAX_Z + 1 || H5LTread_dataset_double(f, "/atomref_eV", ar) < 0) {
            snprintf(err, errlen, "%s: missing or malformed /atomref_eV", path);
            goto out;
        }
        for (int j = 0; j < hp.n_out; j++)
            for (int z = 0; z <= QDF_MAX_Z; z++) {
                m->atomref[j][z] = ar[j * (QDF_MAX_Z + 1) + z];
                if (!isfinite(m->atomref[j][z])) {
                    snprintf(err, errlen, "%s: non-finite atomref", path);
                    goto out;
                }
            }
    }
    hid_t g = H5Gopen2(f, "params", H5P_DEFAULT);
    if (g < 0) {
        snprintf(err, errlen, "%s: no /params group", path);
        goto out;
    }
    for (int i = 0; i < m->params.n; i++)
        if (read_tensor(g, m->params.p[i]->name, m->params.p[i], m->params.p[i]->data, s, sizeof s)) {
            snprintf(err, errlen, "%s: %s", path, s);
            H5Gclose(g);
            goto out;
        }
    H5Gclose(g);
    if (files) get_str(f, "training_files", files, files_len, 0, path, err, errlen);
    if (card) get_str(f, "card", card, card_len, 0, path, err, errlen);
    if (st) {
        hid_t t = H5Gopen2(f, "train", H5P_DEFAULT);
        if (t < 0) {
            snprintf(err, errlen, "%s: no training state (a model file, not a checkpoint)", path);
            goto out;
        }
        int ok = attr_shape_ok(t, ".", "epoch", 1, 0) && attr_shape_ok(t, ".", "best_epoch", 1, 0) &&
                 attr_shape_ok(t, ".", "best_val_mae_eV", 1, 0) && attr_shape_ok(t, ".", "elapsed_s", 1, 0) &&
                 attr_shape_ok(t, ".", "batch_pos", 1, 0) && dset_len_ok(t, "rng_state", 4) &&
                 dset_len_ok(t, "epoch_rng_state", 4) && dset_len_ok(t, "epoch_sums", 4) &&
                 H5LTget_attribute_int(t, ".", "epoch", &st->epoch) >= 0 &&
                 H5LTget_attribute_int(t, ".", "best_epoch", &st->best_epoch) >= 0 &&
                 H5LTget_attribute_double(t, ".", "best_val_mae_eV", &st->best_val_mae) >= 0 &&
                 H5LTget_attribute_double(t, ".", "elapsed_s", &st->elapsed_s) >= 0 &&
                 H5LTread_dataset(t, "rng_state", H5T_NATIVE_UINT64, st->rng.s) >= 0 &&
                 H5LTread_dataset(t, "epoch_rng_state", H5T_NATIVE_UINT64, st->epoch_rng) >= 0 &&
                 H5LTread_dataset_double(t, "epoch_sums", st->acc) >= 0 &&
                 H5LTget_attribute_int(t, ".", "batch_pos", &st->batch_pos) >= 0 && st->epoch >= 0 &&
                 st->batch_pos >= 0;
        if (ok && st->adam) {
            long step = 0;
            ok = attr_shape_ok(t, ".", "adam_step", 1, 0) && H5LTget_attribute_long(t, ".", "adam_step", &step) >= 0;
            st->adam->step = step;
            hid_t gm = H5Gopen2(t, "adam_m", H5P_DEFAULT), gv = H5Gopen2(t, "adam_v", H5P_DEFAULT);
            for (int i = 0; ok && i < m->params.n; i++)
                ok = read_tensor(gm, m->params.p[i]->name, m->params.p[i], st->adam->m[i], s, sizeof s) == 0 &&
                     read_tensor(gv, m->params.p[i]->name, m->params.p[i], st->adam->v[i], s, sizeof s) == 0;
            if (gm >= 0) H5Gclose(gm);
            if (gv >= 0) H5Gclose(gv);
        }
        if (ok && st->ema && H5Lexists(t, "ema", H5P_DEFAULT) > 0) {
            long upd = 0;
            ok = attr_shape_ok(t, ".", "ema_updates", 1, 0) && H5LTget_attribute_long(t, ".", "ema_updates", &upd) >= 0 &&
                 upd >= 0;
            st->ema->updates = upd;
            /* checkpoints older than SWA have no start: exponential */
            long from = -1;
            if (ok && H5Aexists(t, "ema_uniform_from") > 0)
                ok = attr_shape_ok(t, ".", "ema_uniform_from", 1, 0) &&
                     H5LTget_attribute_long(t, ".", "ema_uniform_from", &from) >= 0 && from >= -1 && from <= upd;
            st->ema->uniform_from = from;
            hid_t ge = H5Gopen2(t, "ema", H5P_DEFAULT);
            for (int i = 0; ok && i < m->params.n; i++)
                ok = read_tensor(ge, m->params.p[i]->name, m->params.p[i], st->ema->avg[i], s, sizeof s) == 0;
            if (ge >= 0) H5Gclose(ge);
        }
        H5Gclose(t);
        if (!ok) {
            snprintf(err, errlen, "%s: damaged training state", path);
            goto out;
        }
    }
    rc = 0;
out:
    free(types_model);
    H5Fclose(f);
    if (rc) qdf_model_free(m);
    return rc;
}
