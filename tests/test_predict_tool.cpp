// tapenet-predict end to end: the binary (from $TAPENET_BIN_DIR, as tests/test_examples.cpp runs
// the examples) on saved models. Its predictions must be the library's bit for bit in every input
// and output format and at every batch size; --attention writes the weights the model computed;
// every file it cannot use gives exit code 1 and exactly one line on stderr naming the file.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/tape.h"
#include "io/model_format.h"
#include "io/npy.h"
#include "io/tensor_csv.h"
#include "io/tensor_json.h"
#include "layers/attention.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "tests/test_util.h"
#include "train/load_model.h"


namespace predict_tool_test {

using tn::testing::contains;
using tn::testing::RunOutput;
using tn::testing::TempDir;

// LSTM(4) -> Attention(8) -> Dense(1) on (N, 5, 3), with the values TF.js predicted for its inputs.
const std::string kModel = "tests/fixtures/tapenet_lstm_attention_dense/model.json";

tn::Tensor fixture_tensor(const std::string& file, const std::string& key) {
    const auto j = tn::testing::read_json("tests/fixtures/tapenet_lstm_attention_dense/" + file).at(key);
    return tn::Tensor::from_vector(j.at("data").get<std::vector<float>>(), j.at("shape").get<tn::Shape>());
}

RunOutput predict(const std::string& args, const TempDir& dir) { return tn::testing::run_example("tapenet-predict", args, dir); }

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// Exit code 1 and one line on stderr holding `message`; nothing on stdout.
void check_refused(const std::string& args, const std::string& message, const TempDir& dir) {
    CAPTURE(args);
    const RunOutput r = predict(args, dir);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.starts_with("tapenet-predict: "));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_MESSAGE(contains(r.err, message), r.err);
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

// Two inputs (N, 5, 3) and (N, 6, 3) through one shared LSTM and one shared Attention (two nodes
// each), two outputs: Dense(1) of both contexts, and the first context.
void save_two_input_model(const std::string& path) {
    auto a = tn::Input({5, 3}, "left"), b = tn::Input({6, 3}, "right");
    auto lstm = tn::layer<tn::LSTM>(4, /*return_sequences=*/true);
    auto attention = tn::layer<tn::Attention>(3);
    auto ya = attention(lstm(a)), yb = attention(lstm(b));
    auto y = tn::layer<tn::Dense>(1)(tn::layer<tn::Concatenate>()({ya, yb}));
    tn::Model model({a, b}, {y, ya}, "two_inputs", 5);
    tn::save_model(model, path);
}


TEST_CASE("tapenet-predict: .npy in, JSON on stdout, the library's predictions bit for bit") {
    TempDir dir("predict_npy");
    const tn::Tensor x = fixture_tensor("inputs.json", "x");
    tn::write_npy(dir / "x.npy", x);
    const RunOutput r = predict(quoted(kModel) + " " + quoted(dir / "x.npy"), dir);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const tn::Tensor expected = tn::load_model(kModel)->predict(x);
    CHECK(r.out == tn::tensor_json_text(expected) + "\n");
    const tn::Tensor y = tn::parse_tensor_json(r.out, "stdout");
    CHECK(tn::testing::same_bits(y, expected));
    // ... and what TensorFlow.js predicted for the same inputs (tests/tfjs/).
    const tn::Tensor tfjs = fixture_tensor("expected.json", "y");
    for (int64_t i = 0; i < y.numel(); ++i) CHECK(std::fabs(y[i] - tfjs[i]) < 1e-6f);
}

TEST_CASE("tapenet-predict: every input format and output format gives the same bits") {
    TempDir dir("predict_formats");
    const tn::Tensor x = fixture_tensor("inputs.json", "x");  // (3, 5, 3)
    const tn::Tensor expected = tn::load_model(kModel)->predict(x);
    tn::write_npy(dir / "x.npy", x);
    tn::write_tensor_json(dir / "x.json", x);
    tn::write_tensor_csv(dir / "x.csv", x);  // a row per sample: its 15 values in row-major order
    for (const char* in : {"x.npy", "x.json", "x.csv"})
        for (const char* out : {"y.npy", "y.json", "y.csv"}) {
            CAPTURE(in);
            CAPTURE(out);
            const RunOutput r = predict(quoted(kModel) + " " + quoted(dir / in) + " --output " + quoted(dir / out), dir);
            REQUIRE(r.status == 0);
            CHECK(r.out.empty());
            CHECK(r.err == "tapenet-predict: wrote " + dir / out + " (3, 1): output 'dense'\n");
            const std::string path = dir / out;
            const tn::Tensor y = path.ends_with(".npy")    ? tn::read_npy(path)
                                 : path.ends_with(".json") ? tn::read_tensor_json(path)
                                                           : tn::read_tensor_csv(path);
            CHECK(tn::testing::same_bits(y, expected));
        }
}

// OpenBLAS picks its GEMM kernels by the number of rows, so a sample's last bits may depend on the
// batch it runs in: each batch size gives the library's bits for that batch size, and all agree
// within float rounding (measured: at most 6e-8 apart on this model, outputs near 0.3).
TEST_CASE("tapenet-predict: --batch-size gives the library's predictions for that batch size") {
    TempDir dir("predict_batches");
    tn::Rng rng(3);
    const tn::Tensor x = tn::Tensor::uniform({70, 5, 3}, -1, 1, rng);
    tn::write_npy(dir / "x.npy", x);
    auto model = tn::load_model(kModel);
    const tn::Tensor whole = model->predict(x, 70);
    float worst = 0;
    for (int64_t batch : {1, 7, 32, 70, 1000}) {
        CAPTURE(batch);
        const RunOutput r = predict(quoted(kModel) + " " + quoted(dir / "x.npy") + " --batch-size " + std::to_string(batch), dir);
        REQUIRE(r.status == 0);
        const tn::Tensor y = tn::parse_tensor_json(r.out, "stdout");
        CHECK(tn::testing::same_bits(y, model->predict(x, batch)));
        for (int64_t i = 0; i < y.numel(); ++i) worst = std::max(worst, std::fabs(y[i] - whole[i]));
    }
    MESSAGE("largest difference between batch sizes: " << worst);
    CHECK(worst <= 1e-6f);
}

TEST_CASE("tapenet-predict: --attention writes the weights the model computed, and a heatmap") {
    TempDir dir("predict_attention");
    tn::Rng rng(4);
    const tn::Tensor x = tn::Tensor::uniform({60, 5, 3}, -1, 1, rng);
    tn::write_npy(dir / "x.npy", x);
    const RunOutput r = predict(quoted(kModel) + " " + quoted(dir / "x.npy") + " --batch-size 16 --attention " +
                                    quoted(dir / "attention"),
                                dir);
    REQUIRE(r.status == 0);
    CHECK(r.err == "tapenet-predict: wrote " + dir / "attention/attention.npy" + " (60, 5) and " +
                       dir / "attention/attention.png" + "\n");
    // The same weights from the layers themselves: the LSTM's sequence, then Attention::attend.
    auto model = tn::load_model(kModel);
    tn::NoGrad no_grad;
    const tn::Tensor h = model->layers()[0]->forward(x, tn::Tensor(), false);
    const tn::Tensor alpha = model->layer<tn::Attention>().attend(h).weights;
    const tn::Tensor written = tn::read_npy(dir / "attention/attention.npy");
    REQUIRE(written.shape() == tn::Shape{60, 5});
    for (int64_t i = 0; i < alpha.numel(); ++i) CHECK(std::fabs(written[i] - alpha[i]) <= 1e-6f);
    const std::string png = tn::read_file(dir / "attention/attention.png");
    CHECK(png.substr(1, 3) == "PNG");
}

TEST_CASE("tapenet-predict: a hostile layer name makes a file inside DIR and an escaped message") {
    TempDir dir("predict_hostile");
    // The fixture with its Attention layer renamed "../x<ESC>[31m" (its weights' names too).
    std::string text = tn::read_file(kModel);
    replace_all(text, "\"name\": \"attention\"", "\"name\": \"../x\\u001b[31m\"");
    replace_all(text, "\"attention/", "\"../x\\u001b[31m/");
    REQUIRE(contains(text, "../x\\u001b[31m/luong_w"));
    std::ofstream(dir / "model.json") << text;
    std::filesystem::copy_file("tests/fixtures/tapenet_lstm_attention_dense/weights.bin", dir / "weights.bin");
    tn::write_npy(dir / "x.npy", fixture_tensor("inputs.json", "x"));
    const RunOutput r = predict(quoted(dir / "model.json") + " " + quoted(dir / "x.npy") + " --attention " + quoted(dir / "att"), dir);
    REQUIRE(r.status == 0);
    CHECK(std::filesystem::exists(dir / "att/_._x__31m.npy"));  // '/' and ESC replaced, no leading '.'
    CHECK(std::filesystem::exists(dir / "att/_._x__31m.png"));
    CHECK(std::distance(std::filesystem::directory_iterator(dir / "att"), std::filesystem::directory_iterator()) == 2);
    CHECK(r.err.find('\x1b') == std::string::npos);
}

TEST_CASE("tapenet-predict: two inputs and two outputs, a shared Attention recorded per node") {
    TempDir dir("predict_two");
    save_two_input_model(dir / "m.json");
    tn::Rng rng(6);
    const tn::Tensor left = tn::Tensor::uniform({9, 5, 3}, -1, 1, rng), right = tn::Tensor::uniform({9, 6, 3}, -1, 1, rng);
    tn::write_npy(dir / "left.npy", left);
    tn::write_tensor_csv(dir / "right.csv", right);
    const RunOutput r = predict(quoted(dir / "m.json") + " " + quoted(dir / "left.npy") + " " + quoted(dir / "right.csv") +
                                    " --output " + quoted(dir / "y.npy") + " --attention " + quoted(dir / "att") + " --batch-size 4",
                                dir);
    REQUIRE(r.status == 0);
    const std::vector<tn::Tensor> expected = tn::load_model(dir / "m.json")->predict({left, right});
    CHECK(tn::testing::same_bits(tn::read_npy(dir / "y_0.npy"), expected[0]));
    CHECK(tn::testing::same_bits(tn::read_npy(dir / "y_1.npy"), expected[1]));
    CHECK(contains(r.err, "wrote " + dir / "y_0.npy" + " (9, 1): output 'dense'\n"));
    CHECK(contains(r.err, "wrote " + dir / "y_1.npy" + " (9, 3): output 'attention'\n"));
    CHECK(tn::read_npy(dir / "att/attention.npy").shape() == tn::Shape{9, 5});        // node 0: on left
    CHECK(tn::read_npy(dir / "att/attention_node1.npy").shape() == tn::Shape{9, 6});  // node 1: on right
    // On stdout: one JSON line per output.
    const RunOutput s = predict(quoted(dir / "m.json") + " " + quoted(dir / "left.npy") + " " + quoted(dir / "right.csv"), dir);
    REQUIRE(s.status == 0);
    CHECK(s.out == tn::tensor_json_text(expected[0]) + "\n" + tn::tensor_json_text(expected[1]) + "\n");
}

TEST_CASE("tapenet-predict: a file it cannot use is exit code 1 and one line naming it") {
    TempDir dir("predict_refused");
    const std::string model = quoted(kModel) + " ";
    tn::Rng rng(5);
    tn::write_npy(dir / "wrong_steps.npy", tn::Tensor::uniform({2, 4, 3}, -1, 1, rng));
    check_refused(model + quoted(dir / "wrong_steps.npy"),
                  "wrong_steps.npy: shape (2, 4, 3) does not fit the model's input 'input' (None, 5, 3)", dir);
    tn::write_npy(dir / "rank2.npy", tn::Tensor::uniform({2, 15}, -1, 1, rng));
    check_refused(model + quoted(dir / "rank2.npy"), "rank2.npy: shape (2, 15) does not fit the model's input", dir);
    tn::write_npy(dir / "none.npy", tn::Tensor({0, 5, 3}));
    check_refused(model + quoted(dir / "none.npy"), "none.npy: holds no samples", dir);
    check_refused(model + quoted(dir / "none.npy") + " " + quoted(dir / "rank2.npy"),
                  "the model takes 1 input (input (None, 5, 3)), got 2 files", dir);
    tn::write_tensor_csv(dir / "short_rows.csv", tn::Tensor::uniform({2, 14}, -1, 1, rng));
    check_refused(model + quoted(dir / "short_rows.csv"),
                  "short_rows.csv: each row holds 14 values, a sample of shape (5, 3) needs 15", dir);
    // Files NumPy wrote that tapenet cannot read, and damaged ones.
    check_refused(model + "tests/fixtures/npy/big_endian_f4.npy", "big_endian_f4.npy: big-endian data (descr '>f4')", dir);
    check_refused(model + "tests/fixtures/npy/bool.npy", "bool.npy: dtype '|b1' is not supported", dir);
    const std::string good = tn::npy_bytes(tn::Tensor({2, 5, 3}));
    std::ofstream(dir / "truncated.npy", std::ios::binary) << good.substr(0, good.size() - 5);
    check_refused(model + quoted(dir / "truncated.npy"), "truncated.npy: truncated: its shape (2, 5, 3) of '<f4' needs 120 bytes", dir);
    std::ofstream(dir / "broken.json") << "{\"shape\": [1, 5, 3], \"data\": [1, 2,";
    check_refused(model + quoted(dir / "broken.json"), "broken.json: malformed JSON: line 1, column", dir);
    check_refused(model + quoted(dir / "missing.npy"), "missing.npy", dir);
    std::ofstream(dir / "model.json") << "{\"format\": \"layers-model\"";
    check_refused(quoted(dir / "model.json") + " " + quoted(dir / "wrong_steps.npy"), "model.json", dir);
    // --attention on a model without an Attention layer.
    auto x = tn::Input({3});
    tn::Model dense(x, tn::layer<tn::Dense>(1)(x), "dense_only", 1);
    tn::save_model(dense, dir / "dense.json");
    tn::write_npy(dir / "x3.npy", tn::Tensor({2, 3}));
    check_refused(quoted(dir / "dense.json") + " " + quoted(dir / "x3.npy") + " --attention " + quoted(dir / "att"),
                  "dense.json: --attention: the model has no Attention layer", dir);
}

TEST_CASE("tapenet-predict: bad usage is exit code 2 with one line") {
    TempDir dir("predict_usage");
    struct Case {
        std::string args, message;
    };
    const std::vector<Case> cases = {
        {quoted(kModel) + " x.npy --batch-size 0", "--batch-size expects an integer in [1, 1000000], got '0'"},
        {quoted(kModel) + " x.npy --batch-size 9223372036854775808", "--batch-size expects an integer in [1, 1000000], got '9223372036854775808'"},
        {quoted(kModel) + " x.npy --batch-size", "--batch-size needs a value"},
        {quoted(kModel) + " x.npy --frobnicate", "unknown option '--frobnicate'"},
        {quoted(kModel) + " x.txt", "input 'x.txt' does not end in .npy, .csv or .json"},
        {quoted(kModel) + " x.npy --output y.bin", "--output 'y.bin' does not end in .npy, .csv or .json"},
        {quoted(kModel), "needs a model and at least one input file"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.args);
        const RunOutput r = predict(c.args, dir);
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(r.err == "tapenet-predict: " + c.message + " (see tapenet-predict --help)\n");
    }
    const RunOutput help = predict("--help", dir);
    CHECK(help.status == 0);
    CHECK(contains(help.out, "usage: tapenet-predict MODEL.json INPUT..."));
    const RunOutput none = predict("", dir);
    CHECK(none.status == 2);
    CHECK(contains(none.err, "usage: tapenet-predict"));
}

}  // namespace predict_tool_test
