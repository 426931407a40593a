// tapenet example: find the maximum (keras-attention's examples/find_max.py).
//
// Each input is a sequence of 10 numbers drawn from Beta(1/10, 1); the target is their maximum.
// (With Beta(1/n, 1) the maximum of n draws is uniform on [0, 1], so its value alone says little.)
// A model that solves it looks at the largest number: the argmax of its attention weights should be
// the position of the maximum, which the figures and the "argmax accuracy" show.
//
//   Input(10, 1) -> LSTM(128, return_sequences) -> Attention(128, luong) -> Dense(1); mae; RMSprop (Keras
//   defaults); batch 32. Built with the functional API, as keras-attention's find_max.py.
//
// RMSprop is what keras-attention gets from model.compile(loss='mae'); --optimizer adam trains with
// Adam (Keras defaults) instead, as the PyTorch baseline does. The last --fine-tune epochs run at a
// tenth of the learning rate (0: none, as keras-attention).
//
// 100,000 sequences, the last 20% held out for validation (as Keras' validation_split = 0.2). After
// every epoch it draws DIR/epoch_NNN.png: for 12 validation sequences, the attention weights, their
// argmax as a one-hot row and the true argmax as a one-hot row (`jet`, as the keras-attention figure);
// at the end DIR/attention.gif, and DIR/metrics.json. The weights are the Attention layer's second
// output (return_attention_scores) in a model that shares the trained layers.
//
//   build/bin/find_max --out out/find_max
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "examples/attention_probe.h"
#include "examples/example_args.h"
#include "examples/fine_tune.h"
#include "examples/metrics.h"
#include "io/gif.h"
#include "io/heatmap.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "train/model.h"

