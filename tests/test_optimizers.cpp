// Optimizers: Adam against the Keras and PyTorch reference runs, SGD and RMSprop against values
// worked out by hand, clipping by global norm, and state save/restore giving an exact resume.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "io/json_config.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "tests/reference.h"

using namespace tn;
using json = nlohmann::ordered_json;
using tn::testing::check_close;
using tn::testing::load_case;
using tn::testing::ref_tensor;

namespace {

// Puts `g` into the gradient buffer of `w` (as a backward pass would).
void set_grad(Tensor& w, const std::vector<float>& g) {
    REQUIRE(static_cast<int64_t>(g.size()) == w.numel());
    w.zero_grad();
    std::memcpy(w.grad_slot()->acc(w.numel()), g.data(), g.size() * sizeof(float));
}

Tensor param(std::vector<float> v) {
    const auto n = static_cast<int64_t>(v.size());
    return Tensor::from_vector(std::move(v), {n}).requires_grad();
}

}  // namespace

TEST_CASE("Adam matches the Keras and PyTorch reference runs step by step") {
    const auto cases = tn::testing::reference_cases("adam");
    REQUIRE(!cases.empty());
    for (const std::string& name : cases) {
        CAPTURE(name);
        const json c = load_case(name);
        const json& cfg = c.at("config");
        const std::string type = cfg.at("type").get<std::string>();
        REQUIRE((type == "adam_keras" || type == "adam_torch"));
        Adam adam({.learning_rate = cfg.at("lr").get<double>(),
                   .beta_1 = cfg.at("beta1").get<double>(),
                   .beta_2 = cfg.at("beta2").get<double>(),
                   .epsilon = cfg.at("epsilon").get<double>(),
                   .form = type == "adam_keras" ? AdamForm::keras : AdamForm::torch});
        Tensor w = ref_tensor(c.at("params").at("w")).requires_grad();
        const json& grads = c.at("inputs").at("grads");
        const json& steps = c.at("steps");
        REQUIRE(grads.size() == steps.size());
        for (size_t k = 0; k < steps.size(); ++k) {
            set_grad(w, ref_tensor(grads[k]).to_vector());
            adam.step({{"w", w}});
            const std::string at = name + " step " + std::to_string(k + 1);
            check_close(w, steps[k].at("params_after"), at + " w");
            check_close(adam.slot("w", "m"), steps[k].at("m"), at + " m");
            check_close(adam.slot("w", "v"), steps[k].at("v"), at + " v");
        }
        CHECK(adam.iterations() == static_cast<int64_t>(steps.size()));
    }
}

TEST_CASE("Adam's two forms differ where the gradient is tiny") {
    // g = 3e-7 for one step: Keras w -= lr * sqrt(1-b2)/(1-b1) * m / (sqrt(v) + eps) with m = 3e-8,
    // sqrt(v) = 9.49e-9 -> 0.001 * 0.03162 / 0.1 * 3e-8 / 1.0949e-7 = 8.6648e-5;
    // torch (eps 1e-7): m_hat = 3e-7, sqrt(v_hat) = 3e-7 -> 0.001 * 3e-7 / 4e-7 = 7.5e-4.
    Tensor a = param({0}), b = param({0});
    Adam keras, torch({.form = AdamForm::torch});
    set_grad(a, {3e-7f});
    set_grad(b, {3e-7f});
    keras.step({{"w", a}});
    torch.step({{"w", b}});
    CHECK(a[0] == doctest::Approx(-8.664816327452206e-05).epsilon(1e-5));
    CHECK(b[0] == doctest::Approx(-7.5e-4).epsilon(1e-4));
}

