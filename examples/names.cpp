// tapenet example: is a first name female or male? A character-level LSTM with attention over the letters.
//
//   Embedding(28, 16, mask_zero) -> LSTM(32, return_sequences) -> Attention(32, luong) -> Dense(1, sigmoid)
//   binary cross-entropy (female = 0, male = 1), Adam, batch 64
//
// The names are the English first-name lists of `make data` (data/names/{female,male}.txt, docs/data.md;
// names in both lists are dropped), split 80/20 with the seed. Each byte is one step (io/char_encoder.h),
// pre-padded to --maxlen, so the last letter of every name sits in the last column and the padding is
// masked. It prints the test accuracy against the majority-class baseline and writes:
//   DIR/names.png     the attention over the letters of --rows test names (half female, half male), each
//                     cell showing its letter, each row its predicted probability; below them, the mean
//                     attention of the whole test set per position counted from the end of the name
//   DIR/metrics.json
//
//   build/bin/names --out out/names
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "examples/attention_probe.h"
#include "examples/example_args.h"
#include "examples/example_data.h"
#include "examples/metrics.h"
#include "io/char_encoder.h"
#include "io/colormap.h"
#include "io/font.h"
#include "io/heatmap.h"
#include "io/text_dataset.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/embedding.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "train/model.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kTestFraction = 0.2;
constexpr int kCellPx = 26;

// The test names drawn: the first rows/2 of class 0 and of class 1 in test order, alternating.
std::vector<size_t> pick_rows(const std::vector<int>& labels, int rows) {
    std::vector<size_t> by_class[2];
    for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
    std::vector<size_t> picked;
    for (size_t k = 0; static_cast<int>(picked.size()) < rows && k < std::max(by_class[0].size(), by_class[1].size()); ++k)
        for (int cls : {0, 1})
            if (k < by_class[cls].size() && static_cast<int>(picked.size()) < rows) picked.push_back(by_class[cls][k]);
    return picked;
}

// What a cell shows for one byte of a name: the letter itself, or '?' for any other byte.
std::string cell_text(char c) {
    const int index = tn::char_index(c);
    return std::string(1, index == tn::kCharOther ? '?' : c);
}

// Draws each name's letters into its cells (black on light cells, white on dark ones).
void draw_letters(tn::Image& image, const tn::HeatmapLayout& layout, const tn::HeatmapPanel& panel,
                  const std::vector<std::string>& cells, const std::string& colormap) {
    const tn::Font& font = tn::Font::default_font();
    const tn::Colormap cmap = tn::Colormap::named(colormap);
    const tn::Rect& m = layout.matrices.front();
    for (int r = 0; r < panel.rows; ++r)
        for (int c = 0; c < panel.cols; ++c) {
            const size_t i = static_cast<size_t>(r * panel.cols + c);
            if (cells[i].empty()) continue;
            const tn::Rgb bg = cmap(tn::Colormap::normalize(panel.values[i], panel.vmin, panel.vmax));
            const double luminance = 0.299 * bg.r + 0.587 * bg.g + 0.114 * bg.b;
            const tn::TextMask t = font.render(cells[i], kCellPx * 0.7f);
            tn::draw_text(image, t, m.x + c * kCellPx + (kCellPx - t.width) / 2 + 1,
                          m.y + r * kCellPx + (kCellPx - t.height) / 2 + 1, luminance > 128 ? tn::kBlack : tn::kWhite);
        }
}

