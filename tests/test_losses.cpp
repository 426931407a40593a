// Losses: every reference case (value, per-sample values, gradient wrt the prediction), values worked
// out by hand (in Python, float64) for the clipping and stability corners, finite differences, and
// the errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "optim/loss.h"
#include "tests/reference.h"

using namespace tn;
using json = nlohmann::ordered_json;
using tn::testing::check_close;
using tn::testing::load_case;
using tn::testing::ref_tensor;
using tn::testing::ref_values;

namespace {

// The loss a reference case describes: by config.loss and from_logits; the keras2 / keras3 forms of
// binary_crossentropy on probabilities are told apart by the case (its name or description).
LossFn loss_for_case(const json& c) {
    const json& cfg = c.at("config");
    const std::string name = cfg.at("loss").get<std::string>();
    const bool from_logits = cfg.value("from_logits", false);
    if (name == "binary_crossentropy") {
        if (from_logits) return binary_crossentropy_from_logits;
        const bool keras3 = c.at("case").get<std::string>().find("keras3") != std::string::npos ||
                            c.value("description", "").rfind("Keras 3", 0) == 0;
        return [keras3](const Tensor& p, const Tensor& t) {
            return binary_crossentropy(p, t, keras3 ? BceForm::keras3 : BceForm::keras2);
        };
    }
    if (name == "sparse_categorical_crossentropy") {
        REQUIRE(from_logits);
        return sparse_categorical_crossentropy;
    }
    return loss_by_name(name).fn;
}

// One row (sample) r of a (..., K) tensor as a (1, K) tensor.
Tensor row_of(const Tensor& t, int64_t r, int64_t k) {
    std::vector<float> v(t.data() + r * k, t.data() + (r + 1) * k);
    return Tensor::from_vector(std::move(v), {1, k});
}

}  // namespace

TEST_CASE("losses match every reference loss case: value, per-sample values and gradient") {
    const auto cases = tn::testing::reference_cases("loss");
    REQUIRE(!cases.empty());
    for (const std::string& name : cases) {
        CAPTURE(name);
        const json c = load_case(name);
        const json& in = c.at("inputs");
        const std::string pred_name = in.contains("logits") ? "logits" : "y_pred";
        const std::string true_name = in.contains("labels") ? "labels" : "y_true";
        Tensor pred = ref_tensor(in.at(pred_name)).requires_grad();
        const Tensor truth = ref_tensor(in.at(true_name));
        const LossFn fn = loss_for_case(c);

        Tensor loss = fn(pred, truth);
        CHECK(loss.shape() == Shape{});
        check_close(loss, c.at("outputs").at("loss"), name + " loss");
        loss.backward();
        check_close(pred.grad(), c.at("grads").at("inputs").at(pred_name), name + " d loss / d " + pred_name);
        CHECK(tape::size() == 0);

        // per_sample[r] is the loss of sample r alone (a batch of one).
        NoGrad no_grad;
        const std::vector<double> per_sample = ref_values(c.at("outputs").at("per_sample"));
        const int64_t k = pred.dim(-1);
        const bool labels = true_name == "labels";
        REQUIRE(static_cast<int64_t>(per_sample.size()) == pred.numel() / k);
        for (int64_t r = 0; r < pred.numel() / k; ++r) {
            const Tensor t = labels ? Tensor::from_vector({truth[r]}, {1}) : row_of(truth, r, k);
            const double got = fn(row_of(pred, r, k), t).item();
            CHECK(std::abs(got - per_sample[r]) <= 1e-5 + 1e-4 * std::abs(per_sample[r]));
        }
    }
}

TEST_CASE("mse and mae by hand, including mae's tie") {
    Tensor p = Tensor::from_vector({1, 2, 0.5f, -1}, {2, 2}).requires_grad();
    const Tensor t = Tensor::from_vector({0, 0, 0.5f, 1}, {2, 2});
    Tensor l = mse(p, t);  // (1 + 4 + 0 + 4) / 4
    CHECK(l.item() == doctest::Approx(2.25));
    l.backward();  // 2 (p - t) / 4
    CHECK(p.grad().to_vector() == std::vector<float>{0.5f, 1.0f, 0.0f, -1.0f});

    p.zero_grad();
    Tensor a = mae(p, t);  // (1 + 2 + 0 + 2) / 4
    CHECK(a.item() == doctest::Approx(1.25));
    a.backward();  // sign(p - t) / 4, 0 at the tie p = t = 0.5
    CHECK(p.grad().to_vector() == std::vector<float>{0.25f, 0.25f, 0.0f, -0.25f});
}

