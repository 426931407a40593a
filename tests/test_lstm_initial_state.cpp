// The fused LSTM kernel started from an initial state {x, h0, c0} (layers/lstm_kernel.h): the same
// outputs and gradients as the composed path, with and without a mask, finite differences into h0
// and c0, and the errors for a bad state.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/lstm.h"
#include "layers/lstm_kernel.h"
#include "tests/test_util.h"

namespace tn {
namespace lstm_initial_state_test {

Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

float max_abs_diff(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    float worst = 0;
    for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

// y, h, c and the gradients of sum(y * Ry) + sum(h * Rh) + sum(c * Rc) into x, h0, c0 and the
// weights, through the fused kernel or the composed path.
std::vector<Tensor> outputs_and_grads(LSTM& lstm, bool fused, const Tensor& x, const Tensor& h0, const Tensor& c0,
                                      const Tensor& mask) {
    lstm.set_fused(fused);
    for (Param& p : lstm.params()) p.value.zero_grad();
    Tensor xi = x.clone().requires_grad(), h = h0.clone().requires_grad(), c = c0.clone().requires_grad();
    const LSTMOutputs o = lstm.run(xi, mask, h, c);
    const Tensor loss = sum(o.y * uniform(o.y.shape(), 1)) + sum(o.h * uniform(o.h.shape(), 2)) + sum(o.c * uniform(o.c.shape(), 3));
    loss.backward();
    std::vector<Tensor> all{o.y.detach(), o.h.detach(), o.c.detach(), xi.grad(), h.grad(), c.grad()};
    for (const Param& p : lstm.params()) all.push_back(p.value.grad());
    return all;
}

TEST_CASE("fused LSTM with an initial state: the composed path's outputs and gradients, masked or not") {
    const Tensor mask = [] {
        Tensor m = Tensor::ones({5, 4});
        m[0] = m[1] = m[7] = m[16] = m[17] = m[18] = m[19] = 0.0f;  // pre-, post- and fully padded rows
        return m;
    }();
    float worst = 0;
    for (int64_t D : {1, 3})
        for (bool seq : {true, false})
            for (bool masked : {false, true}) {
                LSTM lstm(6, seq);
                lstm.set_seed(static_cast<uint64_t>(D * 10 + seq));
                const Tensor x = uniform({5, 4, D}, 4), h0 = uniform({5, 6}, 5), c0 = uniform({5, 6}, 6);
                lstm.build(x.shape());
                const auto fused = outputs_and_grads(lstm, true, x, h0, c0, masked ? mask : Tensor());
                const auto composed = outputs_and_grads(lstm, false, x, h0, c0, masked ? mask : Tensor());
                REQUIRE(fused.size() == composed.size());
                for (size_t k = 0; k < fused.size(); ++k) {
                    const float d = max_abs_diff(fused[k], composed[k]);
                    worst = std::max(worst, d);
                    CHECK_MESSAGE(d <= 2e-5f, "D " << D << ", seq " << seq << ", masked " << masked << ": tensor " << k << " differs by " << d);
                }
                // The row padded at every step keeps its initial state.
                if (masked) CHECK(testing::same_bits(select(fused[1], 0, 4).clone(), select(h0, 0, 4).clone()));
                CHECK(tape::size() == 0);
            }
    MESSAGE("fused vs composed LSTM with an initial state: max abs difference " << worst);
}

TEST_CASE("fused LSTM with an initial state: finite differences into x, h0, c0 and the weights") {
    LSTM lstm(3, true);
    lstm.set_seed(9);
    const Tensor x = uniform({2, 3, 2}, 7);
    lstm.build(x.shape());
    Tensor mask = Tensor::ones({2, 3});
    mask[3] = 0.0f;
    std::vector<Tensor> inputs{x.clone(), uniform({2, 3}, 8), uniform({2, 3}, 9)};
    for (const Param& p : lstm.params()) inputs.push_back(p.value);
    const auto f = [&](const std::vector<Tensor>& v) {
        const LSTMOutputs o = lstm.run(v[0], mask, v[1], v[2]);
        return concat({reshape(o.y, {2, 9}), o.h, o.c}, 1);
    };
    const GradcheckResult r = gradcheck(f, inputs);
    INFO(r.report);
    CHECK(r.ok);
}

TEST_CASE("fused LSTM with an initial state: two threads (blocks of rows) agree with one") {
    LSTM lstm(4, true);
    lstm.set_seed(12);
    const Tensor x = uniform({16, 5, 3}, 1), h0 = uniform({16, 4}, 2), c0 = uniform({16, 4}, 3);
    Tensor mask = Tensor::ones({16, 5});
    for (int64_t b = 0; b < 16; b += 3) mask[b * 5 + b % 5] = 0.0f;
    lstm.build(x.shape());
    std::vector<Tensor> one, two;
    {
        testing::ThreadCount threads(1);
        one = outputs_and_grads(lstm, true, x, h0, c0, mask);
    }
    {
        testing::ThreadCount threads(2);
        two = outputs_and_grads(lstm, true, x, h0, c0, mask);
    }
    // Outputs and the per-row gradients (x, h0, c0) have the same bits; the weight gradients are
    // sums over rows, added in another order.
    for (size_t k = 0; k < 6; ++k) CHECK_MESSAGE(testing::same_bits(one[k], two[k]), "tensor " << k);
    for (size_t k = 6; k < one.size(); ++k) CHECK(max_abs_diff(one[k], two[k]) <= 1e-5f);
}

TEST_CASE("fused LSTM kernel: a bad initial state is refused") {
    const Tensor x = uniform({2, 3, 2}, 1), k = uniform({2, 8}, 2), rk = uniform({2, 8}, 3);
    CHECK_THROWS_WITH_AS(lstm_sequence(x, k, rk, Tensor(), Tensor(), LstmActivation::tanh, LstmActivation::sigmoid, true,
                                       nullptr, nullptr, uniform({2, 2}, 4), Tensor()),
                         doctest::Contains("needs both h0 and c0"), ValueError);
    CHECK_THROWS_WITH_AS(lstm_sequence(x, k, rk, Tensor(), Tensor(), LstmActivation::tanh, LstmActivation::sigmoid, true,
                                       nullptr, nullptr, uniform({2, 3}, 4), uniform({2, 2}, 5)),
                         doctest::Contains("must be (batch, units) = (2, 2), got (2, 3)"), ShapeError);
}

}  // namespace lstm_initial_state_test
}  // namespace tn
