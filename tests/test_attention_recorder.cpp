// AttentionRecorder (layers/attention_recorder.h): the weights of every Attention node of a
// predict, batches appended in order, equal to what the layer computes on the same inputs.
#include <vector>

#include <doctest/doctest.h>

#include "core/tape.h"
#include "layers/attention.h"
#include "layers/attention_recorder.h"
#include "layers/dense.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "tests/test_util.h"
#include "train/model.h"


TEST_CASE("attention recorder: the weights of each node over all batches, as attend computes them") {
    auto x = tn::Input({6, 2});
    auto h = tn::layer<tn::LSTM>(4, /*return_sequences=*/true)(x);
    auto att = tn::layer<tn::Attention>(3, "bahdanau", /*return_attention_scores=*/true)(h);
    auto y = tn::layer<tn::Dense>(1)(att[0]);
    tn::Model model(x, {y, att[1]}, "scores", 2);
    const tn::Tensor xs = tn::testing::uniform_tensor({11, 6, 2}, 3);

    tn::AttentionRecorder recorder;
    const std::vector<tn::Tensor> out = model.predict({xs}, /*batch_size=*/4, recorder.observer());
    const std::vector<tn::RecordedAttention> recorded = recorder.recorded();
    REQUIRE(recorded.size() == 1);
    CHECK(recorded[0].layer == &model.layer<tn::Attention>());
    CHECK(recorded[0].node_index == 0);
    CHECK(tn::testing::same_bits(recorded[0].weights, out[1]));  // return_attention_scores: the layer's own output

    // Without return_attention_scores the recorder calls attend on the node's input.
    tn::NoGrad no_grad;
    const tn::Tensor seq = model.layer<tn::LSTM>().forward(xs, tn::Tensor(), false);
    const tn::Tensor alpha = model.layer<tn::Attention>().attend(seq).weights;
    REQUIRE(alpha.shape() == tn::Shape{11, 6});
    for (int64_t i = 0; i < alpha.numel(); ++i) CHECK(recorded[0].weights[i] == doctest::Approx(alpha[i]).epsilon(1e-6));
}

TEST_CASE("attention recorder: a masked sequence (Embedding mask_zero) gives zero weight to the padding") {
    auto x = tn::Input({5});
    auto e = tn::layer<tn::Embedding>(10, 3, /*mask_zero=*/true)(x);
    auto att = tn::layer<tn::Attention>(3)(tn::layer<tn::LSTM>(4, true)(e));
    tn::Model model(x, tn::layer<tn::Dense>(1)(att), "masked", 1);
    const tn::Tensor ids = tn::Tensor::from_vector({1, 2, 3, 0, 0, 4, 5, 0, 0, 0, 6, 7, 8, 9, 1}, {3, 5});
    tn::AttentionRecorder recorder;
    model.predict({ids}, 2, recorder.observer());
    const tn::Tensor w = recorder.recorded().at(0).weights;
    REQUIRE(w.shape() == tn::Shape{3, 5});
    for (int64_t b = 0; b < 3; ++b) {
        float sum = 0;
        for (int64_t t = 0; t < 5; ++t) {
            if (ids.at({b, t}) == 0) CHECK(w.at({b, t}) == 0.0f);
            sum += w.at({b, t});
        }
        CHECK(sum == doctest::Approx(1.0f).epsilon(1e-6));
    }
}
