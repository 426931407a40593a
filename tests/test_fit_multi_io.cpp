// fit, evaluate and train_on_batch with several inputs and outputs (train/model.h): a loss per
// output, loss weights, Keras' History names, validation data in the same forms, the errors that
// name the input or output, and the single-tensor form as the list of one.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/tape.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "train/model.h"
#include "tests/test_util.h"

namespace tn {
namespace fit_multi_io_test {

Tensor uniform(Shape shape, uint64_t seed) { return testing::uniform_tensor(std::move(shape), seed); }

// Two inputs (3 and 2 features), a shared trunk, two heads: "dense_1" (2 linear units) and
// "dense_2" (1 sigmoid unit).
std::unique_ptr<Model> two_headed(uint64_t seed) {
    auto a = Input({3}, "a"), b = Input({2}, "b");
    auto trunk = layer<Dense>(4, "tanh")(layer<Concatenate>()({a, b}));
    auto y1 = layer<Dense>(2)(trunk);
    auto y2 = layer<Dense>(1, "sigmoid")(trunk);
    return std::make_unique<Model>(KerasTensors{a, b}, KerasTensors{y1, y2}, "two_headed", seed);
}

struct Data {
    std::vector<Tensor> x, y;
};

Data data(int64_t n, uint64_t seed) {
    Tensor labels({n, 1});
    const Tensor r = uniform({n, 1}, seed + 3);
    for (int64_t i = 0; i < n; ++i) labels[i] = r[i] > 0 ? 1.0f : 0.0f;
    return {{uniform({n, 3}, seed), uniform({n, 2}, seed + 1)}, {uniform({n, 2}, seed + 2), labels}};
}

// mse of head 1 and binary cross-entropy of head 2 (on probabilities), in double, from predict.
std::pair<double, double> losses_by_hand(Model& model, const Data& d) {
    const std::vector<Tensor> p = model.predict(d.x);
    double mse = 0, bce = 0;
    for (int64_t i = 0; i < p[0].numel(); ++i) mse += std::pow(double(p[0][i]) - d.y[0][i], 2);
    for (int64_t i = 0; i < p[1].numel(); ++i) {
        const double q = p[1][i], t = d.y[1][i];
        bce -= t * std::log(q) + (1 - t) * std::log(1 - q);
    }
    return {mse / double(p[0].numel()), bce / double(p[1].numel())};
}

TEST_CASE("fit several outputs: the total loss is the weighted sum of each output's loss, computed by hand") {
    auto model = two_headed(3);
    CHECK(model->output_names() == std::vector<std::string>{"dense_1", "dense_2"});
    model->compile(std::vector<std::string>{"mse", "binary_crossentropy"}, std::make_unique<Adam>(), {0.7f, 2.0f});
    const Data d = data(10, 5);
    const auto [mse, bce] = losses_by_hand(*model, d);
    const Evaluation ev = model->evaluate(d.x, d.y, /*batch_size=*/4);
    REQUIRE(ev.outputs.size() == 3);
    CHECK(ev.outputs[0].first == "dense_1_loss");
    CHECK(ev.outputs[1].first == "dense_2_loss");
    CHECK(ev.outputs[2].first == "dense_2_accuracy");
    CHECK(ev.outputs[0].second == doctest::Approx(mse).epsilon(1e-5));
    CHECK(ev.outputs[1].second == doctest::Approx(bce).epsilon(1e-5));  // trained on logits, same value
    CHECK(ev.loss == doctest::Approx(0.7 * mse + 2.0 * bce).epsilon(1e-5));
    CHECK_FALSE(ev.accuracy);  // per output, not for the model

    // The same by output name; an output missing from loss_weights weighs 1.
    model->compile(std::map<std::string, std::string>{{"dense_2", "binary_crossentropy"}, {"dense_1", "mse"}},
                   std::make_unique<Adam>(), {{"dense_1", 0.25f}});
    CHECK(model->evaluate(d.x, d.y).loss == doctest::Approx(0.25 * mse + bce).epsilon(1e-5));
}

TEST_CASE("fit several outputs: the gradient of the weighted loss matches finite differences") {
    auto model = two_headed(4);
    model->compile(std::vector<std::string>{"mse", "binary_crossentropy"}, std::make_unique<SGD>(1e-30), {0.5f, 3.0f});
    const Data d = data(6, 9);
    model->train_on_batch(d.x, d.y);  // lr 1e-30: the weights stay (in float32), their gradients are kept
    double worst = 0;
    for (const Param& p : model->params()) {
        Tensor w = p.value;
        const std::vector<float> grad(w.grad_slot()->g.data(), w.grad_slot()->g.data() + w.numel());
        for (int64_t i = 0; i < w.numel(); i += 3) {
            const float saved = w[i], h = 1e-2f;
            w[i] = saved + h;
            const double up = model->evaluate(d.x, d.y, 64).loss;
            w[i] = saved - h;
            const double down = model->evaluate(d.x, d.y, 64).loss;
            w[i] = saved;
            const double numeric = (up - down) / (2 * h);
            worst = std::max(worst, std::abs(numeric - grad[static_cast<size_t>(i)]));
            CHECK_MESSAGE(std::abs(numeric - grad[static_cast<size_t>(i)]) <= 2e-3 + 2e-2 * std::abs(numeric),
                          p.name << "[" << i << "]: tape " << grad[static_cast<size_t>(i)] << ", numeric " << numeric);
        }
    }
    MESSAGE("max |tape - finite difference| over the weights: " << worst);
}

TEST_CASE("fit several outputs: History and the epoch logs use Keras' names; validation data in both forms") {
    auto model = two_headed(6);
    model->compile(std::vector<std::string>{"mse", "binary_crossentropy"}, std::make_unique<Adam>(), {1.0f, 0.5f});
    const Data d = data(12, 1), v = data(5, 2);
    std::vector<std::string> seen;
    Callback record;
    record.on_epoch_end = [&](int, const EpochLogs& logs) {
        for (const auto& [name, value] : logs.items()) seen.push_back(name);
    };
    const History h = model->fit(d.x, d.y, {.epochs = 2, .batch_size = 5, .validation_data = {v.x, v.y},
                                            .callbacks = {record}, .verbose = 0});
    const std::vector<std::string> keys = {"loss", "dense_1_loss", "dense_2_loss", "dense_2_accuracy",
                                           "val_loss", "val_dense_1_loss", "val_dense_2_loss", "val_dense_2_accuracy"};
    CHECK(std::vector<std::string>(seen.begin(), seen.begin() + 8) == keys);
    for (const std::string& k : keys) CHECK(h.at(k).size() == 2);
    CHECK(h.loss == h.at("loss"));
    for (size_t e = 0; e < 2; ++e) {
        CHECK(h.at("val_loss")[e] == doctest::Approx(h.at("val_dense_1_loss")[e] + 0.5 * h.at("val_dense_2_loss")[e]).epsilon(1e-5));
        CHECK(h.at("loss")[e] == doctest::Approx(h.at("dense_1_loss")[e] + 0.5 * h.at("dense_2_loss")[e]).epsilon(1e-5));
    }
    // The validation losses are evaluate's on the weights after the epoch.
    const Evaluation ev = model->evaluate(v.x, v.y, 5);
    CHECK(ev.loss == doctest::Approx(h.at("val_loss")[1]).epsilon(1e-6));
    CHECK_THROWS_WITH_AS(h.at("accuracy"), doctest::Contains("has no metric 'accuracy'; it has: dense_1_loss"), ValueError);

    // validation_split splits every input and target alike.
    const History split = model->fit(d.x, d.y, {.epochs = 1, .validation_split = 0.25, .verbose = 0});
    CHECK(split.at("val_dense_2_loss").size() == 1);
}

TEST_CASE("fit: a single tensor is the list of one (same losses, same weights)") {
    auto make = [] {
        auto x = Input({3});
        auto y = layer<Dense>(2)(layer<Dense>(4, "relu")(x));
        auto m = std::make_unique<Model>(x, y, "m", 8);
        m->compile("mae", std::make_unique<Adam>());
        return m;
    };
    const Tensor x = uniform({9, 3}, 1), y = uniform({9, 2}, 2);
    auto one = make(), list = make();
    const History h1 = one->fit(x, y, {.epochs = 2, .batch_size = 4, .validation_data = {x, y}, .verbose = 0});
    const History h2 = list->fit(std::vector{x}, std::vector{y},
                                 {.epochs = 2, .batch_size = 4, .validation_data = {std::vector{x}, std::vector{y}}, .verbose = 0});
    CHECK(h1.loss == h2.loss);
    CHECK(h1.val_loss == h2.val_loss);
    CHECK(h1.history.size() == 2);  // loss, val_loss: no per-output names for one output
    CHECK(testing::same_bits(one->predict(x), list->predict(x)));
}

TEST_CASE("fit and evaluate: one tensor on either side, as Keras' fit([a, b], y) and fit(x, [y1, y2])") {
    const FitOptions options{.epochs = 2, .batch_size = 4, .verbose = 0};
    const Tensor a = uniform({9, 3}, 1), b = uniform({9, 2}, 2), y = uniform({9, 1}, 3), y2 = uniform({9, 2}, 4);
    SUBCASE("two inputs, one output") {
        auto make = [] {
            auto in_a = Input({3}, "a"), in_b = Input({2}, "b");
            auto m = std::make_unique<Model>(KerasTensors{in_a, in_b}, layer<Dense>(1)(layer<Concatenate>()({in_a, in_b})),
                                             "two_in", 8);
            m->compile("mse", std::make_unique<Adam>());
            return m;
        };
        auto one = make(), list = make();
        const History h1 = one->fit({a, b}, y, options);
        const History h2 = list->fit({a, b}, std::vector{y}, options);
        CHECK(h1.loss == h2.loss);
        CHECK(testing::same_bits(one->predict({a, b}), list->predict({a, b})));
        CHECK(one->evaluate({a, b}, y).loss == list->evaluate({a, b}, std::vector{y}).loss);
    }
    SUBCASE("one input, two outputs") {
        auto make = [] {
            auto x = Input({3});
            auto m = std::make_unique<Model>(x, KerasTensors{layer<Dense>(1)(x), layer<Dense>(2)(x)}, "two_out", 8);
            m->compile("mse", std::make_unique<Adam>());
            return m;
        };
        auto one = make(), list = make();
        const History h1 = one->fit(a, {y, y2}, options);
        const History h2 = list->fit(std::vector{a}, {y, y2}, options);
        CHECK(h1.loss == h2.loss);
        CHECK(h1.loss.size() == 2);
        const std::vector<Tensor> p1 = one->predict({a}), p2 = list->predict({a});
        REQUIRE(p1.size() == 2);
        CHECK(testing::same_bits(p1[1], p2[1]));
        CHECK(one->evaluate(a, {y, y2}).loss == list->evaluate(std::vector{a}, {y, y2}).loss);
    }
}

TEST_CASE("fit several inputs and outputs: wrong counts and shapes are refused, naming the input or output") {
    auto model = two_headed(7);
    model->compile(std::vector<std::string>{"mse", "binary_crossentropy"}, std::make_unique<Adam>());
    const Data d = data(8, 3);
    CHECK_THROWS_WITH_AS(model->fit({d.x[0]}, d.y, {.verbose = 0}),
                         "model.fit: the model takes 2 input(s) and gives 2 output(s) (dense_1, dense_2); got 1 x and 2 y tensors",
                         ShapeError);
    CHECK_THROWS_WITH_AS(model->evaluate(d.x, {d.y[0]}), doctest::Contains("got 2 x and 1 y tensors"), ShapeError);
    CHECK_THROWS_WITH_AS(model->fit(d.x, {d.y[0], take_rows(d.y[1], {0, 1, 2})}, {.verbose = 0}),
                         "model.fit: x[0] ('a') has 8 samples (8, 3) but y[1] ('dense_2') has 3 (3, 1)", ShapeError);
    CHECK_THROWS_WITH_AS(model->fit(d.x, {d.y[1], d.y[1]}, {.verbose = 0}),
                         doctest::Contains("model.fit (output 'dense_1'): y has shape (8, 1) but the model's output has shape (8, 2)"),
                         ShapeError);
    CHECK_THROWS_WITH_AS(model->fit({d.x[1], d.x[0]}, d.y, {.verbose = 0}), doctest::Contains("got (1, 2)"), ShapeError);
    Tensor bad = d.x[1].clone();
    bad[5] = NAN;
    CHECK_THROWS_WITH_AS(model->fit({d.x[0], bad}, d.y, {.verbose = 0}),
                         "model.fit: x[1] ('b') holds nan at sample 2; tapenet trains only on finite values", ValueError);
    CHECK_THROWS_WITH_AS(model->train_on_batch(d.x, {d.y[0], d.y[0] + 5.0f}), doctest::Contains("(output 'dense_2')"), ShapeError);

    model->compile(std::vector<std::string>{"mse", "mse", "mse"}, std::make_unique<Adam>());
    CHECK_THROWS_WITH_AS(model->evaluate(d.x, d.y), doctest::Contains("compile() got 3 losses for 2 outputs ('dense_1', 'dense_2')"),
                         ValueError);
    model->compile(std::map<std::string, std::string>{{"dense_1", "mse"}}, std::make_unique<Adam>());
    CHECK_THROWS_WITH_AS(model->evaluate(d.x, d.y), doctest::Contains("got no loss for output 'dense_2'"), ValueError);
    model->compile(std::map<std::string, std::string>{{"dense_1", "mse"}, {"dense_2", "mse"}, {"head", "mse"}},
                   std::make_unique<Adam>());
    CHECK_THROWS_WITH_AS(model->evaluate(d.x, d.y), doctest::Contains("a loss for 'head', which is no output"), ValueError);
    CHECK(tape::size() == 0);
}

}  // namespace fit_multi_io_test
}  // namespace tn
