/* test_model_io.c: model files and checkpoints (src/train/model_io.h).
 *  - save + load gives bit-identical parameters, the same hyperparameters and
 *    target handling, and a bit-identical energy for a molecule;
 *  - a checkpoint round-trips the Adam moments and step, the rng state and the
 *    bookkeeping (epoch, best MAE and epoch, elapsed time);
 *  - bad files give -1 and a message naming the file, never a crash: a text
 *    file named .h5, a real model truncated to half its size, a missing file,
 *    a model whose orbital table is not the one this code builds for its basis,
 *    and a model file (no training state) loaded as a checkpoint.
 * Files are written under a fresh mkdtemp directory, removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_io.h"
#include "molecules.h"
#include "ops.h"
#include "testutil.h"

static char DIR_[256];

static void path_in_dir(char *buf, size_t len, const char *name) { snprintf(buf, len, "%s/%s", DIR_, name); }

static int setup_dir(void **st) {
    (void)st;
    snprintf(DIR_, sizeof DIR_, "/tmp/qdf_model_io_XXXXXX");
    return mkdtemp(DIR_) ? 0 : -1;
}

static int teardown_dir(void **st) {
    (void)st;
    static const char *files[] = {"model.h5", "ckpt.h5", "text.h5", "half.h5", "otherbasis.h5", "orient.h5", "model.h5.tmp"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_in_dir(p, sizeof p, files[i]);
        unlink(p);
    }
    return rmdir(DIR_);
}

/* A small model with non-default settings everywhere, so that a field the file
 * forgot would show. */
static void make_model(qdf_model *m, qdf_rng *r) {
    qdf_hparams hp;
    qdf_hparams_default(&hp);
    snprintf(hp.basis, sizeof hp.basis, "3-21G");
    hp.radius = 0.8;
    hp.grid_interval = 0.35;
    hp.dim = 12;
    hp.layer_functional = 2;
    hp.hidden_HK = 7;
    hp.layer_HK = 1;
    hp.pool_mean = 1;
    hp.n_out = 2;
    hp.angular_p = 1;
    hp.frame = QDF_FRAME_PRINCIPAL;
    hp.potential = QDF_POT_COULOMB;
    hp.coulomb_smear = 0.25;
    hp.orientations = 5;
    const int el[] = {1, 6, 7, 8};
    char err[256];
    qdf_rng_seed(r, 42);
    assert_int_equal(qdf_model_init(m, &hp, el, 4, r, err, sizeof err), 0);
    for (int t = 0; t < m->basis.n_types; t++) m->zeta->data[t] = (real)(0.4 + 0.13 * (t % 5));
    m->use_atomref = 1;
    m->target_scale = 0.37;
    for (int j = 0; j < hp.n_out; j++)
        for (int z = 1; z <= QDF_MAX_Z; z++) m->atomref[j][z] = -13.6 * z * (j + 1) + 0.001 * z * z;
    snprintf(m->target_name, sizeof m->target_name, "U0,gap");
    snprintf(m->target_unit, sizeof m->target_unit, "eV");
    m->min_atoms = 3;
    m->max_atoms = 29;
}

static void assert_hparams_equal(const qdf_hparams *a, const qdf_hparams *b) {
    assert_string_equal(a->basis, b->basis);
    assert_true(a->radius == b->radius);
    assert_true(a->grid_interval == b->grid_interval);
    assert_int_equal(a->dim, b->dim);
    assert_int_equal(a->layer_functional, b->layer_functional);
    assert_int_equal(a->hidden_HK, b->hidden_HK);
    assert_int_equal(a->layer_HK, b->layer_HK);
    assert_int_equal(a->pool_mean, b->pool_mean);
    assert_int_equal(a->n_out, b->n_out);
    assert_int_equal(a->angular_p, b->angular_p);
    assert_int_equal(a->frame, b->frame);
    assert_int_equal(a->potential, b->potential);
    assert_true(a->coulomb_smear == b->coulomb_smear);
    assert_int_equal(a->orientations, b->orientations);
}

