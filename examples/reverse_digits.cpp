// tapenet example: reverse a sequence of 20 digits with the same encoder-decoder, once without and
// once with (Luong, dot) attention, on the same budget; attention is what makes it learnable.
//
//   "31415926535897932384" -> "48323979853562951413"
//
//   digits (20) -> Embedding -> LSTM(return_sequences, return_state) -> enc, h, c
//   digits so far (20) -> Embedding -> LSTM(return_sequences, initial_state=[h, c]) -> dec
//   without attention:  TimeDistributed(Dense(12)) over dec
//   with attention:     alpha = Softmax()(Dot(axes=[2, 2])([dec, enc])), context = Dot(axes=[2, 1])([alpha, enc]),
//                       TimeDistributed(Dense(12)) over Concatenate([context, dec])
//
// Without attention the encoder must squeeze 20 digits into its final state, and the decoder read
// them back in the other order; with attention, output step t can look at input step 19 - t, and the
// alignment picture (DIR/alignment.png) shows that anti-diagonal. Both models are trained on the same
// data for the same epochs, and decoded greedily on held-out sequences; DIR/metrics.json reports the
// per-digit accuracy of each (with_attention_accuracy, without_attention_accuracy).
//
//   build/bin/reverse_digits --out out/reverse_digits
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"
#include "examples/example_args.h"
#include "examples/metrics.h"
#include "examples/seq2seq_decoding.h"
#include "io/heatmap.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "layers/softmax.h"
#include "layers/time_distributed.h"
#include "optim/adam.h"
#include "train/model.h"

