// Model: the reference training runs (LSTM -> Attention -> Dense, 3 Adam steps), learning the
// add-two-numbers task, determinism, the NaN guard, the progress output, callbacks, the logits form
// of binary cross-entropy, accuracy, masks, and the structure API (names, params, summary).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "core/error.h"
#include "core/ops.h"
#include "core/rng.h"
#include "core/tape.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tests/reference.h"
#include "train/model.h"
#include "train/progress_bar.h"

using namespace tn;
using json = nlohmann::ordered_json;
using tn::testing::check_close;
using tn::testing::load_case;
using tn::testing::ref_tensor;

namespace {

// keras-attention's add_two_numbers task: T values uniform in [0, 1); two distinct positions a, b in
// [1, T) are marked by writing 0 (the delimiter) just before them; the target is their mean.
void add_two_numbers(int64_t n, int64_t T, Rng& rng, Tensor& x, Tensor& y) {
    x = Tensor({n, T, 1});
    y = Tensor({n, 1});
    for (int64_t i = 0; i < n; ++i) {
        float* row = x.data() + i * T;
        for (int64_t t = 0; t < T; ++t) row[t] = rng.uniform();
        const auto a = static_cast<int64_t>(1 + rng.below(static_cast<uint64_t>(T - 1)));
        auto b = a;
        while (b == a) b = static_cast<int64_t>(1 + rng.below(static_cast<uint64_t>(T - 1)));
        y[i] = 0.5f * row[a] + 0.5f * row[b];
        row[a - 1] = 0;
        row[b - 1] = 0;
    }
}

std::vector<std::vector<float>> weights(const Model& m) {
    std::vector<std::vector<float>> w;
    for (const Param& p : m.params()) w.push_back(p.value.to_vector());
    return w;
}

// Points in the plane, label 1 when x0 + x1 > 0.
void separable(int64_t n, Rng& rng, Tensor& x, Tensor& y) {
    x = Tensor::uniform({n, 2}, -1, 1, rng);
    y = Tensor({n, 1});
    for (int64_t i = 0; i < n; ++i) y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1.0f : 0.0f;
}

}  // namespace

