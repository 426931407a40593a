// tapenet core: the differentiable operations.
//
// Every op returns a new tensor. When one of its inputs needs a gradient (and no NoGrad guard is
// alive) it also records its backward on the tape. Forward and backward of each op sit side by
// side in one function in core/ops_<family>.cpp. Shape mistakes throw tn::ShapeError with the op
// name and both shapes, e.g. "matmul: inner dimensions differ: (2, 3) @ (4, 5)".
//
// Binary elementwise ops broadcast as numpy does: shapes are aligned on the right, and a
// dimension of 1 (or a missing one) stretches to match. The backward sums over the stretched axes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tn {

class Rng;

// ---- elementwise, broadcasting (ops_elementwise.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor add_scalar(const Tensor& x, float s);
Tensor mul_scalar(const Tensor& x, float s);
Tensor pow_scalar(const Tensor& x, float p);  // x^p (x > 0 unless p is an integer)
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, float s) { return add_scalar(x, s); }
inline Tensor operator+(float s, const Tensor& x) { return add_scalar(x, s); }
inline Tensor operator-(const Tensor& x, float s) { return add_scalar(x, -s); }
inline Tensor operator-(float s, const Tensor& x) { return add_scalar(neg(x), s); }
inline Tensor operator*(const Tensor& x, float s) { return mul_scalar(x, s); }
inline Tensor operator*(float s, const Tensor& x) { return mul_scalar(x, s); }
inline Tensor operator/(const Tensor& x, float s) { return mul_scalar(x, 1.0f / s); }

// ---- unary math and activations (ops_unary.cpp) ----
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor hard_sigmoid(const Tensor& x);  // Keras: clip(0.2 x + 0.5, 0, 1)
Tensor relu(const Tensor& x);
Tensor abs(const Tensor& x);           // gradient sign(x), 0 at 0
Tensor sqrt(const Tensor& x);
Tensor clip(const Tensor& x, float lo, float hi);  // gradient 1 on [lo, hi], 0 outside

// ---- softmax family (ops_softmax.cpp), numerically stable (the row max is subtracted) ----
Tensor softmax(const Tensor& x, int64_t axis = -1);
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

// ---- matrix products through cblas_sgemm (ops_matmul.cpp) ----
// (M,K)@(K,N) -> (M,N); (B,M,K)@(B,K,N) -> (B,M,N); (B,M,K)@(K,N) -> (B,M,N).
// trans_a / trans_b use the transposed operand without materialising it, e.g.
// matmul(a, b, false, true) is a @ bᵀ for b of shape (N,K).
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);

// ---- shape (ops_shape.cpp) ----
Tensor reshape(const Tensor& x, Shape shape);  // free: a view sharing storage and gradient
Tensor transpose(const Tensor& x, int64_t axis0 = -2, int64_t axis1 = -1);  // materialised
Tensor slice(const Tensor& x, int64_t axis, int64_t start, int64_t end);    // [start, end)
Tensor select(const Tensor& x, int64_t axis, int64_t index);                // drops the axis
Tensor concat(const std::vector<Tensor>& xs, int64_t axis);
Tensor stack(const std::vector<Tensor>& xs, int64_t axis);                  // new axis

// ---- reductions (ops_reduce.cpp) ----
Tensor sum(const Tensor& x);                                    // all elements -> shape ()
Tensor sum(const Tensor& x, int64_t axis, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t axis, bool keepdims = false);
Tensor max(const Tensor& x, int64_t axis, bool keepdims = false);  // gradient to the first max

// ---- lookup and masks (ops_index.cpp) ----
// table (V, D), indices of any shape holding integers in [0, V) -> indices.shape + (D).
// Backward scatter-adds into the rows of the table (a repeated index accumulates).
Tensor gather_rows(const Tensor& table, const Tensor& indices);
// Inverted dropout: each element is kept with probability 1-rate and scaled by 1/(1-rate).
Tensor dropout(const Tensor& x, float rate, Rng& rng);
// Multiplies by a constant mask of the same shape (no gradient flows into the mask).
Tensor mask_mul(const Tensor& x, const Tensor& mask);

}  // namespace tn
