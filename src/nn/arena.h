/* arena.h: one bump allocator that owns every activation and gradient of a step.
 *
 * The arena is a list of large blocks. qdf_arena_alloc hands out 64-byte aligned
 * pieces; qdf_arena_reset makes all of it free again without returning memory to
 * the system, so a training loop that resets the arena each step performs no
 * malloc/free once it has seen its largest batch. qdf_arena_reserve sizes it up
 * front (the trainer reserves what the largest batch needs; see
 * qdf_ctx_measure in tape.h). */
#ifndef QDF_ARENA_H
#define QDF_ARENA_H

#include <stddef.h>

typedef struct qdf_arena_block {
    struct qdf_arena_block *next;
    size_t size, used;
    unsigned char *base;
} qdf_arena_block;

typedef struct qdf_arena {
    qdf_arena_block *head;   /* block being filled; earlier blocks follow */
    size_t in_use;           /* bytes handed out since the last reset */
    size_t peak;             /* largest in_use ever seen */
    size_t capacity;         /* bytes owned in all blocks */
    size_t n_system_allocs;  /* blocks obtained from malloc, ever */
} qdf_arena;

void qdf_arena_init(qdf_arena *a, size_t initial_bytes);
void *qdf_arena_alloc(qdf_arena *a, size_t bytes);       /* never NULL: aborts on OOM */
void *qdf_arena_calloc(qdf_arena *a, size_t bytes);
void qdf_arena_reset(qdf_arena *a);   /* frees everything; merges blocks into one if it had to grow */
void qdf_arena_reserve(qdf_arena *a, size_t bytes);      /* ensure one block of >= bytes */
void qdf_arena_free(qdf_arena *a);

#endif