// The figure: the attention over the drawn test names (their letters in the cells, each row's
// prediction on its right), then the mean attention of the whole test set, both right-aligned on the
// last letter. `shown_correct` receives how many drawn names are predicted right.
tn::Image names_figure(const tn::TextDataset& test, const std::vector<size_t>& picked, const tn::Tensor& alpha,
                       const tn::Tensor& probability, const std::vector<double>& mean_from_end, const std::string& title,
                       int& shown_correct) {
    const int64_t maxlen = alpha.dim(1);
    size_t longest = 1;
    for (size_t i : picked)
        longest = std::max(longest, std::min<size_t>(test.examples[i].text.size(), static_cast<size_t>(maxlen)));
    const int cols = static_cast<int>(longest);  // the last `cols` steps: every drawn name fits
    tn::HeatmapPanel names;
    names.label = "attention over the letters of " + std::to_string(picked.size()) + " test names";
    names.rows = static_cast<int>(picked.size());
    names.cols = cols;
    std::vector<std::string> cells;  // the text of each cell, "" left of a name
    shown_correct = 0;
    for (size_t i : picked) {
        const std::string& name = test.examples[i].text;
        const size_t len = std::min<size_t>(name.size(), static_cast<size_t>(maxlen));
        const std::string kept = name.substr(name.size() - len);  // what the model read
        for (int c = 0; c < cols; ++c) {
            const size_t from_end = static_cast<size_t>(cols - c);  // 1 = last letter
            const bool letter = from_end <= len;
            names.values.push_back(letter ? alpha[static_cast<int64_t>(i) * maxlen + maxlen - static_cast<int64_t>(from_end)]
                                          : std::numeric_limits<float>::quiet_NaN());
            cells.push_back(letter ? cell_text(kept[len - from_end]) : "");
        }
        const float p = probability[static_cast<int64_t>(i)];
        const bool correct = (p > 0.5f ? 1 : 0) == test.examples[i].label;
        shown_correct += correct;
        char label[96];
        std::snprintf(label, sizeof label, "p(%s) = %.2f  %s%s", test.class_names[1].c_str(), static_cast<double>(p),
                      test.class_names[static_cast<size_t>(test.examples[i].label)].c_str(), correct ? "" : "  (wrong)");
        names.row_labels.push_back(label);
    }
    for (int c = 0; c < cols; ++c) names.col_labels.push_back(std::to_string(c - cols));
    names.fit_range();
    names.vmin = 0.0f;

    tn::HeatmapPanel mean;
    mean.label = "mean attention over all " + std::to_string(test.size()) + " test names";
    mean.rows = 1;
    mean.cols = cols;
    for (int c = 0; c < cols; ++c) mean.values.push_back(static_cast<float>(mean_from_end[static_cast<size_t>(cols - 1 - c)]));
    mean.col_labels = names.col_labels;
    mean.row_labels = {"all test names"};
    mean.fit_range();
    mean.vmin = 0.0f;

    tn::HeatmapStyle style;
    style.title = title;
    style.cell_px = kCellPx;
    style.x_label = "letter position from the end of the name";
    style.y_label = "test name";
    tn::Image image = tn::render_heatmap({names, mean}, style);
    draw_letters(image, tn::layout_heatmap({names, mean}, style), names, cells, style.colormap);
    return image;
}

