// tapenet example: dates as people write them -> ISO 8601 (TensorFlow.js' "date conversion with
// attention"), an encoder-decoder with Luong (dot) attention built from stock layers.
//
//   "20JAN2019", "JAN 20, 2019", "01/20/19", "Sunday, January 20, 2019", ...  ->  "2019-01-20"
//
//   human (32 chars) -> Embedding(mask_zero) -> LSTM(return_sequences) -> enc
//   iso shifted right (10) -> Embedding -> LSTM(return_sequences) -> dec
//   alpha   = Activation("softmax")(Dot(axes=[2, 2])([dec, enc]))     (T_out, T_in)
//   context = Dot(axes=[2, 1])([alpha, enc])
//   Concatenate([context, dec]) -> TimeDistributed(Dense(64, tanh)) -> TimeDistributed(Dense(13)) -> logits
//
// The saved model runs in TensorFlow.js 4.22 and predicts what tapenet does (tests/tfjs/test/
// date_translation.test.js), which fixes two choices. The decoder starts from a zero state (TF.js
// cannot run an LSTM whose initial_state comes from a file), so everything it knows of the input
// comes through the attention and the alignment is the whole story. The softmax is Activation's,
// which uses no mask, as TF.js' own date example: TF.js' Dot passes no mask on, so a Softmax layer
// that drops the padded input steps (as tapenet's does, docs/layers.md "Masks") would compute
// something TF.js cannot. Padded steps thus get weight too, but the encoder outputs there repeat
// its last real step (the mask keeps its state), so they add weight to that step and nothing new.
// Training feeds the decoder the true previous character (teacher forcing); translating feeds it its
// own previous choice (greedy decoding, one character at a time). The test dates are held out: no
// test date appears in training, in any format. The figures (exact_match: the share of test dates
// translated without one wrong character) go to DIR/metrics.json; DIR/alignment.png draws the
// attention of several test dates (input characters across, output characters down), and
// DIR/alignment.gif the same panels after every epoch (captioned with the input, rows labelled with
// the expected characters, so that every frame has the same size). DIR/model.json + weights are the
// trained model; DIR/sample_human.json and DIR/sample_iso_so_far.json its two inputs for the dozen test
// dates of metrics.json's "examples" (the decoder fed its own choices, as greedy decoding ends), and
// DIR/sample_logits.json what the model predicts for them (the tapenet-predict JSON encoding).
//
//   build/bin/date_translation --out out/date_translation
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "examples/date_formats.h"
#include "examples/example_args.h"
#include "examples/fine_tune.h"
#include "examples/metrics.h"
#include "examples/seq2seq_decoding.h"
#include "io/gif.h"
#include "io/heatmap.h"
#include "io/model_format.h"
#include "io/tensor_file.h"
#include "layers/activation.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/dot.h"
#include "layers/embedding.h"
#include "layers/graph.h"
#include "layers/lstm.h"
#include "layers/time_distributed.h"
#include "optim/adam.h"
#include "train/model.h"

