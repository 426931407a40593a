// tapenet example: text classification with and without attention (keras-attention's examples/imdb.py).
//
// keras-attention's IMDB experiment compares two LSTM classifiers of (almost) the same size:
//
//   Embedding(top_words, 32) -> Dropout(0.5) -> LSTM(100, return_sequences) -> Attention()      -> Dropout(0.5) -> Dense(1, sigmoid)
//   Embedding(top_words, 32) -> Dropout(0.5) -> LSTM(100)                   -> Dense(350, relu) -> Dropout(0.5) -> Dense(1, sigmoid)
//
// Attention() is luong with 128 units: 100·100 + 200·128 + (128 + 1) = 35,729 parameters after the LSTM;
// Dense(350) gives 100·350 + 350 + (350 + 1) = 35,701. The two differ by 28 whatever the vocabulary,
// which is why 350 was chosen. Binary cross-entropy, Adam, batch 64; after each epoch the test set is
// evaluated and a run scores its best test accuracy (as keras-attention reports). --runs K repeats
// both models with the seeds seed, seed+1, ... and prints max, mean and std of those scores.
//
// --encoder picks the recurrent layer in both models: lstm (LSTM(100), keras-attention's), gru
// (GRU(100), Keras 2's reset_after form) or bilstm (Bidirectional(LSTM(50)), concat: 100 features as
// the others, so the heads and the fairness check stay the same).
//
// Unlike keras-attention, the Embedding has mask_zero: padding is masked, so the LSTM skips it and
// the attention gives it exactly zero weight.
//
// The data is SpamAssassin (data/spam, `make data`) by default, any text folder with --data
// (IMDB: --data aclImdb/train --classes neg,pos), split 80/20 with the seed. It writes DIR/metrics.json
// and DIR/attention.html: test messages with each word shaded by the attention weight of the first
// run's attention model at its best epoch.
//
//   build/bin/text_classifier --runs 5 --out out/text_classifier
//   build/bin/text_classifier --encoder gru --out out/text_classifier_gru
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "examples/attention_probe.h"
#include "examples/example_args.h"
#include "examples/example_data.h"
#include "examples/metrics.h"
#include "io/attention_html.h"
#include "io/text_dataset.h"
#include "io/tokenizer.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/bidirectional.h"
#include "layers/gru.h"
#include "layers/lstm.h"
#include "layers/summary.h"
#include "optim/adam.h"
#include "train/model.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kBatchSize = 64;
constexpr double kTestFraction = 0.2;

struct Options {
    std::string data = "data/spam";
    std::string classes;  // "" = every subfolder, else "neg,pos"
    std::string model = "both";
    std::string encoder = "lstm";  // lstm, gru or bilstm
    int runs = 1;
    int top_words = 5000;
    int64_t maxlen = 100;
    std::string truncating = "post";
    int html_texts = 40;
};

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

// The data, split and encoded once for every run.
struct Corpus {
    tn::TextDataset train, test;
    tn::Tokenizer tokenizer{2};
    tn::Tensor x_train, y_train, x_test, y_test;
    int empty_texts = 0;  // texts without a single word (given one <oov> word, see encode)
};

// Word indices padded to maxlen. A text without words would leave a row with every step masked,
// which the attention cannot normalise over; it is given a single <oov> word instead.
tn::Tensor encode(const tn::Tokenizer& tokenizer, const tn::TextDataset& ds, int64_t maxlen, tn::PadSide truncating,
                  int& empty_texts) {
    std::vector<tn::Sequence> seqs = tokenizer.texts_to_sequences(ds.texts());
    for (tn::Sequence& s : seqs)
        if (s.empty()) {
            s.push_back(tn::Tokenizer::kOov);
            ++empty_texts;
        }
    return tn::pad_sequences(seqs, maxlen, tn::PadSide::pre, truncating);
}

