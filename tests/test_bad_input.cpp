// Bad training input is refused with a clear message before training starts: labels outside the
// loss's range, NaN or infinity in x, y or validation_data, y shaped unlike the model's output, and a
// layer whose weights the machine cannot hold. The weights stay as they were.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "optim/sgd.h"
#include "tests/test_util.h"
#include "train/model.h"

using namespace tn;
using tn::testing::contains;

namespace {  // the tests compile as one unit: these names are unique to this file

constexpr float kBadNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kBadInf = std::numeric_limits<float>::infinity();

// Dense(1, activation) on 16 samples of 3 features, built and compiled with `loss`.
std::unique_ptr<Model> dense_model_for(const std::string& loss, const std::string& activation = "linear") {
    auto model = std::make_unique<Model>(3);
    model->add<Dense>(1, activation);
    model->compile(loss, std::make_unique<SGD>());
    model->build({-1, 3});
    return model;
}

Tensor bad_input_x(int64_t n = 16) {
    Rng rng(5);
    return Tensor::uniform({n, 3}, -1, 1, rng);
}

Tensor bad_input_y(Shape shape = {16, 1}) { return Tensor::full(std::move(shape), 1.0f); }

std::vector<std::vector<float>> weight_values(const Model& model) {
    std::vector<std::vector<float>> w;
    for (const Param& p : model.params()) w.push_back(p.value.to_vector());
    return w;
}

// fit's message for (x, y), checking that no weight changed.
template <class E>
std::string fit_error_of(Model& model, const Tensor& x, const Tensor& y, FitOptions options = {}) {
    options.verbose = 0;
    const auto before = weight_values(model);
    std::string message = "(nothing thrown)";
    try {
        model.fit(x, y, options);
    } catch (const E& e) {
        message = e.what();
    }
    CHECK(weight_values(model) == before);
    return message;
}

}  // namespace

TEST_CASE("bad input: binary cross-entropy labels outside [0, 1] are refused, naming value and sample") {
    for (const std::string activation : {"sigmoid", "linear"}) {  // the logits form and the plain one
        auto model = dense_model_for("binary_crossentropy", activation);
        Tensor y = bad_input_y();
        y[5] = 2;
        CHECK(fit_error_of<ValueError>(*model, bad_input_x(), y) ==
              "model.fit: y holds 2 at sample 5; binary_crossentropy needs labels in [0, 1]");
        y[5] = 1;
        y[0] = -3;
        CHECK(fit_error_of<ValueError>(*model, bad_input_x(), y) ==
              "model.fit: y holds -3 at sample 0; binary_crossentropy needs labels in [0, 1]");
        CHECK_THROWS_WITH_AS(model->train_on_batch(bad_input_x(), y),
                             "model.train_on_batch: y holds -3 at sample 0; binary_crossentropy needs labels in [0, 1]",
                             ValueError);
        CHECK_THROWS_WITH_AS(model->evaluate(bad_input_x(), y),
                             "model.evaluate: y holds -3 at sample 0; binary_crossentropy needs labels in [0, 1]",
                             ValueError);
        y[0] = 0.25f;  // soft labels are fine
        CHECK_NOTHROW(model->fit(bad_input_x(), y, {.verbose = 0}));
    }
}

TEST_CASE("bad input: sparse categorical labels must be class indices of the output") {
    auto model = std::make_unique<Model>(3);
    model->add<Dense>(4);
    model->compile("sparse_categorical_crossentropy", std::make_unique<SGD>());
    model->build({-1, 3});
    Tensor y = Tensor::zeros({16});
    y[7] = 4;
    CHECK(fit_error_of<ValueError>(*model, bad_input_x(), y) ==
          "model.fit: y holds 4 at sample 7; sparse_categorical_crossentropy needs class indices, integers in [0, 4)");
    y[7] = 1.5f;
    CHECK(contains(fit_error_of<ValueError>(*model, bad_input_x(), y), "y holds 1.5 at sample 7"));
    CHECK(fit_error_of<ShapeError>(*model, bad_input_x(), Tensor::zeros({16, 4})) ==
          "model.fit: y has shape (16, 4) but the model's output has shape (16, 4); "
          "sparse_categorical_crossentropy needs y of shape (16,) or (16, 1)");
}

