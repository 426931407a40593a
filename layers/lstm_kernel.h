// tapenet layers: the fused LSTM kernel, a whole sequence as ONE tape entry.
//
// Computes exactly what the composed LSTM of layers/lstm.h computes (same equations, same Keras
// masking), but as a single op with a hand-written backward (BPTT), because small recurrent
// models spend their time on per-op overhead, allocation and tiny GEMMs rather than on FLOPs:
//   forward   per step, the input projection and the recurrence (two GEMMs; a plain loop for the
//             projection when D = 1), then the cell in vectorized loops over contiguous arrays
//             (core/vmath.h); without a gradient only one step of scratch is kept;
//   backward  per step, the cell in one fused loop and one GEMM (dh_{t-1} = dz_t @ recurrent_kernelᵀ),
//             then ONE GEMM per weight gradient over all steps, and one for dx.
// Every buffer is allocated once per call, from the thread's buffer cache (core/buffer.h). With
// more than one thread (core/parallel.h), each thread runs a block of batch rows through all
// steps, forward and backward; the weight-gradient products then split by themselves.
// tests/test_fused_kernels.cpp checks it against the reference cases, finite differences and the
// composed layer.
//
//   Tensor h_last, c_last;
//   Tensor y = tn::lstm_sequence(x, kernel, recurrent_kernel, bias, mask, tn::LstmActivation::tanh,
//                                tn::LstmActivation::sigmoid, /*return_sequences=*/true, &h_last, &c_last);
#pragma once

#include <string>

#include "core/tensor.h"

namespace tn {

// The activations an LSTM may use for `activation` and `recurrent_activation` (Keras names).
// (Not called `Activation`, so as not to collide with a future Keras-style `Activation` layer.)
enum class LstmActivation { linear, relu, sigmoid, hard_sigmoid, tanh };

// "tanh" -> LstmActivation::tanh, ...; any other name (softmax included) throws a ValueError
// whose message starts with `context`, says which layer refuses it (`layer_kind`, e.g. "a GRU") and
// lists the valid names. (The GRU kernel, layers/gru_kernel.h, uses the same activations.)
LstmActivation lstm_activation_from_name(const std::string& name, const std::string& context = "lstm",
                                         const std::string& layer_kind = "an LSTM");

// Shapes: B batch, T steps (T >= 1), D input features, U units.
//   x                 (B, T, D)
//   kernel            (D, 4U)     gate column blocks i, f, c, o (Keras order)
//   recurrent_kernel  (U, 4U)
//   bias              (4U), or an undefined tensor for no bias
//   mask              (B, T) of 0/1, or undefined: at a masked step a row keeps h and c unchanged
//                     and outputs its previous h (Keras semantics)
//   h0, c0            (B, U) each, both or neither: the initial state (Keras' initial_state);
//                     undefined: zeros. Gradients flow into them like into x.
// Returns all h_t (B, T, U) if return_sequences, else h_T (B, U). If given, *h_last and *c_last
// receive h_T and c_T (B, U); they are part of the graph too (a gradient into them flows back).
// Throws ShapeError / ValueError naming "lstm_sequence" on bad input.
Tensor lstm_sequence(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                     const Tensor& mask, LstmActivation activation, LstmActivation recurrent_activation,
                     bool return_sequences, Tensor* h_last = nullptr, Tensor* c_last = nullptr,
                     const Tensor& h0 = {}, const Tensor& c0 = {});

}  // namespace tn
