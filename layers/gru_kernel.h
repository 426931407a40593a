// tapenet layers: the fused GRU kernel, a whole sequence as ONE tape entry.
//
// Computes what the composed GRU of layers/gru.h computes (same equations, same Keras masking) as a
// single op with a hand-written backward through time, for the reasons of layers/lstm_kernel.h:
//   forward   ONE GEMM for the input projection of all steps ((B*T, D) @ (D, 3U)), then per step the
//             recurrent GEMM(s) and the gates in vectorized loops (core/vmath.h through
//             layers/recurrent_activation.h);
//   backward  per step one fused loop per row and one GEMM (two without reset_after), then ONE GEMM per
//             weight gradient over all steps, and one for dx.
// With more than one thread (core/parallel.h) each thread runs a block of batch rows through all steps.
// tests/test_gru.cpp checks it against the reference cases, finite differences and the composed layer.
//
//   Tensor h_last;
//   Tensor y = tn::gru_sequence(x, kernel, recurrent_kernel, bias, mask, /*h0=*/{}, /*reset_after=*/true,
//                               tn::LstmActivation::tanh, tn::LstmActivation::sigmoid, true, &h_last);
#pragma once

#include "core/tensor.h"
#include "layers/lstm_kernel.h"

namespace tn {

// Shapes: B batch, T steps (T >= 1), D input features, U units; gate column blocks [z | r | h] (Keras).
//   x                 (B, T, D)
//   kernel            (D, 3U)
//   recurrent_kernel  (U, 3U)
//   bias              reset_after: (2, 3U) (row 0 input bias, row 1 recurrent bias); else (3U);
//                     or an undefined tensor for no bias
//   mask              (B, T) of 0/1, or undefined: at a masked step a row keeps h and outputs it
//   h0                (B, U) initial state, or undefined for zeros (it gets a gradient if it needs one)
// Each step (σ = recurrent_activation, act = activation):
//   z = σ(x_t W_z + b_z + h W_z' + b'_z)     r = σ(x_t W_r + b_r + h W_r' + b'_r)    (b' = 0 unless reset_after)
//   reset_after:  hh = act(x_t W_h + b_h + r * (h W_h' + b'_h))
//   else:         hh = act(x_t W_h + b_h + (r * h) W_h')
//   h_t = z * h_{t-1} + (1 - z) * hh
// Returns all h_t (B, T, U) if return_sequences, else h_T (B, U); *h_last (if given) receives h_T,
// part of the graph too. Throws ShapeError / ValueError naming "gru_sequence" on bad input.
Tensor gru_sequence(const Tensor& x, const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                    const Tensor& mask, const Tensor& h0, bool reset_after, LstmActivation activation,
                    LstmActivation recurrent_activation, bool return_sequences, Tensor* h_last = nullptr);

}  // namespace tn