// Splits 80/20 with the seed, fits the vocabulary on the training texts and encodes both sets.
Corpus make_corpus(const tn::TextDataset& all, const Options& opt, uint64_t seed, tn::PadSide truncating) {
    if (all.class_names.size() != 2)
        throw tn::ValueError("text_classifier: '" + opt.data + "' has " + std::to_string(all.class_names.size()) +
                             " classes; this binary classifier needs 2 (pick them with --classes a,b)");
    Corpus c;
    std::tie(c.train, c.test) = tn::train_test_split(all, kTestFraction, seed);
    if (c.train.size() == 0 || c.test.size() == 0)
        throw tn::ValueError("text_classifier: '" + opt.data + "' has too few texts (" + std::to_string(all.size()) +
                             ") for a train/test split");
    c.tokenizer = tn::Tokenizer(opt.top_words);
    c.tokenizer.fit(c.train.texts());
    c.x_train = encode(c.tokenizer, c.train, opt.maxlen, truncating, c.empty_texts);
    c.x_test = encode(c.tokenizer, c.test, opt.maxlen, truncating, c.empty_texts);
    c.y_train = c.train.label_tensor();
    c.y_test = c.test.label_tensor();
    return c;
}

// The recurrent encoder of --encoder, 100 features per step.
void add_encoder(tn::Model& model, const std::string& encoder, bool return_sequences) {
    if (encoder == "gru") model.add<tn::GRU>(100, return_sequences);
    else if (encoder == "bilstm")
        model.add(std::make_unique<tn::Bidirectional>(std::make_unique<tn::LSTM>(50, return_sequences), "concat"));
    else model.add<tn::LSTM>(100, return_sequences);
}

// What the page and the table call the encoder.
std::string encoder_title(const std::string& encoder) {
    return encoder == "gru" ? "GRU(100)" : encoder == "bilstm" ? "Bidirectional(LSTM(50))" : "LSTM(100)";
}

// The two models of the comparison, "attention" and "dense".
void build_model(tn::Model& model, const std::string& kind, const std::string& encoder, int vocab_size, int64_t maxlen) {
    model.add<tn::Embedding>(vocab_size, 32, /*mask_zero=*/true);
    model.add<tn::Dropout>(0.5);
    add_encoder(model, encoder, /*return_sequences=*/kind == "attention");
    if (kind == "attention") model.add<tn::Attention>();  // 128 units, luong
    else model.add<tn::Dense>(350, "relu");                // about the parameters of the Attention layer
    model.add<tn::Dropout>(0.5);
    model.add<tn::Dense>(1, "sigmoid");
    model.compile("binary_crossentropy", std::make_unique<tn::Adam>());
    model.build({-1, maxlen});
}

int64_t count_params(const std::string& kind, const std::string& encoder, int vocab_size, int64_t maxlen) {
    tn::Model model(0, kind);
    build_model(model, kind, encoder, vocab_size, maxlen);
    return model.count_params();
}

struct RunResult {
    std::vector<float> test_accuracy;  // after every epoch
    float best_accuracy = 0;
    int best_epoch = 0;  // from 1
    double seconds = 0;      // wall time of fit
    double cpu_seconds = 0;  // CPU time of fit (all threads): what the run costs on an idle machine
};

// Trains one model; when `page_model` is given, the attention model is left there with the weights
// of its best epoch (for the HTML page).
RunResult train_once(const std::string& kind, uint64_t seed, const Corpus& c, const Options& opt,
                     const tn::examples::CommonArgs& args, std::unique_ptr<tn::Model>* page_model) {
    auto model = std::make_unique<tn::Model>(seed, kind);
    build_model(*model, kind, opt.encoder, c.tokenizer.vocab_size(), opt.maxlen);
    RunResult r;
    std::vector<tn::Tensor> best_weights;
    tn::Callback record;
    record.on_epoch_end = [&](int epoch, const tn::EpochLogs& logs) {
        const float acc = logs.val_accuracy.value_or(0.0f);
        r.test_accuracy.push_back(acc);
        if (r.best_epoch == 0 || acc > r.best_accuracy) {
            r.best_accuracy = acc;
            r.best_epoch = epoch + 1;
            if (page_model) {
                best_weights.clear();
                for (const tn::Param& p : model->params()) best_weights.push_back(p.value.clone());
            }
        }
    };
    const auto start = Clock::now();
    const std::clock_t cpu_start = std::clock();
    model->fit(c.x_train, c.y_train,
               {.epochs = args.epochs,
                .batch_size = kBatchSize,
                .validation_data = {c.x_test, c.y_test},
                .callbacks = {record},
                .verbose = args.verbose});
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    if (page_model) {
        std::vector<tn::Param> params = model->params();  // handles onto the model's weights
        for (size_t i = 0; i < params.size(); ++i)
            std::copy_n(best_weights[i].data(), best_weights[i].numel(), params[i].value.data());
        *page_model = std::move(model);
    }
    return r;
}

