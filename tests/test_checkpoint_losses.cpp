// Checkpoints of models with several outputs (train/checkpoint.h, io/checkpoint_files.h): each
// output's loss and its weight are saved, load_checkpoint compiles with them, and training resumed
// from the file continues bit for bit; a file whose losses do not fit the model is refused.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "layers/dense.h"
#include "layers/graph.h"
#include "optim/adam.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "tests/test_util.h"

namespace tn {
namespace checkpoint_losses_test {

using testing::read_json;
using testing::same_bits;
using testing::TempDir;

// One input, two heads: "dense_1" (2 linear units, mse) and "dense_2" (1 unit, mae, weight 0.25).
std::unique_ptr<Model> two_heads() {
    auto x = Input({3}, "x");
    auto trunk = layer<Dense>(4, "tanh")(x);
    auto model = std::make_unique<Model>(KerasTensors{x}, KerasTensors{layer<Dense>(2)(trunk), layer<Dense>(1)(trunk)},
                                         "two_heads", /*seed=*/5);
    model->compile(std::vector<std::string>{"mse", "mae"}, std::make_unique<Adam>(), {1.0f, 0.25f});
    return model;
}

struct Data {
    std::vector<Tensor> x, y;
};

Data data() {
    return {{testing::uniform_tensor({24, 3}, 1)}, {testing::uniform_tensor({24, 2}, 2), testing::uniform_tensor({24, 1}, 3)}};
}

FitOptions epochs(int from, int to) { return {.epochs = to, .initial_epoch = from, .batch_size = 8, .verbose = 0}; }

bool same_weights(const Network& a, const Network& b) {
    const auto pa = a.params(), pb = b.params();
    if (pa.size() != pb.size()) return false;
    for (size_t i = 0; i < pa.size(); ++i)
        if (!same_bits(pa[i].value, pb[i].value)) return false;
    return true;
}

void write_json(const std::string& path, const nlohmann::ordered_json& j) { std::ofstream(path) << j.dump(); }

// Trains `model` on data() for `epochs_done` epochs, checkpoints it at `path`; the file's JSON.
nlohmann::ordered_json trained_checkpoint(Model& model, int epochs_done, const std::string& path) {
    const Data d = data();
    model.fit(d.x, d.y, epochs(0, epochs_done));
    save_checkpoint(model, epochs_done, path);
    return read_json(path);
}

// Each output's compiled (output, loss, weight), in output order.
using Losses = std::vector<std::tuple<std::string, std::string, float>>;
Losses losses_of(const Model& model) {
    Losses out;
    for (const Model::CompiledLoss& l : model.compiled_losses()) out.emplace_back(l.output, l.loss, l.weight);
    return out;
}

TEST_CASE("checkpoint of two outputs: each loss and weight saved, compiled back, training resumes bit for bit") {
    const Data d = data();
    auto straight = two_heads();
    straight->fit(d.x, d.y, epochs(0, 4));

    TempDir dir;
    const std::string path = dir / "ckpt.json";
    const nlohmann::ordered_json j = trained_checkpoint(*two_heads(), 2, path);
    const auto& block = j.at("userDefinedMetadata").at("tapenet");
    CHECK(block.at("loss") == nlohmann::ordered_json({"mse", "mae"}));
    CHECK(block.at("loss_weights") == nlohmann::ordered_json({1.0, 0.25}));
    // TF.js 4.22 refuses loss_weights in trainingConfig, so a weighted model's checkpoint has none
    // (TF.js loads it as a plain model).
    CHECK(!j.contains("trainingConfig"));

    Checkpoint ckpt = load_checkpoint(path);
    CHECK(losses_of(*ckpt.model) == Losses{{"dense_1", "mse", 1.0f}, {"dense_2", "mae", 0.25f}});
    ckpt.model->fit(d.x, d.y, epochs(ckpt.epoch, 4));
    CHECK(same_weights(*ckpt.model, *straight));
    CHECK(ckpt.model->evaluate(d.x, d.y).loss == straight->evaluate(d.x, d.y).loss);

    // Control: the same file read with one loss for both outputs (the old single-loss record)
    // trains differently, so the equality above depends on the saved losses.
    nlohmann::ordered_json one_loss = j;
    one_loss["userDefinedMetadata"]["tapenet"]["loss"] = "mse";
    one_loss["userDefinedMetadata"]["tapenet"].erase("loss_weights");
    write_json(path, one_loss);
    Checkpoint wrong = load_checkpoint(path);
    wrong.model->fit(d.x, d.y, epochs(wrong.epoch, 4));
    CHECK(!same_weights(*wrong.model, *straight));
}

TEST_CASE("checkpoint losses by output name (TF.js' object form) and a model of one loss keeps its plain name") {
    TempDir dir;
    const std::string path = dir / "ckpt.json";
    nlohmann::ordered_json j = trained_checkpoint(*two_heads(), 1, path);
    j["userDefinedMetadata"]["tapenet"]["loss"] = {{"dense_2", "mae"}, {"dense_1", "mse"}};
    j["userDefinedMetadata"]["tapenet"]["loss_weights"] = {{"dense_2", 0.25}};
    write_json(path, j);
    const Checkpoint by_name = load_checkpoint(path);
    CHECK(losses_of(*by_name.model) == Losses{{"dense_1", "mse", 1.0f}, {"dense_2", "mae", 0.25f}});

    // A list of losses with weights 1: TF.js' names in trainingConfig, and no weights anywhere.
    auto unweighted = two_heads();
    unweighted->compile(std::vector<std::string>{"mse", "mae"}, std::make_unique<Adam>());
    const nlohmann::ordered_json u = trained_checkpoint(*unweighted, 1, dir / "unweighted.json");
    CHECK(u.at("trainingConfig").at("loss") == nlohmann::ordered_json({"mean_squared_error", "mean_absolute_error"}));
    CHECK(!u.at("trainingConfig").contains("loss_weights"));
    CHECK(u.at("userDefinedMetadata").at("tapenet").at("loss_weights") == nlohmann::ordered_json({1.0, 1.0}));

    // One loss for every output with weight 1: written as one name, as for a model of one output.
    auto same = two_heads();
    same->compile("mse", std::make_unique<Adam>());
    const nlohmann::ordered_json s = trained_checkpoint(*same, 1, dir / "same.json");
    CHECK(s.at("userDefinedMetadata").at("tapenet").at("loss") == "mse");
    CHECK(!s.at("userDefinedMetadata").at("tapenet").contains("loss_weights"));
    CHECK(s.at("trainingConfig").at("loss") == "mean_squared_error");
}

TEST_CASE("checkpoint losses that do not fit the model are refused, naming the file and the outputs") {
    TempDir dir;
    const std::string path = dir / "ckpt.json";
    const nlohmann::ordered_json good = trained_checkpoint(*two_heads(), 1, path);
    const auto with_losses = [&](const nlohmann::ordered_json& loss, const nlohmann::ordered_json& weights) {
        nlohmann::ordered_json j = good;
        j["userDefinedMetadata"]["tapenet"]["loss"] = loss;
        j["userDefinedMetadata"]["tapenet"]["loss_weights"] = weights;
        write_json(path, j);
    };
    with_losses({"mse", "mae", "mse"}, {1, 1, 1});
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("3 losses for 2 outputs"), FormatError);
    with_losses({"mse", "mae"}, {1});
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("names 2 losses but 1 loss_weights"), FormatError);
    with_losses({"mse", 3}, {1, 1});
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("a list of names"), FormatError);
    with_losses({"mse", "mae"}, {1, "heavy"});
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("finite numbers"), FormatError);
    with_losses({{"dense_9", "mse"}, {"dense_1", "mse"}}, nullptr);
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("'dense_9', which is no output"), FormatError);
    with_losses({"mse", "no_such_loss"}, nullptr);
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("no_such_loss"), FormatError);
}

TEST_CASE("checkpoint fixture of two losses: tapenet reads what it wrote (TAPENET_WRITE_FIXTURES=1 rewrites it)") {
    // tests/tfjs/test/checkpoint_losses.test.js loads the same files in TF.js.
    const std::string path = "tests/fixtures/checkpoints/tapenet_two_losses/model.json";
    if (std::getenv("TAPENET_WRITE_FIXTURES")) {
        const Data d = data();
        auto model = two_heads();
        model->compile(std::vector<std::string>{"mse", "mae"}, std::make_unique<Adam>());
        model->fit(d.x, d.y, epochs(0, 1));
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        save_checkpoint(*model, 1, path);
    }
    Checkpoint c = load_checkpoint(path);
    CHECK(c.epoch == 1);
    CHECK(c.model->optimizer().iterations() == 3);  // 24 samples in batches of 8
    CHECK(losses_of(*c.model) == Losses{{"dense_1", "mse", 1.0f}, {"dense_2", "mae", 1.0f}});
}

}  // namespace checkpoint_losses_test
}  // namespace tn