TEST_CASE("Model reproduces the reference training runs (LSTM -> Attention -> Dense, mae, Adam)") {
    const auto cases = tn::testing::reference_cases("train_model");
    REQUIRE(!cases.empty());
    for (const std::string& name : cases) {
        CAPTURE(name);
        const json c = load_case(name);
        const json& cfg = c.at("config");
        const json& opt = cfg.at("optimizer");
        REQUIRE(opt.at("type") == "adam_keras");

        Model model;
        model.add<LSTM>(cfg.at("lstm_units").get<int64_t>(), cfg.at("return_sequences").get<bool>());
        model.add<Attention>(cfg.at("attention_units").get<int64_t>(), cfg.at("score").get<std::string>());
        model.add<Dense>(cfg.at("dense_units").get<int64_t>(), cfg.at("dense_activation").get<std::string>());
        model.compile(cfg.at("loss").get<std::string>(),
                      std::make_unique<Adam>(AdamOptions{.learning_rate = opt.at("lr").get<double>(),
                                                         .beta_1 = opt.at("beta1").get<double>(),
                                                         .beta_2 = opt.at("beta2").get<double>(),
                                                         .epsilon = opt.at("epsilon").get<double>()}));
        const Tensor x = ref_tensor(c.at("inputs").at("x"));
        const Tensor y = ref_tensor(c.at("inputs").at("y_true"));
        model.build(x.shape());

        // Parameters: the reference order and names; load the initial values.
        const std::vector<std::string> order = c.at("param_order").get<std::vector<std::string>>();
        std::vector<Param> params = model.params();
        REQUIRE(params.size() == order.size());
        for (size_t i = 0; i < order.size(); ++i) {
            CHECK(params[i].name == order[i]);
            const Tensor init = ref_tensor(c.at("params").at(order[i]));
            REQUIRE(init.shape() == params[i].value.shape());
            std::copy(init.data(), init.data() + init.numel(), params[i].value.data());
        }

        // The forward at the initial parameters, layer by layer.
        const json& out = c.at("outputs");
        {
            NoGrad no_grad;
            const Tensor lstm_out = model.layer<LSTM>().forward(x);
            check_close(lstm_out, out.at("lstm_out"), name + " lstm_out");
            const AttentionOutputs attention = model.layer<Attention>().attend(lstm_out);
            check_close(attention.y, out.at("attention_out"), name + " attention_out");
            check_close(attention.weights, out.at("alpha"), name + " alpha");
            check_close(model.predict(x), out.at("y_pred"), name + " y_pred");
            check_close(Tensor::scalar(model.evaluate(x, y).loss), out.at("loss"), name + " loss");
        }
        // d loss / d x at the initial parameters.
        {
            Tensor xg = x.clone().requires_grad();
            mae(model.forward(xg, true), y).backward();
            check_close(xg.grad(), c.at("grads").at("inputs").at("x"), name + " d loss / d x");
            model.zero_grad();
        }

        // Three Adam steps on the same batch.
        const json& steps = c.at("steps");
        for (size_t k = 0; k < steps.size(); ++k) {
            const json& s = steps[k];
            const std::string at = name + " step " + std::to_string(k + 1) + " ";
            const double want_loss = s.at("loss").get<double>();
            const float loss = model.train_on_batch(x, y);
            CHECK_MESSAGE(std::abs(loss - want_loss) <= 1e-5 + 1e-4 * std::abs(want_loss), at << "loss " << loss);
            for (const Param& p : model.params()) {
                check_close(p.value.grad(), s.at("grads").at(p.name), at + "grad " + p.name);
                check_close(p.value, s.at("params_after").at(p.name), at + "params_after " + p.name);
                check_close(model.optimizer().slot(p.name, "m"), s.at("m").at(p.name), at + "m " + p.name);
                check_close(model.optimizer().slot(p.name, "v"), s.at("v").at(p.name), at + "v " + p.name);
            }
        }
        for (const Param& p : model.params())
            check_close(p.value, steps.back().at("params_after").at(p.name), name + " final " + p.name, 1e-5, 0.0);
        const double final_loss = c.at("final_loss").get<double>();
        CHECK(std::abs(model.evaluate(x, y).loss - final_loss) <= 1e-5 + 1e-4 * final_loss);
        CHECK(tape::size() == 0);
    }
}

TEST_CASE("LSTM -> Attention -> Dense learns add-two-numbers well below the mean predictor's MAE") {
    // Predicting the mean (0.5) gives MAE 1/6 = 0.167 (y is triangular on [0, 1]). Small and short so
    // that it also runs under the sanitizers: T = 10, 12 units, 1536 steps of 16 (~2 s at -O2).
    // Model seeds 1-5 all end between 0.060 and 0.071 here, so the bar of 0.10 has room.
    const int64_t T = 10;
    Rng data_rng(11);
    Tensor x, y, vx, vy;
    add_two_numbers(2048, T, data_rng, x, y);
    add_two_numbers(512, T, data_rng, vx, vy);

    Model model(3);
    model.add<LSTM>(12, true);
    model.add<Attention>(12);
    model.add<Dense>(1);
    model.compile("mae", std::make_unique<Adam>(AdamOptions{.learning_rate = 0.02}));
    const History h = model.fit(x, y, {.epochs = 12, .batch_size = 16, .validation_data = {vx, vy}, .verbose = 0});
    MESSAGE("add_two_numbers val MAE: epoch 1 " << h.val_loss.front() << ", epoch 12 " << h.val_loss.back());
    CHECK(h.epochs() == 12);
    CHECK(h.val_loss.front() > 0.1f);  // it did have to learn
    CHECK(h.val_loss.back() < 0.10f);
    CHECK(model.evaluate(vx, vy).loss == doctest::Approx(h.val_loss.back()).epsilon(1e-6));
}

TEST_CASE("the same seed trains to bit-identical weights; another seed does not") {
    Rng data_rng(5);
    Tensor x, y;
    add_two_numbers(96, 6, data_rng, x, y);
    auto train = [&](uint64_t seed) {
        auto model = std::make_unique<Model>(seed);
        model->add<LSTM>(4, true);
        model->add<Attention>(4);
        model->add<Dropout>(0.3);
        model->add<Dense>(1);
        model->compile("mse", std::make_unique<Adam>());
        model->fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0});
        return model;
    };
    const auto a = train(42), b = train(42), c = train(43);
    CHECK(weights(*a) == weights(*b));
    CHECK(weights(*a) != weights(*c));
}

