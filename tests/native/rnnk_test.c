/*
 * A host of the C ABI: trains a small LSTM and checks the loss falls, streams it, and checks that bad calls give the
 * documented status codes and a message (never a crash). Prints "N passed, M failed" and exits 0 only if all passed.
 * Build: cc -std=c11 -I<dir of rnnkernels.h> rnnk_test.c -L<dir> -lrnnkernels -Wl,-rpath,<dir>
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rnnkernels.h"

static int passed, failed;

#define CHECK(condition, ...)                                                                                           \
    do {                                                                                                                \
        if (condition) {                                                                                                \
            passed++;                                                                                                   \
        } else {                                                                                                        \
            failed++;                                                                                                   \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                 \
            printf(__VA_ARGS__);                                                                                        \
            printf(" (last error: %s)\n", rnnk_last_error());                                                           \
        }                                                                                                               \
    } while (0)

#define T 12
#define B 4
#define I 6
#define H 16
#define O 6

/* A sequence task the LSTM can learn: the target at t is the input class at t-1. */
static void make_batch(unsigned seed, float *x, int64_t *targets) {
    memset(x, 0, sizeof(float) * T * B * I);
    for (int b = 0; b < B; b++) {
        int previous = 0;
        for (int t = 0; t < T; t++) {
            seed = seed * 1103515245u + 12345u;
            int c = (int)((seed >> 16) % I);
            x[(t * B + b) * I + c] = 1.0f;
            targets[t * B + b] = previous;
            previous = c;
        }
    }
}

static void test_training(void) {
    rnnk_model *model = NULL;
    CHECK(rnnk_model_create(I, H, O, 1, 0, RNNK_CELL_LSTM, RNNK_TANH, 7, &model) == RNNK_OK, "model_create");
    rnnk_model_info info;
    CHECK(rnnk_model_describe(model, &info) == RNNK_OK && info.cell == RNNK_CELL_LSTM && info.hidden_size == H &&
              info.tensor_count == 6 && info.parameter_count == 4 * H * (I + H + 2) + O * H + O,
          "describe: cell %d H %d tensors %d parameters %lld", info.cell, info.hidden_size, info.tensor_count,
          (long long)info.parameter_count);
    char name[64];
    int64_t rows = 0, columns = 0;
    CHECK(rnnk_model_tensor(model, 1, name, sizeof name, &rows, &columns) == RNNK_OK && strcmp(name, "rnn.weight_hh_l0") == 0 &&
              rows == 4 * H && columns == H,
          "tensor 1 is %s [%lld, %lld]", name, (long long)rows, (long long)columns);

    rnnk_engine *engine = NULL;
    CHECK(rnnk_engine_create(model, T, B, 2, &engine) == RNNK_OK, "engine_create");
    rnnk_optimizer_options options = {RNNK_ADAM, 0.01f, 0.0f, 0.9f, 0.999f, 1e-8f, 5.0f};
    rnnk_optimizer *optimizer = NULL;
    CHECK(rnnk_optimizer_create(model, &options, &optimizer) == RNNK_OK, "optimizer_create");

    static float x[T * B * I], outputs[T * B * O], h_n[B * H], c_n[B * H];
    static int64_t targets[T * B];
    double first = 0, last = 0;
    /* Steady state allocates nothing: the fewest bytes over three windows of 50 steps after warm-up must be 0. (The
       runtime allocates once, a few dozen bytes, the first time a thread is woken from a wait, whenever that is; an
       allocation per step would show in every window.) */
    int64_t window_start = 0, fewest = INT64_MAX;
    for (int step = 0; step < 300; step++) {
        if (step >= 100 && step % 50 == 0) {
            int64_t now = rnnk_allocated_bytes();
            if (step > 100 && now - window_start < fewest) {
                fewest = now - window_start;
            }
            window_start = now;
        }
        make_batch(1000u + (unsigned)step, x, targets);
        double loss = 0, norm = 0;
        rnnk_status s = rnnk_engine_zero_grad(engine);
        s = s ? s : rnnk_engine_forward(engine, x, T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, outputs, T * B * O);
        s = s ? s : rnnk_engine_backward_cross_entropy(engine, targets, T * B, &loss);
        s = s ? s : rnnk_optimizer_step(optimizer, engine, &norm);
        if (s != RNNK_OK) {
            CHECK(0, "training step %d: status %d", step, s);
            break;
        }
        if (step == 0) {
            first = loss;
        }
        last = loss;
    }
    CHECK(last < 0.5 * first, "loss fell from %f to %f", first, last);
    CHECK(fewest == 0, "every window of 50 training steps allocated, the fewest %lld bytes", (long long)fewest);
    CHECK(rnnk_engine_get_state(engine, RNNK_STATE_H_N, h_n, B * H) == RNNK_OK, "h_n");
    CHECK(rnnk_engine_get_state(engine, RNNK_STATE_C_N, c_n, B * H) == RNNK_OK, "c_n");
    static float gradient[4 * H * H];
    CHECK(rnnk_engine_get_gradient(engine, "rnn.weight_hh_l0", gradient, 4 * H * H) == RNNK_OK, "gradient by name");

    /* A stream on the trained weights gives the engine's outputs for entry 0. */
    rnnk_stream *stream = NULL;
    CHECK(rnnk_stream_create(model, 1, &stream) == RNNK_OK, "stream_create");
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, outputs, T * B * O) == RNNK_OK, "forward");
    CHECK(rnnk_stream_reset(stream) == RNNK_OK, "reset");
    double worst = 0;
    for (int t = 0; t < T; t++) {
        float y[O];
        CHECK(rnnk_stream_step(stream, &x[(t * B + 0) * I], I, y, O) == RNNK_OK, "stream_step");
        for (int o = 0; o < O; o++) {
            double d = fabs((double)y[o] - outputs[(t * B + 0) * O + o]);
            worst = d > worst ? d : worst;
        }
    }
    CHECK(worst < 1e-4, "stream differs from forward by %g", worst);

    CHECK(rnnk_model_save(model, "/tmp/rnnk_c_test.safetensors") == RNNK_OK, "save");
    rnnk_model *loaded = NULL;
    CHECK(rnnk_model_load("/tmp/rnnk_c_test.safetensors", &loaded) == RNNK_OK, "load");
    rnnk_model_info loaded_info;
    CHECK(rnnk_model_describe(loaded, &loaded_info) == RNNK_OK && loaded_info.cell == RNNK_CELL_LSTM, "loaded cell");

    CHECK(rnnk_stream_free(stream) == RNNK_OK, "stream_free");
    CHECK(rnnk_optimizer_free(optimizer) == RNNK_OK, "optimizer_free");
    CHECK(rnnk_engine_free(engine) == RNNK_OK, "engine_free");
    CHECK(rnnk_model_free(loaded) == RNNK_OK, "model_free loaded");
    CHECK(rnnk_model_free(model) == RNNK_OK, "model_free");
}

