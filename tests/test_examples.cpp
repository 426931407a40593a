// Tests of the example binaries (examples/*.cpp): each runs briefly on little data, then its files
// are read back: metrics.json, the heatmaps (decoded with stb_image, cells checked against the
// colormaps), the GIF (decoded with giflib), the saved models. Bad command lines must exit with
// status 2 and one clear line.
//
// The binaries are found in $TAPENET_BIN_DIR (make test sets it to build/bin, or build-sanitize/bin
// under SANITIZE=1), else in build/bin.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <gif_lib.h>
#include <stb/stb_image.h>

#include <nlohmann/json.hpp>
#include "io/colormap.h"
#include "io/heatmap.h"
#include "io/model_format.h"
#include "io/tensor_file.h"
#include "layers/attention.h"
#include "tests/test_util.h"
#include "train/load_model.h"

using tn::testing::RunOutput;
using tn::testing::TempDir;
using tn::testing::read_json;
using tn::testing::run_example;
using tn::read_file;

namespace fs = std::filesystem;

namespace {

struct Png {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    tn::Rgb at(int x, int y) const {
        const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
};

Png read_png(const std::string& path) {
    Png png;
    int channels = 0;
    unsigned char* pixels = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
    REQUIRE_MESSAGE(pixels != nullptr, "cannot decode " << path);
    png.rgb.assign(pixels, pixels + static_cast<size_t>(png.width) * static_cast<size_t>(png.height) * 3);
    stbi_image_free(pixels);
    return png;
}

int gif_frames(const std::string& path, int* width, int* height) {
    int error = 0;
    GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
    REQUIRE_MESSAGE(gif != nullptr, "cannot open " << path);
    REQUIRE(DGifSlurp(gif) == GIF_OK);
    const int frames = gif->ImageCount;
    *width = gif->SWidth;
    *height = gif->SHeight;
    DGifCloseFile(gif, &error);
    return frames;
}

// The layout of an example's figure: one panel of rows x cols per label, the default style otherwise.
tn::HeatmapLayout figure_layout(const std::vector<std::string>& labels, int rows, int cols, const std::string& title,
                                int cell_px = 20) {
    std::vector<tn::HeatmapPanel> panels;
    for (const std::string& label : labels) {
        tn::HeatmapPanel p;
        p.label = label;
        p.rows = rows;
        p.cols = cols;
        p.values.assign(static_cast<size_t>(rows * cols), 0.0f);
        panels.push_back(p);
    }
    tn::HeatmapStyle style;
    style.title = title;
    style.cell_px = cell_px;
    return tn::layout_heatmap(panels, style);
}

// The color at the center of cell (r, c) of panel `panel`.
tn::Rgb cell(const Png& png, const tn::HeatmapLayout& layout, int panel, int r, int c, int cell_px = 20) {
    const tn::Rect& m = layout.matrices[static_cast<size_t>(panel)];
    return png.at(m.x + c * cell_px + cell_px / 2, m.y + r * cell_px + cell_px / 2);
}

// The checks every bad command line must pass: status 2, nothing on stdout, one line on stderr.
void check_bad_flag(const std::string& name, const std::string& args, const std::string& message, const TempDir& tmp) {
    CAPTURE(name);
    CAPTURE(args);
    const RunOutput r = run_example(name, args, tmp);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == name + ": " + message + "\n");
}

}  // namespace

TEST_CASE("examples: add_two_numbers trains briefly and writes its heatmaps, GIF and metrics") {
    TempDir tmp("add_two_numbers");
    const std::string out = tmp / "run";
    const RunOutput r = run_example("add_two_numbers", "--epochs 2 --train 192 --val 64 --seed 3 --out '" + out + "'", tmp);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Total params: 86,629") != std::string::npos);  // LSTM 40,800 + Attention 45,700 + Dense 129
    CHECK(r.out.find(out + "/attention.gif") != std::string::npos);

    const nlohmann::ordered_json m = read_json(out + "/metrics.json");
    CHECK(m.at("epochs") == 2);
    CHECK(m.at("train_samples") == 192);
    CHECK(m.at("val_samples") == 64);
    CHECK(m.at("history").at("val_mae").size() == 2);
    CHECK(m.at("history").at("attention_mass_val").size() == 2);
    CHECK(m.at("val_mae") == m.at("history").at("val_mae").at(1));
    // The target is a mean of two U(0, 1) values: any sensible prediction is off by less than 0.5.
    CHECK(m.at("val_mae").get<double>() > 0.0);
    CHECK(m.at("val_mae").get<double>() < 0.5);
    // After 6 steps the attention is still close to uniform over 20 steps: 2 of 20 positions hold ~0.1.
    CHECK(m.at("attention_mass_val").get<double>() == doctest::Approx(0.1).epsilon(0.5));
    CHECK(m.at("wall_seconds").get<double>() > 0.0);

    // One figure per epoch: the attention over the ground truth, 10 rows x 20 steps each, `hot`.
    const tn::HeatmapLayout layout = figure_layout({"attention", "ground truth"}, 10, 20, "Epoch 001 / 2");
    const tn::Colormap hot = tn::Colormap::named("hot");
    for (const char* name : {"epoch_001.png", "epoch_002.png"}) {
        CAPTURE(name);
        const Png png = read_png(out + "/" + name);
        CHECK(png.width == layout.width);
        CHECK(png.height == layout.height);
        // The ground truth marks the positions right after the zeros at 3 and 8: 4 and 9.
        for (int row = 0; row < 10; ++row)
            for (int col = 0; col < 20; ++col)
                CHECK(cell(png, layout, 1, row, col) == hot(col == 4 || col == 9 ? 1.0f : 0.0f));
    }
    CHECK_FALSE(fs::exists(out + "/epoch_003.png"));
    int width = 0, height = 0;
    CHECK(gif_frames(out + "/attention.gif", &width, &height) == 2);
    CHECK(width == layout.width);
    CHECK(height == layout.height);
}

