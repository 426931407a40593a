// Tests for the text examples: the attention page writer (io/attention_html.h), and brief runs of
// build/bin/text_classifier and build/bin/names on the fixtures of tests/fixtures/text (mail/,
// names_endings/: see their README.md). Nothing is downloaded. The binaries are found in
// $TAPENET_BIN_DIR (make test sets it), else in the bin/ folder of this test binary's build.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include <nlohmann/json.hpp>
#include "io/atomic_file.h"
#include "io/attention_html.h"
#include "io/text_dataset.h"
#include "io/tokenizer.h"
#include "tests/test_util.h"

using tn::testing::RunOutput;
using tn::testing::TempDir;
using tn::testing::read_json;
using tn::testing::run_example;

using namespace tn;
namespace fs = std::filesystem;

namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

size_t count_of(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}


AttentionPage two_text_page() {
    AttentionPage page;
    page.title = "Spam & <ham>";
    page.summary = "a \"summary\"";
    page.class_names = {"ham", "spam"};
    // A correct prediction (ham, p(spam) = 0.2) and a wrong one (spam, p(spam) = 0.3), in that order.
    page.texts.push_back({{"", "", "meeting", "don't", "notes"}, {0, 0, 0.2f, 0.6f, 0.2f}, 0, 0.2f, "ham/1.txt"});
    page.texts.push_back({{"free", "caf\xe9", "now"}, {0.5f, 0.25f, 0.25f}, 1, 0.3f, "spam/<2>.txt"});
    return page;
}

}  // namespace

// ---------------------------------------------------------------- html_escape

TEST_CASE("attention html: html_escape turns the five special characters into entities") {
    CHECK(html_escape("a<b>&\"c'd") == "a&lt;b&gt;&amp;&quot;c&#39;d");
    CHECK(html_escape("plain text, tabs\tand\nlines\r") == "plain text, tabs\tand\nlines\r");
    CHECK(html_escape("") == "");
}

TEST_CASE("attention html: html_escape keeps well-formed UTF-8 and replaces everything else by U+FFFD") {
    // 2-, 3- and 4-byte sequences: é, €, 𝄞 (U+1D11E), and the largest code point U+10FFFF.
    const std::string valid = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF";
    CHECK(html_escape(valid) == valid);
    CHECK(html_escape("caf\xE9!") == "caf" + kReplacement + "!");           // latin1 é: a lone lead byte
    CHECK(html_escape("\xC0\xAF") == kReplacement + kReplacement);          // overlong '/': C0 never starts one
    CHECK(html_escape("\xE0\x80\xAF") == kReplacement + kReplacement + kReplacement);  // overlong 3-byte form
    CHECK(html_escape("\xED\xA0\x80") == kReplacement + kReplacement + kReplacement);  // a UTF-16 surrogate
    CHECK(html_escape("\xF4\x90\x80\x80") == kReplacement + kReplacement + kReplacement + kReplacement);  // > U+10FFFF
    CHECK(html_escape("ab\xE2\x82") == "ab" + kReplacement + kReplacement);  // cut off at the end
    CHECK(html_escape("\x80x") == kReplacement + "x");                      // a continuation byte alone
    CHECK(html_escape(std::string("a\0b\x01\x7F", 5)) == "a" + kReplacement + "b" + kReplacement + kReplacement);
}

// ---------------------------------------------------------------- render_attention_html

