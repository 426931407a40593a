// The functional fixtures of tests/fixtures/functional/ (README.md there):
//   tfjs_*, keras_*   built, saved and predicted by TF.js 4.22 (tests/tfjs/make_functional_fixtures.js):
//                     tapenet loads them and predicts the same within 1e-5.
//   tapenet_*         written by tapenet (the last test case here, TAPENET_WRITE_FIXTURES=1 rewrites
//                     them): TF.js loads them and predicts the same (tests/tfjs/test/functional.test.js).
// Also keras-attention's weight names ("attention/luong_w/kernel", ...): a Keras model converted to
// TF.js loads as well as tapenet's own names.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/model_format.h"
#include "layers/add.h"
#include "layers/attention.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "tests/reference.h"
#include "tests/test_util.h"
#include "train/load_model.h"

namespace functional_fixtures {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kDir = "tests/fixtures/functional/";

std::vector<tn::Tensor> inputs_of(const std::string& dir) {
    const json inputs = tn::testing::load_json_file(dir + "/inputs.json");
    std::vector<tn::Tensor> xs;
    for (const json& x : inputs.at("x")) xs.push_back(tn::testing::ref_tensor(x));
    return xs;
}

// The largest |tapenet - expected| over every output, each checked within `atol`.
double check_fixture(const std::string& dir, double atol) {
    INFO(dir);
    const std::unique_ptr<tn::Model> model = tn::load_model(dir + "/model.json");
    const std::vector<tn::Tensor> ys = model->predict(inputs_of(dir));
    const json expected = tn::testing::load_json_file(dir + "/expected.json").at("y");
    REQUIRE(ys.size() == expected.size());
    double worst = 0;
    for (size_t i = 0; i < ys.size(); ++i)
        worst = std::max(worst, tn::testing::check_close(ys[i], expected[i], dir + " output " + std::to_string(i), atol, 0));
    return worst;
}

// A copy of fixture `name` in tmp/copy whose manifest names go through `rename`.
template <class Rename>
std::string renamed_copy(const std::string& name, const tn::testing::TempDir& tmp, const std::string& copy,
                         Rename rename) {
    const std::string dir = tmp / copy;
    fs::create_directories(dir);
    fs::copy_file(kDir + name + "/weights.bin", dir + "/weights.bin");  // TF.js' name for its weights file
    json model = tn::testing::read_json(kDir + name + "/model.json");
    for (json& group : model.at("weightsManifest"))
        for (json& entry : group.at("weights")) entry["name"] = rename(entry.at("name").get<std::string>());
    std::ofstream(dir + "/model.json") << model.dump(1);
    return dir + "/model.json";
}

// The two models tapenet writes for TF.js, with tapenet's own initial weights (seeded).
std::unique_ptr<tn::Model> tapenet_readme(const std::string& score) {
    auto input = tn::Input({7, 2}, "input");
    tn::KerasTensor h = tn::layer<tn::LSTM>(5, /*return_sequences=*/true)(input);
    h = tn::layer<tn::Attention>(3, score)(h);
    h = tn::layer<tn::Dense>(1)(h);
    return std::make_unique<tn::Model>(input, h, "readme_" + score, /*seed=*/11);
}

std::unique_ptr<tn::Model> tapenet_shared_dense() {
    auto left = tn::Input({3}, "left"), right = tn::Input({3}, "right");
    auto shared = tn::layer<tn::Dense>(4, "tanh");
    tn::KerasTensor a = shared(left), b = shared(right);
    tn::KerasTensor both = tn::layer<tn::Concatenate>()({a, b});
    tn::KerasTensor sum = tn::layer<tn::Add>()({a, b});
    tn::KerasTensor y = tn::layer<tn::Dense>(2)(tn::layer<tn::Concatenate>()({both, sum}));
    return std::make_unique<tn::Model>(tn::KerasTensors{left, right}, tn::KerasTensors{y, sum}, "shared_dense",
                                       /*seed=*/12);
}

// The weights file the manifest of dir/model.json names.
std::string weights_file(const std::string& dir) {
    return dir + "/" + tn::testing::read_json(dir + "/model.json").at("weightsManifest").at(0).at("paths").at(0).get<std::string>();
}

json tensor_json(const tn::Tensor& t) {
    std::vector<float> data(t.data(), t.data() + t.numel());
    return json{{"shape", t.shape()}, {"dtype", "float32"}, {"data", data}};
}

}  // namespace functional_fixtures

TEST_CASE("functional fixtures: TF.js-built graphs load and predict what TF.js predicted (1e-5)") {
    using namespace functional_fixtures;
    for (const char* name : {"tfjs_readme_attention", "tfjs_shared_dense_merge", "keras_attention_bahdanau"}) {
        const double worst = check_fixture(kDir + name, 1e-5);
        MESSAGE(std::string(name) << ": max |tapenet - TF.js| = " << worst);
    }
    // The shared Dense is one layer with one set of weights, applied twice.
    const std::unique_ptr<tn::Model> shared = tn::load_model(kDir + "tfjs_shared_dense_merge/model.json");
    CHECK(shared->layers().size() == 5);  // shared, concatenate, add, concatenate_1, head
    CHECK(shared->layer("shared").params().size() == 2);
    CHECK(shared->params().size() == 4);
}