TEST_CASE("examples: add_two_numbers is reproducible from its seed") {
    TempDir tmp("add_two_numbers_seed");
    const std::string args = "--epochs 1 --train 128 --val 64 --verbose 0 --seed 11 --out '";
    REQUIRE(run_example("add_two_numbers", args + (tmp / "a") + "'", tmp).status == 0);
    REQUIRE(run_example("add_two_numbers", args + (tmp / "b") + "'", tmp).status == 0);
    const nlohmann::ordered_json a = read_json(tmp / "a/metrics.json"), b = read_json(tmp / "b/metrics.json");
    CHECK(a.at("val_mae") == b.at("val_mae"));
    CHECK(a.at("history") == b.at("history"));
    CHECK(read_file(tmp / "a/epoch_001.png") == read_file(tmp / "b/epoch_001.png"));
}

TEST_CASE("examples: find_max draws attention, its argmax and the true argmax") {
    TempDir tmp("find_max");
    const std::string out = tmp / "run";
    const RunOutput r = run_example("find_max", "--epochs 1 --train 96 --val 40 --cell-px 12 --out '" + out + "'", tmp);
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Total params: 115,841") != std::string::npos);  // LSTM 66,560 + Attention 49,152 + Dense 129

    const nlohmann::ordered_json m = read_json(out + "/metrics.json");
    CHECK(m.at("epochs") == 1);
    CHECK(m.at("val_samples") == 40);
    const double accuracy = m.at("val_argmax_accuracy").get<double>();
    CHECK(accuracy >= 0.0);
    CHECK(accuracy <= 1.0);
    CHECK(accuracy * 40 == doctest::Approx(std::round(accuracy * 40)).epsilon(1e-6));  // a count out of 40
    CHECK(m.at("val_mae").get<double>() > 0.0);
    CHECK(m.at("val_mae").get<double>() < 1.0);

    // Three panels of 12 validation rows x 10 steps, `jet`, cells of 12 pixels. The two argmax panels
    // are one-hot rows.
    const tn::HeatmapLayout layout = figure_layout(
        {"attention", "attention - argmax", "ground truth - argmax"}, 12, 10, "Epoch 001 / 1", 12);
    const tn::Colormap jet = tn::Colormap::named("jet");
    const Png png = read_png(out + "/epoch_001.png");
    REQUIRE(png.width == layout.width);
    REQUIRE(png.height == layout.height);
    for (int panel : {1, 2}) {
        for (int row = 0; row < 12; ++row) {
            int ones = 0, zeros = 0;
            for (int col = 0; col < 10; ++col) {
                const tn::Rgb c = cell(png, layout, panel, row, col, 12);
                ones += c == jet(1.0f);
                zeros += c == jet(0.0f);
            }
            CAPTURE(panel);
            CAPTURE(row);
            CHECK(ones == 1);
            CHECK(zeros == 9);
        }
    }
    int width = 0, height = 0;
    CHECK(gif_frames(out + "/attention.gif", &width, &height) == 1);
}