namespace {

using namespace tn::examples;

constexpr size_t kPanels = 4;     // test dates drawn, one format each
constexpr size_t kExamples = 12;  // test dates listed in metrics.json and written as a sample, one format each

struct DateData {
    std::vector<std::string> human, iso;
    tn::Tensor encoder_in;   // (N, kInputLength)
    tn::Tensor targets;      // (N, kOutputLength)
    tn::Tensor decoder_in;   // targets shifted right, start token first
};

DateData make_data(const std::vector<Date>& dates, int64_t n, tn::Rng& rng) {
    DateData d;
    for (int64_t i = 0; i < n; ++i) {
        const Date& date = dates[rng.below(dates.size())];
        d.human.push_back(format_date(date, static_cast<int>(rng.below(date_format_count()))));
        d.iso.push_back(iso_date(date));
    }
    d.encoder_in = encode_human_dates(d.human);
    d.targets = encode_iso_dates(d.iso);
    d.decoder_in = shift_right_with_start(d.targets);
    return d;
}

// Every date of the held-out set once, in format i mod the number of formats.
DateData make_test_data(const std::vector<Date>& dates) {
    DateData d;
    for (size_t i = 0; i < dates.size(); ++i) {
        d.human.push_back(format_date(dates[i], static_cast<int>(i % date_format_count())));
        d.iso.push_back(iso_date(dates[i]));
    }
    d.encoder_in = encode_human_dates(d.human);
    d.targets = encode_iso_dates(d.iso);
    d.decoder_in = shift_right_with_start(d.targets);
    return d;
}

struct Translation {
    std::vector<std::string> iso;  // one per input
    tn::Tensor decoder_in;         // what the decoder was fed at the end (start + its own choices)
};

Translation translate(tn::Model& model, const tn::Tensor& encoder_in) {
    GreedyDecoding d = greedy_decode(model, encoder_in, kOutputStart);
    Translation out{{}, d.decoder_in};
    for (const std::vector<int>& tokens : d.tokens) {
        std::string iso;
        for (int token : tokens) {
            const char c = output_char(token);
            iso += c == '\0' || c == '^' ? '?' : c;
        }
        out.iso.push_back(iso);
    }
    return out;
}

double exact_match(const std::vector<std::string>& got, const std::vector<std::string>& want) {
    int64_t right = 0;
    for (size_t i = 0; i < got.size(); ++i) right += got[i] == want[i];
    return static_cast<double>(right) / static_cast<double>(got.size());
}

// The model's inputs for the first n test dates (the decoder fed its own choices) and its logits
// for them, as files tapenet-predict and TF.js read: DIR/sample_<input>.json, DIR/sample_logits.json.
void write_sample(tn::Model& model, const DateData& test, const Translation& translated, size_t n,
                  const std::string& dir) {
    const auto rows = static_cast<int64_t>(n);
    const tn::Tensor human = tn::slice(test.encoder_in, 0, 0, rows);
    const tn::Tensor iso_so_far = tn::slice(translated.decoder_in, 0, 0, rows);
    tn::write_tensor_file(dir + "/sample_human.json", human);
    tn::write_tensor_file(dir + "/sample_iso_so_far.json", iso_so_far);
    tn::write_tensor_file(dir + "/sample_logits.json", model.predict({human, iso_so_far})[0]);
}

// One panel per drawn date: output characters down (labelled by `rows`), the input's characters
// across. `labels` are the panels' captions.
tn::Image draw_alignment(const tn::Tensor& alpha, const std::vector<std::string>& labels,
                         const std::vector<std::string>& human, const std::vector<std::string>& rows,
                         const std::string& title, int cell_px) {
    const auto chars = [](const std::string& text) {
        std::vector<std::string> out;
        for (char c : text) out.push_back(std::string(1, c));
        return out;
    };
    std::vector<tn::HeatmapPanel> panels;
    for (size_t p = 0; p < kPanels; ++p)
        panels.push_back(alignment_panel(alpha, static_cast<int64_t>(p), labels[p], chars(human[p]), chars(rows[p])));
    tn::HeatmapStyle style;
    style.title = title;
    style.cell_px = cell_px;
    style.x_label = "input characters";
    style.y_label = "output characters";
    return tn::render_heatmap(panels, style);
}

int run(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();

    Flags flags("date_translation",
                "Translate dates written in 12 human formats into ISO 8601 with an encoder-decoder and dot\n"
                "attention; writes the alignment of test dates (PNG, GIF over epochs), the model and metrics.json.");
    CommonArgs args{.epochs = 8, .out = "out/date_translation"};
    int64_t train_samples = 40000;
    int units = 64, cell_px = 16, fine_tune_epochs = 1;
    add_common_flags(flags, args);
    flags.add("--train", train_samples, int64_t{1}, kMaxSamples, "training pairs (random held-in date, random format)");
    flags.add("--units", units, 1, 1024, "units of the encoder and decoder LSTMs");
    flags.add("--cell-px", cell_px, 4, 200, "side of a heatmap cell in pixels");
    flags.add("--fine-tune", fine_tune_epochs, 0, 10000, "last epochs trained at a tenth of the learning rate");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    apply_common_args(args);

    // ---- data: dates of 1950-2049, a tenth held out (never trained on, in any format) ----
    tn::Rng rng(args.seed);
    const DateSplit split = split_dates(args.seed, 0.1);
    const DateData train = make_data(split.train, train_samples, rng);
    const DateData test = make_test_data(split.test);
    const DateData drawn = make_test_data({split.test.begin(), split.test.begin() + kPanels});

    // ---- model: the encoder-decoder of the dot_attention reference case, from stock layers ----
    auto human = tn::Input({kInputLength}, "human");
    auto iso_so_far = tn::Input({kOutputLength}, "iso_so_far");
    auto x = tn::layer<tn::Embedding>(kInputVocabSize, 32, /*mask_zero=*/true)(human);
    auto encoder = tn::layer<tn::LSTM>(units, /*return_sequences=*/true)(x);
    auto y = tn::layer<tn::Embedding>(kOutputVocabSize, 32)(iso_so_far);
    auto decoder = tn::layer<tn::LSTM>(units, /*return_sequences=*/true)(y);
    auto scores = tn::layer<tn::Dot>(std::vector<int64_t>{2, 2})({decoder, encoder});
    auto alpha = tn::layer<tn::Activation>("softmax")(scores);
    auto context = tn::layer<tn::Dot>(std::vector<int64_t>{2, 1})({alpha, encoder});
    auto both = tn::layer<tn::Concatenate>()({context, decoder});
    auto hidden = tn::layer<tn::TimeDistributed>(std::make_shared<tn::Dense>(64, "tanh"))(both);
    auto logits = tn::layer<tn::TimeDistributed>(std::make_shared<tn::Dense>(kOutputVocabSize))(hidden);
    tn::Model model({human, iso_so_far}, {logits}, "date_translation", args.seed);
    tn::Model probe({human, iso_so_far}, {logits, alpha}, "date_translation_probe");
    model.compile("sparse_categorical_crossentropy", std::make_unique<tn::Adam>());
    std::cout << model.summary() << "\n";

    // ---- training; the alignment of the drawn dates after every epoch ----
    tn::GifWriter gif(args.out + "/alignment.gif", /*delay_cs=*/60, "viridis");
    tn::Callback draw;
    draw.on_epoch_end = [&](int epoch, const tn::EpochLogs&) {
        const Translation t = translate(model, drawn.encoder_in);
        const tn::Tensor a = probe.predict({drawn.encoder_in, t.decoder_in})[1];
        char title[64];
        std::snprintf(title, sizeof title, "Epoch %d / %d", epoch + 1, args.epochs);
        // Text widths set a frame's size, so the frames label the rows with the expected characters
        // (the model's output changes from epoch to epoch) and every frame has the first one's size.
        gif.add_frame(draw_alignment(a, drawn.human, drawn.human, drawn.iso, title, cell_px));
    };
    const tn::Callback fine_tune = fine_tune_callback(model, args.epochs, fine_tune_epochs);
    const auto train_start = Clock::now();
    const tn::History history = model.fit({train.encoder_in, train.decoder_in}, {train.targets},
                                          {.epochs = args.epochs,
                                           .batch_size = 64,
                                           .callbacks = {fine_tune, draw},
                                           .verbose = args.verbose});
    const double train_seconds = std::chrono::duration<double>(Clock::now() - train_start).count();
    gif.finish();

    // ---- held-out dates, greedy decoding ----
    const Translation translated = translate(model, test.encoder_in);
    const double exact = exact_match(translated.iso, test.iso);
    std::vector<double> exact_per_format(static_cast<size_t>(date_format_count()));
    std::vector<int64_t> count_per_format(exact_per_format.size());
    for (size_t i = 0; i < test.iso.size(); ++i) {
        exact_per_format[i % exact_per_format.size()] += translated.iso[i] == test.iso[i];
        ++count_per_format[i % exact_per_format.size()];
    }
    nlohmann::ordered_json per_format = nlohmann::ordered_json::object();
    for (size_t f = 0; f < exact_per_format.size(); ++f)
        per_format[date_format_names()[f]] = exact_per_format[f] / static_cast<double>(count_per_format[f]);

    const Translation drawn_t = translate(model, drawn.encoder_in);
    const tn::Tensor drawn_alpha = probe.predict({drawn.encoder_in, drawn_t.decoder_in})[1];
    std::vector<std::string> captions;
    for (size_t p = 0; p < kPanels; ++p) captions.push_back(drawn.human[p] + "  ->  " + drawn_t.iso[p]);
    tn::write_png(draw_alignment(drawn_alpha, captions, drawn.human, drawn_t.iso, "date_translation: attention", cell_px),
                  args.out + "/alignment.png");
    tn::save_model(model, args.out + "/model.json");
    const size_t listed = std::min(kExamples, test.human.size());
    write_sample(model, test, translated, listed, args.out);

    std::vector<nlohmann::ordered_json> examples;
    for (size_t i = 0; i < listed; ++i)
        examples.push_back({{"input", test.human[i]}, {"output", translated.iso[i]}, {"expected", test.iso[i]}});
    const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object({
        {"example", "date_translation"},
        {"epochs", args.epochs},
        {"seed", args.seed},
        {"threads", args.threads},
        {"units", units},
        {"train_samples", train_samples},
        {"test_dates", test.iso.size()},
        {"formats", date_format_count()},
        {"exact_match", exact},
        {"exact_match_per_format", per_format},
        {"examples", examples},
        {"wall_seconds", wall_seconds},
        {"seconds_per_epoch", train_seconds / args.epochs},
        {"history", nlohmann::ordered_json::object({{"loss", history.loss}})},
    });
    const std::string metrics_path = write_metrics(args.out, metrics);
    std::printf("\nheld-out dates translated exactly: %.2f%% of %zu, in %.1f s\n", 100.0 * exact, test.iso.size(),
                wall_seconds);
    std::printf("alignment: %s/alignment.png, %s/alignment.gif\nmodel: %s/model.json\nmetrics: %s\n",
                args.out.c_str(), args.out.c_str(), args.out.c_str(), metrics_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("date_translation", [&] { return run(argc, argv); });
}
