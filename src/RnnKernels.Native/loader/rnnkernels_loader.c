/*
 * librnnkernels.so: the library hosts link against. NativeAOT compiles the kernels for one instruction set, so the
 * engine is built three times on x86-64 (x86-64-v4 with AVX-512, x86-64-v3 with AVX2+FMA, and the x86-64-v2
 * baseline) and this loader, on the first call, picks the widest build the CPU runs, loads it from its own directory
 * and forwards every function of rnnkernels.h to it. On other architectures there is one build (NEON is part of the
 * arm64 baseline). RNNK_NATIVE_VARIANT=v4|v3|v2 forces a build (for tests that compare tiers). A build that reports
 * a lower kernel tier than its name promises (a stale or mislabelled file) is refused: every call then fails and
 * rnnk_last_error() says which file and what it reported, rather than running the slow code silently.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rnnkernels.h"

/* Every function of rnnkernels.h that returns an rnnk_status: X(name, parameters, arguments). */
#define RNNK_FUNCTIONS(X)                                                                                               \
    X(rnnk_model_create,                                                                                   \
      (int32_t a, int32_t b, int32_t c, int32_t d, int32_t e, int32_t f, int32_t g, int32_t h, rnnk_model **m),         \
      (a, b, c, d, e, f, g, h, m))                                                                                      \
    X(rnnk_model_load, (const char *p, rnnk_model **m), (p, m))                                            \
    X(rnnk_model_save, (rnnk_model * m, const char *p), (m, p))                                            \
    X(rnnk_model_free, (rnnk_model * m), (m))                                                              \
    X(rnnk_model_describe, (rnnk_model * m, rnnk_model_info *i), (m, i))                                   \
    X(rnnk_model_tensor, (rnnk_model * m, int32_t i, char *n, int64_t nc, int64_t *r, int64_t *c),         \
      (m, i, n, nc, r, c))                                                                                              \
    X(rnnk_model_get_parameter, (rnnk_model * m, const char *n, float *v, int64_t c), (m, n, v, c))        \
    X(rnnk_model_set_parameter, (rnnk_model * m, const char *n, const float *v, int64_t c), (m, n, v, c))  \
    X(rnnk_engine_create, (rnnk_model * m, int32_t t, int32_t b, int32_t th, rnnk_engine **e),             \
      (m, t, b, th, e))                                                                                                 \
    X(rnnk_engine_free, (rnnk_engine * e), (e))                                                            \
    X(rnnk_engine_set_input_gradient, (rnnk_engine * e, int32_t on), (e, on))                              \
    X(rnnk_engine_forward,                                                                                 \
      (rnnk_engine * e, const float *x, int64_t xc, int32_t t, int32_t b, const int64_t *l, int64_t lc,                 \
       const float *h, int64_t hc, const float *c, int64_t cc, float *o, int64_t oc),                                   \
      (e, x, xc, t, b, l, lc, h, hc, c, cc, o, oc))                                                                     \
    X(rnnk_engine_backward_cross_entropy, (rnnk_engine * e, const int64_t *t, int64_t c, double *l),       \
      (e, t, c, l))                                                                                                     \
    X(rnnk_engine_backward_mse, (rnnk_engine * e, const float *y, int64_t c, double *l), (e, y, c, l))     \
    X(rnnk_engine_backward,                                                                                \
      (rnnk_engine * e, const float *o, int64_t oc, const float *h, int64_t hc, const float *c, int64_t cc),            \
      (e, o, oc, h, hc, c, cc))                                                                                         \
    X(rnnk_engine_set_dropout, (rnnk_engine * e, float p, int64_t s), (e, p, s))                             \
    X(rnnk_engine_zero_grad, (rnnk_engine * e), (e))                                                       \
    X(rnnk_engine_get_gradient, (rnnk_engine * e, const char *n, float *v, int64_t c), (e, n, v, c))       \
    X(rnnk_engine_get_state, (rnnk_engine * e, int32_t w, float *v, int64_t c), (e, w, v, c))              \
    X(rnnk_optimizer_create,                                                                               \
      (rnnk_model * m, const rnnk_optimizer_options *o, rnnk_optimizer **p), (m, o, p))                                 \
    X(rnnk_optimizer_step, (rnnk_optimizer * o, rnnk_engine * e, double *n), (o, e, n))                    \
    X(rnnk_optimizer_free, (rnnk_optimizer * o), (o))                                                      \
    X(rnnk_stream_create, (rnnk_model * m, int32_t b, rnnk_stream **s), (m, b, s))                         \
    X(rnnk_stream_step, (rnnk_stream * s, const float *x, int64_t xc, float *y, int64_t yc),               \
      (s, x, xc, y, yc))                                                                                                \
    X(rnnk_stream_run,                                                                                     \
      (rnnk_stream * s, const float *x, int64_t xc, int32_t t, const int64_t *l, int64_t lc, const float *h,            \
       int64_t hc, const float *c, int64_t cc, float *y, int64_t yc, float *hn, int64_t hnc, float *cn, int64_t cnc),   \
      (s, x, xc, t, l, lc, h, hc, c, cc, y, yc, hn, hnc, cn, cnc))                                                      \
    X(rnnk_stream_reset, (rnnk_stream * s), (s))                                                           \
    X(rnnk_stream_refresh, (rnnk_stream * s), (s))                                                         \
    X(rnnk_stream_free, (rnnk_stream * s), (s))

