// GRU: the fused kernel against finite differences and against the composed layer, masking,
// initial state, return_state, configs (Keras' and TF.js' spellings) and bad input. The reference
// cases (PyTorch float64) run in tests/test_layer_reference.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "io/json_config.h"
#include "layers/gru.h"
#include "layers/gru_kernel.h"
#include "tests/test_util.h"

namespace tn {
namespace gru_tests {

const std::string kActivations[] = {"linear", "relu", "sigmoid", "hard_sigmoid", "tanh"};

Tensor draw(Shape shape, Rng& rng, float scale = 1.0f) { return Tensor::uniform(std::move(shape), -scale, scale, rng); }

// Padded steps at the start, the end and in the middle of rows.
Tensor draw_mask(int64_t B, int64_t T, Rng& rng) {
    Tensor m({B, T});
    for (int64_t i = 0; i < B * T; ++i) m[i] = rng.uniform() < 0.35f ? 0.0f : 1.0f;
    return m;
}

// |a - b| <= tol (1 + |b|) for every element.
void check_agree(const Tensor& a, const Tensor& b, const std::string& what, double tol = 1e-5) {
    INFO(what);
    REQUIRE(a.defined());
    REQUIRE(b.defined());
    REQUIRE(a.shape() == b.shape());
    for (int64_t i = 0; i < a.numel(); ++i)
        REQUIRE_MESSAGE(std::abs(double(a[i]) - b[i]) <= tol * (1.0 + std::abs(double(b[i]))),
                        "element " << i << ": " << a[i] << " vs " << b[i]);
}

struct Case {
    int64_t B, T, D, U;
};
const Case kShapes[] = {{1, 1, 1, 1}, {1, 4, 2, 3}, {3, 1, 2, 2}, {2, 5, 3, 2}};

TEST_CASE("fused gru_sequence: gradient check of x, weights, bias and h0, both reset forms, masks, B = 1 and T = 1") {
    Rng rng(21);
    int checked = 0;
    // Smooth activations, and hard_sigmoid with weights small enough that its inputs stay inside its
    // linear part (|z| < 2.5): finite differences across a kink would be wrong.
    const std::pair<LstmActivation, LstmActivation> pairs[] = {{LstmActivation::tanh, LstmActivation::sigmoid},
                                                               {LstmActivation::linear, LstmActivation::hard_sigmoid},
                                                               {LstmActivation::tanh, LstmActivation::hard_sigmoid}};
    for (const auto& [act, rec] : pairs)
        for (const bool reset_after : {true, false})
            for (const Case& s : kShapes)
                for (int variant = 0; variant < 3; ++variant) {  // 0: plain sequences, 1: mask + h0, last, 2: no bias, h0
                    const bool sequences = variant != 1, masked = variant == 1, with_h0 = variant != 0,
                               with_bias = variant != 2;
                    INFO("reset_after " << reset_after << " shape " << shape_str({s.B, s.T, s.D, s.U}) << " variant "
                                        << variant << " pair " << int(act) << "/" << int(rec));
                    const float w = 0.3f;
                    std::vector<Tensor> in = {draw({s.B, s.T, s.D}, rng), draw({s.D, 3 * s.U}, rng, w),
                                              draw({s.U, 3 * s.U}, rng, w)};
                    const int bias_at = with_bias ? int(in.size()) : -1;
                    if (with_bias) in.push_back(draw(reset_after ? Shape{2, 3 * s.U} : Shape{3 * s.U}, rng, w));
                    const int h0_at = with_h0 ? int(in.size()) : -1;
                    if (with_h0) in.push_back(draw({s.B, s.U}, rng, 0.8f));
                    const Tensor mask = masked ? draw_mask(s.B, s.T, rng) : Tensor();
                    const auto f = [&](const std::vector<Tensor>& v) {
                        return gru_sequence(v[0], v[1], v[2], bias_at >= 0 ? v[size_t(bias_at)] : Tensor(), mask,
                                            h0_at >= 0 ? v[size_t(h0_at)] : Tensor(), reset_after, act, rec, sequences);
                    };
                    const GradcheckResult r = gradcheck(f, in);
                    INFO(r.report);
                    CHECK(r.ok);
                    ++checked;
                }
    CHECK(checked == 3 * 2 * 4 * 3);
}

TEST_CASE("fused gru_sequence: a gradient flowing in through h_last only") {
    Rng rng(22);
    for (const bool reset_after : {true, false}) {
        const Tensor mask = draw_mask(3, 4, rng);
        const auto f = [&](const std::vector<Tensor>& v) {
            Tensor h;
            gru_sequence(v[0], v[1], v[2], v[3], mask, v[4], reset_after, LstmActivation::tanh, LstmActivation::sigmoid,
                         true, &h);
            return h;
        };
        const GradcheckResult r = gradcheck(f, {draw({3, 4, 2}, rng), draw({2, 9}, rng), draw({3, 9}, rng),
                                                draw(reset_after ? Shape{2, 9} : Shape{9}, rng), draw({3, 3}, rng)});
        INFO(r.report);
        CHECK(r.ok);
    }
}

TEST_CASE("fused vs composed GRU: outputs, final state and every gradient agree within 1e-5, every activation pair") {
    Rng rng(23);
    int compared = 0;
    for (const std::string& act : kActivations)
        for (const std::string& rec : kActivations)
            for (const bool reset_after : {true, false}) {
                const Case s = kShapes[compared % 4];
                const bool sequences = compared % 2 == 0, masked = compared % 3 != 0, with_bias = compared % 5 != 1,
                           with_h0 = compared % 4 >= 2;
                ++compared;
                INFO(act << "/" << rec << " reset_after " << reset_after << " " << shape_str({s.B, s.T, s.D, s.U})
                         << (masked ? " masked" : "") << (sequences ? " sequences" : "") << (with_h0 ? " h0" : ""));
                GRU layer(s.U, sequences, act, rec, with_bias, reset_after);
                layer.set_seed(uint64_t(compared));
                layer.build({s.B, s.T, s.D});
                const Tensor x = draw({s.B, s.T, s.D}, rng, 1.5f), mask = masked ? draw_mask(s.B, s.T, rng) : Tensor();
                const Tensor h0 = with_h0 ? draw({s.B, s.U}, rng) : Tensor();
                const Tensor r_y = draw(sequences ? Shape{s.B, s.T, s.U} : Shape{s.B, s.U}, rng), r_h = draw({s.B, s.U}, rng);

                std::vector<Tensor> grads[2], outs[2];
                for (const bool fused : {false, true}) {
                    layer.set_fused(fused);
                    tape::clear();
                    for (Param& p : layer.params()) p.value.zero_grad();
                    Tensor xi = x.clone().requires_grad();
                    Tensor h0i = with_h0 ? h0.clone().requires_grad() : Tensor();
                    const GRUOutputs o = layer.run(xi, mask, h0i);
                    (sum(o.y * r_y) + sum(o.h * r_h)).backward();
                    outs[fused] = {o.y.detach(), o.h.detach()};
                    grads[fused] = {xi.grad()};
                    if (with_h0) grads[fused].push_back(h0i.grad());
                    for (const Param& p : layer.params()) grads[fused].push_back(p.value.grad().clone());
                }
                check_agree(outs[1][0], outs[0][0], "y");
                check_agree(outs[1][1], outs[0][1], "h");
                for (size_t i = 0; i < grads[0].size(); ++i) check_agree(grads[1][i], grads[0][i], "gradient " + std::to_string(i));
            }
    CHECK(compared == 50);
}

TEST_CASE("gru: masking carries the state through padded steps, as Keras") {
    Rng rng(24);
    const int64_t B = 2, T = 5, D = 3, U = 4;
    for (const bool reset_after : {true, false}) {
        GRU gru(U, true, "tanh", "sigmoid", true, reset_after);
        gru.set_seed(7);
        gru.build({B, T, D});
        const Tensor x = draw({B, T, D}, rng);
        // row 0 right-padded (2 real steps), row 1 left-padded (3 real steps)
        const Tensor mask = Tensor::from_vector({1, 1, 0, 0, 0, 0, 0, 1, 1, 1}, {B, T});
        const GRUOutputs o = gru.run(x, mask);
        for (int64_t u = 0; u < U; ++u) {
            CHECK(o.y[(0 * T + 2) * U + u] == o.y[(0 * T + 1) * U + u]);  // padded: the previous h again
            CHECK(o.y[(0 * T + 4) * U + u] == o.y[(0 * T + 1) * U + u]);
            CHECK(o.y[(1 * T + 0) * U + u] == 0.0f);                       // before the first real step: zeros
            CHECK(o.y[(1 * T + 1) * U + u] == 0.0f);
            CHECK(o.h[0 * U + u] == o.y[(0 * T + 1) * U + u]);
        }
        // the right-padded row ends with the state of its prefix alone
        const GRUOutputs prefix = gru.run(slice(x, 1, 0, 2));
        for (int64_t u = 0; u < U; ++u) CHECK(std::abs(o.h[u] - prefix.h[u]) < 1e-6f);
        const GRUOutputs plain = gru.run(x), ones = gru.run(x, Tensor::ones({B, T}));
        CHECK(testing::same_bits(plain.y, ones.y));
        CHECK(gru.compute_mask(x, mask).shares_storage(mask));
        CHECK_FALSE(GRU(2).compute_mask(x, mask).defined());
    }
}

TEST_CASE("gru: weights, parameter counts, initial state and return_state through forward_all") {
    GRU after(5), before(5, false, "tanh", "sigmoid", true, /*reset_after=*/false);
    after.build({-1, 7, 3});
    before.build({-1, 7, 3});
    CHECK(after.count_params() == 3 * 5 * (3 + 5 + 2));  // Keras: 3U (D + U + 2) with reset_after
    CHECK(before.count_params() == 3 * 5 * (3 + 5 + 1));
    CHECK(after.params()[2].value.shape() == Shape{2, 15});
    CHECK(before.params()[2].value.shape() == Shape{15});
    const Tensor& rk = after.params()[1].value;  // orthogonal (5, 15): W Wᵀ = I
    for (int64_t i = 0; i < 5; ++i)
        for (int64_t j = 0; j < 5; ++j) {
            double dot = 0;
            for (int64_t k = 0; k < 15; ++k) dot += double(rk[i * 15 + k]) * rk[j * 15 + k];
            CHECK(std::abs(dot - (i == j ? 1.0 : 0.0)) < 1e-5);
        }
    for (int64_t i = 0; i < 30; ++i) CHECK(after.params()[2].value[i] == 0.0f);

    GRU stateful(4, true, "tanh", "sigmoid", true, true, /*return_state=*/true);
    stateful.set_seed(3);
    Rng rng(25);
    const Tensor x = draw({2, 3, 2}, rng), h0 = draw({2, 4}, rng);
    const std::vector<Tensor> outs = stateful.forward_all({x, h0}, {}, false);
    REQUIRE(outs.size() == 2);
    CHECK(outs[0].shape() == Shape{2, 3, 4});
    CHECK(outs[1].shape() == Shape{2, 4});
    CHECK(testing::same_bits(outs[1], stateful.run(x, {}, h0).h));
    CHECK_FALSE(testing::same_bits(outs[1], stateful.run(x).h));  // the initial state matters
    CHECK(stateful.output_shapes({{-1, 3, 2}, {-1, 4}}) == std::vector<Shape>{{-1, 3, 4}, {-1, 4}});
    CHECK_THROWS_WITH_AS(stateful.forward_all({x, draw({2, 5}, rng)}, {}, false),
                         "gru: initial state h0 must be (batch, units = 4) for input (2, 3, 2), got (2, 5)", ShapeError);
}

TEST_CASE("gru: config both ways, TF.js' spellings and defaults, bad input") {
    GRU gru(4, true, "tanh", "hard_sigmoid", true, false);
    const nlohmann::ordered_json config = layer_config_json(gru);
    CHECK(config.at("units") == 4);
    CHECK(config.at("recurrent_activation") == "hard_sigmoid");
    CHECK(config.at("reset_after") == false);
    CHECK(config.at("return_sequences") == true);
    CHECK(config.at("kernel_initializer").at("class_name") == "GlorotUniform");
    CHECK(config.at("recurrent_initializer").at("class_name") == "Orthogonal");
    CHECK(config.at("bias_initializer").at("class_name") == "Zeros");
    const std::unique_ptr<Layer> again = layer_from_json("GRU", config);
    CHECK(layer_config_json(*again) == config);

    // What TF.js writes: no reset_after means false; no recurrent_activation means hard_sigmoid.
    const auto tfjs = layer_from_json("GRU", nlohmann::ordered_json::parse(R"({"name": "g", "units": 3})"));
    const auto& g = dynamic_cast<const GRU&>(*tfjs);
    CHECK_FALSE(g.reset_after());
    CHECK(g.recurrent_activation() == "hard_sigmoid");
    CHECK(g.name() == "g");
    // Keras 2 writes reset_after: true and sigmoid.
    const auto keras = layer_from_json(
        "GRU", nlohmann::ordered_json::parse(R"({"units": 3, "reset_after": true, "recurrent_activation": "sigmoid"})"));
    CHECK(dynamic_cast<const GRU&>(*keras).reset_after());

    CHECK_THROWS_WITH_AS(GRU(4, true, "softmax"),
                         "gru: activation 'softmax' cannot be used in a GRU; valid activations are: linear, relu, "
                         "sigmoid, hard_sigmoid, tanh",
                         ValueError);
    CHECK_THROWS_AS(GRU(0), ValueError);
    CHECK_THROWS_AS(layer_from_json("GRU", nlohmann::ordered_json::parse(R"({"units": 3, "go_backwards": true})")),
                    ValueError);
    GRU built(3);
    built.build({2, 4, 2});
    Rng rng(26);
    CHECK_THROWS_AS(built.forward(draw({2, 4, 5}, rng)), ShapeError);
    CHECK_THROWS_WITH_AS(gru_sequence(draw({2, 4, 2}, rng), draw({2, 9}, rng), draw({3, 9}, rng), draw({9}, rng), {},
                                      {}, true, LstmActivation::tanh, LstmActivation::sigmoid, true),
                         "gru_sequence: bias must be (2, 9) (reset_after), got (9,)", ShapeError);
    CHECK_THROWS_AS(gru_sequence(draw({2, 4, 2}, rng), draw({2, 8}, rng), draw({3, 9}, rng), {}, {}, {}, true,
                                 LstmActivation::tanh, LstmActivation::sigmoid, true),
                    ShapeError);
    CHECK_THROWS_AS(built.run(draw({2, 4, 2}, rng), Tensor::full({2, 4}, 0.5f)), ValueError);  // a mask of 0/1 only
}

TEST_CASE("fused gru_sequence: nothing recorded under NoGrad, the same values") {
    Rng rng(27);
    GRU gru(3, true);
    gru.set_seed(1);
    const Tensor x = draw({4, 6, 2}, rng);
    gru.build(x.shape());
    tape::clear();
    const Tensor with = gru.forward(x);
    CHECK(tape::size() > 0);
    tape::clear();
    Tensor without;
    {
        NoGrad no_grad;
        without = gru.forward(x);
        CHECK(tape::size() == 0);
    }
    CHECK(testing::same_bits(with, without));
}

TEST_CASE("fused gru_sequence: blocks of rows on 3 threads give what one thread gives, values and gradients") {
    Rng rng(28);
    const int64_t B = 40, T = 7, D = 3, U = 5;  // 40 rows: parts of at least 8 rows on each thread
    for (const bool reset_after : {true, false}) {
        const Tensor x = draw({B, T, D}, rng), k = draw({D, 3 * U}, rng), rk = draw({U, 3 * U}, rng);
        const Tensor bias = draw(reset_after ? Shape{2, 3 * U} : Shape{3 * U}, rng), h0 = draw({B, U}, rng);
        const Tensor mask = draw_mask(B, T, rng), r = draw({B, T, U}, rng);
        std::vector<Tensor> results[2];
        for (const int threads : {1, 3}) {
            testing::ThreadCount count(threads);
            tape::clear();
            std::vector<Tensor> in = {x.clone().requires_grad(), k.clone().requires_grad(), rk.clone().requires_grad(),
                                      bias.clone().requires_grad(), h0.clone().requires_grad()};
            const Tensor y = gru_sequence(in[0], in[1], in[2], in[3], mask, in[4], reset_after, LstmActivation::tanh,
                                          LstmActivation::sigmoid, true);
            sum(y * r).backward();
            results[threads == 3] = {y.detach()};
            for (const Tensor& t : in) results[threads == 3].push_back(t.grad());
        }
        for (size_t i = 0; i < results[0].size(); ++i)
            check_agree(results[1][i], results[0][i], "tensor " + std::to_string(i) + " (y, then the gradients)", 1e-6);
    }
}

}  // namespace gru_tests
}  // namespace tn
