#include "bench/bench_models.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "optim/adam.h"

namespace tn::bench {

const std::vector<ModelSpec>& model_specs() {
    static const std::vector<ModelSpec> specs = {
        {"add_two_numbers", 20, 1, 0, 100, 128, "bahdanau", 1, "mae", 64},
        {"add_two_numbers_functional", 20, 1, 0, 100, 128, "bahdanau", 1, "mae", 64, /*functional=*/true},
        {"find_max_b64", 10, 1, 0, 128, 128, "luong", 1, "mae", 64},
        {"find_max_b32", 10, 1, 0, 128, 128, "luong", 1, "mae", 32},
        {"imdb_text", 500, 32, 5000, 100, 128, "luong", 1, "binary_crossentropy", 64},
        {"lstm512_scaling", 50, 128, 0, 512, 256, "luong", 10, "sparse_categorical_crossentropy", 128},
        {"gru_text", 500, 32, 5000, 100, 128, "luong", 1, "binary_crossentropy", 64, /*functional=*/false, "gru"},
    };
    return specs;
}

const ModelSpec& model_spec(const std::string& name) {
    std::string names;
    for (const ModelSpec& s : model_specs()) {
        if (s.name == name) return s;
        names += (names.empty() ? "" : ", ") + s.name;
    }
    value_error("--models", "unknown model '" + name + "'; the models are " + names);
}

double forward_flops_per_sample(const ModelSpec& s) {
    const double T = double(s.T), D = double(s.D), U = double(s.units), A = double(s.att_units),
                 O = double(s.out);
    const double gates = s.cell == "gru" ? 3 : 4;
    const double recurrent = 2 * T * D * gates * U + 2 * T * U * gates * U;
    const double score = s.score == "luong" ? 2 * U * U + 2 * T * U                // h_s · (h_t @ Wᵀ)
                                            : 2 * U * U + 2 * T * U * U + 2 * T * U;  // W1, W2, v
    const double attention = score + 2 * T * U + 2 * (2 * U) * A;  // + context + attention_vector
    const double dense = 2 * A * O;
    return recurrent + attention + dense;
}

double train_flops_per_sample(const ModelSpec& s) { return 3 * forward_flops_per_sample(s); }

namespace {

// add_two_numbers (keras-attention's example): x uniform in [0, 1); two distinct positions a, b in
// [1, T) are the operands, y = (x[a] + x[b]) / 2, and the steps just before them are set to 0 as markers.
Batch add_two_numbers_batch(const ModelSpec& s, Rng& rng) {
    Tensor x = Tensor::uniform({s.batch, s.T, 1}, 0.0f, 1.0f, rng);
    Tensor y({s.batch, 1});
    for (int64_t b = 0; b < s.batch; ++b) {
        float* row = x.data() + b * s.T;
        const int64_t a = 1 + int64_t(rng.below(uint64_t(s.T - 1)));
        int64_t c = 1 + int64_t(rng.below(uint64_t(s.T - 2)));
        if (c >= a) ++c;  // distinct from a
        y[b] = 0.5f * row[a] + 0.5f * row[c];
        row[a - 1] = 0.0f;
        row[c - 1] = 0.0f;
    }
    return {x, y};
}

// find_max: x ~ Beta(1/T, 1) (mostly small values, a few large: drawn as u^T), y = max over time.
Batch find_max_batch(const ModelSpec& s, Rng& rng) {
    Tensor x({s.batch, s.T, 1});
    Tensor y({s.batch, 1});
    for (int64_t b = 0; b < s.batch; ++b) {
        float best = 0.0f;
        for (int64_t t = 0; t < s.T; ++t) {
            const float v = float(std::pow(rng.uniform_double(), double(s.T)));
            x[b * s.T + t] = v;
            best = std::max(best, v);
        }
        y[b] = best;
    }
    return {x, y};
}

// imdb_text: random token ids in [0, vocab) and random 0/1 labels.
Batch imdb_batch(const ModelSpec& s, Rng& rng) {
    Tensor x({s.batch, s.T});
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = float(rng.below(uint64_t(s.vocab)));
    Tensor y({s.batch, 1});
    for (int64_t b = 0; b < s.batch; ++b) y[b] = float(rng.below(2));
    return {x, y};
}

// lstm512_scaling: standard normal features and class labels in [0, out).
Batch classification_batch(const ModelSpec& s, Rng& rng) {
    Tensor x = Tensor::normal({s.batch, s.T, s.D}, 0.0f, 1.0f, rng);
    Tensor y({s.batch});
    for (int64_t b = 0; b < s.batch; ++b) y[b] = float(rng.below(uint64_t(s.out)));
    return {x, y};
}

}  // namespace

std::vector<Batch> make_batches(const ModelSpec& spec, int count, uint64_t seed) {
    Rng rng(seed);
    std::vector<Batch> batches;
    for (int i = 0; i < count; ++i) {
        if (spec.name.starts_with("add_two_numbers")) batches.push_back(add_two_numbers_batch(spec, rng));
        else if (spec.vocab > 0) batches.push_back(imdb_batch(spec, rng));
        else if (spec.loss == "mae") batches.push_back(find_max_batch(spec, rng));
        else batches.push_back(classification_batch(spec, rng));
    }
    return batches;
}

namespace {

// The model as a functional graph: Input -> [Embedding] -> LSTM -> Attention -> Dense.
std::unique_ptr<Model> make_functional_model(const ModelSpec& spec, uint64_t seed, const std::string& dense_activation) {
    const KerasTensor input = Input(spec.vocab > 0 ? Shape{spec.T} : Shape{spec.T, spec.D});
    KerasTensor x = input;
    if (spec.vocab > 0) x = layer<Embedding>(spec.vocab, spec.D)(x);
    x = layer<LSTM>(spec.units, /*return_sequences=*/true)(x);
    x = layer<Attention>(spec.att_units, spec.score)(x);
    x = layer<Dense>(spec.out, dense_activation)(x);
    return std::make_unique<Model>(input, x, spec.name, seed);
}

}  // namespace

std::unique_ptr<Model> make_model(const ModelSpec& spec, uint64_t seed) {
    // imdb: Dense(1, sigmoid) + binary_crossentropy trains on the logits (see train/model.h).
    const std::string dense_activation = spec.loss == "binary_crossentropy" ? "sigmoid" : "linear";
    std::unique_ptr<Model> model;
    if (spec.functional) {
        model = make_functional_model(spec, seed, dense_activation);
    } else {
        model = std::make_unique<Model>(seed, spec.name);
        if (spec.vocab > 0) model->add<Embedding>(spec.vocab, spec.D);
        if (spec.cell == "gru") model->add<GRU>(spec.units, /*return_sequences=*/true);
        else model->add<LSTM>(spec.units, /*return_sequences=*/true);
        model->add<Attention>(spec.att_units, spec.score);
        model->add<Dense>(spec.out, dense_activation);
        model->build(spec.vocab > 0 ? Shape{-1, spec.T} : Shape{-1, spec.T, spec.D});
    }
    model->compile(spec.loss, std::make_unique<Adam>(AdamOptions{.epsilon = 1e-7}));
    return model;
}

}  // namespace tn::bench