#define DECLARE_POINTER(name, params, args) static rnnk_status(*p_##name) params;
RNNK_FUNCTIONS(DECLARE_POINTER)
static const char *(*p_rnnk_version)(void);
static int32_t (*p_rnnk_abi_version)(void);
static const char *(*p_rnnk_kernel_tier)(void);
static const char *(*p_rnnk_last_error)(void);
static int64_t (*p_rnnk_allocated_bytes)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[1024];

/* The widest build this CPU runs. */
static const char *best_variant(void) {
    const char *forced = getenv("RNNK_NATIVE_VARIANT");
    if (forced != NULL && forced[0] != '\0') {
        return forced;
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
        return "v4";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
        return "v3";
    }
    return "v2";
#else
    return "base";
#endif
}

/* Tiers ordered by width; the tier a variant's instruction set must give. */
static int tier_rank(const char *tier) {
    static const char *const order[] = {"Scalar", "Vector128", "Neon", "Avx2Fma", "Avx512"};
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++) {
        if (strcmp(tier, order[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *promised_tier(const char *variant) {
    if (strcmp(variant, "v4") == 0) {
        return "Avx512";
    }
    if (strcmp(variant, "v3") == 0) {
        return "Avx2Fma";
    }
    if (strcmp(variant, "v2") == 0) {
        return "Vector128";
    }
    return strcmp(variant, "base") == 0 ? "Neon" : NULL;
}

static void load(void) {
    Dl_info self;
    if (dladdr((void *)&load, &self) == 0 || self.dli_fname == NULL) {
        snprintf(load_error, sizeof load_error, "rnnkernels: cannot find the directory of librnnkernels.so");
        return;
    }
    char path[4096];
    const char *slash = strrchr(self.dli_fname, '/');
    int directory = slash == NULL ? 0 : (int)(slash - self.dli_fname + 1);
    const char *variant = best_variant();
    snprintf(path, sizeof path, "%.*slibrnnkernels_%s.so", directory, self.dli_fname, variant);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(load_error, sizeof load_error, "rnnkernels: cannot load %s: %s", path, dlerror());
        return;
    }
#define RESOLVE(name, params, args)                                                                                      \
    p_##name = (rnnk_status(*) params)dlsym(library, #name);                                                            \
    if (p_##name == NULL) {                                                                                             \
        snprintf(load_error, sizeof load_error, "rnnkernels: %s lacks %s", path, #name);                                \
        return;                                                                                                         \
    }
    RNNK_FUNCTIONS(RESOLVE)
    p_rnnk_version = (const char *(*)(void))dlsym(library, "rnnk_version");
    p_rnnk_abi_version = (int32_t(*)(void))dlsym(library, "rnnk_abi_version");
    p_rnnk_kernel_tier = (const char *(*)(void))dlsym(library, "rnnk_kernel_tier");
    p_rnnk_last_error = (const char *(*)(void))dlsym(library, "rnnk_last_error");
    p_rnnk_allocated_bytes = (int64_t(*)(void))dlsym(library, "rnnk_allocated_bytes");
    if (p_rnnk_version == NULL || p_rnnk_abi_version == NULL || p_rnnk_kernel_tier == NULL || p_rnnk_last_error == NULL ||
        p_rnnk_allocated_bytes == NULL) {
        snprintf(load_error, sizeof load_error, "rnnkernels: %s lacks the version functions", path);
        return;
    }
    const char *promised = promised_tier(variant);
    const char *reported = p_rnnk_kernel_tier();
    if (promised != NULL && tier_rank(reported) < tier_rank(promised)) {
        snprintf(load_error, sizeof load_error,
                 "rnnkernels: %s reports kernel tier %s, but a %s build must run %s; it is a stale or wrong build "
                 "(rebuild with src/RnnKernels.Native/build.sh)",
                 path, reported, variant, promised);
    }
}

/* A failed load makes every call fail with RNNK_ERROR_INTERNAL and rnnk_last_error() say why. */
static int ready(void) {
    pthread_once(&load_once, load);
    return load_error[0] == '\0';
}

#define FORWARD(name, params, args)                                                                                     \
    rnnk_status name params { return ready() ? p_##name args : RNNK_ERROR_INTERNAL; }
RNNK_FUNCTIONS(FORWARD)

const char *rnnk_version(void) { return ready() ? p_rnnk_version() : "unavailable"; }
int32_t rnnk_abi_version(void) { return ready() ? p_rnnk_abi_version() : -1; }
const char *rnnk_kernel_tier(void) { return ready() ? p_rnnk_kernel_tier() : "unavailable"; }
const char *rnnk_last_error(void) { return ready() ? p_rnnk_last_error() : load_error; }
int64_t rnnk_allocated_bytes(void) { return ready() ? p_rnnk_allocated_bytes() : -1; }