namespace {

using namespace tn::examples;

constexpr int64_t kLength = 20;
// Tokens: a digit d is d + 1 in the encoder's input (0 would be padding) and d + 2 in the decoder's
// input and targets (0 padding, 1 the start token), so a predicted class is the token fed back.
constexpr int kStart = 1;
constexpr int64_t kInputVocab = 11, kDecoderVocab = 12;

struct DigitData {
    tn::Tensor encoder_in, decoder_in, targets;  // (N, kLength) each
};

DigitData make_data(int64_t n, tn::Rng& rng) {
    DigitData d{tn::Tensor({n, kLength}), tn::Tensor({n, kLength}), tn::Tensor({n, kLength})};
    for (int64_t r = 0; r < n; ++r) {
        std::vector<int> digits(kLength);
        for (int& digit : digits) digit = static_cast<int>(rng.below(10));
        for (int64_t t = 0; t < kLength; ++t) {
            const int reversed = digits[static_cast<size_t>(kLength - 1 - t)];
            d.encoder_in[r * kLength + t] = static_cast<float>(digits[static_cast<size_t>(t)] + 1);
            d.targets[r * kLength + t] = static_cast<float>(reversed + 2);
            d.decoder_in[r * kLength + t] =
                t == 0 ? static_cast<float>(kStart) : static_cast<float>(digits[static_cast<size_t>(kLength - t)] + 2);
        }
    }
    return d;
}

struct Seq2Seq {
    std::unique_ptr<tn::Model> model;  // {digits, digits so far} -> logits (N, kLength, kClasses)
    std::unique_ptr<tn::Model> probe;  // the same layers -> {logits, alpha}; only with attention
};

Seq2Seq build(bool attention, int units, uint64_t seed) {
    auto digits = tn::Input({kLength}, "digits");
    auto so_far = tn::Input({kLength}, "reversed_so_far");
    auto x = tn::layer<tn::Embedding>(kInputVocab, 16)(digits);
    tn::KerasTensors encoder = tn::layer<tn::LSTM>(units, /*return_sequences=*/true, "tanh", "sigmoid", true, true,
                                                   /*return_state=*/true)(x);
    auto y = tn::layer<tn::Embedding>(kDecoderVocab, 16)(so_far);
    tn::KerasTensor decoder = tn::layer<tn::LSTM>(units, /*return_sequences=*/true)({y, encoder[1], encoder[2]});
    tn::KerasTensor features = decoder, alpha;
    if (attention) {
        alpha = tn::layer<tn::Softmax>()(tn::layer<tn::Dot>(std::vector<int64_t>{2, 2})({decoder, encoder[0]}));
        auto context = tn::layer<tn::Dot>(std::vector<int64_t>{2, 1})({alpha, encoder[0]});
        features = tn::layer<tn::Concatenate>()({context, decoder});
    }
    auto logits = tn::layer<tn::TimeDistributed>(std::make_shared<tn::Dense>(kDecoderVocab))(features);
    const std::string name = attention ? "reverse_digits_attention" : "reverse_digits_plain";
    Seq2Seq s{std::make_unique<tn::Model>(tn::KerasTensors{digits, so_far}, tn::KerasTensors{logits}, name, seed), nullptr};
    if (attention)
        s.probe = std::make_unique<tn::Model>(tn::KerasTensors{digits, so_far}, tn::KerasTensors{logits, alpha}, name + "_probe");
    s.model->compile("sparse_categorical_crossentropy", std::make_unique<tn::Adam>());
    return s;
}

// Greedy decoding of held-out sequences and the share of digits right.
struct DigitDecoding {
    double accuracy;  // per digit
    GreedyDecoding greedy;
};

DigitDecoding decode(tn::Model& model, const DigitData& data) {
    DigitDecoding out{0.0, greedy_decode(model, data.encoder_in, kStart)};
    const int64_t n = data.encoder_in.dim(0);
    int64_t right = 0;
    for (int64_t r = 0; r < n; ++r)
        for (int64_t t = 0; t < kLength; ++t)
            right += out.greedy.tokens[static_cast<size_t>(r)][static_cast<size_t>(t)] == static_cast<int>(data.targets[r * kLength + t]);
    out.accuracy = static_cast<double>(right) / static_cast<double>(n * kLength);
    return out;
}

int run(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    Flags flags("reverse_digits",
                "Reverse sequences of 20 digits with an encoder-decoder, without and with dot attention, on the\n"
                "same budget; reports both per-digit accuracies and draws the attention's alignment.");
    CommonArgs args{.epochs = 6, .out = "out/reverse_digits"};
    int64_t train_samples = 20000, test_samples = 1000;
    int units = 64, cell_px = 16;
    add_common_flags(flags, args);
    flags.add("--train", train_samples, int64_t{1}, kMaxSamples, "training sequences");
    flags.add("--test", test_samples, int64_t{4}, kMaxSamples, "held-out sequences");
    flags.add("--units", units, 1, 1024, "units of the encoder and decoder LSTMs");
    flags.add("--cell-px", cell_px, 4, 200, "side of a heatmap cell in pixels");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    apply_common_args(args);

    tn::Rng rng(args.seed);
    const DigitData train = make_data(train_samples, rng);
    const DigitData test = make_data(test_samples, rng);

    nlohmann::ordered_json metrics = nlohmann::ordered_json::object(
        {{"example", "reverse_digits"}, {"epochs", args.epochs}, {"seed", args.seed}, {"threads", args.threads},
         {"units", units}, {"train_samples", train_samples}, {"test_samples", test_samples}});
    for (const bool attention : {false, true}) {
        const std::string key = attention ? "with_attention" : "without_attention";
        Seq2Seq s = build(attention, units, args.seed);
        if (attention) std::cout << s.model->summary() << "\n";
        std::cout << key << ":\n";
        const auto train_start = Clock::now();
        const tn::History history = s.model->fit({train.encoder_in, train.decoder_in}, {train.targets},
                                                 {.epochs = args.epochs, .batch_size = 64, .verbose = args.verbose});
        const double seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
        const DigitDecoding decoded = decode(*s.model, test);
        metrics[key + "_accuracy"] = decoded.accuracy;
        metrics[key + "_train_seconds"] = seconds;
        metrics[key + "_loss"] = history.loss;
        std::printf("  held-out digits right: %.2f%%\n", 100.0 * decoded.accuracy);
        if (!attention) continue;

        // The alignment of the first three held-out sequences: output steps down, input digits across.
        const tn::Tensor alpha = s.probe->predict({test.encoder_in, decoded.greedy.decoder_in})[1];
        std::vector<tn::HeatmapPanel> panels;
        double anti_diagonal = 0.0;
        for (int64_t n = 0; n < test_samples; ++n)
            for (int64_t t = 0; t < kLength; ++t) anti_diagonal += alpha[(n * kLength + t) * kLength + (kLength - 1 - t)];
        metrics["attention_on_anti_diagonal"] = anti_diagonal / static_cast<double>(test_samples * kLength);
        for (int64_t n = 0; n < 3; ++n) {
            std::vector<std::string> in, out;
            std::string in_text, out_text;
            for (int64_t t = 0; t < kLength; ++t) {
                in.push_back(std::to_string(static_cast<int>(test.encoder_in[n * kLength + t]) - 1));
                out.push_back(std::to_string(decoded.greedy.tokens[static_cast<size_t>(n)][static_cast<size_t>(t)] - 2));
                in_text += in.back();
                out_text += out.back();
            }
            panels.push_back(alignment_panel(alpha, n, in_text + " -> " + out_text, in, out));
        }
        tn::HeatmapStyle style;
        style.title = "reverse_digits: attention";
        style.cell_px = cell_px;
        style.x_label = "input digits";
        style.y_label = "output digits";
        tn::write_png(tn::render_heatmap(panels, style), args.out + "/alignment.png");
    }
    metrics["wall_seconds"] = std::chrono::duration<double>(Clock::now() - start).count();
    const std::string metrics_path = write_metrics(args.out, metrics);
    std::printf("\nper-digit accuracy on held-out sequences: %.4f without attention, %.4f with\n",
                metrics["without_attention_accuracy"].get<double>(), metrics["with_attention_accuracy"].get<double>());
    std::printf("alignment: %s/alignment.png\nmetrics: %s\n", args.out.c_str(), metrics_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("reverse_digits", [&] { return run(argc, argv); });
}
