// Layers with several inputs or outputs through Layer::forward_all: LSTM's return_state and
// initial_state (finite differences into h0 and c0), Attention's return_attention_scores, the
// shapes and masks they pass on, and the errors for a wrong number of inputs.
#include <doctest/doctest.h>

#include <vector>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "tests/test_util.h"

namespace tn {
namespace multi_io_test {

using testing::same_bits;
Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

TEST_CASE("lstm: return_state gives {y, h, c}, the outputs of run, with their shapes and masks") {
    LSTM lstm(3, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    lstm.set_seed(5);
    const Tensor x = uniform({2, 4, 2}, 6);
    const std::vector<Tensor> all = lstm.forward_all({x}, {}, false);
    REQUIRE(all.size() == 3);
    const LSTMOutputs run = lstm.run(x);
    CHECK(same_bits(all[0], run.y));
    CHECK(same_bits(all[1], run.h));
    CHECK(same_bits(all[2], run.c));
    CHECK(lstm.output_shapes({{-1, 4, 2}}) == std::vector<Shape>{{-1, 4, 3}, {-1, 3}, {-1, 3}});
    const Tensor mask = Tensor::ones({2, 4});
    const std::vector<Tensor> masks = lstm.compute_masks({x}, {mask});
    REQUIRE(masks.size() == 3);
    CHECK(masks[0].defined());
    CHECK_FALSE(masks[1].defined());
}

TEST_CASE("lstm: initial_state {x, h0, c0} starts from h0 and c0; gradients reach both") {
    for (bool seq : {true, false}) {
        LSTM lstm(3, seq, "tanh", "sigmoid", true, true, /*return_state=*/true);
        lstm.set_seed(7);
        const Tensor x = uniform({2, 3, 2}, 8), h0 = uniform({2, 3}, 9), c0 = uniform({2, 3}, 10);
        lstm.build(x.shape());
        // Zero initial state equals no initial state.
        const std::vector<Tensor> zero = lstm.forward_all({x, Tensor::zeros({2, 3}), Tensor::zeros({2, 3})}, {}, false);
        const std::vector<Tensor> none = lstm.forward_all({x}, {}, false);
        for (size_t i = 0; i < 3; ++i)
            for (int64_t k = 0; k < none[i].numel(); ++k) CHECK(zero[i][k] == doctest::Approx(none[i][k]).epsilon(1e-5));
        // d(y, h, c)/d(x, h0, c0, weights) against finite differences.
        std::vector<Tensor> inputs{x.clone(), h0.clone(), c0.clone()};
        for (const Param& p : lstm.params()) inputs.push_back(p.value);
        const auto f = [&](const std::vector<Tensor>& v) {
            const std::vector<Tensor> out = lstm.forward_all({v[0], v[1], v[2]}, {}, false);
            return concat({reshape(out[0], {2, out[0].numel() / 2}), out[1], out[2]}, 1);
        };
        const GradcheckResult r = gradcheck(f, inputs);
        INFO("return_sequences " << seq << ": " << r.report);
        CHECK(r.ok);
        CHECK(tape::size() == 0);
    }
}

TEST_CASE("lstm: a wrong initial state or input count is refused, naming the layer") {
    LSTM lstm(3, true);
    CHECK_THROWS_AS(lstm.output_shapes({{-1, 4, 2}, {-1, 3}}), ValueError);
    CHECK_THROWS_WITH_AS(lstm.output_shapes({{-1, 4, 2}, {-1, 2}, {-1, 3}}),
                         "lstm: initial state h0 must be (batch, units = 3) for input (-1, 4, 2), got (-1, 2)",
                         ShapeError);
    CHECK(lstm.output_shapes({{-1, 4, 2}, {-1, 3}, {-1, 3}}) == std::vector<Shape>{{-1, 4, 3}});
}

TEST_CASE("attention: return_attention_scores gives {y, weights} and is part of its config") {
    Attention att(4, "luong", /*return_attention_scores=*/true);
    att.set_seed(11);
    const Tensor h_s = uniform({2, 5, 3}, 12);
    const std::vector<Tensor> all = att.forward_all({h_s}, {}, false);
    REQUIRE(all.size() == 2);
    const AttentionOutputs out = att.attend(h_s);
    CHECK(same_bits(all[0], out.y));
    CHECK(same_bits(all[1], out.weights));
    CHECK(att.output_shapes({{-1, 5, 3}}) == std::vector<Shape>{{-1, 4}, {-1, 5}});
    CHECK_THROWS_AS(att.forward_all({h_s, h_s}, {}, false), ValueError);
}

TEST_CASE("a single-input layer keeps its behaviour through the list form") {
    Dense dense(2);
    dense.set_seed(3);
    const Tensor x = uniform({4, 3}, 4);
    const Tensor y = dense.forward(x);
    const std::vector<Tensor> all = dense.forward_all({x}, {}, false);
    REQUIRE(all.size() == 1);
    CHECK(same_bits(all[0], y));
    CHECK(dense.output_shapes({{-1, 3}}) == std::vector<Shape>{{-1, 2}});
    CHECK_THROWS_WITH_AS(dense.forward_all({x, x}, {}, false), "dense: takes 1 input, got 2", ValueError);
}

}  // namespace multi_io_test
}  // namespace tn
