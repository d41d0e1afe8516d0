/* rng.h: the one seeded random generator of a run (xoshiro256**, seeded by
 * splitmix64). Its state is plain data, saved in checkpoints, so a resumed run
 * draws the same numbers as an uninterrupted one. */
#ifndef QDF_RNG_H
#define QDF_RNG_H

#include <stdint.h>

typedef struct qdf_rng {
    uint64_t s[4];
} qdf_rng;

void qdf_rng_seed(qdf_rng *r, uint64_t seed);
uint64_t qdf_rng_next(qdf_rng *r);
double qdf_rng_uniform(qdf_rng *r);             /* [0, 1), 53 bits */
double qdf_rng_normal(qdf_rng *r);              /* standard normal (Box-Muller, one of the pair) */
uint64_t qdf_rng_below(qdf_rng *r, uint64_t n);  /* uniform in [0, n), unbiased */
void qdf_rng_shuffle(qdf_rng *r, int *a, int n); /* Fisher-Yates */
/* A stateless 64-bit mix (splitmix64's finaliser): hash(key ^ hash(i)) gives
 * counter-based random bits for element i (op_dropout.c). */
uint64_t qdf_hash64(uint64_t x);

#endif