TEST_CASE("SGD: plain, momentum (Keras form) and Nesterov, by hand") {
    Tensor plain = param({1}), mom = param({1}), nest = param({1});
    SGD sgd(0.1), sgd_m(0.1, 0.9), sgd_n({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true});
    for (int step = 0; step < 2; ++step) {
        for (Tensor* w : {&plain, &mom, &nest}) set_grad(*w, {0.5f});
        sgd.step({{"w", plain}});
        sgd_m.step({{"w", mom}});
        sgd_n.step({{"w", nest}});
    }
    CHECK(plain[0] == doctest::Approx(0.9));     // 1 - 2 * 0.05
    CHECK(mom[0] == doctest::Approx(0.855));     // v = -0.05, then -0.095: 1 - 0.05 - 0.095
    CHECK(sgd_m.slot("w", "velocity")[0] == doctest::Approx(-0.095));
    CHECK(nest[0] == doctest::Approx(0.7695));   // steps -0.095, then 0.9 * -0.095 - 0.05 = -0.1355
    CHECK_THROWS_AS(sgd.slot("w", "velocity"), ValueError);  // no momentum: no state
}

TEST_CASE("RMSprop (Keras 2 form) by hand") {
    // a = 0.1 * 0.25 = 0.025, w = 1 - 0.001 * 0.5 / (sqrt(0.025) + 1e-7);
    // a = 0.9 * 0.025 + 0.1 * 0.04 = 0.0265, w += 0.001 * 0.2 / (sqrt(0.0265) + 1e-7)   (Python, float64)
    Tensor w = param({1});
    RMSprop rms;
    set_grad(w, {0.5f});
    rms.step({{"dense/kernel", w}});
    CHECK(w[0] == doctest::Approx(0.9968377243398303).epsilon(1e-7));
    CHECK(rms.slot("dense/kernel", "rms")[0] == doctest::Approx(0.025).epsilon(1e-6));
    set_grad(w, {-0.2f});
    rms.step({{"dense/kernel", w}});
    CHECK(w[0] == doctest::Approx(0.9980663138187817).epsilon(1e-7));
    CHECK(rms.slot("dense/kernel", "rms")[0] == doctest::Approx(0.0265).epsilon(1e-6));
}

TEST_CASE("global_clipnorm scales all gradients together") {
    // Gradients 3 and 4 in two parameters: global norm 5. With clipnorm 1 they become 0.6 and 0.8.
    Tensor a = param({0}), b = param({0});
    SGD sgd({.learning_rate = 1.0, .global_clipnorm = 1.0});
    set_grad(a, {3});
    set_grad(b, {4});
    sgd.step({{"a", a}, {"b", b}});
    CHECK(a[0] == doctest::Approx(-0.6));
    CHECK(b[0] == doctest::Approx(-0.8));
    // Below the threshold nothing changes.
    sgd.set_global_clipnorm(10);
    set_grad(a, {3});
    set_grad(b, {4});
    sgd.step({{"a", a}, {"b", b}});
    CHECK(a[0] == doctest::Approx(-3.6));
    CHECK(b[0] == doctest::Approx(-4.8));
}

TEST_CASE("optimizer state restores to an exact resume") {
    Rng rng(5);
    auto grads = [&] { return Tensor::uniform({2, 3}, -1, 1, rng).to_vector(); };
    for (int kind = 0; kind < 3; ++kind) {
        CAPTURE(kind);
        auto make = [kind]() -> std::unique_ptr<Optimizer> {
            if (kind == 0) return std::make_unique<Adam>();
            if (kind == 1) return std::make_unique<SGD>(0.1, 0.9);
            return std::make_unique<RMSprop>();
        };
        auto first = make();
        Tensor w = Tensor::uniform({2, 3}, -1, 1, rng).requires_grad();
        for (int s = 0; s < 3; ++s) {
            set_grad(w, grads());
            first->step({{"lstm/kernel", w}});
        }
        // A second optimizer on a copy of the weights, from the saved state.
        const OptimizerState saved = first->state();
        CHECK(saved.iterations == 3);
        CHECK(saved.slots.size() == first->slot_names().size());
        auto second = make();
        second->load_state(saved);
        Tensor w2 = w.clone().requires_grad();
        // And a third without the state: its step must differ (the state matters).
        auto fresh = make();
        Tensor w3 = w.clone().requires_grad();
        const std::vector<float> g = grads();
        set_grad(w, g);
        set_grad(w2, g);
        set_grad(w3, g);
        first->step({{"lstm/kernel", w}});
        second->step({{"lstm/kernel", w2}});
        fresh->step({{"lstm/kernel", w3}});
        CHECK(w.to_vector() == w2.to_vector());  // bit-identical
        CHECK(w.to_vector() != w3.to_vector());
        CHECK(second->iterations() == 4);
        // state() is a copy: stepping does not change a saved state.
        CHECK(saved.iterations == 3);
    }
}