struct Summary {
    double max = 0, mean = 0, std = 0;  // of the runs' best test accuracies, in %; std over the runs (ddof 0, as np.std)
};

Summary summarize(const std::vector<RunResult>& runs) {
    Summary s;
    if (runs.empty()) return s;
    s.max = 0;
    for (const RunResult& r : runs) {
        s.max = std::max(s.max, 100.0 * r.best_accuracy);
        s.mean += 100.0 * r.best_accuracy / static_cast<double>(runs.size());
    }
    for (const RunResult& r : runs) s.std += std::pow(100.0 * r.best_accuracy - s.mean, 2) / static_cast<double>(runs.size());
    s.std = std::sqrt(s.std);
    return s;
}

// keras-attention's README table: max, mean and std of the runs' best test accuracies, and the time.
void print_table(const std::vector<std::string>& kinds, const std::vector<RunResult> results[], int64_t params_attention,
                 int64_t params_dense, int runs, int epochs, double majority_rate) {
    std::printf("\nBest test accuracy per run, over %d run%s of %d epochs (in %%; majority class %.2f%%):\n\n", runs,
                runs == 1 ? "" : "s", epochs, majority_rate);
    std::string header = "| Measure      |";
    std::string rule = "|--------------|";
    std::string rows[5] = {"| MAX accuracy |", "| AVG accuracy |", "| STD accuracy |", "| wall s / run |",
                           "| CPU s / run  |"};
    for (size_t k = 0; k < kinds.size(); ++k) {
        const int64_t params = kinds[k] == "attention" ? params_attention : params_dense;
        char cell[96];
        std::snprintf(cell, sizeof cell, " %s (%s params) |", kinds[k] == "attention" ? "Attention" : "No attention",
                      tn::format_thousands(params).c_str());
        header += cell;
        const size_t width = std::string(cell).size() - 2;
        rule += std::string(width, '-') + "-|";
        const Summary s = summarize(results[k]);
        double seconds = 0, cpu_seconds = 0;
        for (const RunResult& r : results[k]) {
            seconds += r.seconds / static_cast<double>(results[k].size());
            cpu_seconds += r.cpu_seconds / static_cast<double>(results[k].size());
        }
        const double values[5] = {s.max, s.mean, s.std, seconds, cpu_seconds};
        for (int i = 0; i < 5; ++i) {
            char v[32];
            std::snprintf(v, sizeof v, i >= 3 ? "%.0f" : "%.2f", values[i]);
            std::string text = " " + std::string(v);
            text.resize(width, ' ');
            rows[i] += text + " |";
        }
    }
    std::printf("%s\n%s\n", header.c_str(), rule.c_str());
    for (const std::string& row : rows) std::printf("%s\n", row.c_str());
}

// The test texts shown on the page: the wrong predictions first (at most half of `count`), then
// correct ones, alternating between the classes, all in test-set order.
std::vector<size_t> pick_page_texts(const std::vector<int>& labels, const tn::Tensor& probability, int count) {
    std::vector<size_t> wrong, correct[2];
    for (size_t i = 0; i < labels.size(); ++i) {
        const bool ok = tn::predicted_class(probability[static_cast<int64_t>(i)]) == labels[i];
        (ok ? correct[labels[i]] : wrong).push_back(i);
    }
    std::vector<size_t> picked(wrong.begin(), wrong.begin() + std::min<size_t>(wrong.size(), static_cast<size_t>(count / 2)));
    for (size_t k = 0; picked.size() < static_cast<size_t>(count) && k < std::max(correct[0].size(), correct[1].size()); ++k)
        for (int cls : {1, 0})
            if (k < correct[cls].size() && picked.size() < static_cast<size_t>(count)) picked.push_back(correct[cls][k]);
    return picked;
}