TEST_CASE("attention html: the page lists wrong predictions first, shades words by weight / largest weight") {
    const std::string html = render_attention_html(two_text_page());
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(html.find("<title>Spam &amp; &lt;ham&gt;</title>") != std::string::npos);
    CHECK(html.find("<p>a &quot;summary&quot;</p>") != std::string::npos);
    // Self-contained: no scripts, nothing loaded from elsewhere.
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("href=") == std::string::npos);

    const size_t wrong = html.find("<h2>Wrong predictions (1)</h2>");
    const size_t correct = html.find("<h2>Correct predictions (1)</h2>");
    REQUIRE(wrong != std::string::npos);
    REQUIRE(correct != std::string::npos);
    CHECK(wrong < correct);
    // The spam text (given second) sits in the wrong section, the ham text in the correct one.
    const size_t spam_text = html.find("spam/&lt;2&gt;.txt");
    const size_t ham_text = html.find("ham/1.txt");
    CHECK((wrong < spam_text && spam_text < correct));
    CHECK(correct < ham_text);
    CHECK(html.find("true: <b>spam</b> &middot; predicted: <b>ham</b> (p(spam) = 0.300)") != std::string::npos);
    CHECK(html.find("true: <b>ham</b> &middot; predicted: <b>ham</b> (p(spam) = 0.200)") != std::string::npos);

    // Opacity = weight / largest weight of the text: 0.2 / 0.6 = 0.33 and 0.6 / 0.6 = 1.
    CHECK(html.find("rgba(214,39,40,0.33)\" title=\"0.2\">meeting</span>") != std::string::npos);
    CHECK(html.find("rgba(214,39,40,1.00)\" title=\"0.6\">don&#39;t</span>") != std::string::npos);
    CHECK(html.find("rgba(214,39,40,0.50)\" title=\"0.25\">caf" + kReplacement + "</span>") != std::string::npos);
    // Peakedness: 0.6 over 3 shown words is 1.8 times the uniform 1/3; 0.5 over 3 is 1.5 times.
    CHECK(html.find("largest weight 0.6 = 1.8&times; uniform (3 words)") != std::string::npos);
    CHECK(html.find("largest weight 0.5 = 1.5&times; uniform (3 words)") != std::string::npos);
    // Padding ("" words) is not shown: 6 shown words + the 5 legend samples = 11 shaded spans.
    CHECK(count_of(html, "<span style=\"background:rgba(") == 11);
    CHECK(html.find("don't") == std::string::npos);  // never unescaped
}

TEST_CASE("attention html: a probability of exactly 0.5 predicts class 0; all-zero weights shade nothing") {
    AttentionPage page;
    page.class_names = {"female", "male"};
    page.texts.push_back({{"a", "b"}, {0, 0}, 1, 0.5f, ""});
    const std::string html = render_attention_html(page);
    CHECK(html.find("<h2>Wrong predictions (1)</h2>") != std::string::npos);
    CHECK(html.find("<h2>Correct predictions (0)</h2>\n<p>None.</p>") != std::string::npos);
    CHECK(html.find("predicted: <b>female</b> (p(male) = 0.500)") != std::string::npos);
    CHECK(count_of(html, "rgba(214,39,40,0.00)") == 2);
    CHECK(html.find("class=\"source\"") == std::string::npos);  // no source given
}

TEST_CASE("attention html: bad pages throw naming the text") {
    AttentionPage page = two_text_page();
    page.texts[1].weights.pop_back();
    CHECK_THROWS_AS(render_attention_html(page), ShapeError);
    CHECK_THROWS_WITH(render_attention_html(page),
                      "attention_html: text 1 (spam/<2>.txt) has 3 words but 2 weights");

    page = two_text_page();
    page.texts[0].label = 2;
    CHECK_THROWS_WITH_AS(render_attention_html(page), "attention_html: text 0 (ham/1.txt): label must be 0 or 1, got 2",
                         ValueError);
    page = two_text_page();
    page.texts[0].probability = 1.5f;
    CHECK_THROWS_AS(render_attention_html(page), ValueError);
    page.texts[0].probability = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(render_attention_html(page), ValueError);
    page = two_text_page();
    page.texts[0].weights[2] = -0.1f;
    CHECK_THROWS_AS(render_attention_html(page), ValueError);
    page.texts[0].weights[2] = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(render_attention_html(page), ValueError);
    page = two_text_page();
    page.class_names = {"only"};
    CHECK_THROWS_WITH_AS(render_attention_html(page),
                         "attention_html: needs exactly 2 class names (class 0 and class 1), got 1", ValueError);
}

TEST_CASE("attention html: write_attention_html writes the page, or throws naming a bad path") {
    TempDir dir("attention_html");
    const std::string path = dir.str() + "/page.html";
    write_attention_html(two_text_page(), path);
    CHECK(tn::read_file(path) == render_attention_html(two_text_page()));
    CHECK_THROWS_AS(write_attention_html(two_text_page(), dir.str() + "/missing/page.html"), std::runtime_error);
}

// ---------------------------------------------------------------- build/bin/text_classifier