TEST_CASE("examples: example_attention saves, loads and predicts bit-identically for both scores") {
    TempDir tmp("example_attention");
    const std::string out = tmp / "run";
    const RunOutput r = run_example("example_attention", "--epochs 2 --train 20 --out '" + out + "'", tmp);
    INFO(r.err);
    REQUIRE(r.status == 0);
    size_t successes = 0;
    for (size_t at = r.out.find("Success.\n"); at != std::string::npos; at = r.out.find("Success.\n", at + 1)) ++successes;
    CHECK(successes == 2);

    const nlohmann::ordered_json m = read_json(out + "/metrics.json");
    for (const std::string score : {"luong", "bahdanau"}) {
        CAPTURE(score);
        CHECK(m.at(score).at("predictions_bit_identical") == true);
        CHECK(m.at(score).at("max_abs_difference") == 0.0);
        // The saved model is the README's, functional as the README writes it: Input(10, 1) -> LSTM(64) ->
        // Attention(32, score) -> Dense(1).
        CHECK(read_json(out + "/model_" + score + ".json").at("modelTopology").at("class_name") == "Model");
        const std::unique_ptr<tn::Model> model = tn::load_model(out + "/model_" + score + ".json");
        CHECK_FALSE(model->sequential());
        REQUIRE(model->layers().size() == 3);
        const tn::Attention& attention = model->layer<tn::Attention>();
        CHECK(attention.units() == 32);
        CHECK(attention.score() == tn::attention_score(score));
        CHECK(model->input_shape() == tn::Shape{-1, 10, 1});
    }
}

TEST_CASE("examples: date_translation trains briefly, translates the held-out dates and draws their alignment") {
    TempDir tmp("date_translation");
    const std::string out = tmp / "run";
    // Two epochs: the GIF gets two frames, which must have the same size whatever the model outputs
    // (with these flags its translations change between the epochs, and so would labels taken from them).
    const RunOutput r = run_example(
        "date_translation", "--epochs 2 --train 2000 --fine-tune 0 --units 16 --cell-px 8 --out '" + out + "'", tmp);
    INFO(r.err);
    REQUIRE(r.status == 0);

    const nlohmann::ordered_json m = read_json(out + "/metrics.json");
    CHECK(m.at("test_dates") == 3653);  // a tenth of the 36,525 days of 1950-2049
    CHECK(m.at("formats") == 12);
    const double exact = m.at("exact_match").get<double>();
    CHECK(exact >= 0.0);
    CHECK(exact <= 1.0);
    CHECK(m.at("exact_match_per_format").size() == 12);
    CHECK(m.at("exact_match_per_format").contains("Sunday, January 20, 2019"));
    const auto& examples = m.at("examples");
    REQUIRE(examples.size() == 12);
    for (const auto& e : examples) {
        CHECK(e.at("expected").get<std::string>().size() == 10);
        CHECK(e.at("output").get<std::string>().size() == 10);
    }

    // Four panels, one per drawn test date (the first four examples): output characters down,
    // input characters across.
    std::vector<tn::HeatmapPanel> panels;
    for (size_t p = 0; p < 4; ++p) {
        tn::HeatmapPanel panel;
        const std::string human = examples[p].at("input");
        panel.rows = 10;
        panel.cols = static_cast<int>(human.size());
        panel.values.assign(static_cast<size_t>(panel.rows * panel.cols), 0.0f);
        panel.label = human + "  ->  " + examples[p].at("output").get<std::string>();
        for (char c : human) panel.col_labels.push_back(std::string(1, c));
        for (char c : examples[p].at("output").get<std::string>()) panel.row_labels.push_back(std::string(1, c));
        panels.push_back(panel);
    }
    tn::HeatmapStyle style;
    style.title = "date_translation: attention";
    style.cell_px = 8;
    style.x_label = "input characters";
    style.y_label = "output characters";
    const tn::HeatmapLayout layout = tn::layout_heatmap(panels, style);
    const Png png = read_png(out + "/alignment.png");
    CHECK(png.width == layout.width);
    CHECK(png.height == layout.height);
    int width = 0, height = 0;
    CHECK(gif_frames(out + "/alignment.gif", &width, &height) == 2);

    // The saved model: two inputs (32 human characters, 10 ISO characters so far), logits over 13.
    const std::unique_ptr<tn::Model> model = tn::load_model(out + "/model.json");
    tn::Tensor human = tn::Tensor::zeros({2, 32}), iso = tn::Tensor::zeros({2, 10});
    const std::vector<tn::Tensor> y = model->predict(std::vector<tn::Tensor>{human, iso});
    REQUIRE(y.size() == 1);
    CHECK(y[0].shape() == tn::Shape{2, 10, 13});

    // The sample the TF.js test reads: the dozen listed dates, each row the date's characters then
    // padding, the decoder's inputs starting with the start token (1), and the logits the reloaded
    // model gives for them.
    const tn::Tensor sample_human = tn::read_tensor_file(out + "/sample_human.json");
    const tn::Tensor sample_iso = tn::read_tensor_file(out + "/sample_iso_so_far.json");
    const tn::Tensor sample_logits = tn::read_tensor_file(out + "/sample_logits.json");
    REQUIRE(sample_human.shape() == tn::Shape{12, 32});
    REQUIRE(sample_iso.shape() == tn::Shape{12, 10});
    REQUIRE(sample_logits.shape() == tn::Shape{12, 10, 13});
    for (int64_t n = 0; n < 12; ++n) {
        const auto length = static_cast<int64_t>(examples[static_cast<size_t>(n)].at("input").get<std::string>().size());
        CAPTURE(n);
        CHECK(sample_human.data()[n * 32 + length - 1] > 0.0f);
        CHECK(sample_human.data()[n * 32 + length] == 0.0f);
        CHECK(sample_iso.data()[n * 10] == 1.0f);
    }
    const tn::Tensor reloaded = model->predict(std::vector<tn::Tensor>{sample_human, sample_iso})[0];
    for (int64_t i = 0; i < sample_logits.numel(); ++i) REQUIRE(reloaded.data()[i] == doctest::Approx(sample_logits.data()[i]).epsilon(1e-5));
}

