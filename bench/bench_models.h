// tapenet bench: the benchmark models, their synthetic data and their analytic FLOP counts.
//
// The same models as bench/torch_baseline.py (and /work/shared/tools/torch_baseline.py), from the
// keras-attention 5.0 examples:
//   add_two_numbers : x (T=20, 1)  -> LSTM(100, seq) -> Attention(128, bahdanau) -> Dense(1);  mae;  batch 64
//   add_two_numbers_functional: the same model built with the functional API instead of the stack
//                     (its throughput must stay within 5% of add_two_numbers': bench prints the ratio)
//   find_max_b64/32 : x (T=10, 1)  -> LSTM(128, seq) -> Attention(128, luong)    -> Dense(1);  mae;  batch 64 / 32
//   imdb_text       : Embedding(5000, 32) over T=500 -> LSTM(100, seq) -> Attention(128, luong)
//                     -> Dense(1, sigmoid); binary cross-entropy (trained on the logits);  batch 64
//   gru_text        : imdb_text with GRU(100, seq) (Keras 2's reset_after form, as torch.nn.GRU) for the LSTM
//   lstm512_scaling : x (T=50, 128) -> LSTM(512, seq) -> Attention(256, luong) -> Dense(10) logits;
//                     sparse categorical cross-entropy;  batch 128
//   seq2seq_dates   : the encoder-decoder of examples/date_translation.cpp (two inputs, teacher forcing):
//                     human (32) -> Embedding(42, 32, mask_zero) -> LSTM(64, seq) -> enc
//                     iso so far (10) -> Embedding(13, 32) -> LSTM(64, seq) -> dec   (zero initial state)
//                     alpha = Softmax(Dot([2, 2])([dec, enc])), context = Dot([2, 1])([alpha, enc])
//                     Concatenate([context, dec]) -> TimeDistributed(Dense(64, tanh))
//                     -> TimeDistributed(Dense(13)) logits;  sparse categorical cross-entropy;  batch 64
// All float32, Adam (lr 1e-3, eps 1e-7).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "train/model.h"

namespace tn::bench {

struct ModelSpec {
    std::string name;
    int64_t T;           // time steps
    int64_t D;           // input features per step (the embedding size when vocab > 0)
    int64_t vocab;       // > 0: the input is token ids through Embedding(vocab, D)
    int64_t units;       // LSTM units U
    int64_t att_units;   // Attention units A
    std::string score;   // "luong" or "bahdanau"
    int64_t out;         // Dense units O
    std::string loss;    // Keras loss name
    int64_t batch;       // B
    bool functional = false;    // built with the functional API (tn::Input, layers applied, Model(in, out))
    std::string cell = "lstm";  // the recurrent layer: "lstm" or "gru"
    // > 0: the encoder-decoder of examples/date_translation.cpp, with T_out decoder steps. Then T
    // is the encoder's steps, vocab and out the input and output vocabularies, D both embeddings'
    // size, units both LSTMs', att_units the hidden TimeDistributed(Dense(att_units, tanh)) and
    // score "dot" (no weights of its own).
    int64_t T_out = 0;
};

// The models, in the baseline's order, and add_two_numbers_functional after add_two_numbers.
const std::vector<ModelSpec>& model_specs();
// The spec named `name`; throws a tn::ValueError listing the valid names.
const ModelSpec& model_spec(const std::string& name);

// Multiply-adds of the matrix products, counted as 2 FLOPs each, per sample (see bench/README.md):
//   LSTM       2·T·D·4U (input projection) + 2·T·U·4U (recurrence)
//   GRU        2·T·D·3U (input projection) + 2·T·U·3U (recurrence)
//   Attention  luong:    2·U·U (h_t @ Wᵀ) + 2·T·U (scores) + 2·T·U (context) + 2·2U·A
//              bahdanau: 2·U·U (h_t @ W1) + 2·T·U·U (h_s @ W2) + 2·T·U (@ v) + 2·T·U (context) + 2·2U·A
//   (luong as tapenet computes it, h_s · (h_t @ Wᵀ); Keras' literal (h_s @ W) · h_t costs 2·T·U·U)
//   Dense      2·A·O
//   seq2seq_dates (encoder T steps, decoder T_out, hidden Dense A, E = D):
//     2·T·E·4U + 2·T·U·4U + 2·T_out·E·4U + 2·T_out·U·4U   the two LSTMs
//     + 2·T_out·T·U (scores) + 2·T_out·T·U (context) + 2·T_out·2U·A + 2·T_out·A·O   the two Dense
// Training counts 3x the forward: each product Y = X W has two more of the same size in the
// backward (dX = dY Wᵀ and dW = Xᵀ dY). Element-wise work (activations, softmax, Adam) is not counted.
double forward_flops_per_sample(const ModelSpec& spec);
double train_flops_per_sample(const ModelSpec& spec);

// One batch of synthetic data, drawn from a seeded generator (x: one tensor per model input, y as
// the model's loss expects it).
struct Batch {
    std::vector<Tensor> x;
    Tensor y;
};
// `count` distinct batches, the same for the same seed.
std::vector<Batch> make_batches(const ModelSpec& spec, int count, uint64_t seed);

// The compiled model (weights seeded by `seed`), built for the spec's input shape.
std::unique_ptr<Model> make_model(const ModelSpec& spec, uint64_t seed);

}  // namespace tn::bench
