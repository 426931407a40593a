// Bidirectional: reverse_steps' gradient, every merge mode against its two copies run by hand (LSTM
// and GRU), masking, return_state, Keras' config and weight names, and a save/load round trip. The
// reference cases (PyTorch float64, bidirectional LSTM) run in tests/test_layer_reference.cpp.
#include <doctest/doctest.h>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "io/json_config.h"
#include "io/model_format.h"
#include "layers/bidirectional.h"
#include "layers/dense.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/network.h"
#include "tests/test_util.h"

namespace tn {
namespace bidirectional_tests {

Tensor draw(Shape shape, Rng& rng) { return Tensor::uniform(std::move(shape), -1.0f, 1.0f, rng); }

void check_near(const Tensor& a, const Tensor& b, const std::string& what, float tol = 1e-6f) {
    INFO(what);
    REQUIRE(a.shape() == b.shape());
    for (int64_t i = 0; i < a.numel(); ++i) REQUIRE_MESSAGE(std::abs(a[i] - b[i]) <= tol, "element " << i << ": " << a[i] << " vs " << b[i]);
}

// The wrapped copies run by hand: forward on x, backward on x reversed (and its mask), its
// sequence reversed back.
std::pair<Tensor, Tensor> halves(Bidirectional& bi, const Tensor& x, const Tensor& mask, bool sequences) {
    auto& f = const_cast<Layer&>(bi.forward_layer());
    auto& b = const_cast<Layer&>(bi.backward_layer());
    const Tensor y_f = f.forward(x, mask, false);
    Tensor y_b = b.forward(reverse_steps(x), mask.defined() ? reverse_steps(mask) : Tensor(), false);
    if (sequences) y_b = reverse_steps(y_b);
    return {y_f, y_b};
}

TEST_CASE("reverse_steps: values and gradient") {
    Rng rng(31);
    const Tensor x = draw({2, 3, 2}, rng);
    const Tensor y = reverse_steps(x);
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 3; ++t)
            for (int64_t f = 0; f < 2; ++f) CHECK(y[(b * 3 + t) * 2 + f] == x[(b * 3 + 2 - t) * 2 + f]);
    const GradcheckResult r = gradcheck([](const std::vector<Tensor>& v) { return reverse_steps(v[0]) * v[0]; }, {x});
    INFO(r.report);
    CHECK(r.ok);
    CHECK_THROWS_AS(reverse_steps(draw({4}, rng)), ShapeError);
}

TEST_CASE("bidirectional: every merge mode is the two copies merged, LSTM and GRU, with masks") {
    Rng rng(32);
    const int64_t B = 3, T = 5, D = 2, U = 3;
    const Tensor x = draw({B, T, D}, rng);
    const Tensor mask = Tensor::from_vector({1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {B, T});
    int checked = 0;
    for (const bool gru : {false, true})
        for (const bool sequences : {true, false})
            for (const std::string mode : {"concat", "sum", "ave", "mul", "none"}) {
                INFO((gru ? "GRU " : "LSTM ") << mode << (sequences ? " sequences" : ""));
                std::unique_ptr<Layer> inner = gru ? std::unique_ptr<Layer>(std::make_unique<GRU>(U, sequences))
                                                   : std::make_unique<LSTM>(U, sequences);
                Bidirectional bi(std::move(inner), mode);
                bi.set_seed(uint64_t(++checked));
                for (const Tensor& m : {Tensor(), mask}) {
                    const std::vector<Tensor> out = bi.forward_all({x}, {m}, false);
                    const auto [y_f, y_b] = halves(bi, x, m, sequences);
                    if (mode == "none") {
                        REQUIRE(out.size() == 2);
                        check_near(out[0], y_f, "forward half");
                        check_near(out[1], y_b, "backward half");
                        continue;
                    }
                    REQUIRE(out.size() == 1);
                    const Tensor want = mode == "concat" ? concat({y_f, y_b}, -1)
                                        : mode == "sum"  ? y_f + y_b
                                        : mode == "ave"  ? (y_f + y_b) * 0.5f
                                                         : y_f * y_b;
                    check_near(out[0], want, "merged");
                    const Shape expect = sequences ? Shape{-1, T, mode == "concat" ? 2 * U : U}
                                                   : Shape{-1, mode == "concat" ? 2 * U : U};
                    CHECK(bi.output_shape({-1, T, D}) == expect);
                    CHECK(bi.compute_mask(x, m).defined() == (sequences && m.defined()));
                }
            }
}

TEST_CASE("bidirectional: gradient check through both copies (GRU reset_after and LSTM), masked") {
    Rng rng(33);
    const Tensor mask = Tensor::from_vector({1, 1, 0, 1, 0, 1, 1, 1}, {2, 4});
    for (const bool gru : {false, true}) {
        std::unique_ptr<Layer> inner = gru ? std::unique_ptr<Layer>(std::make_unique<GRU>(2, true))
                                           : std::make_unique<LSTM>(2, true);
        Bidirectional bi(std::move(inner), "concat");
        bi.set_seed(4);
        bi.build({2, 4, 3});
        const GradcheckResult r =
            gradcheck([&](const std::vector<Tensor>& v) { return bi.forward_all({v[0]}, {mask}, false)[0]; },
                      {draw({2, 4, 3}, rng)});
        INFO(r.report);
        CHECK(r.ok);
        // the weights, through the layer's own parameters: central differences on every element of
        // the backward copy's kernel, L = sum(y * R)
        const Tensor x = draw({2, 4, 3}, rng), R = draw({2, 4, 4}, rng);
        const auto loss = [&] {
            NoGrad no_grad;
            const Tensor y = bi.forward_all({x}, {mask}, false)[0];
            double l = 0;
            for (int64_t i = 0; i < y.numel(); ++i) l += double(y[i]) * R[i];
            return l;
        };
        tape::clear();
        for (Param& p : bi.params()) p.value.zero_grad();
        sum(bi.forward_all({x}, {mask}, false)[0] * R).backward();
        Tensor& w = bi.params()[3].value;
        const Tensor analytic = w.grad().clone();
        for (int64_t i = 0; i < w.numel(); ++i) {
            const float keep = w[i], h = 1e-2f;
            w[i] = keep + h;
            const double up = loss();
            w[i] = keep - h;
            const double down = loss();
            w[i] = keep;
            const double numeric = (up - down) / (2 * h);
            CHECK_MESSAGE(std::abs(analytic[i] - numeric) <= 1e-4 + 1e-3 * std::abs(numeric),
                          "element " << i << ": " << analytic[i] << " vs " << numeric);
        }
    }
}

TEST_CASE("bidirectional: Keras' weight names, config both ways, return_state, save and load") {
    Bidirectional bi(std::make_unique<LSTM>(4, true), "sum");
    bi.build({-1, 6, 3});
    std::vector<std::string> names;
    for (const Param& p : bi.params()) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
                                            "backward_lstm/kernel", "backward_lstm/recurrent_kernel",
                                            "backward_lstm/bias"});
    CHECK(bi.count_params() == 2 * 4 * 4 * (3 + 4 + 1));
    // the layer's parameters are the copies' own tensors
    CHECK(bi.params()[0].value.shares_storage(bi.forward_layer().params()[0].value));
    CHECK(bi.params()[3].value.shares_storage(bi.backward_layer().params()[0].value));