static void assert_models_equal(const qdf_model *a, const qdf_model *b) {
    assert_hparams_equal(&a->hp, &b->hp);
    assert_int_equal(a->basis.n_types, b->basis.n_types);
    assert_int_equal(a->params.n, b->params.n);
    for (int k = 0; k < a->params.n; k++) {
        const qdf_tensor *p = a->params.p[k], *q = b->params.p[k];
        assert_string_equal(p->name, q->name);
        assert_int_equal(p->rows, q->rows);
        assert_int_equal(p->cols, q->cols);
        assert_memory_equal(p->data, q->data, sizeof(real) * qdf_numel(p));   /* bit-identical */
    }
    assert_int_equal(a->use_atomref, b->use_atomref);
    assert_true(a->target_scale == b->target_scale);
    for (int j = 0; j < a->hp.n_out; j++)
        for (int z = 0; z <= QDF_MAX_Z; z++) assert_true(a->atomref[j][z] == b->atomref[j][z]);
    assert_string_equal(a->target_name, b->target_name);
    assert_string_equal(a->target_unit, b->target_unit);
    for (int z = 0; z <= QDF_MAX_Z; z++) assert_int_equal(a->elements[z], b->elements[z]);
    assert_int_equal(a->min_atoms, b->min_atoms);
    assert_int_equal(a->max_atoms, b->max_atoms);
}

/* Model output rows of a molecule (no gradients), into E[n_out]. */
static void energy(qdf_model *m, const qdf_molecule *mol, real *E) {
    assert_int_equal(tu_energy_rows(m, mol, NULL, E), 0);
}

static void test_model_roundtrip(void **st) {
    (void)st;
    qdf_model a, b;
    qdf_rng r;
    make_model(&a, &r);
    char path[512], err[512], files[256], card[QDF_CARD_MAX];
    path_in_dir(path, sizeof path, "model.h5");
    assert_int_equal(qdf_model_save(path, &a, NULL, "train.xyz valid.xyz", "MAE 0.1 eV", err, sizeof err), 0);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);   /* renamed into place */
    assert_int_equal(qdf_model_load(path, &b, NULL, files, sizeof files, card, sizeof card, err, sizeof err), 0);
    assert_models_equal(&a, &b);
    assert_string_equal(files, "train.xyz valid.xyz");
    assert_string_equal(card, "MAE 0.1 eV");

    qdf_molecule w;
    tm_water(&w);
    real ea[QDF_MAX_TARGETS], eb[QDF_MAX_TARGETS];
    energy(&a, &w, ea);
    energy(&b, &w, eb);
    for (int j = 0; j < a.hp.n_out; j++) {
        assert_true(isfinite(ea[j]));
        assert_memory_equal(&ea[j], &eb[j], sizeof(real));
        assert_true(qdf_model_energy_ev(&a, &w, ea, j) == qdf_model_energy_ev(&b, &w, eb, j));
    }
    printf("energy of water before/after save+load: %.9g / %.9g (model units), %.9g eV\n", (double)ea[0],
           (double)eb[0], qdf_model_energy_ev(&b, &w, eb, 0));

    /* saving over an existing file replaces it */
    a.params.p[1]->data[0] += 1;
    assert_int_equal(qdf_model_save(path, &a, NULL, NULL, NULL, err, sizeof err), 0);
    qdf_model_free(&b);
    assert_int_equal(qdf_model_load(path, &b, NULL, files, sizeof files, NULL, 0, err, sizeof err), 0);
    assert_models_equal(&a, &b);
    assert_string_equal(files, "");
    qdf_molecule_free(&w);
    qdf_model_free(&a);
    qdf_model_free(&b);
}