TEST_CASE("fit stops on a non-finite loss, names the epoch and batch, and keeps the last good weights") {
    // (NaN or inf in x or y is refused before training: tests/test_bad_input.cpp. A finite x so large
    // that the loss overflows float reaches the guard.)
    Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {8, 2});
    x[2 * 5] = 3e38f;  // sample 5: the third batch of two
    const Tensor y = Tensor::ones({8, 1});
    Model model(1);
    model.add<Dense>(1);
    model.compile("mse", std::make_unique<SGD>(0.01));
    std::vector<std::vector<float>> after_good_step;
    FitOptions o{.epochs = 2, .batch_size = 2, .shuffle = false, .verbose = 0};
    o.callbacks.push_back({.on_batch_end = [&](int, float) { after_good_step = weights(model); }});
    CHECK_THROWS_WITH_AS(model.fit(x, y, o),
                         "fit: loss became inf at epoch 1, batch 3; weights are those after the last good step",
                         std::runtime_error);
    REQUIRE(!after_good_step.empty());
    CHECK(weights(model) == after_good_step);
    CHECK(tape::size() == 0);

    Tensor y_big = Tensor::ones({8, 1});
    y_big[0] = -3e38f;
    CHECK_THROWS_WITH_AS(model.fit(x, y_big, o), doctest::Contains("loss became inf at epoch 1, batch 1"),
                         std::runtime_error);
}

TEST_CASE("progress output: silent with verbose 0, one line per epoch off a terminal") {
    Rng rng(2);
    Tensor x, y;
    separable(40, rng, x, y);
    Model model(4);
    model.add<Dense>(1, "sigmoid");
    model.compile("binary_crossentropy", std::make_unique<Adam>());

    std::ostringstream silent;
    model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0, .out = &silent});
    CHECK(silent.str().empty());

    std::ostringstream log;
    model.fit(x, y, {.epochs = 3, .batch_size = 8, .validation_split = 0.25, .verbose = 1, .out = &log});
    const std::string text = log.str();
    CHECK(text.find('\r') == std::string::npos);
    std::istringstream lines(text);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        CAPTURE(line);
        CHECK(line.rfind("Epoch " + std::to_string(count) + "/3 - 4/4 - ", 0) == 0);  // 30 samples, batches of 8
        CHECK(line.find("/step - loss: ") != std::string::npos);
        CHECK(line.find(" - loss: ") != std::string::npos);
        CHECK(line.find(" - accuracy: ") != std::string::npos);
        CHECK(line.find(" - val_loss: ") != std::string::npos);
        CHECK(line.find(" - val_accuracy: ") != std::string::npos);
    }
    CHECK(count == 3);
}

TEST_CASE("progress bar on a terminal: header, in-place bar, final line") {
    std::ostringstream os;
    ProgressBar bar(os, 1, /*interactive=*/true);
    bar.begin_epoch(2, 20, 4);
    for (int s = 1; s <= 4; ++s) bar.update(s, {{"loss", 0.5f}});
    bar.end_epoch({{"loss", 0.08123f}, {"val_loss", 0.075f}});
    const std::string out = os.str();
    const std::string first_bar = "1/4 [" + std::string(6, '=') + ">" + std::string(23, '.') + "] - ETA: ";
    CHECK(out.rfind("Epoch 3/20\n\r" + first_bar, 0) == 0);
    CHECK(out.find("loss: 0.5000") != std::string::npos);
    const std::string last = out.substr(out.rfind('\r') + 1);
    CHECK(last.rfind("4/4 [==============================] - 0s ", 0) == 0);
    CHECK(last.find("/step - loss: 0.0812 - val_loss: 0.0750") != std::string::npos);
    CHECK(out.back() == '\n');

    CHECK(format_metric(0.08123f) == "0.0812");
    CHECK(format_metric(1.234e-4f) == "1.2340e-04");
    CHECK(format_eta(4.7) == "4s");
    CHECK(format_eta(65) == "1:05");
    CHECK(format_eta(3723) == "1:02:03");
    CHECK(format_per_step(0.019) == "19ms/step");
    CHECK(format_per_step(2.2) == "2s/step");
}

