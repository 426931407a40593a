// tapenet layers: Attention, exactly as keras-attention 5.0 (philipperemy) computes it.
//
// Input h_s (B, T, D), the hidden states of a sequence (e.g. an LSTM with return_sequences).
//   h_t       = h_s[:, T-1, :]                                     (B, D)   the last state
//   luong:    score[b, s] = h_t[b] · (h_s[b, s] @ luong_w)          (B, T)
//   bahdanau: score[b, s] = tanh(h_t[b] @ bahdanau_w1 + h_s[b, s] @ bahdanau_w2) @ bahdanau_v
//   alpha     = softmax over s of score                            (B, T)   the attention weights
//   context   = Σ_s alpha[b, s] h_s[b, s, :]                       (B, D)
//   y         = tanh(concat(context, h_t) @ attention_vector)      (B, units)
// Parameters, all glorot_uniform, no biases:
//   luong_w (D, D)  or  bahdanau_w1 (D, D), bahdanau_w2 (D, D), bahdanau_v (D, 1);  then
//   attention_vector (2D, units): rows [0, D) multiply the context, rows [D, 2D) multiply h_t.
// tapenet saves them as "<layer>/luong_w", ...; files from Keras name them "<layer>/luong_w/kernel",
// ... (keras-attention's Dense sublayers, use_bias=False): both load (weight_aliases).
//
// With a mask (B, T): masked steps get a score of -inf before the softmax, so exactly zero weight,
// and h_t is the last unmasked step of each row (every row needs at least one). The mask is
// consumed (the output has no time axis). Without a mask, this is the plain code path above.
//
// attend() returns every value of one forward (AttentionOutputs): y, and alpha, the scores, the
// context and h_t, e.g. to draw heatmaps. forward_all returns {y}, or {y, alpha} with
// return_attention_scores (as Keras' argument of that name), so a functional model can serve the
// weights as an output.
#pragma once

#include "layers/attention_kernel.h"  // AttentionScore
#include "layers/layer.h"

namespace tn {

// "luong" -> AttentionScore::luong, "bahdanau" -> bahdanau; any other name throws a ValueError
// starting with `context` that lists both.
AttentionScore attention_score(std::string_view name, const std::string& context = "attention");
const char* attention_score_name(AttentionScore score);

// Everything one Attention forward computes. The fused path (the default) computes weights,
// scores, context and h_t as plain tensors outside the graph; the composed path returns the
// graph's own tensors (a gradient into them flows back): detach them to keep them.
struct AttentionOutputs {
    Tensor y;        // (B, units), forward's output
    Tensor weights;  // (B, T) alpha, the attention weights
    Tensor scores;   // (B, T) before masking and softmax
    Tensor context;  // (B, D)
    Tensor h_t;      // (B, D) the query state
};

class Attention : public Layer {
public:
    explicit Attention(int64_t units = 128, std::string_view score = "luong", bool return_attention_scores = false);

    std::string class_name() const override { return "Attention"; }
    void get_config(ConfigWriter& config) const override;
    static std::unique_ptr<Layer> from_config(const ConfigReader& config);
    Shape output_shape(const Shape& input_shape) const override;
    // {h_s} -> {y}, or {y, weights (B, T)} with return_attention_scores.
    std::vector<Shape> output_shapes(const std::vector<Shape>& input_shapes) const override;
    std::vector<WeightSpec> weight_specs(const Shape& input_shape) const override;
    // keras-attention 5.0 builds its weights as Dense sublayers without biases, so a Keras model
    // converted to TF.js names them "<layer>/luong_w/kernel", ..., "<layer>/attention_vector/kernel":
    // the alias of each weight is "<weight>/kernel".
    std::vector<std::string> weight_aliases(std::string_view weight) const override;
    Tensor compute_mask(const Tensor&, const Tensor&) const override { return Tensor(); }

    // The forward of a built layer with all its values; writes nothing into the layer.
    AttentionOutputs attend(const Tensor& h_s, const Tensor& mask = {}) const;

    int64_t units() const { return units_; }
    AttentionScore score() const { return score_kind_; }
    bool return_attention_scores() const { return return_attention_scores_; }

    // true (default): one fused tape op with a hand-written backward (layers/attention_kernel.h);
    // false: the reference path composed from core ops. Same results within 1e-5.
    void set_fused(bool on) { fused_ = on; }
    bool fused() const { return fused_; }

protected:
    void on_built(const Shape& input_shape, Rng& rng) override;
    Tensor call(const Tensor& x, const Tensor& mask, bool training) const override;
    std::vector<Tensor> call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                 bool training) const override;

private:
    void check_input(const Shape& shape) const;
    Tensor compute_score(const Tensor& h_s, const Tensor& h_t) const;
    void check_mask_rows(const Tensor& h_s, const Tensor& mask) const;
    AttentionOutputs attend_composed(const Tensor& h_s, const Tensor& mask) const;

    int64_t units_;
    AttentionScore score_kind_;
    bool luong_;
    bool return_attention_scores_;
    bool fused_ = true;
    int64_t input_dim_ = 0;  // D, known once built
    // Handles onto params(): luong_w_, or w1_, w2_, v_; then attention_vector_.
    Tensor luong_w_, w1_, w2_, v_, attention_vector_;
};

}  // namespace tn