TEST_CASE("bad input: NaN or infinity in x, y or validation_data is refused before training") {
    auto model = dense_model_for("mse");
    Tensor x = bad_input_x();
    x[3 * 3 + 1] = kBadNaN;
    CHECK(fit_error_of<ValueError>(*model, x, bad_input_y()) ==
          "model.fit: x holds nan at sample 3; tapenet trains only on finite values");
    CHECK_THROWS_WITH_AS(model->evaluate(x, bad_input_y()),
                         "model.evaluate: x holds nan at sample 3; tapenet trains only on finite values", ValueError);

    Tensor y = bad_input_y();
    y[9] = -kBadInf;
    CHECK(fit_error_of<ValueError>(*model, bad_input_x(), y) == "model.fit: y holds -inf at sample 9; targets must be finite");

    Tensor val_x = bad_input_x(4);
    val_x[1 * 3] = kBadInf;
    CHECK(fit_error_of<ValueError>(*model, bad_input_x(), bad_input_y(), {.validation_data = {val_x, bad_input_y({4, 1})}}) ==
          "model.fit (validation_data): x holds inf at sample 1; tapenet trains only on finite values");
    Tensor val_y = bad_input_y({4, 1});
    val_y[2] = kBadNaN;
    CHECK(fit_error_of<ValueError>(*model, bad_input_x(), bad_input_y(), {.validation_data = {bad_input_x(4), val_y}}) ==
          "model.fit (validation_data): y holds nan at sample 2; targets must be finite");
    // validation_split holds out part of x, y: those were checked as a whole.
    y = bad_input_y();
    y[15] = kBadNaN;
    CHECK(fit_error_of<ValueError>(*model, bad_input_x(), y, {.validation_split = 0.25}) ==
          "model.fit: y holds nan at sample 15; targets must be finite");
}

TEST_CASE("bad input: y shaped unlike the model's output is refused, naming both shapes") {
    auto model = dense_model_for("mse");
    CHECK(fit_error_of<ShapeError>(*model, bad_input_x(), bad_input_y({16, 1, 1})) ==
          "model.fit: y has shape (16, 1, 1) but the model's output has shape (16, 1); mse needs y of shape (16, 1) "
          "or (16,)");
    CHECK(fit_error_of<ShapeError>(*model, bad_input_x(), bad_input_y({16, 2})) ==
          "model.fit: y has shape (16, 2) but the model's output has shape (16, 1); mse needs y of shape (16, 1) "
          "or (16,)");
    CHECK_THROWS_WITH_AS(model->train_on_batch(bad_input_x(), bad_input_y({16, 1, 1})),
                         "model.train_on_batch: y has shape (16, 1, 1) but the model's output has shape (16, 1); mse "
                         "needs y of shape (16, 1) or (16,)",
                         ShapeError);
    // Keras' pairing of (B) with an output (B, 1) is kept.
    CHECK_NOTHROW(model->fit(bad_input_x(), bad_input_y({16}), {.verbose = 0}));
    // A loss of your own gets any shape it accepts.
    auto custom = std::make_unique<Model>(3);
    custom->add<Dense>(1);
    custom->compile(Loss{"first_column", [](const Tensor& p, const Tensor&) { return tn::sum(p); }},
                    std::make_unique<SGD>());
    CHECK_NOTHROW(custom->fit(bad_input_x(), bad_input_y({16, 5}), {.verbose = 0}));
}

TEST_CASE("bad input: a layer too large for the machine fails with the size it asked for, before training") {
    for (const int64_t units : {int64_t{1} << 40, int64_t{1} << 20}) {
        CAPTURE(units);
        Model model(1);
        model.add<LSTM>(units);
        model.add<Dense>(1);
        model.compile("mse", std::make_unique<SGD>());
        std::string message = "(nothing thrown)";
        try {
            model.fit(Tensor::zeros({4, 2, 1}), Tensor::zeros({4, 1}), {.verbose = 0});
        } catch (const AllocationError& e) {
            message = e.what();
        }
        CAPTURE(message);
        CHECK(contains(message, "tensor of shape ("));
        CHECK(contains(message, "cannot allocate 4398046511104 floats (16384.0 GiB)"));
    }
}