TEST_CASE("callbacks see every batch and epoch, and stop_training ends fit") {
    Rng rng(8);
    Tensor x, y;
    separable(20, rng, x, y);
    Model model;
    model.add<Dense>(1);
    model.compile("mse", std::make_unique<SGD>(0.1));
    std::vector<int> begun, ended, batches;
    FitOptions o{.epochs = 5, .batch_size = 8, .verbose = 0};
    o.callbacks.push_back({.on_epoch_begin = [&](int e) { begun.push_back(e); },
                           .on_epoch_end =
                               [&](int e, const EpochLogs& logs) {
                                   ended.push_back(e);
                                   CHECK(logs.epoch == e);
                                   CHECK(!logs.accuracy);  // mse has no accuracy
                                   if (e == 1) model.stop_training = true;
                               },
                           .on_batch_end = [&](int b, float loss) {
                               batches.push_back(b);
                               CHECK(std::isfinite(loss));
                           }});
    const History h = model.fit(x, y, o);
    CHECK(h.epochs() == 2);
    CHECK(h.accuracy.empty());
    CHECK(h.val_loss.empty());
    CHECK(begun == std::vector<int>{0, 1});
    CHECK(ended == std::vector<int>{0, 1});
    CHECK(batches == std::vector<int>{0, 1, 2, 0, 1, 2});  // 20 samples in batches of 8, 8, 4

    // Stopping inside an epoch ends it after that batch.
    FitOptions once{.epochs = 3, .batch_size = 8, .verbose = 0};
    int calls = 0;
    once.callbacks.push_back({.on_batch_end = [&](int, float) {
        ++calls;
        model.stop_training = true;
    }});
    CHECK(model.fit(x, y, once).epochs() == 1);
    CHECK(calls == 1);
}

TEST_CASE("Dense(1, sigmoid) with binary_crossentropy trains on the logits, as Keras does") {
    // A saturated unit: z = 100, sigmoid(z) rounds to 1 in float32. On probabilities the clip would
    // block the gradient; on logits d loss / dz = sigmoid(z) - t = 1, so d loss / d kernel = x = 1.
    Model model;
    Dense& dense = model.add<Dense>(1, "sigmoid");
    model.compile("binary_crossentropy", std::make_unique<SGD>(0.1));
    model.build({-1, 1});
    dense.set_weights({Tensor::full({1, 1}, 100.0f), Tensor::zeros({1})});
    const Tensor x = Tensor::ones({1, 1}), y = Tensor::zeros({1, 1});
    const float loss = model.train_on_batch(x, y);
    CHECK(loss == doctest::Approx(100.0));  // max(z,0) - z t + log(1 + e^-z), not the clipped 15.33
    CHECK(dense.params()[0].value.grad()[0] == doctest::Approx(1.0));
    CHECK(dense.params()[1].value.grad()[0] == doctest::Approx(1.0));
    CHECK(model.predict(x)[0] == 1.0f);  // predict applies the sigmoid

    // Learning a separable problem: accuracy reported, predictions are probabilities, and the loss
    // equals Keras' probability form where nothing saturates.
    Rng rng(21);
    Tensor px, py;
    separable(256, rng, px, py);
    Model clf(9);
    clf.add<Dense>(1, "sigmoid");
    clf.compile("binary_crossentropy", std::make_unique<Adam>(AdamOptions{.learning_rate = 0.05}));
    const History h = clf.fit(px, py, {.epochs = 20, .batch_size = 32, .validation_split = 0.25, .verbose = 0});
    REQUIRE(h.accuracy.size() == 20);
    REQUIRE(h.val_accuracy.size() == 20);
    CHECK(h.accuracy.back() > 0.9f);
    CHECK(h.val_accuracy.back() > 0.9f);
    const Tensor p = clf.predict(px);
    for (int64_t i = 0; i < p.numel(); ++i) CHECK((p[i] > 0.0f && p[i] < 1.0f));
    const Evaluation ev = clf.evaluate(px, py);
    CHECK(ev.loss == doctest::Approx(binary_crossentropy(p, py).item()).epsilon(1e-4));
    int64_t correct = 0;
    for (int64_t i = 0; i < p.numel(); ++i) correct += (p[i] > 0.5f) == (py[i] == 1.0f);
    CHECK(*ev.accuracy == doctest::Approx(static_cast<double>(correct) / 256));
}

