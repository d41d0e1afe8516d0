/* test_train_steps.c: 100 training steps of a small QDF model (issue 2: no
 * leak under ASan over 100 steps, no system allocation in the steady state)
 * on small molecules whose targets are a smooth function of their atoms; the
 * energy loss must fall. Under the sanitizer build (.ci/sanitize.sh) this
 * test is the leak check of the training loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "molecules.h"
#include "train.h"
#include "testutil.h"

static void test_hundred_steps(void **st) {
    (void)st;
    qdf_molecule mols[4];
    tm_water(&mols[0]);
    tm_methane(&mols[1]);
    tm_hcn(&mols[2]);
    tm_ethanol(&mols[3]);
    for (int i = 0; i < 4; i++) {
        mols[i].n_targets = 1;
        mols[i].target[0] = -2.0 * mols[i].n_atoms + 0.5 * i; /* made-up energies, eV */
    }
    qdf_model m;
    assert_int_equal(tu_small_model(&m, 16, 16, 2, 2, 5), 0);
    m.target_scale = 10;
    qdf_adam opt;
    qdf_adam_init(&opt, &m.params, 3e-3);
    qdf_ctx *fctx = qdf_ctx_new(1 << 20), *ctx = qdf_ctx_new(4 << 20);
    const qdf_molecule *batch[4] = {&mols[0], &mols[1], &mols[2], &mols[3]};
    double first = 0, last = 0, lv, ae;
    size_t allocs_after_warmup = 0;
    for (int step = 0; step < 100; step++) {
        const double l = qdf_train_step(fctx, ctx, &m, &opt, 0, batch, 4, NULL, 0, 0, &lv, &ae, NULL);
        assert_true(l == l && lv == lv); /* finite */
        if (step == 0) first = l;
        if (step >= 95) last += l / 5;
        if (step == 2) allocs_after_warmup = ctx->arena.n_system_allocs + fctx->arena.n_system_allocs;
    }
    printf("  energy loss: first step %.4g, mean of the last five %.4g\n", first, last);
    assert_true(last < 0.1 * first);
    assert_int_equal(ctx->arena.n_system_allocs + fctx->arena.n_system_allocs, allocs_after_warmup);
    qdf_ctx_free(fctx);
    qdf_ctx_free(ctx);
    qdf_adam_free(&opt);
    qdf_model_free(&m);
    for (int i = 0; i < 4; i++) qdf_molecule_free(&mols[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hundred_steps)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