TEST_CASE("text_classifier: a brief run on the mail fixture writes metrics.json and an escaped attention page") {
    // Seed 16 puts ham/04.txt (latin1 bytes) and ham/10.txt ("isn't") into the 4 test texts.
    const std::string data = "tests/fixtures/text/mail";
    const uint64_t seed = 16;
    const auto [train, test] = train_test_split(load_text_folder(data), 0.2, seed);
    std::vector<std::string> test_sources;
    for (const TextExample& e : test.examples) test_sources.push_back(e.source);
    const auto in_test = [&](const std::string& file) {
        return std::find(test_sources.begin(), test_sources.end(), data + "/" + file) != test_sources.end();
    };
    REQUIRE_MESSAGE(in_test("ham/04.txt"), "the split changed: pick a seed that puts ham/04.txt into the test set");
    REQUIRE_MESSAGE(in_test("ham/10.txt"), "the split changed: pick a seed that puts ham/10.txt into the test set");

    TempDir dir("text_classifier");
    const RunOutput r = run_example("text_classifier",
                                    "--data " + data + " --epochs 2 --runs 2 --maxlen 12 --seed 16 --verbose 0 --out " +
                                        dir.str() + "/out",
                                    dir);
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.status == 0);

    // The parameter counts, worked out from the vocabulary: Embedding V·32, LSTM 4·100·(32 + 100 + 1),
    // then Attention 100·100 + 200·128 and Dense(1) 128 + 1, or Dense(350) 100·350 + 350 and Dense(1) 351.
    Tokenizer tokenizer(5000);
    tokenizer.fit(train.texts());
    const int64_t v = tokenizer.vocab_size();
    const int64_t attention_params = v * 32 + 53200 + 35600 + 129, dense_params = v * 32 + 53200 + 35350 + 351;
    const nlohmann::ordered_json m = read_json(dir.str() + "/out/metrics.json");
    CHECK(m.at("vocab_size") == v);
    CHECK(m.at("params_attention") == attention_params);
    CHECK(m.at("params_dense") == dense_params);
    CHECK(m.at("test_size") == test.size());
    const std::vector<size_t> counts = test.class_counts();
    CHECK(m.at("majority_rate_percent").get<double>() ==
          doctest::Approx(100.0 * double(std::max(counts[0], counts[1])) / double(test.size())));
    CHECK(m.at("texts_without_words") == 1);  // ham/09.txt is empty (in the training or the test set)
    for (const char* kind : {"dense", "attention"}) {
        const nlohmann::ordered_json& model = m.at("models").at(kind);
        REQUIRE(model.at("runs").size() == 2);
        double best_max = 0;
        for (const nlohmann::ordered_json& run : model.at("runs")) {
            const std::vector<double> per_epoch = run.at("test_accuracy_per_epoch").get<std::vector<double>>();
            REQUIRE(per_epoch.size() == 2);
            const double best = *std::max_element(per_epoch.begin(), per_epoch.end());
            CHECK(run.at("best_test_accuracy").get<double>() == doctest::Approx(best));
            best_max = std::max(best_max, 100.0 * best);
            // Accuracy over 4 test texts is a multiple of 1/4.
            CHECK(std::fmod(best * 4.0 + 1e-6, 1.0) < 1e-4);
        }
        CHECK(model.at("max_accuracy_percent").get<double>() == doctest::Approx(best_max));
    }
    CHECK(r.out.find("| MAX accuracy |") != std::string::npos);
    CHECK(r.out.find("majority class on the test set") != std::string::npos);

    const std::string html = tn::read_file(dir.str() + "/out/attention.html");
    CHECK(count_of(html, "<div class=\"text ") == 4);       // every test text (fewer than --html-texts)
    CHECK(html.find("isn&#39;t") != std::string::npos);      // ham/10.txt, escaped
    CHECK(html.find("isn't") == std::string::npos);
    CHECK(html.find("caf" + kReplacement) != std::string::npos);  // ham/04.txt's latin1 byte, replaced
    CHECK(html.find("caf\xe9") == std::string::npos);
    CHECK(html.find(data + "/ham/10.txt") != std::string::npos);
}

