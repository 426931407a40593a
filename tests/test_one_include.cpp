// tapenet.h brings the whole public API: tests/one_include/one_include.cpp includes nothing else
// (make test builds it beside this test binary). Here it runs: its load_model(...)->predict(...) must
// print what this suite's own load_model predicts, bit for bit; README.md's functional example must
// print "Success."; a model serving its attention weights gives rows that sum to 1.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_util.h"
#include "train/load_model.h"

namespace one_include_test {

std::string one_include_binary() {
    const std::filesystem::path bin = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "one_include";
    REQUIRE_MESSAGE(std::filesystem::exists(bin), bin.string() << " is missing: build it first (make, or make test)");
    return bin.string();
}

// The words of the line of `text` that starts with `key` (without the key).
std::vector<std::string> line_words(const std::string& text, const std::string& key) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream words(line);
        std::string first;
        if (!(words >> first) || first != key) continue;
        std::vector<std::string> out;
        for (std::string w; words >> w;) out.push_back(w);
        return out;
    }
    FAIL("no line starting with '" << key << "' in:\n" << text);
    return {};
}

}  // namespace one_include_test

TEST_CASE("one include: a program with only #include \"tapenet.h\" loads, predicts, trains and saves") {
    using namespace one_include_test;
    const std::string model = "tests/fixtures/tapenet_lstm_attention_dense/model.json";
    tn::testing::TempDir dir("one_include");
    const std::string out = dir / "stdout", err = dir / "stderr";
    const std::string command = "OPENBLAS_NUM_THREADS=1 '" + one_include_binary() + "' '" + model + "' '" + dir.str() +
                                "' >'" + out + "' 2>'" + err + "'";
    REQUIRE_MESSAGE(std::system(command.c_str()) == 0, tn::read_file(err));
    const std::string text = tn::read_file(out);

    // What the program predicted is what load_model predicts here, for the same input.
    std::unique_ptr<tn::Model> loaded = tn::load_model(model);
    tn::Shape shape = loaded->input_shape();
    shape[0] = 3;
    tn::Tensor x(shape);
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = 0.5f * std::sin(static_cast<float>(i + 1));
    const tn::Tensor y = loaded->predict(x);
    const std::vector<std::string> printed = line_words(text, "predict");
    REQUIRE(static_cast<int64_t>(printed.size()) == y.numel());
    for (int64_t i = 0; i < y.numel(); ++i) CHECK(std::stof(printed[static_cast<size_t>(i)]) == y[i]);

    // README.md's example: the reloaded model predicts every bit the same.
    CHECK(tn::testing::contains(text, "\nSuccess.\n"));
    CHECK(tn::testing::contains(text, "attention (Attention)"));  // the summary
    const std::vector<std::string> weights = line_words(text, "weights");
    REQUIRE(weights.size() == 1);
    CHECK(std::stof(weights[0]) == doctest::Approx(1.0).epsilon(1e-5));  // a softmax row
    CHECK(std::filesystem::file_size(dir / "weights.png") > 100);
}