/* Two Adam steps from a real loss, so that the moments are non-trivial. */
static void train_two_steps(qdf_model *m, qdf_adam *opt) {
    qdf_molecule w, c;
    tm_water(&w);
    tm_methane(&c);
    w.n_targets = c.n_targets = 2;
    w.target[0] = -10, w.target[1] = 1;
    c.target[0] = -17, c.target[1] = 2;
    const qdf_molecule *mols[2] = {&w, &c};
    qdf_ctx *ctx = qdf_ctx_new(1 << 20);
    char err[256];
    for (int step = 0; step < 2; step++) {
        qdf_ctx_reset(ctx);
        qdf_param_set_zero_grad(&m->params);
        qdf_field f;
        assert_int_equal(qdf_field_build(ctx, &f, mols, 2, &m->basis, &m->grid, m->hp.frame, err, sizeof err), 0);
        qdf_forward_out o;
        qdf_model_forward(ctx, m, &f, 1, 1, &o);
        real *t = qdf_ctx_alloc(ctx, sizeof(real) * 4);
        for (int s = 0; s < 2; s++)
            for (int j = 0; j < 2; j++) t[2 * s + j] = (real)qdf_model_target(m, mols[s], j);
        real *vt = qdf_ctx_alloc(ctx, sizeof(real) * f.n_points);
        qdf_potential_eval(&f, m->hp.potential, m->hp.coulomb_smear, vt);
        qdf_tensor *le = qdf_mse(ctx, o.E, qdf_tensor_wrap(ctx, 2, 2, t));
        qdf_tensor *lv = qdf_mse(ctx, o.V, qdf_tensor_wrap(ctx, f.n_points, 1, vt));
        qdf_backward(ctx, le);
        qdf_backward(ctx, lv);
        qdf_adam_step(opt, &m->params);
    }
    qdf_ctx_free(ctx);
    qdf_molecule_free(&w);
    qdf_molecule_free(&c);
}