TEST_CASE("binary_crossentropy: Keras' float32 clipping, both forms") {
    // Values from float64 Python with eps = float32(1e-7), 1 - eps = float32 0.9999998807907104.
    // p = 0 with t = 1 and p = 1 with t = 0 are clipped: loss finite, gradient 0.
    Tensor p = Tensor::from_vector({0.0f, 1.0f}, {2, 1}).requires_grad();
    const Tensor t = Tensor::from_vector({1.0f, 0.0f}, {2, 1});
    Tensor k2 = binary_crossentropy(p, t, BceForm::keras2);
    CHECK(k2.item() == doctest::Approx((15.424948458712278 + 15.333238898102001) / 2).epsilon(1e-6));
    k2.backward();
    CHECK(p.grad().to_vector() == std::vector<float>{0.0f, 0.0f});
    const Tensor k3 = binary_crossentropy(p.detach(), t, BceForm::keras3);
    CHECK(k3.item() == doctest::Approx((16.118095639272223 + 15.942385152878742) / 2).epsilon(1e-6));

    // Inside the interval: -(t log(q + eps) + (1 - t) log(1 - q + eps)), gradient -t/(q+eps) + (1-t)/(1-q+eps).
    Tensor q = Tensor::from_vector({0.3f, 0.8f}, {1, 2}).requires_grad();
    Tensor inner = binary_crossentropy(q, Tensor::from_vector({1, 0}, {1, 2}));
    CHECK(inner.item() == doctest::Approx(1.4067049516475374).epsilon(1e-6));
    inner.backward();
    CHECK(q.grad()[0] == doctest::Approx(-1.6666660448839534).epsilon(1e-6));
    CHECK(q.grad()[1] == doctest::Approx(2.4999988990120823).epsilon(1e-6));

    // The clip boundaries themselves pass the gradient (closed interval).
    Tensor edge = Tensor::from_vector({1e-7f, 1.0f - 1e-7f}, {2}).requires_grad();
    binary_crossentropy(edge, Tensor::from_vector({1, 0}, {2})).backward();
    CHECK(edge.grad()[0] < -1e5f);
    CHECK(edge.grad()[1] > 1e5f);
}

TEST_CASE("binary_crossentropy_from_logits is stable for large logits") {
    Tensor x = Tensor::from_vector({100, -100, 0.5f}, {3, 1}).requires_grad();
    Tensor l = binary_crossentropy_from_logits(x, Tensor::from_vector({0, 0, 1}, {3, 1}));
    CHECK(std::isfinite(l.item()));
    CHECK(l.item() == doctest::Approx(33.4913589947267).epsilon(1e-6));
    l.backward();  // (σ(x) - t) / 3
    CHECK(x.grad()[0] == doctest::Approx(1.0 / 3).epsilon(1e-6));
    CHECK(x.grad()[1] == doctest::Approx(0.0));
    CHECK(x.grad()[2] == doctest::Approx(-0.1258468895993818).epsilon(1e-6));
}

TEST_CASE("sparse_categorical_crossentropy with labels (B) or (B, 1)") {
    for (const Shape& label_shape : {Shape{2}, Shape{2, 1}}) {
        Tensor logits = Tensor::from_vector({1, 2, 3, 0, 0, 0}, {2, 3}).requires_grad();
        Tensor l = sparse_categorical_crossentropy(logits, Tensor::from_vector({2, 0}, label_shape));
        CHECK(l.item() == doctest::Approx(0.753109126556245).epsilon(1e-6));
        l.backward();
        const std::vector<double> want{0.04501528658519023, 0.12236423552739883, -0.16737952211258905,
                                       -0.33333333333333337, 0.16666666666666666, 0.16666666666666666};
        for (int i = 0; i < 6; ++i) CHECK(logits.grad()[i] == doctest::Approx(want[i]).epsilon(1e-6));
    }
    const Tensor logits = Tensor::from_vector({1, 2, 3, 0, 0, 0}, {2, 3});
    CHECK_THROWS_WITH_AS(sparse_categorical_crossentropy(logits, Tensor::from_vector({2, 3}, {2})),
                         doctest::Contains("not a class index in [0, 3)"), ValueError);
    CHECK_THROWS_AS(sparse_categorical_crossentropy(logits, Tensor::from_vector({0.5f, 1}, {2})), ValueError);
    CHECK_THROWS_AS(sparse_categorical_crossentropy(logits, Tensor::from_vector({0, 1, 2}, {3})), ShapeError);
}

