#include "examples/seq2seq_decoding.h"

#include <algorithm>

#include "core/error.h"
#include "layers/input_layer.h"

namespace tn::examples {

GreedyDecoding greedy_decode(Model& model, const Tensor& encoder_in, int start_token, int64_t batch_size) {
    if (model.input_nodes().size() != 2 || model.input_layer(1).batch_input_shape().size() != 2)
        shape_error("greedy_decode", "the model must take {encoder_in, decoder_in (N, T_out)}");
    const int64_t n = encoder_in.dim(0), steps = model.input_layer(1).batch_input_shape()[1];
    GreedyDecoding out{std::vector<std::vector<int>>(static_cast<size_t>(n)), Tensor::zeros({n, steps})};
    for (int64_t r = 0; r < n; ++r) out.decoder_in.data()[r * steps] = static_cast<float>(start_token);
    for (int64_t t = 0; t < steps; ++t) {
        const Tensor logits = model.predict(std::vector<Tensor>{encoder_in, out.decoder_in}, batch_size)[0];
        const int64_t vocab = logits.dim(2);
        for (int64_t r = 0; r < n; ++r) {
            const float* row = logits.data() + (r * steps + t) * vocab;
            const int best = static_cast<int>(std::max_element(row, row + vocab) - row);
            out.tokens[static_cast<size_t>(r)].push_back(best);
            if (t + 1 < steps) out.decoder_in.data()[r * steps + t + 1] = static_cast<float>(best);
        }
    }
    return out;
}

HeatmapPanel alignment_panel(const Tensor& alpha, int64_t n, std::string label, std::vector<std::string> col_labels,
                             std::vector<std::string> row_labels) {
    if (alpha.ndim() != 3 || n < 0 || n >= alpha.dim(0) || static_cast<int64_t>(row_labels.size()) > alpha.dim(1) ||
        static_cast<int64_t>(col_labels.size()) > alpha.dim(2))
        shape_error("alignment_panel", "alpha " + shape_str(alpha.shape()) + " has no sample " + std::to_string(n) +
                                           " of " + std::to_string(row_labels.size()) + " x " +
                                           std::to_string(col_labels.size()));
    HeatmapPanel panel;
    panel.label = std::move(label);
    panel.rows = static_cast<int>(row_labels.size());
    panel.cols = static_cast<int>(col_labels.size());
    const int64_t t_out = alpha.dim(1), t_in = alpha.dim(2);
    for (int r = 0; r < panel.rows; ++r)
        for (int c = 0; c < panel.cols; ++c) panel.values.push_back(alpha.data()[(n * t_out + r) * t_in + c]);
    panel.col_labels = std::move(col_labels);
    panel.row_labels = std::move(row_labels);
    return panel;
}

}  // namespace tn::examples
