// GRU and Bidirectional models both ways with TensorFlow.js 4.22 (fixtures in tests/fixtures/recurrent/):
//   tfjs_*     saved by TF.js (tests/tfjs/recurrent.js): tapenet loads them and predicts TF.js' values;
//   tapenet_*  saved by tapenet (this file, with TAPENET_WRITE_FIXTURES=1): tapenet reloads them and
//              predicts its recorded values; tests/tfjs/test/recurrent.test.js has TF.js load them and
//              predict the same; and, when node is installed, a model saved here is run by
//              tests/tfjs/predict.js and compared at once.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/rng.h"
#include "io/model_format.h"
#include "layers/bidirectional.h"
#include "layers/dense.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/network.h"
#include "tests/reference.h"
#include "tests/test_util.h"

namespace tn {
namespace recurrent_interop_tests {

using testing::json;
namespace fs = std::filesystem;

const std::string kDir = "tests/fixtures/recurrent/";

Tensor input_of(const std::string& dir) { return testing::ref_tensor(testing::load_json_file(dir + "/inputs.json").at("x")); }

json tensor_json(const Tensor& t) {
    return json::object({{"shape", t.shape()}, {"dtype", "float32"}, {"data", t.to_vector()}});
}

void write_json(const std::string& path, const json& j) { std::ofstream(path) << j.dump(1) << "\n"; }

// The models tapenet saves for TF.js: the forms TF.js loads (GRU with reset_after = false).
std::unique_ptr<Network> tapenet_model(const std::string& name) {
    auto m = std::make_unique<Network>(17, name);
    if (name == "tapenet_bidirectional_lstm") {
        m->add(std::make_unique<Bidirectional>(std::make_unique<LSTM>(4, true, "tanh", "sigmoid"), "concat"));
        m->add(std::make_unique<Bidirectional>(std::make_unique<LSTM>(3, false, "tanh", "hard_sigmoid"), "mul"));
        m->add<Dense>(2);
        m->build({-1, 5, 3});
    } else {
        m->add<GRU>(4, true, "tanh", "hard_sigmoid", true, /*reset_after=*/false);
        m->add(std::make_unique<Bidirectional>(
            std::make_unique<GRU>(3, false, "tanh", "sigmoid", true, /*reset_after=*/false), "sum"));
        m->add<Dense>(1);
        m->build({-1, 6, 2});
    }
    Rng rng(5);
    for (const Param& p : m->params()) {
        Tensor v = p.value;
        for (int64_t i = 0; i < v.numel(); ++i) v[i] = rng.uniform() * 1.8f - 0.9f;
    }
    return m;
}

const char* const kTapenetFixtures[] = {"tapenet_bidirectional_lstm", "tapenet_gru"};

TEST_CASE("TF.js-saved GRU and Bidirectional(LSTM) models load and predict what TF.js predicted (1e-5)") {
    for (const char* name : {"tfjs_bidirectional_lstm", "tfjs_gru"}) {
        const std::string dir = kDir + name;
        INFO(dir);
        Network net;
        load_network(net, dir + "/model.json");
        const json expected = testing::load_json_file(dir + "/expected.json").at("y");
        const double err = testing::check_close(net.predict(input_of(dir)), expected, dir, 1e-5, 0);
        MESSAGE(std::string(name) << ": max |tapenet - TF.js| = " << err);
    }
    Network gru;
    load_network(gru, kDir + "tfjs_gru/model.json");
    const auto& first = dynamic_cast<const GRU&>(*gru.layers()[0]);
    CHECK_FALSE(first.reset_after());
    CHECK(first.recurrent_activation() == "hard_sigmoid");
    const auto& bi = dynamic_cast<const Bidirectional&>(*gru.layers()[1]);
    CHECK(bi.merge_mode() == "ave");
    CHECK(bi.forward_layer().name() == "forward_gru_GRU2");
}

TEST_CASE("tapenet-saved GRU and Bidirectional models: the committed files reload to their recorded predictions") {
    const bool write = std::getenv("TAPENET_WRITE_FIXTURES") != nullptr;
    for (const char* name : kTapenetFixtures) {
        const std::string dir = kDir + name;
        INFO(dir);
        if (write) {
            auto model = tapenet_model(name);
            Rng rng(9);
            const Tensor x = Tensor::uniform(model->input_shape() == Shape{-1, 5, 3} ? Shape{3, 5, 3} : Shape{4, 6, 2},
                                             -2.0f, 2.0f, rng);
            fs::create_directories(dir);
            save_model(*model, dir + "/model.json");
            write_json(dir + "/inputs.json", {{"x", tensor_json(x)}});
            write_json(dir + "/expected.json",
                       {{"description", std::string("saved by tapenet (tests/test_recurrent_interop.cpp); y is tapenet's "
                                                    "prediction, which TF.js must reproduce")},
                        {"y", tensor_json(model->predict(x))}});
        }
        Network net;
        load_network(net, dir + "/model.json");
        const json expected = testing::load_json_file(dir + "/expected.json").at("y");
        CHECK(testing::check_close(net.predict(input_of(dir)), expected, dir, 1e-6, 0) <= 1e-6);
    }
}

TEST_CASE("tapenet-saved GRU and Bidirectional models run in TensorFlow.js (node tests/tfjs/predict.js)") {
    if (std::system("node --version >/dev/null 2>&1") != 0 || !fs::exists("tests/tfjs/node_modules/@tensorflow/tfjs")) {
        MESSAGE("skipped: node or tests/tfjs/node_modules is missing (cd tests/tfjs && npm ci)");
        return;
    }
    for (const char* name : kTapenetFixtures) {
        testing::TempDir dir;
        auto model = tapenet_model(name);
        Rng rng(10);
        const Shape shape = model->input_shape() == Shape{-1, 5, 3} ? Shape{2, 5, 3} : Shape{3, 6, 2};
        const Tensor x = Tensor::uniform(shape, -2.0f, 2.0f, rng);
        save_model(*model, dir / "model.json");
        write_json(dir / "inputs.json", {{"x", tensor_json(x)}});
        const std::string cmd = "node tests/tfjs/predict.js " + (dir / "model.json") + " " + (dir / "inputs.json") + " > " +
                                (dir / "y.json");
        REQUIRE(std::system(cmd.c_str()) == 0);
        const json y = testing::load_json_file((dir / "y.json")).at("y");
        MESSAGE(std::string(name) << ": max |tapenet - TF.js| = " << testing::check_close(model->predict(x), y, name, 1e-5, 0));
    }
}

}  // namespace recurrent_interop_tests
}  // namespace tn
