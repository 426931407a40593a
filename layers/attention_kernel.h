// tapenet layers: the fused Attention kernel (keras-attention 5.0), ONE tape entry per call.
//
// Computes what the composed Attention of layers/attention.h computes, with batched GEMMs and a
// hand-written backward instead of a dozen recorded ops:
//   h_t       = h_s[b, last_b]   last_b = T-1, or the last unmasked step of row b
//   luong:    score[b, s] = h_t[b] · (h_s[b, s] @ luong_w)
//   bahdanau: score[b, s] = tanh(h_t[b] @ bahdanau_w1 + h_s[b, s] @ bahdanau_w2) @ bahdanau_v
//   alpha     = softmax over s of score (masked steps get exactly 0)
//   context   = Σ_s alpha[b, s] h_s[b, s, :]
//   y         = tanh([context, h_t] @ attention_vector)
//
//   tn::AttentionIntermediates seen;
//   Tensor y = tn::attention_forward(h_s, tn::AttentionScoreParams::luong(w), attention_vector, mask, &seen);
//   draw(seen.alpha);
#pragma once

#include "core/tensor.h"

namespace tn {

enum class AttentionScore { luong, bahdanau };

// The score's parameters (Keras layouts): luong_w (D, D), or bahdanau_w1 (D, D), bahdanau_w2 (D, D)
// and bahdanau_v (D, 1).
struct AttentionScoreParams {
    AttentionScore score = AttentionScore::luong;
    Tensor luong_w;
    Tensor bahdanau_w1, bahdanau_w2, bahdanau_v;

    static AttentionScoreParams luong(Tensor w) { return {AttentionScore::luong, std::move(w), {}, {}, {}}; }
    static AttentionScoreParams bahdanau(Tensor w1, Tensor w2, Tensor v) {
        return {AttentionScore::bahdanau, {}, std::move(w1), std::move(w2), std::move(v)};
    }
};

// The values attention_forward computes on the way to y, as plain tensors outside the graph.
struct AttentionIntermediates {
    Tensor alpha;    // (B, T) attention weights
    Tensor scores;   // (B, T) before masking and softmax
    Tensor context;  // (B, D)
    Tensor h_t;      // (B, D) the query state
};

// h_s (B, T, D) with T >= 1; attention_vector (2D, units): rows [0, D) multiply the context, rows
// [D, 2D) multiply h_t; mask (B, T) of 0/1 or undefined (each row needs an unmasked step).
// Returns y (B, units). `out` may be null. Throws ShapeError / ValueError naming "attention_forward".
Tensor attention_forward(const Tensor& h_s, const AttentionScoreParams& params, const Tensor& attention_vector,
                         const Tensor& mask, AttentionIntermediates* out = nullptr);

}  // namespace tn
