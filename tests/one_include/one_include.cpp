// The one-include check (make test builds it and tests/test_one_include.cpp runs it): a program
// that includes nothing of tapenet but "tapenet.h" and uses the public API a user starts with.
//
//   one_include MODEL_JSON OUT_DIR
//
// 1. load_model(MODEL_JSON)->predict(x) for x (3, input shape...) with x[i] = sin(i + 1) / 2;
//    prints "predict" and every value (%.9g), for the suite to compare with its own predict.
// 2. README.md's tapenet twin of keras-attention's README example, as printed there (files go to
//    OUT_DIR): prints the summary, "Success." when the reloaded model predicts every bit the same.
// 3. The same model serving its attention weights: Attention(return_attention_scores) and a model
//    with the outputs {y, weights}, drawn into OUT_DIR/weights.png. Prints "weights <row 0 sum>".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "tapenet.h"

namespace {

tn::Tensor sine_input(tn::Shape shape, int64_t batch) {
    shape[0] = batch;
    tn::Tensor x(shape);
    for (int64_t i = 0; i < x.numel(); ++i) x[i] = 0.5f * std::sin(static_cast<float>(i + 1));
    return x;
}

void print_loaded(const std::string& path) {
    std::unique_ptr<tn::Model> model = tn::load_model(path);
    const tn::Tensor y = model->predict(sine_input(model->input_shape(), 3));
    std::printf("predict");
    for (int64_t i = 0; i < y.numel(); ++i) std::printf(" %.9g", static_cast<double>(y[i]));
    std::printf("\n");
}

// README.md's example, with its files in `dir`.
int readme_example(const std::string& dir) {
    // Dummy data. There is nothing to learn in this example.
    const int64_t num_samples = 100, time_steps = 10, input_dim = 1, output_dim = 1;
    tn::Rng rng(0);
    auto data_x = tn::Tensor::uniform({num_samples, time_steps, input_dim}, 0, 1, rng);
    auto data_y = tn::Tensor::uniform({num_samples, output_dim}, 0, 1, rng);

    // Define/compile the model.
    auto model_input = tn::Input({time_steps, input_dim});
    auto x = tn::layer<tn::LSTM>(64, /*return_sequences=*/true)(model_input);
    x = tn::layer<tn::Attention>(/*units=*/32)(x);
    x = tn::layer<tn::Dense>(1)(x);
    tn::Model model(model_input, x);
    model.compile("mae", std::make_unique<tn::Adam>());
    std::cout << model.summary();

    // train.
    model.fit(data_x, data_y, {.epochs = 10, .verbose = 0});

    // test save/reload model.
    tn::Tensor pred1 = model.predict(data_x);
    tn::save_model(model, dir + "/test_model.json");
    auto model_loaded = tn::load_model(dir + "/test_model.json");
    tn::Tensor pred2 = model_loaded->predict(data_x);
    if (!std::equal(pred1.data(), pred1.data() + pred1.numel(), pred2.data())) return 1;
    std::cout << "Success.\n";
    return 0;
}

void attention_weights_output(const std::string& dir) {
    auto model_input = tn::Input({10, 1});
    auto h = tn::layer<tn::LSTM>(16, /*return_sequences=*/true)(model_input);
    tn::KerasTensors attended = tn::layer<tn::Attention>(8, "luong", /*return_attention_scores=*/true)(h);
    auto y = tn::layer<tn::Dense>(1)(attended[0]);
    tn::Model probe(model_input, {y, attended[1]}, "probe", /*seed=*/3);
    const std::vector<tn::Tensor> out = probe.predict(std::vector<tn::Tensor>{sine_input({-1, 10, 1}, 4)});
    float row_sum = 0;
    for (int64_t t = 0; t < out[1].dim(1); ++t) row_sum += out[1][t];
    tn::write_png(tn::render_heatmap(out[1], tn::HeatmapStyle{.title = "weights"}), dir + "/weights.png");
    std::printf("weights %.9g\n", static_cast<double>(row_sum));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: one_include MODEL_JSON OUT_DIR\n");
        return 2;
    }
    try {
        print_loaded(argv[1]);
        if (readme_example(argv[2]) != 0) return 1;
        attention_weights_output(argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "one_include: %s\n", e.what());
        return 1;
    }
    return 0;
}