TEST_CASE("sparse_categorical_crossentropy on logits reports argmax accuracy") {
    // Three classes by angle sector; labels (B) as floats.
    Rng rng(4);
    const int64_t n = 300;
    Tensor x = Tensor::uniform({n, 2}, -1, 1, rng), y({n});
    for (int64_t i = 0; i < n; ++i) {
        const double angle = std::atan2(x[2 * i + 1], x[2 * i]) + std::numbers::pi;  // [0, 2 pi]
        y[i] = static_cast<float>(std::min<int64_t>(2, static_cast<int64_t>(angle / (2 * std::numbers::pi / 3))));
    }
    Model model(2);
    model.add<Dense>(16, "relu");
    model.add<Dense>(3);
    model.compile("sparse_categorical_crossentropy", std::make_unique<Adam>(AdamOptions{.learning_rate = 0.02}));
    const History h = model.fit(x, y, {.epochs = 30, .batch_size = 32, .verbose = 0});
    CHECK(h.accuracy.back() > 0.85f);
    const Tensor logits = model.predict(x);
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float* r = logits.data() + 3 * i;
        correct += static_cast<float>(std::max_element(r, r + 3) - r) == y[i];
    }
    CHECK(*model.evaluate(x, y).accuracy == doctest::Approx(static_cast<double>(correct) / n));
}

TEST_CASE("validation_split holds out the last samples; predict batches and concatenates") {
    Rng rng(6);
    const Tensor x = Tensor::uniform({10, 3}, -1, 1, rng), y = Tensor::uniform({10, 2}, -1, 1, rng);
    Model model(5);
    model.add<Dense>(4, "tanh");
    model.add<Dense>(2);
    model.compile("mse", std::make_unique<SGD>(0.05));
    const History h = model.fit(x, y, {.epochs = 2, .batch_size = 3, .validation_split = 0.2, .verbose = 0});
    REQUIRE(h.val_loss.size() == 2);
    std::vector<int64_t> last{8, 9};
    CHECK(h.val_loss.back() == doctest::Approx(model.evaluate(take_rows(x, last), take_rows(y, last)).loss));

    const Tensor all = model.predict(x, 32), batched = model.predict(x, 3);
    CHECK(batched.shape() == Shape{10, 2});
    for (int64_t i = 0; i < all.numel(); ++i) CHECK(batched[i] == doctest::Approx(all[i]).epsilon(1e-6));
    const Tensor rows = take_rows(x, {2, 0});
    CHECK(rows.to_vector() == std::vector<float>{x[6], x[7], x[8], x[0], x[1], x[2]});
    CHECK_THROWS_AS(take_rows(x, {10}), ShapeError);
}

TEST_CASE("a mask from the first layer flows through the stack") {
    // Embedding(mask_zero) marks index 0 as padding; the LSTM carries its state over padded steps,
    // so a sequence padded at the end predicts exactly what the unpadded one does.
    Model model(12);
    model.add<Embedding>(10, 4, true);
    model.add<LSTM>(5);
    model.add<Dense>(1);
    const Tensor padded = Tensor::from_vector({3, 5, 0, 0}, {1, 4});
    const Tensor plain = Tensor::from_vector({3, 5}, {1, 2});
    CHECK(model.predict(padded)[0] == doctest::Approx(model.predict(plain)[0]).epsilon(1e-6));
    CHECK(model.predict(padded)[0] != doctest::Approx(model.predict(Tensor::from_vector({3, 5, 1, 1}, {1, 4}))[0]));
}

