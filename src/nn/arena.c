/* arena.c: see arena.h. */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QDF_ALIGN 64

static qdf_arena_block *block_new(size_t size) {
    qdf_arena_block *b = malloc(sizeof *b);
    void *mem = NULL;
    if (!b || posix_memalign(&mem, QDF_ALIGN, size ? size : QDF_ALIGN) != 0) {
        fprintf(stderr, "qdf: out of memory allocating %zu bytes for the arena\n", size);
        abort();
    }
    b->base = mem;
    b->size = size;
    b->used = 0;
    b->next = NULL;
    return b;
}

void qdf_arena_init(qdf_arena *a, size_t initial_bytes) {
    memset(a, 0, sizeof *a);
    if (initial_bytes) {
        a->head = block_new(initial_bytes);
        a->capacity = initial_bytes;
        a->n_system_allocs = 1;
    }
}

void *qdf_arena_alloc(qdf_arena *a, size_t bytes) {
    size_t need = (bytes + QDF_ALIGN - 1) & ~(size_t)(QDF_ALIGN - 1);
    if (!a->head || a->head->used + need > a->head->size) {
        size_t size = need > (a->capacity / 2) ? need : a->capacity / 2;
        if (size < ((size_t)1 << 20)) size = (size_t)1 << 20;
        qdf_arena_block *b = block_new(size);
        b->next = a->head;
        a->head = b;
        a->capacity += size;
        a->n_system_allocs++;
    }
    void *p = a->head->base + a->head->used;
    a->head->used += need;
    a->in_use += need;
    if (a->in_use > a->peak) a->peak = a->in_use;
    return p;
}

void *qdf_arena_calloc(qdf_arena *a, size_t bytes) {
    void *p = qdf_arena_alloc(a, bytes);
    memset(p, 0, bytes);
    return p;
}

static void free_blocks(qdf_arena_block *b) {
    while (b) {
        qdf_arena_block *n = b->next;
        free(b->base);
        free(b);
        b = n;
    }
}

void qdf_arena_reset(qdf_arena *a) {
    if (a->head && a->head->next) {
        /* The last step outgrew one block: replace all blocks by one that holds
         * the peak, so the steady state runs in a single block. */
        size_t cap = a->peak + a->peak / 8;
        free_blocks(a->head);
        a->head = block_new(cap);
        a->capacity = cap;
        a->n_system_allocs++;
    }
    if (a->head) a->head->used = 0;
    a->in_use = 0;
}

void qdf_arena_reserve(qdf_arena *a, size_t bytes) {
    if (a->head && !a->head->next && a->head->size >= bytes) return;
    free_blocks(a->head);
    a->head = block_new(bytes);
    a->capacity = bytes;
    a->in_use = 0;
    a->n_system_allocs++;
}

void qdf_arena_free(qdf_arena *a) {
    free_blocks(a->head);
    memset(a, 0, sizeof *a);
}