TEST_CASE("examples: reverse_digits trains both models briefly and draws the attention of three sequences") {
    TempDir tmp("reverse_digits");
    const std::string out = tmp / "run";
    const RunOutput r = run_example("reverse_digits", "--epochs 1 --train 128 --test 8 --units 8 --cell-px 8 --out '" + out + "'", tmp);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const nlohmann::ordered_json m = read_json(out + "/metrics.json");
    for (const char* key : {"without_attention_accuracy", "with_attention_accuracy"}) {
        CAPTURE(key);
        const double accuracy = m.at(key).get<double>();
        CHECK(accuracy >= 0.0);
        CHECK(accuracy <= 1.0);
        CHECK(accuracy * 160 == doctest::Approx(std::round(accuracy * 160)).epsilon(1e-9));  // a count out of 8 x 20
    }
    const double diagonal = m.at("attention_on_anti_diagonal").get<double>();
    CHECK(diagonal > 0.0);
    CHECK(diagonal < 1.0);
    const Png png = read_png(out + "/alignment.png");
    CHECK(png.width > 3 * 20 * 8);
    CHECK(png.height > 3 * 20 * 8);
}

TEST_CASE("examples: a bad command line exits with status 2 and one clear line") {
    TempDir tmp("bad_flags");
    for (const std::string name : {"add_two_numbers", "find_max", "example_attention", "date_translation", "reverse_digits"}) {
        check_bad_flag(name, "--epoch 3", "unknown flag '--epoch' (see --help)", tmp);
        check_bad_flag(name, "extra", "unknown argument 'extra' (see --help)", tmp);
        check_bad_flag(name, "--epochs", "--epochs needs a value", tmp);
        check_bad_flag(name, "--epochs x3", "--epochs expects an integer in [1, 10000], got 'x3'", tmp);
        check_bad_flag(name, "--epochs=0", "--epochs expects an integer in [1, 10000], got '0'", tmp);
        check_bad_flag(name, "--threads 2.5", "--threads expects an integer in [1, 256], got '2.5'", tmp);
        check_bad_flag(name, "--seed -1", "--seed expects an integer in [0, 18446744073709551615], got '-1'", tmp);
        check_bad_flag(name, "--train 99999999999999999999", "--train expects an integer in [1, 1000000], got '99999999999999999999'",
                       tmp);
        check_bad_flag(name, "--out ''", "--out expects a non-empty value", tmp);

        if (name != "example_attention")  // the ones that draw
            check_bad_flag(name, "--cell-px 3", "--cell-px expects an integer in [4, 200], got '3'", tmp);
        if (name == "find_max")
            check_bad_flag(name, "--optimizer sgd", "--optimizer expects rmsprop or adam, got 'sgd'", tmp);

        const RunOutput help = run_example(name, "--help", tmp);
        CHECK(help.status == 0);
        for (const char* flag : {"--epochs N", "--seed N", "--out DIR", "--threads N", "--train N"})
            CHECK(help.out.find(flag) != std::string::npos);
    }
}

TEST_CASE("examples: an output folder that cannot be created is a one-line error, status 1") {
    TempDir tmp("bad_out");
    std::ofstream(tmp / "file") << "not a folder";
    const RunOutput r = run_example("add_two_numbers", "--epochs 1 --train 8 --val 8 --out '" + (tmp / "file/sub") + "'", tmp);
    CHECK(r.status == 1);
    CHECK(r.err.rfind("add_two_numbers: error: cannot create the output folder '" + (tmp / "file/sub") + "'", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