void write_page(tn::Model& model, const Corpus& c, const Options& opt, tn::PadSide truncating, const RunResult& run,
                const std::string& path) {
    const tn::Tensor probability = model.predict(c.x_test, 256);
    const std::vector<int> labels = c.test.labels();
    const std::vector<size_t> picked = pick_page_texts(labels, probability, opt.html_texts);
    std::vector<int64_t> rows(picked.begin(), picked.end());
    const tn::Tensor x = tn::take_rows(c.x_test, rows);
    const tn::Tensor alpha = tn::examples::attention_weights(model, model.layer<tn::Attention>(), x);

    tn::AttentionPage page;
    page.class_names = c.test.class_names;
    page.title = "Attention over words: " + page.class_names[0] + " vs " + page.class_names[1] + " (" + opt.data + ")";
    char summary[512];
    std::snprintf(summary, sizeof summary,
                  "%s + Attention(128, luong), run 1 at its best epoch (%d), test accuracy %.2f%%. "
                  "%zu of the %zu test texts: the wrong predictions first, then correct ones of both classes. "
                  "Each text is what the model read: its %s %lld words at most (truncating='%s'), lowercased.",
                  encoder_title(opt.encoder).c_str(), run.best_epoch, 100.0 * run.best_accuracy, picked.size(), c.test.size(),
                  truncating == tn::PadSide::post ? "first" : "last", static_cast<long long>(opt.maxlen),
                  opt.truncating.c_str());
    page.summary = summary;
    for (size_t k = 0; k < picked.size(); ++k) {
        const tn::TextExample& e = c.test.examples[picked[k]];
        tn::AttentionText t;
        t.words = tn::Tokenizer::padded_words(e.text, opt.maxlen, tn::PadSide::pre, truncating);
        if (std::all_of(t.words.begin(), t.words.end(), [](const std::string& w) { return w.empty(); }))
            t.words.back() = "(no words)";  // encode() gave it one <oov> word at the end
        const float* a = alpha.data() + static_cast<int64_t>(k) * alpha.dim(1);
        t.weights.assign(a, a + alpha.dim(1));
        t.label = e.label;
        t.probability = probability[static_cast<int64_t>(picked[k])];
        t.source = e.source;
        page.texts.push_back(std::move(t));
    }
    tn::write_attention_html(page, path);
}

nlohmann::ordered_json model_json(const std::vector<RunResult>& runs, int64_t params) {
    const Summary s = summarize(runs);
    nlohmann::ordered_json j = nlohmann::ordered_json::object({{"params", params},
                                   {"max_accuracy_percent", s.max},
                                   {"mean_accuracy_percent", s.mean},
                                   {"std_accuracy_percent", s.std}});
    nlohmann::ordered_json per_run = nlohmann::ordered_json::array();
    for (const RunResult& r : runs)
        per_run.push_back(nlohmann::ordered_json::object({{"best_test_accuracy", r.best_accuracy},
                                            {"best_epoch", r.best_epoch},
                                            {"seconds", r.seconds},
                                            {"cpu_seconds", r.cpu_seconds},
                                            {"test_accuracy_per_epoch", r.test_accuracy}}));
    j["runs"] = std::move(per_run);
    return j;
}

