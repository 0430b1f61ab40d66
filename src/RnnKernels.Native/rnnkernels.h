/*
 * rnnkernels.h - the C ABI of RnnKernels: Elman, LSTM and GRU networks trained with backpropagation through time on
 * the CPU (PyTorch's nn.RNN / nn.LSTM / nn.GRU + nn.Linear, safetensors model files with PyTorch names).
 *
 * Conventions (the shape of onnxruntime's and llama.cpp's C APIs):
 * - Every function returns an rnnk_status; on failure rnnk_last_error() gives a message for the calling thread.
 * - Objects are opaque handles created by *_create / *_load and released by *_free. A handle is a number the library
 *   issued, not an address: a freed, foreign or NULL handle is RNNK_ERROR_INVALID_HANDLE, never a crash. Freeing
 *   twice is the same error.
 * - Arrays are caller-owned: a pointer and an element count, checked against the shapes before use (a wrong count is
 *   RNNK_ERROR_INVALID_ARGUMENT with both numbers in the message). Layouts are row-major and sequence-first:
 *   x [T, B, I], outputs [T, B, O], h0/c0/h_n/c_n [L*D, B, H], targets [T, B], y [T, B, O].
 * - Nothing allocates in steady state: forward, backward, optimizer steps and stream steps reuse buffers sized at
 *   creation (calls that take a tensor name convert the name, which allocates; use the flat calls in hot loops).
 * - The library runs the widest kernel tier the CPU has (AVX-512, AVX2+FMA, NEON, portable) without the host choosing
 *   anything; rnnk_kernel_tier() says which.
 *
 * Thread safety: the library may be used from any number of threads. Each model, engine, optimizer and stream handle
 * is single-threaded: a call that overlaps another call on the same handle fails with RNNK_ERROR_INVALID_STATE (and
 * never corrupts a result). A backward pass must run on the thread of its forward pass. Engines read their model's
 * parameters and optimizers write them: do not step an optimizer while an engine or stream of the same model is in a
 * call on another thread. Streams serve a snapshot of the weights (rnnk_stream_refresh takes a new one). An engine,
 * optimizer or stream keeps its model alive: freeing the model handle first is allowed.
 */
#ifndef RNNKERNELS_H
#define RNNKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RNNK_ABI_VERSION 2

typedef int32_t rnnk_status;
#define RNNK_OK 0
#define RNNK_ERROR_INVALID_ARGUMENT 1 /* a NULL pointer, a wrong count or size, a value out of range */
#define RNNK_ERROR_INVALID_HANDLE 2   /* NULL, freed, unknown, or another kind of handle */
#define RNNK_ERROR_INVALID_STATE 3    /* call order (backward before forward), overlapping calls, non-finite gradients */
#define RNNK_ERROR_IO 4               /* a file missing, unreadable, or not a consistent model */
#define RNNK_ERROR_INTERNAL 5         /* a bug: please report the message */

typedef struct rnnk_model rnnk_model;
typedef struct rnnk_engine rnnk_engine;
typedef struct rnnk_optimizer rnnk_optimizer;
typedef struct rnnk_stream rnnk_stream;

/* Cells and nonlinearities (rnnk_model_create, rnnk_model_info). */
#define RNNK_CELL_RNN 0
#define RNNK_CELL_LSTM 1
#define RNNK_CELL_GRU 2
#define RNNK_TANH 0
#define RNNK_RELU 1

/* The library's version ("0.1.0") and ABI version (compare with RNNK_ABI_VERSION). */
const char *rnnk_version(void);
int32_t rnnk_abi_version(void);

/* The kernel tier in use: "Avx512", "Avx2Fma", "Neon", "Vector128" or "Scalar". */
const char *rnnk_kernel_tier(void);

/* Bytes the library has allocated on its managed heap since it was loaded (diagnostics): a host checks that training
   steps, optimizer steps and stream steps leave it unchanged once warm. */
int64_t rnnk_allocated_bytes(void);

/* The message of the calling thread's last failed call ("" if none); valid until that thread's next failed call. */
const char *rnnk_last_error(void);

/* ---- models ---- */

typedef struct rnnk_model_info {
    int32_t input_size, hidden_size, output_size, num_layers;
    int32_t bidirectional; /* 0 or 1 */
    int32_t cell;          /* RNNK_CELL_* */
    int32_t nonlinearity;  /* RNNK_TANH or RNNK_RELU (Elman cells) */
    int32_t tensor_count;  /* tensors in the state_dict, for rnnk_model_tensor */
    int64_t parameter_count;
} rnnk_model_info;