TEST_CASE("optimizer errors and edge cases") {
    Tensor a = param({1}), b = param({2});
    Adam adam;
    CHECK_THROWS_WITH_AS(adam.step({{"a", a}}), doctest::Contains("no parameter has a gradient"), ValueError);
    set_grad(a, {1});
    CHECK_THROWS_WITH_AS(adam.step({{"x", a}, {"x", b}}), doctest::Contains("two parameters are named 'x'"),
                         ValueError);
    // A parameter without a gradient is skipped (and gets no state).
    adam.step({{"a", a}, {"b", b}});
    CHECK(b[0] == 2.0f);
    CHECK(a[0] < 1.0f);
    CHECK_THROWS_AS(adam.slot("b", "m"), ValueError);
    // A state of the wrong shape for the parameter throws when it is used.
    OptimizerState bad;
    bad.slots["a/m"] = Tensor::zeros({3});
    bad.slots["a/v"] = Tensor::zeros({3});
    adam.load_state(bad);
    CHECK_THROWS_WITH_AS(adam.step({{"a", a}}), doctest::Contains("state 'a/m' has shape (3,)"), ShapeError);
    OptimizerState unknown;
    unknown.slots["a/velocity"] = Tensor::zeros({1});
    CHECK_THROWS_WITH_AS(adam.load_state(unknown), doctest::Contains("Adam (m, v)"), ValueError);

    CHECK_THROWS_WITH_AS(Adam({.beta_1 = 1.0}), "Adam: beta_1 must be in [0, 1), got 1", ValueError);
    CHECK_THROWS_AS(Adam({.learning_rate = -1}), ValueError);
    CHECK_THROWS_AS(SGD(0.1, 1.5), ValueError);
    CHECK_THROWS_AS(RMSprop({.rho = 1.0}), ValueError);
    CHECK_THROWS_AS(SGD({.global_clipnorm = -1}), ValueError);
}

TEST_CASE("optimizer config round-trips through optimizer_from_config") {
    Adam adam({.learning_rate = 0.01, .epsilon = 1e-8, .form = AdamForm::torch, .global_clipnorm = 2});
    const json cfg = optimizer_config_json(adam);
    CHECK(cfg.at("name") == "Adam");
    CHECK(cfg.at("learning_rate").get<double>() == 0.01);
    auto rebuilt = optimizer_from_json(cfg);
    auto* again = dynamic_cast<Adam*>(rebuilt.get());
    REQUIRE(again);
    CHECK(again->options().form == AdamForm::torch);
    CHECK(again->options().epsilon == 1e-8);
    CHECK(again->global_clipnorm() == 2);
    const json sgd_config = json::object({{"learning_rate", 0.5}, {"momentum", 0.9}});
    const auto sgd = optimizer_from_json(json::object({{"class_name", "SGD"}, {"config", sgd_config}}));
    CHECK(optimizer_config_json(*sgd).at("momentum").get<double>() == 0.9);
    CHECK(optimizer_from_json(optimizer_config_json(RMSprop()))->class_name() == "RMSprop");
    CHECK(optimizer_config_json(SGD()).at("global_clipnorm").is_null());
    CHECK_THROWS_WITH_AS(optimizer_from_json(json::object({{"name", "Adagrad"}})),
                         doctest::Contains("unknown optimizer 'Adagrad'"), ValueError);
}