int run(int argc, char** argv) {
    const auto start = Clock::now();
    tn::examples::Flags flags("names",
                              "Tell female from male first names with a character-level LSTM and attention; writes\n"
                              "names.png (attention over the letters of test names) and metrics.json.");
    tn::examples::CommonArgs args{.epochs = 15, .out = "out/names", .verbose = 2};
    std::string data = "data/names";
    int64_t maxlen = 15;
    int rows = 20;
    tn::examples::add_common_flags(flags, args);
    flags.add("--data", data, "DIR", "folder of name lists: one <class>.txt per class, one name per line");
    flags.add("--maxlen", maxlen, int64_t{1}, int64_t{1000}, "characters per name (a longer name keeps its ending)");
    flags.add("--rows", rows, 1, 1000, "test names drawn in names.png");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    tn::examples::ensure_dataset(data, "data/names", "names");
    tn::examples::apply_common_args(args);

    // ---- data ----
    const tn::TextDataset all = tn::load_name_lists(data);
    if (all.class_names.size() != 2)
        throw tn::ValueError("names: '" + data + "' has " + std::to_string(all.class_names.size()) +
                             " name lists; this binary classifier needs 2 (e.g. female.txt and male.txt)");
    auto [train, test] = tn::train_test_split(all, kTestFraction, args.seed);
    if (train.size() == 0 || test.size() == 0)
        throw tn::ValueError("names: '" + data + "' has too few names (" + std::to_string(all.size()) +
                             ") for a train/test split");
    const tn::Tensor x_train = tn::encode_chars(train.texts(), maxlen), y_train = train.label_tensor();
    const tn::Tensor x_test = tn::encode_chars(test.texts(), maxlen), y_test = test.label_tensor();
    const std::vector<size_t> test_counts = test.class_counts();
    const int majority = test_counts[1] > test_counts[0] ? 1 : 0;
    const double majority_rate = static_cast<double>(test_counts[static_cast<size_t>(majority)]) /
                                 static_cast<double>(test.size());
    const std::string& name0 = all.class_names[0];
    const std::string& name1 = all.class_names[1];
    std::printf("%s: %zu names (%zu %s, %zu %s); train %zu, test %zu\n", data.c_str(), all.size(),
                all.class_counts()[0], name0.c_str(), all.class_counts()[1], name1.c_str(), train.size(), test.size());

    // ---- model ----
    tn::Model model(args.seed, "names");
    model.add<tn::Embedding>(tn::kCharVocabSize, 16, /*mask_zero=*/true);
    model.add<tn::LSTM>(32, /*return_sequences=*/true);
    tn::Attention& attention = model.add<tn::Attention>(32);
    model.add<tn::Dense>(1, "sigmoid");
    model.compile("binary_crossentropy", std::make_unique<tn::Adam>());
    model.build({-1, maxlen});
    std::cout << model.summary() << "\n";

    const auto train_start = Clock::now();
    const tn::History history =
        model.fit(x_train, y_train, {.epochs = args.epochs, .batch_size = 64, .verbose = args.verbose});
    const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
    const tn::Evaluation ev = model.evaluate(x_test, y_test, 256);
    const double accuracy = ev.accuracy.value_or(0.0f);

    // ---- where the attention goes: mean weight per position counted from the end of the name ----
    const tn::Tensor probability = model.predict(x_test, 256);
    const tn::Tensor alpha = tn::examples::attention_weights(model, attention, x_test);  // (N, maxlen)
    std::vector<double> mean_from_end(static_cast<size_t>(maxlen), 0.0);  // [0] = last letter
    std::vector<double> argmax_from_end(static_cast<size_t>(maxlen), 0.0);  // share of names peaking there
    double last_letter_by_class[2] = {0, 0};  // mean attention on the last letter, per true class
    for (int64_t i = 0; i < alpha.dim(0); ++i) {
        const float* a = alpha.data() + i * maxlen;
        last_letter_by_class[test.examples[static_cast<size_t>(i)].label] += a[maxlen - 1];
        for (int64_t k = 0; k < maxlen; ++k) mean_from_end[static_cast<size_t>(k)] += a[maxlen - 1 - k];
        argmax_from_end[static_cast<size_t>(maxlen - 1 - tn::examples::row_argmax(alpha, i))] += 1.0;
    }
    double uniform_last = 0;  // what the last letter would get with the weights spread evenly: mean of 1/length
    for (const tn::TextExample& e : test.examples)
        uniform_last += 1.0 / static_cast<double>(std::clamp<int64_t>(static_cast<int64_t>(e.text.size()), 1, maxlen));
    uniform_last /= static_cast<double>(test.size());
    for (size_t c = 0; c < 2; ++c) last_letter_by_class[c] /= static_cast<double>(std::max<size_t>(test_counts[c], 1));
    for (size_t k = 0; k < mean_from_end.size(); ++k) {
        mean_from_end[k] /= static_cast<double>(alpha.dim(0));
        argmax_from_end[k] /= static_cast<double>(alpha.dim(0));
    }

    // ---- the figure ----
    const std::vector<size_t> picked = pick_rows(test.labels(), rows);
    char title[160];
    std::snprintf(title, sizeof title, "%s or %s? test accuracy %.1f%% (majority class %.1f%%)", name0.c_str(),
                  name1.c_str(), 100.0 * accuracy, 100.0 * majority_rate);
    int shown_correct = 0;
    const tn::Image image = names_figure(test, picked, alpha, probability, mean_from_end, title, shown_correct);
    const std::string png_path = args.out + "/names.png";
    tn::write_png(image, png_path);

    // ---- report ----
    const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object({
        {"example", "names"},
        {"data", data},
        {"class_names", all.class_names},
        {"class_counts", all.class_counts()},
        {"train_size", train.size()},
        {"test_size", test.size()},
        {"test_class_counts", test_counts},
        {"maxlen", maxlen},
        {"epochs", args.epochs},
        {"batch_size", 64},
        {"seed", args.seed},
        {"threads", args.threads},
        {"params", model.count_params()},
        {"test_accuracy", accuracy},
        {"test_loss", ev.loss},
        {"majority_class", all.class_names[static_cast<size_t>(majority)]},
        {"majority_rate", majority_rate},
        {"margin_over_majority", accuracy - majority_rate},
        // index 0 = the last letter, 1 = the one before, ...
        {"mean_attention_from_end", mean_from_end},
        {"argmax_share_from_end", argmax_from_end},
        {"uniform_attention_last_letter", uniform_last},
        {"mean_attention_last_letter_by_class", std::vector<double>{last_letter_by_class[0], last_letter_by_class[1]}},
        {"heatmap", png_path},
        {"heatmap_names_correct", shown_correct},
        {"heatmap_names", picked.size()},
        {"wall_seconds", wall_seconds},
        {"seconds_per_epoch", train_seconds / args.epochs},
        {"history", nlohmann::ordered_json::object({{"loss", history.loss}, {"accuracy", history.accuracy}})},
    });
    const std::string metrics_path = tn::examples::write_metrics(args.out, metrics);
    std::printf("\ntest accuracy %.2f%% vs %.2f%% for always answering '%s' (+%.2f points), %d epochs in %.1f s\n",
                100.0 * accuracy, 100.0 * majority_rate, all.class_names[static_cast<size_t>(majority)].c_str(),
                100.0 * (accuracy - majority_rate), args.epochs, wall_seconds);
    std::printf("mean attention on the last letter %.3f (%.3f if spread evenly), on the one before %.3f; the last "
                "letter gets the most attention in %.1f%% of the test names\n",
                mean_from_end[0], uniform_last, maxlen > 1 ? mean_from_end[1] : 0.0, 100.0 * argmax_from_end[0]);
    std::printf("heatmap: %s\nmetrics: %s\n", png_path.c_str(), metrics_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("names", [&] { return run(argc, argv); });
}