static void test_checkpoint_roundtrip(void **st) {
    (void)st;
    qdf_model a, b;
    qdf_rng r;
    make_model(&a, &r);
    qdf_adam oa, ob;
    qdf_adam_init(&oa, &a.params, 3e-3);
    train_two_steps(&a, &oa);
    for (int i = 0; i < 5; i++) qdf_rng_next(&r);
    qdf_train_state sa;
    memset(&sa, 0, sizeof sa);
    sa.adam = &oa, sa.rng = r, sa.epoch = 17, sa.best_val_mae = 0.0421, sa.best_epoch = 12, sa.elapsed_s = 3600.5;

    char path[512], err[512];
    path_in_dir(path, sizeof path, "ckpt.h5");
    assert_int_equal(qdf_model_save(path, &a, &sa, "train.xyz", NULL, err, sizeof err), 0);

    /* the moments to restore into must be laid out for the loaded model's
     * parameters: the same hyperparameters give the same shapes */
    qdf_adam_init(&ob, &a.params, 3e-3);
    qdf_train_state sb;
    memset(&sb, 0, sizeof sb);
    sb.adam = &ob;
    assert_int_equal(qdf_model_load(path, &b, &sb, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_models_equal(&a, &b);
    assert_int_equal(ob.step, 2);
    assert_int_equal(ob.step, oa.step);
    assert_int_equal(ob.n, oa.n);
    int nonzero = 0;
    for (int k = 0; k < oa.n; k++) {
        const size_t n = qdf_numel(a.params.p[k]);
        assert_memory_equal(oa.m[k], ob.m[k], sizeof(real) * n);
        assert_memory_equal(oa.v[k], ob.v[k], sizeof(real) * n);
        for (size_t i = 0; i < n; i++) nonzero += oa.m[k][i] != 0;
    }
    assert_true(nonzero > 0);
    assert_memory_equal(sb.rng.s, sa.rng.s, sizeof sa.rng.s);
    assert_true(qdf_rng_next(&sb.rng) == qdf_rng_next(&r));   /* the same stream continues */
    assert_int_equal(sb.epoch, 17);
    assert_true(sb.best_val_mae == 0.0421);
    assert_int_equal(sb.best_epoch, 12);
    assert_true(sb.elapsed_s == 3600.5);

    /* a model file has no training state: loading it as a checkpoint fails */
    char mpath[512];
    path_in_dir(mpath, sizeof mpath, "model.h5");
    assert_int_equal(qdf_model_save(mpath, &a, NULL, NULL, NULL, err, sizeof err), 0);
    qdf_model c;
    err[0] = 0;
    assert_int_equal(qdf_model_load(mpath, &c, &sb, NULL, 0, NULL, 0, err, sizeof err), -1);
    printf("model file as checkpoint: %s\n", err);
    assert_non_null(strstr(err, mpath));
    qdf_model_free(&c);   /* safe after a failed load */

    qdf_adam_free(&oa);
    qdf_adam_free(&ob);
    qdf_model_free(&a);
    qdf_model_free(&b);
}

static void expect_load_error(const char *path, const char *what) {
    qdf_model m;
    char err[1024] = "";
    memset(&m, 0xab, sizeof m);   /* the loader must not rely on a zeroed struct */
    assert_int_equal(qdf_model_load(path, &m, NULL, NULL, 0, NULL, 0, err, sizeof err), -1);
    printf("%-28s -> %s\n", what, err);
    assert_non_null(strstr(err, path));
    assert_null(strchr(err, '\n'));
    assert_int_equal(m.params.n, 0);
    qdf_model_free(&m);
}

static void copy_prefix(const char *from, const char *to, long n) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    long left = n;
    while (left > 0) {
        const size_t k = fread(buf, 1, left < (long)sizeof buf ? (size_t)left : sizeof buf, in);
        if (k == 0) break;
        assert_int_equal(fwrite(buf, 1, k, out), k);
        left -= (long)k;
    }
    fclose(in);
    fclose(out);
}

static void test_load_errors(void **st) {
    (void)st;
    char path[512], err[512];

    /* a missing file */
    path_in_dir(path, sizeof path, "missing.h5");
    expect_load_error(path, "missing file");

    /* a text file named .h5 */
    path_in_dir(path, sizeof path, "text.h5");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a model\n1 2 3\n", f);
    fclose(f);
    expect_load_error(path, "text file named .h5");

    /* a real model truncated to half its size */
    qdf_model a;
    qdf_rng r;
    make_model(&a, &r);
    char full[512];
    path_in_dir(full, sizeof full, "model.h5");
    assert_int_equal(qdf_model_save(full, &a, NULL, NULL, NULL, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(full, &sb), 0);
    path_in_dir(path, sizeof path, "half.h5");
    copy_prefix(full, path, (long)sb.st_size / 2);
    expect_load_error(path, "model truncated to half");
    /* and elsewhere: the header only, most of it, all but the last byte */
    const long cuts[] = {0, 8, 512, (long)sb.st_size * 9 / 10, (long)sb.st_size - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "truncated to %ld of %ld bytes", cuts[i], (long)sb.st_size);
        copy_prefix(full, path, cuts[i]);
        expect_load_error(path, what);
    }

    /* a model whose orbital table is not what this code builds for its basis
     * and elements (a model from another qdf version) */
    path_in_dir(path, sizeof path, "otherbasis.h5");
    assert_int_equal(qdf_model_save(path, &a, NULL, NULL, NULL, err, sizeof err), 0);
    hid_t h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h >= 0);
    assert_true(H5LTset_attribute_string(h, "/", "orbital_types", "H-1s-0 H-1s-1 C-1s-0") >= 0);
    H5Fclose(h);
    expect_load_error(path, "foreign orbital table");

    /* and a basis name this code does not know */
    h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h >= 0);
    assert_true(H5LTset_attribute_string(h, "/", "basis", "9-99Z") >= 0);
    H5Fclose(h);
    expect_load_error(path, "unknown basis");

    /* orientations: out of range is an error; a file written before the
     * attribute existed loads with 1 */
    path_in_dir(path, sizeof path, "orient.h5");
    assert_int_equal(qdf_model_save(path, &a, NULL, NULL, NULL, err, sizeof err), 0);
    h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h >= 0);
    const int zero = 0;
    assert_true(H5LTset_attribute_int(h, "/", "orientations", &zero, 1) >= 0);
    H5Fclose(h);
    expect_load_error(path, "orientations 0");
    h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(H5Adelete(h, "orientations") >= 0);
    H5Fclose(h);
    qdf_model old;
    assert_int_equal(qdf_model_load(path, &old, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_int_equal(old.hp.orientations, 1);
    qdf_model_free(&old);

    /* the good file still loads after all that */
    qdf_model b;
    assert_int_equal(qdf_model_load(full, &b, NULL, NULL, 0, NULL, 0, err, sizeof err), 0);
    assert_models_equal(&a, &b);
    qdf_model_free(&a);
    qdf_model_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_roundtrip),
        cmocka_unit_test(test_checkpoint_roundtrip),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