TEST_CASE("losses agree with finite differences") {
    Rng rng(3);
    const Tensor t = Tensor::uniform({3, 4}, 0.0f, 1.0f, rng);
    const Tensor p = Tensor::uniform({3, 4}, 0.05f, 0.95f, rng);
    auto check = [](const char* what, auto f, const Tensor& x) {
        CAPTURE(what);
        const GradcheckResult r = gradcheck([&](const std::vector<Tensor>& in) { return f(in[0]); }, {x.clone()},
                                            {.step = 1e-3});
        CHECK_MESSAGE(r.ok, r.report);
    };
    check("mse", [&](const Tensor& x) { return mse(x, t); }, p);
    check("bce keras2", [&](const Tensor& x) { return binary_crossentropy(x, t); }, p);
    check("bce keras3", [&](const Tensor& x) { return binary_crossentropy(x, t, BceForm::keras3); }, p);
    check("bce logits", [&](const Tensor& x) { return binary_crossentropy_from_logits(x, t); }, p * 6.0f - 3.0f);
    const Tensor labels = Tensor::from_vector({3, 0, 1}, {3});
    check("sparse ce", [&](const Tensor& x) { return sparse_categorical_crossentropy(x, labels); }, p * 4.0f);
}

TEST_CASE("loss shapes: (B) pairs with (B, 1); other mismatches throw naming both shapes") {
    const Tensor p = Tensor::from_vector({1, 2, 3}, {3, 1});
    const Tensor t = Tensor::from_vector({1, 1, 1}, {3});
    CHECK(mse(p, t).item() == doctest::Approx(5.0 / 3));
    CHECK(mse(t, p).item() == doctest::Approx(5.0 / 3));
    CHECK_THROWS_WITH_AS(mse(Tensor::zeros({4, 2}), Tensor::zeros({4, 3})),
                         "mse: y_pred has shape (4, 2) but y_true has shape (4, 3)", ShapeError);
    CHECK_THROWS_AS(mae(Tensor::zeros({6}), Tensor::zeros({3, 2})), ShapeError);
    CHECK_THROWS_AS(binary_crossentropy(Tensor::zeros({2, 1}), Tensor::zeros({1, 2})), ShapeError);
}

TEST_CASE("losses by name") {
    const Tensor p = Tensor::from_vector({0.25f, 0.75f}, {2, 1});
    const Tensor t = Tensor::from_vector({0, 1}, {2, 1});
    CHECK(loss_by_name("mse").name == "mse");
    CHECK(loss_by_name("mean_absolute_error").name == "mae");
    CHECK(loss_by_name("mae").fn(p, t).item() == doctest::Approx(0.25));
    CHECK(loss_by_name("binary_crossentropy").fn(p, t).item() == doctest::Approx(-std::log(0.75)).epsilon(1e-5));
    CHECK(loss_by_name("sparse_categorical_crossentropy").fn(Tensor::zeros({2, 4}), t).item() ==
          doctest::Approx(std::log(4.0)));
    CHECK_THROWS_WITH_AS(loss_by_name("hinge"),
                         doctest::Contains("unknown loss 'hinge'; valid losses are: mse, mae, binary_crossentropy, "
                                           "sparse_categorical_crossentropy"),
                         ValueError);
}

TEST_CASE("a loss records nothing under NoGrad and one entry otherwise") {
    Tensor p = Tensor::from_vector({1, 2}, {2}).requires_grad();
    const Tensor t = Tensor::zeros({2});
    {
        NoGrad no_grad;
        mse(p, t);
        CHECK(tape::size() == 0);
    }
    Tensor l = mse(p, t);
    CHECK(tape::size() == 1);
    tape::clear();
    CHECK(std::isnan(mse(Tensor::from_vector({NAN}, {1}), Tensor::zeros({1})).item()));
    CHECK(std::isnan(binary_crossentropy(Tensor::from_vector({NAN}, {1}), Tensor::zeros({1})).item()));
}
