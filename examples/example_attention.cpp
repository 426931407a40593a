// tapenet example: the keras-attention README example (examples/example-attention.py), for both scores.
//
// Dummy data (there is nothing to learn): x uniform (100, 10, 1), y uniform (100, 1).
//
//   Input(10, 1) -> LSTM(64, return_sequences) -> Attention(units=32, score) -> Dense(1); mae; Adam
//
// built with the functional API as the README writes it (tn::Input, layers applied, tn::Model).
//
// For score = luong and bahdanau: print the summary, fit, predict, save the model to
// DIR/model_<score>.json (+ its weights file), load it back with no user code, predict again and
// require bit-identical predictions, then print "Success." (as the Python example does after
// np.testing.assert_almost_equal; we ask for more: every bit). Any difference exits with status 1.
//
//   build/bin/example_attention --out out/example_attention
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/rng.h"
#include "core/tensor.h"
#include "examples/example_args.h"
#include "examples/metrics.h"
#include "io/model_format.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "train/load_model.h"
#include "train/model.h"

namespace {

constexpr int64_t kTimeSteps = 10, kInputDim = 1, kOutputDim = 1;

// Largest |a - b| over the elements (the shapes must match).
float max_abs_difference(const tn::Tensor& a, const tn::Tensor& b) {
    float worst = 0;
    for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
    return worst;
}

int run(int argc, char** argv) {
    tn::examples::Flags flags("example_attention",
                              "keras-attention's README example on dummy data, for the luong and bahdanau scores:\n"
                              "fit, save, load, and check that the loaded model predicts bit-identically.");
    tn::examples::CommonArgs args{.epochs = 10, .out = "out/example_attention"};
    int64_t samples = 100;
    tn::examples::add_common_flags(flags, args);
    flags.add("--train", samples, int64_t{1}, tn::examples::kMaxSamples, "samples (the dummy data set)");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    tn::examples::apply_common_args(args);

    tn::Rng rng(args.seed);
    const tn::Tensor x = tn::Tensor::uniform({samples, kTimeSteps, kInputDim}, 0.0f, 1.0f, rng);
    const tn::Tensor y = tn::Tensor::uniform({samples, kOutputDim}, 0.0f, 1.0f, rng);

    nlohmann::ordered_json metrics = nlohmann::ordered_json::object(
        {{"example", "example_attention"}, {"epochs", args.epochs}, {"seed", args.seed}, {"samples", samples}});
    bool all_identical = true;
    for (const std::string score : {"luong", "bahdanau"}) {
        auto model_input = tn::Input({kTimeSteps, kInputDim});
        tn::KerasTensor h = tn::layer<tn::LSTM>(64, /*return_sequences=*/true)(model_input);
        h = tn::layer<tn::Attention>(32, score)(h);
        h = tn::layer<tn::Dense>(kOutputDim)(h);
        tn::Model model(model_input, h, "example_attention_" + score, args.seed);
        model.compile("mae", std::make_unique<tn::Adam>());
        std::cout << model.summary() << "\n";

        const tn::History history = model.fit(x, y, {.epochs = args.epochs, .verbose = args.verbose});

        // test save/reload model.
        const tn::Tensor pred1 = model.predict(x);
        const std::string path = args.out + "/model_" + score + ".json";
        tn::save_model(model, path);
        const std::unique_ptr<tn::Model> loaded = tn::load_model(path);
        const tn::Tensor pred2 = loaded->predict(x);
        if (pred1.shape() != pred2.shape())
            throw std::runtime_error("the model loaded from " + path + " predicts shape " + tn::shape_str(pred2.shape()) +
                                     " instead of " + tn::shape_str(pred1.shape()));
        const bool identical =
            std::memcmp(pred1.data(), pred2.data(), sizeof(float) * static_cast<size_t>(pred1.numel())) == 0;
        const float difference = max_abs_difference(pred1, pred2);
        metrics[score] = nlohmann::ordered_json::object({{"final_loss", history.loss.back()},
                                           {"model", path},
                                           {"predictions_bit_identical", identical},
                                           {"max_abs_difference", difference}});
        if (identical) {
            std::cout << "Success.\n\n";
        } else {
            std::cerr << "example_attention: the model loaded from " << path << " predicts differently (" << score
                      << " score, max |difference| " << difference << ")\n";
            all_identical = false;
        }
    }
    std::cout << "metrics: " << tn::examples::write_metrics(args.out, metrics) << "\n";
    return all_identical ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("example_attention", [&] { return run(argc, argv); });
}
