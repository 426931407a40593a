#include "layers/attention.h"

#include <limits>

#include "core/error.h"
#include "core/ops.h"
#include "layers/attention_kernel.h"
#include "layers/initializers.h"
#include "layers/mask.h"

namespace tn {

AttentionScore attention_score(std::string_view name, const std::string& context) {
    if (name == "luong") return AttentionScore::luong;
    if (name == "bahdanau") return AttentionScore::bahdanau;
    value_error(context, "unknown score '" + std::string(name) + "'; valid scores are: luong, bahdanau");
}

const char* attention_score_name(AttentionScore score) {
    return score == AttentionScore::luong ? "luong" : "bahdanau";
}

Attention::Attention(int64_t units, std::string_view score, bool return_attention_scores)
    : Layer("attention"),
      units_(units),
      score_kind_(attention_score(score, "attention")),
      luong_(score_kind_ == AttentionScore::luong),
      return_attention_scores_(return_attention_scores) {
    if (units <= 0) value_error("attention", "units must be positive, got " + std::to_string(units));
}

void Attention::get_config(ConfigWriter& c) const {
    c.integer("units", units_);
    c.text("score", attention_score_name(score_kind_));
    // Written only when set: keras-attention's own config has no such key.
    if (return_attention_scores_) c.boolean("return_attention_scores", true);
}

std::unique_ptr<Layer> Attention::from_config(const ConfigReader& c) {
    // keras.layers.Attention (dot-product, Keras' own) shares the class name but not the math.
    if (!c.has("units") && (c.has("score_mode") || c.has("use_scale")))
        c.fail("this is Keras' built-in dot-product Attention (score_mode/use_scale), not keras-attention's "
               "Attention(units, score), which tapenet implements");
    return std::make_unique<Attention>(c.integer("units", 128), c.text("score", "luong"),
                                       c.boolean("return_attention_scores", false));
}

void Attention::check_input(const Shape& shape) const { check_sequence_input(name(), shape, input_dim_); }

Shape Attention::output_shape(const Shape& input_shape) const {
    check_input(input_shape);
    return {input_shape[0], units_};
}

std::vector<Shape> Attention::output_shapes(const std::vector<Shape>& in) const {
    check_input_count(in.size(), 1, 1);
    const Shape y = output_shape(in[0]);
    if (!return_attention_scores_) return {y};
    return {y, {in[0][0], in[0][1]}};
}

std::vector<WeightSpec> Attention::weight_specs(const Shape& input_shape) const {
    check_input(input_shape);
    const int64_t D = input_shape[2];
    std::vector<WeightSpec> specs;
    if (luong_) {
        specs.push_back({"luong_w", {D, D}, glorot_uniform});
    } else {
        specs.push_back({"bahdanau_w1", {D, D}, glorot_uniform});
        specs.push_back({"bahdanau_w2", {D, D}, glorot_uniform});
        specs.push_back({"bahdanau_v", {D, 1}, glorot_uniform});
    }
    specs.push_back({"attention_vector", {2 * D, units_}, glorot_uniform});
    return specs;
}

std::vector<std::string> Attention::weight_aliases(std::string_view weight) const {
    return {std::string(weight) + "/kernel"};
}

void Attention::on_built(const Shape& input_shape, Rng&) {
    input_dim_ = input_shape[2];
    if (luong_) {
        luong_w_ = weight("luong_w");
    } else {
        w1_ = weight("bahdanau_w1");
        w2_ = weight("bahdanau_w2");
        v_ = weight("bahdanau_v");
    }
    attention_vector_ = weight("attention_vector");
}

// score (B, T) from h_s (B, T, D) and h_t (B, D).
Tensor Attention::compute_score(const Tensor& h_s, const Tensor& h_t) const {
    const int64_t B = h_s.dim(0), T = h_s.dim(1), D = h_s.dim(2);
    if (luong_) {
        // (h_s @ W) (B, T, D) batched with h_t as a column (B, D, 1) -> (B, T, 1).
        return reshape(matmul(matmul(h_s, luong_w_), reshape(h_t, {B, D, 1})), {B, T});
    }
    // h_t @ W1 is broadcast over the T steps of h_s @ W2.
    const Tensor hidden = tanh(reshape(matmul(h_t, w1_), {B, 1, D}) + matmul(h_s, w2_));  // (B, T, D)
    return reshape(matmul(hidden, v_), {B, T});
}

Tensor Attention::call(const Tensor& h_s, const Tensor& mask, bool) const { return attend(h_s, mask).y; }

std::vector<Tensor> Attention::call_all(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                                        bool) const {
    check_input_count(inputs.size(), 1, 1);
    AttentionOutputs out = attend(inputs[0], masks.empty() ? Tensor() : masks[0]);
    if (!return_attention_scores_) return {std::move(out.y)};
    return {std::move(out.y), std::move(out.weights)};
}

void Attention::check_mask_rows(const Tensor& h_s, const Tensor& mask) const {
    const int64_t B = h_s.dim(0), T = h_s.dim(1);
    check_mask(name(), mask, B, T);
    for (int64_t b = 0; b < B; ++b) {
        bool any = false;
        for (int64_t t = 0; t < T && !any; ++t) any = mask[b * T + t] != 0.0f;
        if (!any) value_error(name(), "row " + std::to_string(b) + " of the mask has no unmasked step to attend to");
    }
}

AttentionOutputs Attention::attend(const Tensor& h_s, const Tensor& mask) const {
    if (!built()) value_error(name(), "attend needs a built layer (call forward or build first)");
    check_input(h_s.shape());
    if (mask.defined()) check_mask_rows(h_s, mask);
    if (!fused_) return attend_composed(h_s, mask);
    AttentionIntermediates seen;
    AttentionOutputs out;
    out.y = attention_forward(
        h_s, luong_ ? AttentionScoreParams::luong(luong_w_) : AttentionScoreParams::bahdanau(w1_, w2_, v_),
        attention_vector_, mask, &seen);
    out.weights = std::move(seen.alpha);
    out.scores = std::move(seen.scores);
    out.context = std::move(seen.context);
    out.h_t = std::move(seen.h_t);
    return out;
}

AttentionOutputs Attention::attend_composed(const Tensor& h_s, const Tensor& mask) const {
    const int64_t B = h_s.dim(0), T = h_s.dim(1), D = h_s.dim(2);

    Tensor h_t, alpha, score;
    if (!mask.defined()) {
        h_t = select(h_s, 1, T - 1);
        score = compute_score(h_s, h_t);
        alpha = softmax(score, -1);
    } else {
        if (B * T > (int64_t{1} << 24))  // gather_rows takes float indices, exact up to 2^24
            shape_error(name(), "a masked input may hold at most 2^24 steps in all, got " + shape_str(h_s.shape()));
        // Row b's h_t is row (b*T + last unmasked step) of h_s seen as a (B*T, D) table.
        Tensor last_rows({B});
        Tensor minus_inf({B, T});
        for (int64_t b = 0; b < B; ++b) {
            int64_t last = -1;
            for (int64_t t = 0; t < T; ++t) {
                const bool real = mask[b * T + t] != 0.0f;
                if (real) last = t;
                minus_inf[b * T + t] = real ? 0.0f : -std::numeric_limits<float>::infinity();
            }
            if (last < 0)
                value_error(name(), "row " + std::to_string(b) + " of the mask has no unmasked step to attend to");
            last_rows[b] = static_cast<float>(b * T + last);
        }
        h_t = gather_rows(reshape(h_s, {B * T, D}), last_rows);
        score = compute_score(h_s, h_t);
        alpha = softmax(score + minus_inf, -1);  // exp(-inf) = 0: padded steps get exactly zero weight
    }
    const Tensor context = reshape(matmul(reshape(alpha, {B, 1, T}), h_s), {B, D});  // Σ_s alpha h_s
    const Tensor y = tanh(matmul(concat({context, h_t}, 1), attention_vector_));
    return {y, alpha, score, context, h_t};
}

}  // namespace tn
