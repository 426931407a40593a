// tapenet examples: what the sequence-to-sequence examples (date_translation, reverse_digits) share:
// greedy decoding of a decoder trained with teacher forcing, and one alignment panel per sample.
//
//   // model: inputs {encoder_in (N, T_in), decoder_in (N, T_out)}, first output logits (N, T_out, V)
//   tn::examples::GreedyDecoding d = tn::examples::greedy_decode(model, encoder_in, /*start=*/1);
//   d.tokens[n][t]      // the token chosen at step t for sample n
//   d.decoder_in        // (N, T_out): the start token, then the model's own choices (feed it to a probe)
//
//   // alpha (N, T_out, T_in) from a probe model; cropped to the labels given
//   tn::HeatmapPanel p = tn::examples::alignment_panel(alpha, n, "20JAN2019 -> 2019-01-20", in_chars, out_chars);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/heatmap.h"
#include "train/model.h"

namespace tn::examples {

struct GreedyDecoding {
    std::vector<std::vector<int>> tokens;  // (N, T_out)
    Tensor decoder_in;                     // (N, T_out)
};

// Step t runs the model on the tokens chosen so far and keeps the most likely token at position t.
// The decoder must be causal (an LSTM is), so later positions do not change earlier ones. The
// output length T_out is the model's second input's length.
GreedyDecoding greedy_decode(Model& model, const Tensor& encoder_in, int start_token, int64_t batch_size = 512);

// Sample n of alpha (N, T_out, T_in) as a panel of row_labels.size() rows (output steps, labelled on
// the right) by col_labels.size() columns (input steps, labelled below).
HeatmapPanel alignment_panel(const Tensor& alpha, int64_t n, std::string label, std::vector<std::string> col_labels,
                             std::vector<std::string> row_labels);

}  // namespace tn::examples