TEST_CASE("text_classifier: --encoder gru and bilstm train both models of the same size") {
    const std::string data = "tests/fixtures/text/mail";
    const auto [train, test] = train_test_split(load_text_folder(data), 0.2, 16);
    Tokenizer tokenizer(5000);
    tokenizer.fit(train.texts());
    const int64_t v = tokenizer.vocab_size();
    // GRU(100): 3·100·(32 + 100 + 2); Bidirectional(LSTM(50)): 2·4·50·(32 + 50 + 1). The heads as with the LSTM.
    for (const auto& [encoder, encoder_params] : {std::pair<std::string, int64_t>{"gru", 40200}, {"bilstm", 33200}}) {
        TempDir dir("text_classifier_" + encoder);
        const RunOutput r = run_example("text_classifier", "--data " + data + " --encoder " + encoder +
                                                               " --epochs 1 --maxlen 12 --seed 16 --verbose 0 --out " +
                                                               dir.str() + "/out",
                                        dir);
        INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
        REQUIRE(r.status == 0);
        const nlohmann::ordered_json m = read_json(dir.str() + "/out/metrics.json");
        CHECK(m.at("encoder") == encoder);
        CHECK(m.at("params_attention") == v * 32 + encoder_params + 35600 + 129);
        CHECK(m.at("params_dense") == v * 32 + encoder_params + 35350 + 351);
        CHECK(r.out.find(encoder == "gru" ? "GRU(100)" : "Bidirectional(LSTM(50))") != std::string::npos);
    }
}

TEST_CASE("text_classifier: bad flags and a missing folder exit non-zero with one clear line") {
    TempDir dir("text_classifier_flags");
    RunOutput r = run_example("text_classifier", "--model lstm --out " + dir.str(), dir);
    CHECK(r.status == 2);
    CHECK(r.err == "text_classifier: --model expects attention, dense or both, got 'lstm'\n");
    r = run_example("text_classifier", "--epochs 0", dir);
    CHECK(r.status == 2);
    CHECK(r.err.find("--epochs expects an integer in [1, 10000], got '0'") != std::string::npos);
    r = run_example("text_classifier", "--bogus 1", dir);
    CHECK(r.status == 2);
    CHECK(r.err.find("unknown flag '--bogus'") != std::string::npos);
    r = run_example("text_classifier", "--encoder rnn", dir);
    CHECK(r.status == 2);
    CHECK(r.err == "text_classifier: --encoder expects lstm, gru or bilstm, got 'rnn'\n");
    r = run_example("text_classifier", "--truncating middle", dir);
    CHECK(r.status == 2);
    CHECK(r.err == "text_classifier: --truncating expects post or pre, got 'middle'\n");
    r = run_example("text_classifier", "--data " + dir.str() + "/nowhere --out " + dir.str() + "/out", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("text_classifier: error: ") == 0);
    CHECK(r.err.find(dir.str() + "/nowhere") != std::string::npos);
    // A class folder without files.
    r = run_example("text_classifier", "--data tests/fixtures/text/empty_class --out " + dir.str() + "/out", dir);
    CHECK(r.status == 1);
    CHECK(r.err.find("text_classifier: error: ") == 0);
}

// ---------------------------------------------------------------- build/bin/names

TEST_CASE("names: a brief run on names whose last letter tells the class beats the majority rate") {
    TempDir dir("names");
    const std::string data = "tests/fixtures/text/names_endings";
    const RunOutput r = run_example("names", "--data " + data + " --epochs 120 --maxlen 8 --rows 6 --verbose 0 --out " + dir.str() + "/out", dir);
    INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.status == 0);

    const auto [train, test] = train_test_split(load_name_lists(data), 0.2, 7);  // 7: the default seed
    const std::vector<size_t> counts = test.class_counts();
    const double majority = double(std::max(counts[0], counts[1])) / double(test.size());
    const nlohmann::ordered_json m = read_json(dir.str() + "/out/metrics.json");
    CHECK(m.at("test_size") == 16);
    CHECK(m.at("majority_rate").get<double>() == doctest::Approx(majority));
    CHECK(m.at("heatmap_names") == 6);
    // "-a" or not separates the classes exactly; 120 epochs (one batch each) learn it (100% here).
    CHECK(m.at("test_accuracy").get<double>() >= 0.9);
    CHECK(m.at("test_accuracy").get<double>() > majority + 0.25);
    // The mean attention per position from the end sums to 1 (each name's weights do).
    double total = 0;
    for (const nlohmann::ordered_json& a : m.at("mean_attention_from_end")) total += a.get<double>();
    CHECK(total == doctest::Approx(1.0).epsilon(1e-4));

    const std::string png = tn::read_file(dir.str() + "/out/names.png");
    REQUIRE(png.size() > 8);
    CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
}

TEST_CASE("names: a bad flag exits with status 2 and one line") {
    TempDir dir("names_flags");
    const RunOutput r = run_example("names", "--rows 0", dir);
    CHECK(r.status == 2);
    CHECK(r.err == "names: --rows expects an integer in [1, 1000], got '0'\n");
}
