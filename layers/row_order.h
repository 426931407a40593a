// The rows of a masked batch taken in order of their number of real steps, as PyTorch's packed
// sequences do: for a padded batch (each row's real steps in one run, post- or pre-padded) the rows
// that are real at step t are then the first rows of the batch, and of every block of it, so a
// recurrent kernel (layers/lstm_kernel.cpp, layers/gru_kernel.cpp) can run a step's products on
// those rows only.
//
//   const RowOrder order(mask, B, T);      // internal row k is batch row order.row(k)
//   const Tensor xs = order.in_order(x);   // x's rows in that order
//   const int64_t real = order.real_prefix(b0, rows, t);  // rows [b0, b0 + real) are real at step t
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tn {

class RowOrder {
public:
    RowOrder() = default;  // no mask: every step real, the batch's own order
    // The rows of the (B, T) mask by their number of real steps, most first (stable); an undefined
    // mask is no mask.
    RowOrder(const Tensor& mask, int64_t B, int64_t T);

    bool masked() const { return !mask_.empty(); }
    bool identity() const { return order_.empty(); }  // internal row k is batch row k
    // The batch row of internal row k.
    int64_t row(int64_t k) const { return order_.empty() ? k : order_[static_cast<size_t>(k)]; }
    // Whether internal row k is real at step t (always, without a mask).
    bool real(int64_t k, int64_t t) const { return mask_.empty() || mask_[static_cast<size_t>(k * T_ + t)] != 0.0f; }
    // How many of the internal rows [b0, b0 + rows) are real at step t if they are the first ones
    // (no mask: all); `rows` when the real rows are not a prefix of the block.
    int64_t real_prefix(int64_t b0, int64_t rows, int64_t t) const;
    // x (B, ...) with its rows in internal order: x itself when that is the batch's order.
    Tensor in_order(const Tensor& x) const;

private:
    std::vector<float> mask_;     // (B, T) in internal row order; empty without a mask
    std::vector<int64_t> order_;  // internal row k is batch row order_[k]; empty: the batch's own order
    int64_t T_ = 0;
};

}  // namespace tn