TEST_CASE("layer names, lookup, params and summary") {
    Model model(7, "demo");
    model.add<LSTM>(3, true);
    model.add<Attention>(4);
    model.add<Dense>(2, "relu");
    auto head = std::make_unique<Dense>(1);
    head->set_name("head");
    model.add(std::move(head));
    model.add<Dense>(1);
    std::vector<std::string> names;
    for (const auto& l : model.layers()) names.push_back(l->name());
    CHECK(names == std::vector<std::string>{"lstm", "attention", "dense", "head", "dense_1"});
    auto clash = std::make_unique<Dense>(1);
    clash->set_name("head");
    CHECK_THROWS_WITH_AS(model.add(std::move(clash)), doctest::Contains("a layer named 'head' is already"), ValueError);

    CHECK(&model.layer("head") == model.layers()[3].get());
    CHECK_THROWS_WITH_AS(model.layer("nope"), doctest::Contains("the layers are: lstm, attention, dense, head, dense_1"),
                         ValueError);
    CHECK(model.layer<Attention>().units() == 4);
    CHECK(model.find<Embedding>() == nullptr);
    CHECK_THROWS_AS(model.layer<Embedding>(), ValueError);
    CHECK(model.layers()[0]->seed() == 7);
    CHECK(model.layers()[4]->seed() == 11);

    CHECK_THROWS_WITH_AS(model.summary(), doctest::Contains("call build"), ValueError);
    model.build({-1, 6, 2});
    std::vector<std::string> param_names;
    for (const Param& p : model.params()) param_names.push_back(p.name);
    CHECK(param_names == std::vector<std::string>{"lstm/kernel", "lstm/recurrent_kernel", "lstm/bias",
                                                  "attention/luong_w", "attention/attention_vector", "dense/kernel",
                                                  "dense/bias", "head/kernel", "head/bias", "dense_1/kernel",
                                                  "dense_1/bias"});
    // lstm 2*12 + 3*12 + 12 = 72; attention 9 + 6*4 = 33; dense 4*2 + 2 = 10; head 3; dense_1 2.
    CHECK(model.count_params() == 120);
    const std::string s = model.summary();
    CHECK(s.find("Model: \"demo\"") != std::string::npos);
    CHECK(s.find("head (Dense)") != std::string::npos);
    CHECK(s.find("Total params: 120") != std::string::npos);
}

TEST_CASE("fit and friends reject bad input with clear messages") {
    Model model;
    model.add<Dense>(1);
    const Tensor x = Tensor::zeros({4, 2}), y = Tensor::zeros({4, 1});
    CHECK_THROWS_WITH_AS(model.fit(x, y), doctest::Contains("not compiled"), ValueError);
    model.compile("mse", std::make_unique<SGD>());
    CHECK_THROWS_WITH_AS(model.fit(x, Tensor::zeros({3, 1})),
                         "model.fit: x has 4 samples (4, 2) but y has 3 (3, 1)", ShapeError);
    CHECK_THROWS_AS(model.fit(x, y, {.batch_size = 0}), ValueError);
    CHECK_THROWS_AS(model.fit(x, y, {.validation_split = 1.0}), ValueError);
    CHECK_THROWS_AS(model.fit(x, y, {.validation_split = 0.9}), ValueError);  // leaves no training sample
    CHECK_THROWS_AS(model.fit(x, Tensor::zeros({4, 3}), {.verbose = 0}), ShapeError);  // the loss names both shapes
    CHECK(tape::size() == 0);
    CHECK_THROWS_AS(model.compile("mse", nullptr), ValueError);
    CHECK_THROWS_WITH_AS(model.compile("crossentropy", std::make_unique<SGD>()), doctest::Contains("valid losses"),
                         ValueError);
}

TEST_CASE("initial_epoch resumes the epoch count, as Keras") {
    Rng rng(13);
    Tensor x, y;
    separable(16, rng, x, y);
    Model model;
    model.add<Dense>(1);
    model.compile("mse", std::make_unique<SGD>(0.1));
    std::vector<int> begun;
    std::ostringstream log;
    FitOptions o{.epochs = 5, .initial_epoch = 3, .batch_size = 8, .verbose = 1, .out = &log};
    o.callbacks.push_back({.on_epoch_begin = [&](int e) { begun.push_back(e); }});
    CHECK(model.fit(x, y, o).epochs() == 2);
    CHECK(begun == std::vector<int>{3, 4});
    CHECK(log.str().rfind("Epoch 4/5 - 2/2 - ", 0) == 0);
    CHECK(log.str().find("\nEpoch 5/5 - 2/2 - ") != std::string::npos);
    CHECK_THROWS_AS(model.fit(x, y, {.epochs = 2, .initial_epoch = 3}), ValueError);
}