TEST_CASE("functional fixtures: keras-attention's Dense-sublayer weight names load as tapenet's own") {
    using namespace functional_fixtures;
    // keras_attention_bahdanau is named as Keras names it: attention/bahdanau_w1/kernel, ..., lstm/lstm_cell/kernel.
    const json manifest = tn::testing::read_json(kDir + "keras_attention_bahdanau/model.json").at("weightsManifest");
    std::vector<std::string> names;
    for (const json& e : manifest.at(0).at("weights")) names.push_back(e.at("name"));
    CHECK(names == std::vector<std::string>{"lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel",
                                            "lstm/lstm_cell/bias", "attention/bahdanau_w1/kernel",
                                            "attention/bahdanau_w2/kernel", "attention/bahdanau_v/kernel",
                                            "attention/attention_vector/kernel", "dense/kernel", "dense/bias"});
    const std::unique_ptr<tn::Model> bahdanau = tn::load_model(kDir + "keras_attention_bahdanau/model.json");
    CHECK(bahdanau->layer<tn::Attention>().score() == tn::AttentionScore::bahdanau);

    // The luong README model with its attention weights renamed the Keras way predicts the same.
    tn::testing::TempDir tmp("keras_names");
    const std::string luong = renamed_copy("tfjs_readme_attention", tmp, "luong", [](const std::string& n) {
        return n.starts_with("attention/") ? n + "/kernel" : n;
    });
    CHECK(tn::testing::read_json(luong).at("weightsManifest").at(0).at("weights").at(3).at("name") ==
          "attention/luong_w/kernel");
    const std::vector<tn::Tensor> xs = inputs_of(kDir + "tfjs_readme_attention");
    const tn::Tensor want = tn::load_model(kDir + "tfjs_readme_attention/model.json")->predict(xs)[0];
    CHECK(tn::testing::same_bits(tn::load_model(luong)->predict(xs)[0], want));

    // A file with both names for one weight is ambiguous, and says so.
    const std::string both = renamed_copy("tfjs_readme_attention", tmp, "both", [](const std::string& n) {
        return n == "attention/attention_vector" ? std::string("attention/luong_w/kernel") : n;
    });
    CHECK_THROWS_WITH_AS(tn::load_model(both), doctest::Contains("'attention/luong_w' matches both 'attention/luong_w' and "
                                                                 "'attention/luong_w/kernel'"),
                         tn::FormatError);
}

TEST_CASE("functional fixtures: tapenet_* are what tapenet writes (TAPENET_WRITE_FIXTURES=1 rewrites them)") {
    using namespace functional_fixtures;
    const char* env = std::getenv("TAPENET_WRITE_FIXTURES");
    const bool rewrite = env != nullptr && std::string(env) == "1";
    struct Made {
        std::string name;
        std::unique_ptr<tn::Model> model;
        std::vector<tn::Tensor> inputs;
    };
    std::vector<Made> made;
    made.push_back({"tapenet_readme_luong", tapenet_readme("luong"), {tn::testing::uniform_tensor({4, 7, 2}, 21)}});
    made.push_back({"tapenet_readme_bahdanau", tapenet_readme("bahdanau"), {tn::testing::uniform_tensor({4, 7, 2}, 22)}});
    made.push_back({"tapenet_shared_dense_merge", tapenet_shared_dense(),
                    {tn::testing::uniform_tensor({5, 3}, 23), tn::testing::uniform_tensor({5, 3}, 24)}});
    tn::testing::TempDir tmp("tapenet_functional");
    for (Made& m : made) {
        INFO(m.name);
        const std::string dir = rewrite ? kDir + m.name : tmp / m.name;
        fs::create_directories(dir);
        tn::save_model(*m.model, dir + "/model.json");
        const std::vector<tn::Tensor> ys = m.model->predict(m.inputs);
        json x = json::array(), y = json::array();
        for (const tn::Tensor& t : m.inputs) x.push_back(tensor_json(t));
        for (const tn::Tensor& t : ys) y.push_back(tensor_json(t));
        std::ofstream(dir + "/inputs.json") << json{{"x", x}}.dump(1) << "\n";
        std::ofstream(dir + "/expected.json") << json{{"description", "tapenet's predictions"}, {"y", y}}.dump(1) << "\n";
        // The committed files are the ones tapenet writes today, and they predict these values.
        CHECK(tn::testing::read_json(dir + "/model.json") == tn::testing::read_json(kDir + m.name + "/model.json"));
        CHECK(tn::read_file(weights_file(dir)) == tn::read_file(weights_file(kDir + m.name)));
        // Bit for bit in the build that wrote them; other builds (-O1 sanitizers) round the last bits.
        CHECK(check_fixture(kDir + m.name, 1e-6) <= 1e-6);
    }
}