/* A model with PyTorch's default initialisation from a seed. nonlinearity must be RNNK_TANH for gated cells.
   output_size 0 makes the recurrent layers alone (nn.RNN / nn.LSTM / nn.GRU, tensor names without the "rnn." prefix,
   no output layer and no loss): its engine outputs the top layer's h_t [T, B, D*H] (zeros past each entry's length)
   and learns from rnnk_engine_backward with the caller's gradients. */
rnnk_status rnnk_model_create(int32_t input_size, int32_t hidden_size, int32_t output_size, int32_t num_layers,
                              int32_t bidirectional, int32_t cell, int32_t nonlinearity, int32_t seed, rnnk_model **model);
/* Loads a safetensors model file (PyTorch state_dict names; cell from metadata). */
rnnk_status rnnk_model_load(const char *path, rnnk_model **model);
/* Saves atomically: an interrupted save never leaves a broken file. */
rnnk_status rnnk_model_save(rnnk_model *model, const char *path);
rnnk_status rnnk_model_free(rnnk_model *model);
rnnk_status rnnk_model_describe(rnnk_model *model, rnnk_model_info *info);
/* The index-th tensor's name (NUL-terminated into name[name_count]) and shape (columns 0 for a bias). */
rnnk_status rnnk_model_tensor(rnnk_model *model, int32_t index, char *name, int64_t name_count, int64_t *rows, int64_t *columns);
/* One tensor by name (e.g. "rnn.weight_hh_l0"), or all parameters flat in state_dict order when name is NULL. */
rnnk_status rnnk_model_get_parameter(rnnk_model *model, const char *name, float *values, int64_t values_count);
rnnk_status rnnk_model_set_parameter(rnnk_model *model, const char *name, const float *values, int64_t values_count);

/* ---- engines: forward and backpropagation through time ---- */

/* Buffers for up to max_steps x max_batch; threads > 1 starts a worker pool the engine owns (results are bitwise
   identical for any thread count). */
rnnk_status rnnk_engine_create(rnnk_model *model, int32_t max_steps, int32_t max_batch, int32_t threads, rnnk_engine **engine);
rnnk_status rnnk_engine_free(rnnk_engine *engine);
/* Whether backward also computes dE/dx (RNNK_STATE_INPUT_GRADIENT). */
rnnk_status rnnk_engine_set_input_gradient(rnnk_engine *engine, int32_t enabled);
/* x [T, B, I]; lengths [B] (int64) in 1..T or NULL (all T); h0, c0 [L*D, B, H] or NULL (zeros; c0 for an LSTM only);
   outputs [T, B, O] (without an output layer [T, B, D*H]) or NULL. */
rnnk_status rnnk_engine_forward(rnnk_engine *engine, const float *x, int64_t x_count, int32_t steps, int32_t batch,
                                const int64_t *lengths, int64_t lengths_count, const float *h0, int64_t h0_count,
                                const float *c0, int64_t c0_count, float *outputs, int64_t outputs_count);
/* Softmax cross-entropy against int64 classes [T, B] (PyTorch's index type; or squared error against y [T, B, O]) summed over steps and batch,
   then BPTT: gradients are ADDED to the engine's (clear them with rnnk_engine_zero_grad). loss may be NULL. */
rnnk_status rnnk_engine_backward_cross_entropy(rnnk_engine *engine, const int64_t *targets, int64_t targets_count, double *loss);
rnnk_status rnnk_engine_backward_mse(rnnk_engine *engine, const float *y, int64_t y_count, double *loss);
/* Backpropagation from the caller's gradients (autograd's contract): d_outputs is dE/d(outputs of the last forward)
   [T, B, O] or [T, B, D*H] without an output layer (padding steps ignored); dh_n and dc_n [L*D, B, H] or NULL (dc_n for
   an LSTM only). Gradients are ADDED to the engine's; dE/dh0, dE/dc0 and dE/dx are then read with rnnk_engine_get_state. */
rnnk_status rnnk_engine_backward(rnnk_engine *engine, const float *d_outputs, int64_t d_outputs_count, const float *dh_n,
                                 int64_t dh_n_count, const float *dc_n, int64_t dc_n_count);
/* Dropout between stacked layers as nn.RNN's dropout= (probability in [0, 1); 0 turns it off): every later forward pass
   draws fresh masks from (seed, pass number), the same for any thread count, and backward uses the same masks. */