int run(int argc, char** argv) {
    const auto start = Clock::now();
    tn::examples::Flags flags(
        "text_classifier",
        "Classify texts with an LSTM, a GRU or a bidirectional LSTM (--encoder), with and without attention (keras-attention's IMDB experiment), on\n"
        "SpamAssassin by default; prints max/mean/std of the best test accuracy over --runs seeds and writes\n"
        "metrics.json and attention.html (test texts shaded by attention).");
    tn::examples::CommonArgs args{.epochs = 10, .out = "out/text_classifier", .verbose = 2};
    Options opt;
    tn::examples::add_common_flags(flags, args);
    flags.add("--data", opt.data, "DIR", "text folder: one subfolder per class, one text per file");
    flags.add("--classes", opt.classes, "A,B", "the two class folders, e.g. neg,pos; empty: every subfolder");
    flags.add("--model", opt.model, "KIND", "attention, dense or both");
    flags.add("--encoder", opt.encoder, "KIND", "lstm (LSTM(100)), gru (GRU(100)) or bilstm (Bidirectional(LSTM(50)))");
    flags.add("--runs", opt.runs, 1, 1000, "runs (seeds) per model");
    flags.add("--top-words", opt.top_words, 3, 1000000, "vocabulary size: padding, <oov> and the most frequent words");
    flags.add("--maxlen", opt.maxlen, int64_t{1}, int64_t{100000}, "words per text (longer ones are cut)");
    flags.add("--truncating", opt.truncating, "SIDE", "post (keep the first words) or pre (keep the last)");
    flags.add("--html-texts", opt.html_texts, 0, 10000, "test texts shown in attention.html");
    if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
    const auto bad_flag = [](const std::string& message) {
        std::cerr << "text_classifier: " << message << "\n";
        return 2;
    };
    std::vector<std::string> kinds;
    if (opt.model == "both") kinds = {"dense", "attention"};
    else if (opt.model == "attention" || opt.model == "dense") kinds = {opt.model};
    else return bad_flag("--model expects attention, dense or both, got '" + opt.model + "'");
    if (opt.encoder != "lstm" && opt.encoder != "gru" && opt.encoder != "bilstm")
        return bad_flag("--encoder expects lstm, gru or bilstm, got '" + opt.encoder + "'");
    if (opt.truncating != "post" && opt.truncating != "pre")
        return bad_flag("--truncating expects post or pre, got '" + opt.truncating + "'");
    const tn::PadSide truncating = opt.truncating == "post" ? tn::PadSide::post : tn::PadSide::pre;
    const std::vector<std::string> classes = split_commas(opt.classes);
    if (!opt.classes.empty() && classes.size() != 2)
        return bad_flag("--classes expects two class folders such as neg,pos, got '" + opt.classes + "'");
    tn::examples::ensure_dataset(opt.data, "data/spam", "text_classifier");
    tn::examples::apply_common_args(args);

    // ---- data ----
    const tn::TextDataset all = tn::load_text_folder(opt.data, classes);
    const Corpus c = make_corpus(all, opt, args.seed, truncating);

    const std::vector<size_t> test_counts = c.test.class_counts();
    const int majority = test_counts[1] > test_counts[0] ? 1 : 0;
    const double majority_rate = 100.0 * static_cast<double>(test_counts[static_cast<size_t>(majority)]) /
                                 static_cast<double>(c.test.size());
    std::printf("%s: %zu texts (%zu %s, %zu %s); train %zu, test %zu\n", opt.data.c_str(), all.size(),
                all.class_counts()[0], all.class_names[0].c_str(), all.class_counts()[1], all.class_names[1].c_str(),
                c.train.size(), c.test.size());
    std::printf("majority class on the test set: '%s', %.2f%% (what always answering it scores)\n",
                all.class_names[static_cast<size_t>(majority)].c_str(), majority_rate);
    std::printf("vocabulary %d words (top_words %d), maxlen %lld, truncating='%s'\n", c.tokenizer.vocab_size(),
                opt.top_words, static_cast<long long>(opt.maxlen), opt.truncating.c_str());
    std::printf("encoder %s\n", encoder_title(opt.encoder).c_str());
    if (c.empty_texts > 0)
        std::printf("%d text%s without words (each read as one <oov> word)\n", c.empty_texts,
                    c.empty_texts == 1 ? "" : "s");

    // ---- the fairness check: both models about the same size ----
    const int64_t params_attention = count_params("attention", opt.encoder, c.tokenizer.vocab_size(), opt.maxlen);
    const int64_t params_dense = count_params("dense", opt.encoder, c.tokenizer.vocab_size(), opt.maxlen);
    const double params_gap = std::abs(static_cast<double>(params_attention - params_dense)) /
                              static_cast<double>(std::max(params_attention, params_dense));
    std::printf("parameters: attention %s, dense %s (%.3f%% apart)\n", tn::format_thousands(params_attention).c_str(),
                tn::format_thousands(params_dense).c_str(), 100.0 * params_gap);
    if (params_gap > 0.01)
        throw std::logic_error("text_classifier: the two models differ by more than 1% in parameters");
    for (const std::string& kind : kinds) {
        tn::Model shown(args.seed, kind);
        build_model(shown, kind, opt.encoder, c.tokenizer.vocab_size(), opt.maxlen);
        std::cout << shown.summary() << "\n";
    }

    // ---- the runs ----
    std::vector<RunResult> results[2];  // by index in kinds
    std::unique_ptr<tn::Model> page_model;
    for (int run = 0; run < opt.runs; ++run) {
        for (size_t k = 0; k < kinds.size(); ++k) {
            const uint64_t seed = args.seed + static_cast<uint64_t>(run);
            std::printf("\n== run %d/%d: %s model, seed %llu ==\n", run + 1, opt.runs, kinds[k].c_str(),
                        static_cast<unsigned long long>(seed));
            std::fflush(stdout);
            const bool keep = kinds[k] == "attention" && run == 0;
            results[k].push_back(train_once(kinds[k], seed, c, opt, args, keep ? &page_model : nullptr));
            const RunResult& r = results[k].back();
            std::printf("best test accuracy %.2f%% at epoch %d (%.1f s, %.1f s of CPU)\n", 100.0 * r.best_accuracy,
                        r.best_epoch, r.seconds, r.cpu_seconds);
        }
    }

    print_table(kinds, results, params_attention, params_dense, opt.runs, args.epochs, majority_rate);

    // ---- outputs ----
    std::string html_path;
    if (page_model && opt.html_texts > 0) {
        html_path = args.out + "/attention.html";
        write_page(*page_model, c, opt, truncating, results[kinds.size() - 1].front(), html_path);  // attention: last
    }
    const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object({
        {"example", "text_classifier"},
        {"data", opt.data},
        {"class_names", all.class_names},
        {"class_counts", all.class_counts()},
        {"train_size", c.train.size()},
        {"test_size", c.test.size()},
        {"test_class_counts", test_counts},
        {"majority_class", all.class_names[static_cast<size_t>(majority)]},
        {"majority_rate_percent", majority_rate},
        {"top_words", opt.top_words},
        {"vocab_size", c.tokenizer.vocab_size()},
        {"maxlen", opt.maxlen},
        {"encoder", opt.encoder},
        {"padding", "pre"},
        {"truncating", opt.truncating},
        {"texts_without_words", c.empty_texts},
        {"epochs", args.epochs},
        {"batch_size", kBatchSize},
        {"runs", opt.runs},
        {"seed", args.seed},
        {"threads", args.threads},
        {"params_attention", params_attention},
        {"params_dense", params_dense},
        {"params_relative_gap", params_gap},
    });
    nlohmann::ordered_json models = nlohmann::ordered_json::object();
    for (size_t k = 0; k < kinds.size(); ++k)
        models[kinds[k]] = model_json(results[k], kinds[k] == "attention" ? params_attention : params_dense);
    metrics["models"] = models;
    metrics["attention_html"] = html_path;
    metrics["wall_seconds"] = wall_seconds;
    const std::string metrics_path = tn::examples::write_metrics(args.out, metrics);
    std::printf("\nwall time %.0f s\nmetrics: %s\n", wall_seconds, metrics_path.c_str());
    if (!html_path.empty()) std::printf("attention page: %s\n", html_path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tn::examples::run_example("text_classifier", [&] { return run(argc, argv); });
}
