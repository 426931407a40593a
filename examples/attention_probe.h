// tapenet examples: reading the attention weights of a trained model, for heatmaps and metrics.
//
//   tn::Tensor alpha = tn::examples::attention_weights(model, attention, x_test);   // (N, T)
//
// Runs the model's layers before `attention` over x (N, ...) in batches under NoGrad (dropout off),
// passing each layer's compute_mask on, and returns the weights Attention::attend computes on
// their output. Nothing is stored in the layers, so this may run while other threads predict.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/tape.h"
#include "core/tensor.h"
#include "layers/attention.h"
#include "layers/network.h"

namespace tn::examples {

// The input of `layer` (and its mask) when the model runs on x: the outputs of the layers before it.
inline std::pair<Tensor, Tensor> input_of(Network& model, const Layer& layer, const Tensor& x) {
    Tensor h = x, mask;
    for (const auto& l : model.layers()) {
        if (l.get() == &layer) return {h, mask};
        Tensor out = l->forward(h, mask, /*training=*/false);
        mask = l->compute_mask(h, mask);
        h = out;
    }
    value_error("attention_weights", "layer '" + layer.name() + "' is not a layer of model '" + model.name() + "'");
}

inline Tensor attention_weights(Network& model, const Attention& attention, const Tensor& x, int64_t batch_size = 256) {
    NoGrad no_grad;
    const int64_t n = x.dim(0);
    Tensor alpha;
    for (int64_t start = 0; start < n; start += batch_size) {
        std::vector<int64_t> rows(static_cast<size_t>(std::min(n, start + batch_size) - start));
        std::iota(rows.begin(), rows.end(), start);
        const auto [h_s, mask] = input_of(model, attention, take_rows(x, rows));
        if (!attention.built()) model.layer(attention.name()).build(h_s.shape());
        const Tensor a = attention.attend(h_s, mask).weights;  // (rows, T)
        if (!alpha.defined()) alpha = Tensor({n, a.dim(1)});
        std::memcpy(alpha.data() + start * a.dim(1), a.data(), static_cast<size_t>(a.numel()) * sizeof(float));
    }
    return alpha;
}

// Index of the largest value of row r of a (rows, cols) tensor (the first one on a tie).
inline int64_t row_argmax(const Tensor& m, int64_t r) {
    const int64_t cols = m.dim(1);
    const float* row = m.data() + r * cols;
    return std::max_element(row, row + cols) - row;
}

// A (rows, cols) tensor of zeros with a 1 at each row's argmax of m (keras-attention's argmax mask).
inline Tensor argmax_one_hot(const Tensor& m) {
    Tensor out(m.shape());
    for (int64_t r = 0; r < m.dim(0); ++r) out[r * m.dim(1) + row_argmax(m, r)] = 1.0f;
    return out;
}

}  // namespace tn::examples