namespace {

constexpr int64_t kSteps = 10;     // T, the sequence length
constexpr int64_t kDrawnRows = 12;  // validation sequences in the figures (keras-attention draws 12)

struct FindMaxData {
    tn::Tensor x;  // (N, T, 1)
    tn::Tensor y;  // (N, 1), the maximum of each sequence
};

// Beta(a, 1) has the CDF u^a on [0, 1], so U^(1/a) with U uniform samples it: here U^10.
FindMaxData make_data(int64_t n, tn::Rng& rng) {
    FindMaxData d{tn::Tensor({n, kSteps, 1}), tn::Tensor({n, 1})};
    const double a = 1.0 / static_cast<double>(kSteps);
    for (int64_t i = 0; i < n; ++i) {
        float* x = d.x.data() + i * kSteps;
        float largest = 0.0f;
        for (int64_t t = 0; t < kSteps; ++t) {
            x[t] = static_cast<float>(std::pow(rng.uniform_double(), 1.0 / a));
            largest = std::max(largest, x[t]);
        }
        d.y[i] = largest;
    }
    return d;
}

// Fraction of the rows whose attention argmax is the position of the sequence's maximum.
float argmax_accuracy(const tn::Tensor& alpha, const tn::Tensor& x) {
    const tn::Tensor values = x.view({x.dim(0), kSteps});
    int64_t hits = 0;
    for (int64_t r = 0; r < alpha.dim(0); ++r)
        hits += tn::examples::row_argmax(alpha, r) == tn::examples::row_argmax(values, r);
    return static_cast<float>(hits) / static_cast<float>(alpha.dim(0));
}

tn::Image draw_epoch(const tn::Tensor& alpha, const tn::Tensor& x, int epoch, int epochs, int cell_px) {
    char title[64];
    std::snprintf(title, sizeof title, "Epoch %03d / %d", epoch, epochs);
    tn::HeatmapStyle style;
    style.title = title;
    style.colormap = "jet";
    style.cell_px = cell_px;
    const tn::Tensor values = x.view({x.dim(0), kSteps});
    return tn::render_heatmap(
        {tn::HeatmapPanel::from_tensor("attention", alpha),
         tn::HeatmapPanel::from_tensor("attention - argmax", tn::examples::argmax_one_hot(alpha)),
         tn::HeatmapPanel::from_tensor("ground truth - argmax", tn::examples::argmax_one_hot(values))},
        style);
}

int run(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();

    tn::examples::Flags flags("find_max",
                              "Learn the maximum of 10 numbers drawn from Beta(0.1, 1) (keras-attention's find_max);\n"
                              "writes the attention heatmap of every epoch, a GIF and metrics.json.");
    tn::examples::CommonArgs args{.epochs = 12, .out = "out/find_max"};
    int64_t train_samples = 80000, val_samples = 20000;
    tn::examples::add_common_flags(flags, args);
    flags.add("--train", train_samples, int64_t{1}, tn::examples::kMaxSamples, "training samples");
    flags.add("--val", val_samples, int64_t{1}, tn::examples::kMaxSamples, "validation samples");
    int cell_px = 20;
    flags.add("--cell-px", cell_px, 4, 200, "side of a heatmap cell in pixels");
    std::string optimizer = "rmsprop";
    flags.add("--optimizer", optimizer, "NAME", "rmsprop or adam (Keras defaults)");
    int fine_tune_epochs = 3;
    flags.add("--fine-tune", fine_tune_epochs, 0, 10000, "last epochs trained at a tenth of the learning rate (0: none)");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    if (optimizer != "rmsprop" && optimizer != "adam") {
        std::cerr << "find_max: --optimizer expects rmsprop or adam, got '" << optimizer << "'\n";
        return 2;
    }
    tn::examples::apply_common_args(args);

    // ---- data ----
    tn::Rng rng(args.seed);
    const FindMaxData train = make_data(train_samples, rng);
    const FindMaxData val = make_data(val_samples, rng);
    const int64_t drawn = std::min(kDrawnRows, val_samples);
    std::vector<int64_t> drawn_rows(static_cast<size_t>(drawn));
    for (int64_t r = 0; r < drawn; ++r) drawn_rows[static_cast<size_t>(r)] = r;
    const tn::Tensor drawn_x = tn::take_rows(val.x, drawn_rows);

    // ---- model, as keras-attention writes it (functional) ----
    // The Attention layer also outputs its weights (return_attention_scores): `model` trains on y,
    // `probe` (the same layers) serves {y, weights} for the figures and the argmax accuracy.
    auto model_input = tn::Input({kSteps, 1});
    tn::KerasTensor x = tn::layer<tn::LSTM>(128, /*return_sequences=*/true)(model_input);
    tn::KerasTensors attended = tn::layer<tn::Attention>(128, "luong", /*return_attention_scores=*/true)(x);
    x = tn::layer<tn::Dense>(1)(attended[0]);
    tn::Model model(model_input, x, "find_max", args.seed);
    tn::Model probe(model_input, {x, attended[1]}, "find_max_probe");
    if (optimizer == "adam")
        model.compile("mae", std::make_unique<tn::Adam>());
    else
        model.compile("mae", std::make_unique<tn::RMSprop>());
    std::cout << model.summary() << "\n";
    const auto attention_weights = [&probe](const tn::Tensor& inputs) {  // (N, T)
        return probe.predict({inputs}, /*batch_size=*/256)[1];
    };

    // ---- training, drawing the attention after every epoch ----
    tn::GifWriter gif(args.out + "/attention.gif", /*delay_cs=*/60, "jet");
    std::vector<float> accuracy_per_epoch;
    const tn::Callback fine_tune = tn::examples::fine_tune_callback(model, args.epochs, fine_tune_epochs);
    tn::Callback draw;
    draw.on_epoch_end = [&](int epoch, const tn::EpochLogs&) {
        const tn::Image frame =
            draw_epoch(attention_weights(drawn_x), drawn_x, epoch + 1, args.epochs, cell_px);
        char name[32];
        std::snprintf(name, sizeof name, "/epoch_%03d.png", epoch + 1);
        tn::write_png(frame, args.out + name);
        gif.add_frame(frame);
        accuracy_per_epoch.push_back(argmax_accuracy(attention_weights(val.x), val.x));
        if (args.verbose > 0)
            std::printf("  attention argmax = position of the maximum: %.2f%% of the validation sequences\n",
                        100.0 * static_cast<double>(accuracy_per_epoch.back()));
    };
    const auto train_start = Clock::now();
    const tn::History history = model.fit(train.x, train.y,
                                          {.epochs = args.epochs,
                                           .batch_size = 32,
                                           .validation_data = {val.x, val.y},
                                           .callbacks = {fine_tune, draw},
                                           .verbose = args.verbose});
    const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
    gif.finish();

    // ---- figures ----
    const float val_mae = history.val_loss.back();
    const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object({
        {"example", "find_max"},
        {"epochs", args.epochs},
        {"seed", args.seed},
        {"threads", args.threads},
        {"optimizer", optimizer},
        {"fine_tune_epochs", fine_tune_epochs},
        {"train_samples", train_samples},
        {"val_samples", val_samples},
        {"val_mae", val_mae},
        // fraction of the validation sequences whose attention argmax is the position of the maximum
        {"val_argmax_accuracy", accuracy_per_epoch.back()},
        {"wall_seconds", wall_seconds},
        {"seconds_per_epoch", train_seconds / args.epochs},
        {"history", nlohmann::ordered_json::object({{"loss", history.loss},
                                      {"val_mae", history.val_loss},
                                      {"val_argmax_accuracy", accuracy_per_epoch}})},
    });
    const std::string metrics_path = tn::examples::write_metrics(args.out, metrics);

    std::printf("\nvalidation MAE %.4f, attention argmax on the maximum for %.2f%% of the validation set, "
                "%d epoch(s) in %.1f s\n",
                static_cast<double>(val_mae), 100.0 * static_cast<double>(accuracy_per_epoch.back()), args.epochs,
                wall_seconds);
    std::printf("heatmaps: %s/epoch_001.png .. epoch_%03d.png\nanimation: %s/attention.gif\nmetrics: %s\n",
                args.out.c_str(), args.epochs, args.out.c_str(), metrics_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tn::examples::run_example("find_max", [&] { return run(argc, argv); }); }