rnnk_status rnnk_engine_set_dropout(rnnk_engine *engine, float probability, int64_t seed);
rnnk_status rnnk_engine_zero_grad(rnnk_engine *engine);
/* One gradient by tensor name, or all of them flat (state_dict order) when name is NULL. */
rnnk_status rnnk_engine_get_gradient(rnnk_engine *engine, const char *name, float *values, int64_t values_count);

/* What rnnk_engine_get_state copies out (sizes of the last forward/backward). */
#define RNNK_STATE_OUTPUTS 0             /* [T, B, O] */
#define RNNK_STATE_H_N 1                 /* [L*D, B, H] */
#define RNNK_STATE_C_N 2                 /* [L*D, B, H], LSTM (0 values otherwise) */
#define RNNK_STATE_H0_GRADIENT 3         /* [L*D, B, H] */
#define RNNK_STATE_C0_GRADIENT 4         /* [L*D, B, H], LSTM (0 values otherwise) */
#define RNNK_STATE_INPUT_GRADIENT 5      /* [T, B, I], after rnnk_engine_set_input_gradient(engine, 1) */
#define RNNK_STATE_HIDDEN 6              /* [T, B, D*H], the last layer's h_t */
rnnk_status rnnk_engine_get_state(rnnk_engine *engine, int32_t which, float *values, int64_t values_count);

/* ---- optimizers ---- */

#define RNNK_SGD 0
#define RNNK_ADAGRAD 1
#define RNNK_ADAM 2
typedef struct rnnk_optimizer_options {
    int32_t kind;        /* RNNK_SGD, RNNK_ADAGRAD or RNNK_ADAM */
    float learning_rate; /* > 0 */
    float momentum;      /* SGD, in [0, 1) */
    float beta1, beta2;  /* Adam, in [0, 1); PyTorch: 0.9, 0.999 */
    float epsilon;       /* Adagrad 1e-10, Adam 1e-8 in PyTorch */
    float clip_norm;     /* clip gradients to this global norm before the update; 0 = off */
} rnnk_optimizer_options;

rnnk_status rnnk_optimizer_create(rnnk_model *model, const rnnk_optimizer_options *options, rnnk_optimizer **optimizer);
/* One update of the model from the engine's gradients (the engine must train the same model). gradient_norm (may
   be NULL) receives the norm before clipping. Non-finite gradients: RNNK_ERROR_INVALID_STATE, weights unchanged. */
rnnk_status rnnk_optimizer_step(rnnk_optimizer *optimizer, rnnk_engine *engine, double *gradient_norm);
rnnk_status rnnk_optimizer_free(rnnk_optimizer *optimizer);

/* ---- streams: inference over whole sequences, or one step at a time (unidirectional models) ---- */

rnnk_status rnnk_stream_create(rnnk_model *model, int32_t batch, rnnk_stream **stream);
/* x [B, I] -> y [B, O]; the state (h, and c for an LSTM) is kept between steps. Unidirectional models only. */
rnnk_status rnnk_stream_step(rnnk_stream *stream, const float *x, int64_t x_count, float *y, int64_t y_count);
/* Whole sequences, any model (bidirectional too): x [T, B, I] -> y [T, B, O] ([T, B, D*H] for the recurrent layers
   alone, zeros past each entry's length); lengths [B] (int64) in 1..T or NULL; h0, c0 [L*D, B, H] or NULL to continue
   from the stream's state (zeros after create or reset); h_n, c_n [L*D, B, H] or NULL. The input projections of all
   steps are one product per layer; nothing allocates once a length has been run. */
rnnk_status rnnk_stream_run(rnnk_stream *stream, const float *x, int64_t x_count, int32_t steps, const int64_t *lengths,
                            int64_t lengths_count, const float *h0, int64_t h0_count, const float *c0, int64_t c0_count,
                            float *y, int64_t y_count, float *h_n, int64_t h_n_count, float *c_n, int64_t c_n_count);
rnnk_status rnnk_stream_reset(rnnk_stream *stream);
/* Takes a new snapshot of the model's weights (the stream serves the snapshot taken at creation until then). */
rnnk_status rnnk_stream_refresh(rnnk_stream *stream);
rnnk_status rnnk_stream_free(rnnk_stream *stream);

#ifdef __cplusplus
}
#endif

#endif /* RNNKERNELS_H */
