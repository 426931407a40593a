// tapenet example: add two numbers (keras-attention's examples/add_two_numbers.py), the demo.
//
// Each input is a sequence of 20 numbers drawn uniformly from [0, 1). Two positions a != b in 1..19
// are marked by a 0 just before them (x[a-1] = x[b-1] = 0); the target is the mean of the two marked
// values, 0.5 x[a] + 0.5 x[b]. To solve it, the model must find the numbers after the zeros, and the
// attention weights show whether it does: after training they sit on the two marked positions.
//
//   Input(20, 1) -> LSTM(100, return_sequences) -> Attention(128, bahdanau) -> Dropout(0.2) -> Dense(1);
//   mae; Adam; batch 64. Built with the functional API, as keras-attention's add_two_numbers.py.
//
// Adam runs at Keras' default learning rate 1e-3, except for the last --fine-tune epochs (default 3) at
// 1e-4 (keras-attention keeps 1e-3 throughout: --fine-tune 0).
//
// After every epoch it draws the attention of 10 test sequences whose marked values sit at indices 4
// and 9 (zeros at 3 and 8) above the ground-truth mask (ones at 4 and 9): DIR/epoch_NNN.png, and at the
// end DIR/attention.gif of all epochs. The weights are the Attention layer's second output
// (return_attention_scores) in a model that shares the trained layers. DIR/metrics.json holds the
// final figures.
//
//   build/bin/add_two_numbers --out out/add_two_numbers          (or: make demo)
#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "examples/example_args.h"
#include "examples/fine_tune.h"
#include "examples/metrics.h"
#include "io/gif.h"
#include "io/heatmap.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/dropout.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "train/model.h"