static int one_line(const char *message);

/* The recurrent layers alone (output_size 0): forward, backward from the caller's gradients, dx/dh0/dc0, names
   without the "rnn." prefix; a stream runs whole sequences of it and of a bidirectional model; bad calls. */
static void test_layers(void) {
    rnnk_model *model = NULL;
    CHECK(rnnk_model_create(I, H, 0, 2, 1, RNNK_CELL_LSTM, RNNK_TANH, 3, &model) == RNNK_OK, "layers model");
    char name[64];
    int64_t rows = 0, columns = 0;
    CHECK(rnnk_model_tensor(model, 1, name, sizeof name, &rows, &columns) == RNNK_OK && strcmp(name, "weight_hh_l0") == 0,
          "layers' tensor 1 is %s", name);
    rnnk_engine *engine = NULL;
    CHECK(rnnk_engine_create(model, T, B, 1, &engine) == RNNK_OK, "layers engine");
    CHECK(rnnk_engine_set_input_gradient(engine, 1) == RNNK_OK, "input gradient on");
    static float x[T * B * I], outputs[T * B * 2 * H], d_outputs[T * B * 2 * H], streamed[T * B * 2 * H];
    static float dh_n[4 * B * H], dc_n[4 * B * H], dx[T * B * I], dh0[4 * B * H], h_n[4 * B * H], stream_h_n[4 * B * H];
    static int64_t targets[T * B];
    make_batch(5u, x, targets);
    for (int i = 0; i < T * B * 2 * H; i++) {
        d_outputs[i] = (float)((i % 7) - 3) * 0.1f;
    }
    for (int i = 0; i < 4 * B * H; i++) {
        dh_n[i] = 0.05f;
        dc_n[i] = -0.05f;
    }
    const int64_t lengths[B] = {T, 3, T - 1, 1};
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T, B, lengths, B, NULL, 0, NULL, 0, outputs, T * B * 2 * H) == RNNK_OK,
          "layers forward");
    CHECK(outputs[(5 * B + 1) * 2 * H] == 0.0f && outputs[(5 * B + 3) * 2 * H + H] == 0.0f, "zeros past an entry's length");
    CHECK(rnnk_engine_backward(engine, d_outputs, T * B * 2 * H, dh_n, 4 * B * H, dc_n, 4 * B * H) == RNNK_OK, "layers backward");
    CHECK(rnnk_engine_get_state(engine, RNNK_STATE_INPUT_GRADIENT, dx, T * B * I) == RNNK_OK, "dx");
    CHECK(rnnk_engine_get_state(engine, RNNK_STATE_H0_GRADIENT, dh0, 4 * B * H) == RNNK_OK, "dh0");
    CHECK(rnnk_engine_get_state(engine, RNNK_STATE_H_N, h_n, 4 * B * H) == RNNK_OK, "h_n");
    double dx_norm = 0, dh0_norm = 0;
    for (int i = 0; i < T * B * I; i++) {
        dx_norm += fabs(dx[i]);
    }
    for (int i = 0; i < 4 * B * H; i++) {
        dh0_norm += fabs(dh0[i]);
    }
    CHECK(dx_norm > 0 && dh0_norm > 0, "dx and dh0 are not zero (%g, %g)", dx_norm, dh0_norm);
    static float gradient[4 * H * H];
    CHECK(rnnk_engine_get_gradient(engine, "weight_hh_l1_reverse", gradient, 4 * H * H) == RNNK_OK, "gradient by the module's name");
    CHECK(rnnk_engine_backward_cross_entropy(engine, targets, T * B, NULL) == RNNK_ERROR_INVALID_STATE && one_line(rnnk_last_error()),
          "no loss of its own");
    CHECK(rnnk_engine_backward(engine, d_outputs, T * B * 2 * H - 1, NULL, 0, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT &&
              strstr(rnnk_last_error(), "d_outputs must hold") != NULL && one_line(rnnk_last_error()),
          "d_outputs count");
    CHECK(rnnk_engine_backward(engine, d_outputs, T * B * 2 * H, dh_n, 3, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT &&
              strstr(rnnk_last_error(), "dh_n") != NULL,
          "dh_n count");
    CHECK(rnnk_engine_set_dropout(engine, 1.5f, 1) == RNNK_ERROR_INVALID_ARGUMENT && one_line(rnnk_last_error()), "dropout 1.5");

    /* A stream runs the whole (bidirectional) sequences to the engine's outputs and h_n. */
    rnnk_stream *stream = NULL;
    CHECK(rnnk_stream_create(model, B, &stream) == RNNK_OK, "stream of a bidirectional model");
    CHECK(rnnk_stream_run(stream, x, T * B * I, T, lengths, B, NULL, 0, NULL, 0, streamed, T * B * 2 * H, stream_h_n, 4 * B * H, NULL, 0) ==
              RNNK_OK,
          "stream_run");
    double worst = 0;
    for (int i = 0; i < T * B * 2 * H; i++) {
        worst = fmax(worst, fabs((double)streamed[i] - outputs[i]));
    }
    for (int i = 0; i < 4 * B * H; i++) {
        worst = fmax(worst, fabs((double)stream_h_n[i] - h_n[i]));
    }
    CHECK(worst < 1e-5, "stream_run differs from forward by %g", worst);
    float y[2 * H];
    CHECK(rnnk_stream_step(stream, x, B * I, y, 2 * H) == RNNK_ERROR_INVALID_STATE && strstr(rnnk_last_error(), "use Run") != NULL,
          "no single steps of a bidirectional model");
    const int64_t too_long[B] = {T + 1, 1, 1, 1};
    CHECK(rnnk_stream_run(stream, x, T * B * I, T, too_long, B, NULL, 0, NULL, 0, streamed, T * B * 2 * H, NULL, 0, NULL, 0) ==
              RNNK_ERROR_INVALID_ARGUMENT && one_line(rnnk_last_error()),
          "a length past T");
    CHECK(rnnk_stream_free(stream) == RNNK_OK, "stream free");
    CHECK(rnnk_engine_free(engine) == RNNK_OK, "layers engine free");
    CHECK(rnnk_model_free(model) == RNNK_OK, "layers model free");
}

/* A message through the ABI is one line in rnnkernels.h's words: no .NET parameter suffix, no second line. */
static int one_line(const char *message) {
    return strlen(message) > 0 && strchr(message, '\n') == NULL && strstr(message, "(Parameter") == NULL &&
           strstr(message, "Actual value") == NULL;
}

static void test_errors(void) {
    rnnk_model *model = NULL;
    CHECK(rnnk_model_create(I, H, O, 1, 0, RNNK_CELL_GRU, RNNK_RELU, 1, &model) == RNNK_ERROR_INVALID_ARGUMENT && model == NULL,
          "GRU with relu refused");
    CHECK(one_line(rnnk_last_error()), "one-line message after a failure");
    CHECK(rnnk_model_create(I, 0, O, 1, 0, RNNK_CELL_RNN, RNNK_TANH, 1, &model) == RNNK_ERROR_INVALID_ARGUMENT &&
              one_line(rnnk_last_error()) && strstr(rnnk_last_error(), "hidden_size") != NULL,
          "hidden 0, named as in the header");
    CHECK(rnnk_model_create(I, H, O, 1, 0, 9, RNNK_TANH, 1, &model) == RNNK_ERROR_INVALID_ARGUMENT, "unknown cell");
    CHECK(rnnk_model_create(I, H, O, 1, 0, RNNK_CELL_RNN, RNNK_TANH, 1, NULL) == RNNK_ERROR_INVALID_ARGUMENT, "NULL out");
    CHECK(rnnk_model_load("/nonexistent/m.safetensors", &model) == RNNK_ERROR_IO &&
              strstr(rnnk_last_error(), "m.safetensors") != NULL,
          "missing file");
    CHECK(rnnk_model_create(I, H, O, 1, 0, RNNK_CELL_RNN, RNNK_TANH, 1, &model) == RNNK_OK, "model");
    rnnk_engine *engine = NULL;
    CHECK(rnnk_engine_create(model, 0, B, 1, &engine) == RNNK_ERROR_INVALID_ARGUMENT && one_line(rnnk_last_error()) &&
              strstr(rnnk_last_error(), "max_steps") != NULL,
          "max_steps 0, named as in the header");
    CHECK(rnnk_engine_create(model, T, B, 1, &engine) == RNNK_OK, "engine");
    static float x[T * B * I];
    static int64_t targets[T * B];
    CHECK(rnnk_engine_backward_cross_entropy(engine, targets, T * B, NULL) == RNNK_ERROR_INVALID_STATE, "backward first");
    CHECK(rnnk_engine_forward(engine, x, T * B * I - 1, T, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT &&
              strstr(rnnk_last_error(), "x must hold T x B x I = 12 x 4 x 6 = 288 values, but it has 287") != NULL &&
              one_line(rnnk_last_error()),
          "wrong count");
    CHECK(rnnk_engine_forward(engine, NULL, T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT,
          "NULL x with a count");
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T, B, NULL, 0, NULL, 0, x, B * H, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT,
          "c0 for an Elman model");
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T + 1, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == RNNK_ERROR_INVALID_ARGUMENT &&
              one_line(rnnk_last_error()),
          "steps above max");
    targets[0] = O;
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == RNNK_OK, "forward");
    CHECK(rnnk_engine_backward_cross_entropy(engine, targets, T * B, NULL) == RNNK_ERROR_INVALID_ARGUMENT &&
              one_line(rnnk_last_error()),
          "target out of range");
    float gradient[4];
    CHECK(rnnk_engine_get_gradient(engine, "rnn.weight_hh_l9", gradient, 4) == RNNK_ERROR_INVALID_ARGUMENT, "unknown tensor");
    CHECK(rnnk_engine_get_state(engine, 42, gradient, 4) == RNNK_ERROR_INVALID_ARGUMENT, "unknown state");

    /* Handles: a model where an engine is expected, freed handles, double free, NULL, a made-up number. */
    CHECK(rnnk_engine_zero_grad((rnnk_engine *)model) == RNNK_ERROR_INVALID_HANDLE &&
              strstr(rnnk_last_error(), "is a model handle, not an engine handle") != NULL,
          "model as engine");
    CHECK(rnnk_engine_free(engine) == RNNK_OK, "engine free");
    CHECK(rnnk_engine_free(engine) == RNNK_ERROR_INVALID_HANDLE, "double free");
    CHECK(rnnk_engine_forward(engine, x, T * B * I, T, B, NULL, 0, NULL, 0, NULL, 0, NULL, 0) == RNNK_ERROR_INVALID_HANDLE,
          "use after free");
    CHECK(rnnk_model_free(NULL) == RNNK_ERROR_INVALID_HANDLE, "NULL handle");
    CHECK(rnnk_model_free((rnnk_model *)(intptr_t)0x12345678) == RNNK_ERROR_INVALID_HANDLE, "made-up handle");
    CHECK(rnnk_model_free(model) == RNNK_OK, "model free");
}

int main(void) {
    printf("rnnkernels %s (ABI %d, header %d), kernel tier %s\n", rnnk_version(), rnnk_abi_version(), RNNK_ABI_VERSION,
           rnnk_kernel_tier());
    CHECK(rnnk_abi_version() == RNNK_ABI_VERSION, "ABI version");
    test_training();
    test_errors();
    test_layers();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