    const nlohmann::ordered_json config = layer_config_json(bi);
    CHECK(config.at("merge_mode") == "sum");
    CHECK(config.at("layer").at("class_name") == "LSTM");
    CHECK(config.at("layer").at("config").at("name") == "lstm");
    CHECK(config.at("layer").at("config").at("units") == 4);
    const auto again = layer_from_json("Bidirectional", config);
    CHECK(layer_config_json(*again) == config);

    nlohmann::ordered_json none = config;
    none["merge_mode"] = nullptr;
    const auto two = layer_from_json("Bidirectional", none);
    CHECK(dynamic_cast<const Bidirectional&>(*two).merge_mode() == "none");
    CHECK(layer_config_json(*two).at("merge_mode").is_null());
    CHECK(two->output_shapes({{-1, 6, 3}}).size() == 2);

    Bidirectional states(std::make_unique<GRU>(2, false, "tanh", "sigmoid", true, false, true), "concat");
    CHECK(states.output_shapes({{-1, 6, 3}}) == std::vector<Shape>{{-1, 4}, {-1, 2}, {-1, 2}});
    Rng rng(34);
    CHECK(states.forward_all({draw({2, 6, 3}, rng)}, {}, false).size() == 3);

    CHECK_THROWS_WITH_AS(Bidirectional(std::make_unique<Dense>(3)), "bidirectional: wraps an LSTM or a GRU, got a Dense",
                         ValueError);
    CHECK_THROWS_AS(Bidirectional(std::make_unique<LSTM>(3), "max"), ValueError);
    CHECK_THROWS_WITH_AS(layer_from_json("Bidirectional", nlohmann::ordered_json::parse(
                                                              R"({"layer": {"class_name": "Dense", "config": {"units": 2}}})")),
                         doctest::Contains("tapenet's Bidirectional wraps an LSTM or a GRU"), ValueError);

    // A saved model names the weights "<bidirectional>/forward_lstm/kernel" and loads back the same.
    testing::TempDir dir;
    Network saved(3);
    saved.add(std::make_unique<Bidirectional>(std::make_unique<GRU>(3, false, "tanh", "hard_sigmoid", true, false)));
    saved.add<Dense>(1);
    saved.build({-1, 5, 2});
    CHECK(saved.params()[0].name == "bidirectional/forward_gru/kernel");
    CHECK(saved.params()[3].name == "bidirectional/backward_gru/kernel");
    save_model(saved, dir / "model.json");
    Network loaded(9);
    load_network(loaded, dir / "model.json");
    const Tensor x = draw({4, 5, 2}, rng);
    CHECK(testing::same_bits(saved.predict(x), loaded.predict(x)));
}

}  // namespace bidirectional_tests
}  // namespace tn