namespace {

constexpr int64_t kSteps = 20;                   // T, the sequence length
constexpr int kTestIndex1 = 4, kTestIndex2 = 9;  // the marked positions of the 10 drawn sequences

struct AddTwoData {
    tn::Tensor x;                           // (N, T, 1)
    tn::Tensor y;                           // (N, 1)
    std::vector<std::array<int, 2>> marked;  // (a, b) of each sample
};

// n samples; the marked positions are drawn (distinct, in 1..T-1) unless fixed_a/fixed_b are given.
// As in keras-attention (and the PyTorch baseline), the target is computed before the zeros are
// written, so when b = a - 1 the zero before a overwrites x[b]: about 10% of the samples carry one
// value the model cannot see. That caps how low the MAE can go; we keep it for comparable figures.
AddTwoData make_data(int64_t n, tn::Rng& rng, int fixed_a = -1, int fixed_b = -1) {
    AddTwoData d{tn::Tensor({n, kSteps, 1}), tn::Tensor({n, 1}), {}};
    for (int64_t i = 0; i < n; ++i) {
        float* x = d.x.data() + i * kSteps;
        for (int64_t t = 0; t < kSteps; ++t) x[t] = rng.uniform();
        int a = fixed_a, b = fixed_b;
        if (fixed_a < 0) {  // a uniform ordered pair of distinct positions in 1..T-1
            a = 1 + static_cast<int>(rng.below(kSteps - 1));
            b = 1 + static_cast<int>(rng.below(kSteps - 2));
            if (b >= a) ++b;
        }
        d.y[i] = 0.5f * x[a] + 0.5f * x[b];
        x[a - 1] = 0.0f;
        x[b - 1] = 0.0f;
        d.marked.push_back({a, b});
    }
    return d;
}

// Mean over the samples of the attention weight on the two marked positions (1 = all of it).
float attention_mass(const tn::Tensor& alpha, const std::vector<std::array<int, 2>>& marked) {
    double total = 0;
    for (size_t i = 0; i < marked.size(); ++i) {
        const float* row = alpha.data() + static_cast<int64_t>(i) * alpha.dim(1);
        total += static_cast<double>(row[marked[i][0]]) + static_cast<double>(row[marked[i][1]]);
    }
    return static_cast<float>(total / static_cast<double>(marked.size()));
}

// The figure of one epoch: attention of the 10 test sequences above the ground-truth mask.
tn::Image draw_epoch(const tn::Tensor& alpha, const tn::Tensor& truth, int epoch, int epochs, int cell_px) {
    char title[64];
    std::snprintf(title, sizeof title, "Epoch %03d / %d", epoch, epochs);
    tn::HeatmapStyle style;
    style.title = title;
    style.colormap = "hot";
    style.cell_px = cell_px;
    return tn::render_heatmap({tn::HeatmapPanel::from_tensor("attention", alpha),
                               tn::HeatmapPanel::from_tensor("ground truth", truth)},
                              style);
}

int run(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();

    tn::examples::Flags flags("add_two_numbers",
                              "Learn the mean of the two numbers that follow a 0 in a sequence of 20 (keras-attention's\n"
                              "add_two_numbers); writes the attention heatmap of every epoch, a GIF and metrics.json.");
    tn::examples::CommonArgs args{.epochs = 12, .out = "out/add_two_numbers"};
    int64_t train_samples = 20000, val_samples = 4000;
    tn::examples::add_common_flags(flags, args);
    flags.add("--train", train_samples, int64_t{1}, tn::examples::kMaxSamples, "training samples");
    flags.add("--val", val_samples, int64_t{1}, tn::examples::kMaxSamples, "validation samples");
    int cell_px = 20;
    flags.add("--cell-px", cell_px, 4, 200, "side of a heatmap cell in pixels");
    int fine_tune_epochs = 3;
    flags.add("--fine-tune", fine_tune_epochs, 0, 10000, "last epochs trained at a tenth of the learning rate (0: none)");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    tn::examples::apply_common_args(args);

    // ---- data: training, validation, and the 10 test sequences that are drawn ----
    tn::Rng rng(args.seed);
    const AddTwoData train = make_data(train_samples, rng);
    const AddTwoData val = make_data(val_samples, rng);
    const AddTwoData test = make_data(10, rng, kTestIndex1, kTestIndex2);
    tn::Tensor truth({10, kSteps});  // where the attention should go
    for (int64_t r = 0; r < 10; ++r) truth[r * kSteps + kTestIndex1] = truth[r * kSteps + kTestIndex2] = 1.0f;

    // ---- model, as keras-attention writes it (functional) ----
    // The Attention layer also outputs its weights (return_attention_scores): `model` trains on y,
    // `probe` (the same layers) serves {y, weights} for the heatmaps.
    auto model_input = tn::Input({kSteps, 1});
    tn::KerasTensor x = tn::layer<tn::LSTM>(100, /*return_sequences=*/true)(model_input);
    tn::KerasTensors attended = tn::layer<tn::Attention>(128, "bahdanau", /*return_attention_scores=*/true)(x);
    x = tn::layer<tn::Dropout>(0.2)(attended[0]);
    x = tn::layer<tn::Dense>(1)(x);
    tn::Model model(model_input, x, "add_two_numbers", args.seed);
    tn::Model probe(model_input, {x, attended[1]}, "add_two_numbers_probe");
    model.compile("mae", std::make_unique<tn::Adam>());
    std::cout << model.summary() << "\n";
    const auto attention_weights = [&probe](const tn::Tensor& inputs) {  // (N, T)
        return probe.predict({inputs}, /*batch_size=*/256)[1];
    };

    // ---- training, drawing the attention after every epoch ----
    tn::GifWriter gif(args.out + "/attention.gif", /*delay_cs=*/40, "hot");
    std::vector<float> val_mass_per_epoch, test_mass_per_epoch;
    const tn::Callback fine_tune = tn::examples::fine_tune_callback(model, args.epochs, fine_tune_epochs);
    tn::Callback draw;
    draw.on_epoch_end = [&](int epoch, const tn::EpochLogs&) {
        const tn::Tensor alpha = attention_weights(test.x);
        const tn::Image frame = draw_epoch(alpha, truth, epoch + 1, args.epochs, cell_px);
        char name[32];
        std::snprintf(name, sizeof name, "/epoch_%03d.png", epoch + 1);
        tn::write_png(frame, args.out + name);
        gif.add_frame(frame);
        test_mass_per_epoch.push_back(attention_mass(alpha, test.marked));
        val_mass_per_epoch.push_back(attention_mass(attention_weights(val.x), val.marked));
        if (args.verbose > 0)
            std::printf("  attention on the marked positions: %.3f (validation), %.3f (the 10 drawn)\n",
                        static_cast<double>(val_mass_per_epoch.back()), static_cast<double>(test_mass_per_epoch.back()));
    };
    const auto train_start = Clock::now();
    const tn::History history = model.fit(train.x, train.y,
                                          {.epochs = args.epochs,
                                           .batch_size = 64,
                                           .validation_data = {val.x, val.y},
                                           .callbacks = {fine_tune, draw},
                                           .verbose = args.verbose});
    const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
    gif.finish();

    // ---- figures ----
    const float val_mae = history.val_loss.back();  // the loss is the MAE; evaluated with dropout off
    const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object({
        {"example", "add_two_numbers"},
        {"epochs", args.epochs},
        {"seed", args.seed},
        {"threads", args.threads},
        {"fine_tune_epochs", fine_tune_epochs},
        {"train_samples", train_samples},
        {"val_samples", val_samples},
        {"val_mae", val_mae},
        // mean of alpha[a] + alpha[b] over the validation set, and over the 10 drawn test sequences
        {"attention_mass_val", val_mass_per_epoch.back()},
        {"attention_mass_test10", test_mass_per_epoch.back()},
        {"wall_seconds", wall_seconds},
        {"seconds_per_epoch", train_seconds / args.epochs},
        {"history", nlohmann::ordered_json::object({{"loss", history.loss},
                                      {"val_mae", history.val_loss},
                                      {"attention_mass_val", val_mass_per_epoch},
                                      {"attention_mass_test10", test_mass_per_epoch}})},
    });
    const std::string metrics_path = tn::examples::write_metrics(args.out, metrics);

    std::printf("\nvalidation MAE %.4f, attention on the two marked positions %.3f (validation set), %d epoch(s) in %.1f s\n",
                static_cast<double>(val_mae), static_cast<double>(val_mass_per_epoch.back()), args.epochs, wall_seconds);
    std::printf("heatmaps: %s/epoch_001.png .. epoch_%03d.png\nanimation: %s/attention.gif\nmetrics: %s\n",
                args.out.c_str(), args.epochs, args.out.c_str(), metrics_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("add_two_numbers", [&] { return run(argc, argv); });
}
