/*
 * The training step of `rnnk bench` (forward, summed cross-entropy, BPTT, SGD update) through the C ABI, printing
 * lines in the same format, so the two can be compared in one run.
 * usage: native_bench PRESET CELL THREADS SECONDS      (PRESET: charrnn small-b1 mid-b16 large-b64 long-b8)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnnkernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define TRY(call)                                                                                                       \
    do {                                                                                                                \
        if ((call) != RNNK_OK) {                                                                                        \
            fprintf(stderr, "%s: %s\n", #call, rnnk_last_error());                                                      \
            exit(1);                                                                                                    \
        }                                                                                                               \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: native_bench PRESET CELL THREADS SECONDS\n");
        return 2;
    }
    static const struct { const char *name; int t, b, i, h, o; } presets[] = {
        {"charrnn", 25, 1, 65, 100, 65}, {"small-b1", 32, 1, 64, 128, 64}, {"mid-b16", 64, 16, 128, 256, 128},
        {"large-b64", 64, 64, 512, 512, 512}, {"long-b8", 512, 8, 64, 256, 64}};
    int p = -1;
    for (int k = 0; k < 5; k++) {
        if (strcmp(argv[1], presets[k].name) == 0) {
            p = k;
        }
    }
    int cell = strcmp(argv[2], "lstm") == 0 ? RNNK_CELL_LSTM : strcmp(argv[2], "gru") == 0 ? RNNK_CELL_GRU : RNNK_CELL_RNN;
    int gates = cell == RNNK_CELL_LSTM ? 4 : cell == RNNK_CELL_GRU ? 3 : 1;
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (p < 0 || threads < 1 || seconds <= 0) {
        fprintf(stderr, "native_bench: bad arguments\n");
        return 2;
    }
    int T = presets[p].t, B = presets[p].b, I = presets[p].i, H = presets[p].h, O = presets[p].o;
    rnnk_model *model;
    rnnk_engine *engine;
    rnnk_optimizer *optimizer;
    TRY(rnnk_model_create(I, H, O, 1, 0, cell, RNNK_TANH, 1, &model));
    TRY(rnnk_engine_create(model, T, B, threads, &engine));
    rnnk_optimizer_options options = {RNNK_SGD, 1e-3f, 0, 0, 0, 0, 0};
    TRY(rnnk_optimizer_create(model, &options, &optimizer));
    float *x = malloc(sizeof(float) * T * B * I);
    int64_t *targets = malloc(sizeof(int64_t) * T * B);
    srand(2);
    for (int k = 0; k < T * B * I; k++) {
        x[k] = 2.0f * rand() / RAND_MAX - 1.0f;
    }
    for (int k = 0; k < T * B; k++) {
        targets[k] = rand() % O;
    }
#define STEP()                                                                                                          \
    do {                                                                                                                \
        TRY(rnnk_engine_zero_grad(engine));                                                                             \
        TRY(rnnk_engine_forward(engine, x, (int64_t)T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0));              \
        TRY(rnnk_engine_backward_cross_entropy(engine, targets, (int64_t)T * B, NULL));                                 \
        TRY(rnnk_optimizer_step(optimizer, engine, NULL));                                                              \
    } while (0)
    double start = now();
    for (int k = 0; k < 3 || now() - start < (seconds / 4 < 0.5 ? seconds / 4 : 0.5); k++) {
        STEP();
    }
    double rounds[5];
    int64_t allocated = rnnk_allocated_bytes(), steps = 0;
    for (int r = 0; r < 5; r++) {
        int n = 0;
        start = now();
        do {
            STEP();
            n++;
        } while (n < 2 || now() - start < seconds / 5);
        rounds[r] = (now() - start) * 1e3 / n;
        steps += n;
    }
    qsort(rounds, 5, sizeof(double), compare);
    double flops = 6.0 * T * B * ((double)gates * I * H + (double)gates * H * H + (double)H * O);
    printf("bench impl=c-abi preset=%s cell=%s T=%d B=%d I=%d H=%d O=%d threads=%d ms_per_step=%.4f gflops=%.2f "
           "alloc_bytes_per_step=%lld kernels=%s\n",
           presets[p].name, argv[2], T, B, I, H, O, threads, rounds[2], flops / (rounds[2] * 1e6),
           (long long)((rnnk_allocated_bytes() - allocated) / steps), rnnk_kernel_tier());
    return 0;
}
