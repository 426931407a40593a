// Functional models both ways with TensorFlow.js 4.22 (fixture (c) of issue #15): tapenet loads the
// seq2seq model TF.js saved (tests/fixtures/tfjs_seq2seq_c, made by tests/tfjs/functional_seq2seq.js:
// two inputs, Embedding(mask_zero), LSTM(return_sequences, return_state), Dot/softmax/Dot
// attention, Concatenate, TimeDistributed(Dense), two outputs) and predicts what TF.js does; a
// seq2seq model tapenet builds and saves runs in TF.js with the same predictions; and a model whose
// decoder LSTM starts from the encoder's state (which TF.js cannot run) round-trips in tapenet.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "io/model_format.h"
#include "layers/activation.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "layers/time_distributed.h"
#include "tests/reference.h"
#include "tests/test_util.h"
#include "train/load_model.h"
#include "train/model.h"

namespace tn {
namespace functional_interop_test {

using testing::json;
const std::string kFixture = "tests/fixtures/tfjs_seq2seq_c";

std::vector<Tensor> fixture_inputs(const std::string& dir) {
    std::vector<Tensor> inputs;
    const json doc = testing::read_json(dir + "/inputs.json");
    for (const json& t : doc.at("inputs")) inputs.push_back(testing::ref_tensor(t));
    return inputs;
}

TEST_CASE("functional interop: tapenet predicts what TF.js does for the seq2seq model TF.js saved") {
    const auto model = load_model(kFixture + "/model.json");
    CHECK_FALSE(model->sequential());
    CHECK(model->input_nodes().size() == 2);
    REQUIRE(model->outputs().size() == 2);
    CHECK(model->layer("time_distributed_TimeDistributed1").class_name() == "TimeDistributed");
    const std::vector<Tensor> out = model->predict(fixture_inputs(kFixture));
    const json expected = testing::read_json(kFixture + "/expected.json").at("outputs");
    double worst = 0;
    for (size_t k = 0; k < 2; ++k)
        worst = std::max(worst, testing::check_close(out[k], expected.at(k), "output " + std::to_string(k), 1e-5, 0));
    MESSAGE("tfjs_seq2seq_c: max |tapenet - TF.js| = " << worst);
}

// tapenet's own seq2seq: the same layers, a Dense shared by two TimeDistributed wrappers.
std::unique_ptr<Model> tapenet_seq2seq(bool initial_state) {
    auto enc = Input({6}, "enc"), dec = Input({4}, "dec");
    KerasTensors encoder = layer<LSTM>(5, true, "tanh", "sigmoid", true, true, /*return_state=*/true)(
        layer<Embedding>(10, 3, /*mask_zero=*/true)(enc));
    auto dec_emb = layer<Embedding>(10, 3, /*mask_zero=*/true)(dec);
    KerasTensor decoder = initial_state ? layer<LSTM>(5, true)({dec_emb, encoder[1], encoder[2]})[0]
                                        : layer<LSTM>(5, true)(dec_emb)[0];
    auto alpha = layer<Activation>("softmax")(layer<Dot>(std::vector<int64_t>{2, 2})({decoder, encoder[0]}));
    auto context = layer<Dot>(std::vector<int64_t>{2, 1})({alpha, encoder[0]});
    auto hidden = layer<TimeDistributed>(std::make_shared<Dense>(6, "tanh"))(layer<Concatenate>()({context, decoder}));
    auto y = layer<TimeDistributed>(std::make_shared<Dense>(7, "softmax"))(hidden);
    return std::make_unique<Model>(KerasTensors{enc, dec}, KerasTensors{y, alpha}, "seq2seq", 21);
}

TEST_CASE("functional interop: a seq2seq model tapenet saves runs in TF.js with the same predictions") {
    if (std::system("node --version >/dev/null 2>&1") != 0 || !std::filesystem::exists("tests/tfjs/node_modules/@tensorflow/tfjs")) {
        MESSAGE("skipped: node or tests/tfjs/node_modules is missing (cd tests/tfjs && npm ci)");
        return;
    }
    testing::TempDir dir;
    auto model = tapenet_seq2seq(/*initial_state=*/false);
    save_model(*model, dir / "model.json");
    const std::vector<Tensor> inputs = fixture_inputs(kFixture);
    json list = json::array();
    for (const Tensor& t : inputs) list.push_back({{"shape", t.shape()}, {"dtype", "float32"}, {"data", t.to_vector()}});
    std::ofstream(dir / "inputs.json") << json{{"inputs", list}}.dump();
    const std::string cmd = "node tests/tfjs/functional_seq2seq.js predict " + (dir / "model.json") + " " +
                            (dir / "inputs.json") + " > " + (dir / "out.json");
    REQUIRE(std::system(cmd.c_str()) == 0);
    const json tfjs = testing::read_json(dir / "out.json").at("outputs");
    const std::vector<Tensor> ours = model->predict(inputs);
    double worst = 0;
    for (size_t k = 0; k < 2; ++k)
        worst = std::max(worst, testing::check_close(ours[k], tfjs.at(k), "TF.js output " + std::to_string(k), 1e-5, 0));
    MESSAGE("a tapenet-saved seq2seq model in TF.js: max |tapenet - TF.js| = " << worst);
}

TEST_CASE("functional interop: a decoder LSTM with initial_state saves and loads bit-identically in tapenet") {
    testing::TempDir dir;
    auto model = tapenet_seq2seq(/*initial_state=*/true);
    save_model(*model, dir / "model.json");
    const auto loaded = load_model(dir / "model.json");
    const std::vector<Tensor> inputs = fixture_inputs(kFixture);
    const std::vector<Tensor> before = model->predict(inputs), after = loaded->predict(inputs);
    REQUIRE(after.size() == 2);
    CHECK(testing::same_bits(before[0], after[0]));
    CHECK(testing::same_bits(before[1], after[1]));
    // The decoder's inbound node lists x, h0 and c0, as Keras writes initial_state.
    const json j = testing::read_json(dir / "model.json");
    for (const json& l : j.at("modelTopology").at("config").at("layers"))
        if (l.at("name") == "lstm_1") CHECK(l.at("inbound_nodes").at(0).size() == 3);
}

}  // namespace functional_interop_test
}  // namespace tn
