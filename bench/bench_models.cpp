#include "bench/bench_models.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "layers/activation.h"
#include "layers/attention.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/time_distributed.h"
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
        // examples/date_translation.cpp: kInputLength 32, kInputVocabSize 42, kOutputLength 10,
        // kOutputVocabSize 13 (examples/date_formats.h), 64 units, Dense(64, tanh), batch 64.
        {"seq2seq_dates", 32, 32, 42, 64, 64, "dot", 13, "sparse_categorical_crossentropy", 64, /*functional=*/true,
         "lstm", /*T_out=*/10},
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

namespace {

double seq2seq_forward_flops(const ModelSpec& s) {
    const double T = double(s.T), T_out = double(s.T_out), E = double(s.D), U = double(s.units),
                 A = double(s.att_units), O = double(s.out);
    const double lstms = (T + T_out) * (2 * E * 4 * U + 2 * U * 4 * U);
    const double attention = 2 * T_out * T * U + 2 * T_out * T * U;  // scores, context
    const double dense = 2 * T_out * (2 * U) * A + 2 * T_out * A * O;
    return lstms + attention + dense;
}

}  // namespace

double forward_flops_per_sample(const ModelSpec& s) {
    if (s.T_out > 0) return seq2seq_forward_flops(s);
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
    return {{x}, y};
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
    return {{x}, y};
}

// imdb_text: random token ids in [0, vocab) and random 0/1 labels.
Batch imdb_batch(const ModelSpec& s, Rng& rng) {
    Tensor x({s.batch, s.T});
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = float(rng.below(uint64_t(s.vocab)));
    Tensor y({s.batch, 1});
    for (int64_t b = 0; b < s.batch; ++b) y[b] = float(rng.below(2));
    return {{x}, y};
}

// lstm512_scaling: standard normal features and class labels in [0, out).
Batch classification_batch(const ModelSpec& s, Rng& rng) {
    Tensor x = Tensor::normal({s.batch, s.T, s.D}, 0.0f, 1.0f, rng);
    Tensor y({s.batch});
    for (int64_t b = 0; b < s.batch; ++b) y[b] = float(rng.below(uint64_t(s.out)));
    return {{x}, y};
}

// seq2seq_dates: human dates of 6 to 29 characters (the lengths of the example's formats), random
// characters in [1, vocab) post-padded with 0 to T; random ISO targets in [0, out) and the
// decoder's teacher-forced input, the targets shifted right after the start token 1.
Batch seq2seq_batch(const ModelSpec& s, Rng& rng) {
    Tensor human({s.batch, s.T}), iso_so_far({s.batch, s.T_out}), targets({s.batch, s.T_out});
    for (int64_t b = 0; b < s.batch; ++b) {
        const int64_t length = 6 + int64_t(rng.below(24));
        for (int64_t t = 0; t < length; ++t) human[b * s.T + t] = float(1 + rng.below(uint64_t(s.vocab - 1)));
        for (int64_t t = 0; t < s.T_out; ++t) targets[b * s.T_out + t] = float(rng.below(uint64_t(s.out)));
        iso_so_far[b * s.T_out] = 1.0f;
        for (int64_t t = 1; t < s.T_out; ++t) iso_so_far[b * s.T_out + t] = targets[b * s.T_out + t - 1];
    }
    return {{human, iso_so_far}, targets};
}

}  // namespace

std::vector<Batch> make_batches(const ModelSpec& spec, int count, uint64_t seed) {
    Rng rng(seed);
    std::vector<Batch> batches;
    for (int i = 0; i < count; ++i) {
        if (spec.T_out > 0) batches.push_back(seq2seq_batch(spec, rng));
        else if (spec.name.starts_with("add_two_numbers")) batches.push_back(add_two_numbers_batch(spec, rng));
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

// The encoder-decoder of examples/date_translation.cpp, layer for layer.
std::unique_ptr<Model> make_seq2seq_model(const ModelSpec& spec, uint64_t seed) {
    const KerasTensor human = Input({spec.T}, "human");
    const KerasTensor iso_so_far = Input({spec.T_out}, "iso_so_far");
    const KerasTensor x = layer<Embedding>(spec.vocab, spec.D, /*mask_zero=*/true)(human);
    const KerasTensor encoder = layer<LSTM>(spec.units, /*return_sequences=*/true)(x);
    const KerasTensor y = layer<Embedding>(spec.out, spec.D)(iso_so_far);
    const KerasTensor decoder = layer<LSTM>(spec.units, /*return_sequences=*/true)(y);
    const KerasTensor scores = layer<Dot>(std::vector<int64_t>{2, 2})({decoder, encoder});
    const KerasTensor alpha = layer<Activation>("softmax")(scores);  // unmasked, as the example
    const KerasTensor context = layer<Dot>(std::vector<int64_t>{2, 1})({alpha, encoder});
    const KerasTensor both = layer<Concatenate>()({context, decoder});
    const KerasTensor hidden = layer<TimeDistributed>(std::make_shared<Dense>(spec.att_units, "tanh"))(both);
    const KerasTensor logits = layer<TimeDistributed>(std::make_shared<Dense>(spec.out))(hidden);
    return std::make_unique<Model>(KerasTensors{human, iso_so_far}, KerasTensors{logits}, spec.name, seed);
}

}  // namespace

std::unique_ptr<Model> make_model(const ModelSpec& spec, uint64_t seed) {
    // imdb: Dense(1, sigmoid) + binary_crossentropy trains on the logits (see train/model.h).
    const std::string dense_activation = spec.loss == "binary_crossentropy" ? "sigmoid" : "linear";
    std::unique_ptr<Model> model;
    if (spec.T_out > 0) {
        model = make_seq2seq_model(spec, seed);
    } else if (spec.functional) {
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
