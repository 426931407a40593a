// The model format (io/model_format.h, train/checkpoint.h, docs/format.md): CRC-32, the TF.js
// fixtures, bit-exact round trips, atomic saves (with real write failures), a clear error for every
// kind of bad file, TF.js' variants of the format, and checkpoints that resume training exactly.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/rng.h"
#include "io/json_config.h"
#include "io/json_text.h"
#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/model_files.h"
#include "io/model_format.h"
#include "layers/attention.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/embedding.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tests/reference.h"
#include "tests/test_util.h"
#include "train/checkpoint.h"
#include "train/load_model.h"
#include "train/model.h"

using tn::testing::TempDir;
using tn::testing::contains;
using tn::testing::read_json;

using namespace tn;
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

// Lowers this process' file-size limit (RLIMIT_FSIZE) so that writes past `bytes` fail with EFBIG:
// a real disk-full-like failure in the middle of a save, with no test hook in the library.
struct FileSizeLimit {
    rlimit old{};
    void (*old_handler)(int);
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
        old_handler = ::signal(SIGXFSZ, SIG_IGN);  // else the kernel kills the process on the first EFBIG
        rlimit lowered = old;
        lowered.rlim_cur = bytes;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &lowered) == 0);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &old);
        ::signal(SIGXFSZ, old_handler);
    }
};

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
void write_json(const std::string& path, const json& j) { write_text(path, j.dump(1)); }

// Files in dir whose name ends in ".bin".
std::vector<std::string> bin_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".bin") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Every parameter set to N(0, 0.5) values, so that a round trip has no zeros or ones to hide behind.
void randomize(Model& m, uint64_t seed) {
    Rng rng(seed);
    for (Param& p : m.params())
        for (int64_t i = 0; i < p.value.numel(); ++i) p.value[i] = 0.5f * rng.normal();
}

bool same_bits(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * a.numel()) == 0;
}

bool same_weights(const Network& a, const Network& b) {
    const auto pa = a.params(), pb = b.params();
    if (pa.size() != pb.size()) return false;
    for (size_t i = 0; i < pa.size(); ++i)
        if (pa[i].name != pb[i].name || !same_bits(pa[i].value, pb[i].value)) return false;
    return true;
}

// keras-attention's README model: LSTM(64) -> Attention(32) -> Dense(1) on (T = 10, D = 1).
std::unique_ptr<Model> readme_model() {
    auto m = std::make_unique<Model>(3);
    m->add<LSTM>(64, true);
    m->add<Attention>(32);
    m->add<Dense>(1);
    m->build({-1, 10, 1});
    return m;
}

// LSTM(4, return_sequences) -> Attention(8, score) -> Dense(1) on (T = 5, D = 3), as the format example.
std::unique_ptr<Model> small_model(const std::string& score = "luong") {
    auto m = std::make_unique<Model>(5);
    m->add<LSTM>(4, true);
    m->add<Attention>(8, score);
    m->add<Dense>(1);
    m->build({-1, 5, 3});
    randomize(*m, 99);
    return m;
}

// The message of the FormatError load_model throws (fails the test if it throws none).
std::string load_error(const std::string& path) {
    try {
        load_model(path);
    } catch (const FormatError& e) {
        return e.what();
    }
    FAIL("load_model(" << path << ") did not throw a FormatError");
    return "";
}


// The model.json + weights of small_model saved into `dir`; returns the model.json path.
std::string save_small(const TempDir& dir) {
    const std::string path = dir / "model.json";
    save_model(*small_model(), path);
    return path;
}

std::string weights_path(const std::string& model_json) {
    const json manifest = read_json(model_json).at("weightsManifest");
    return (fs::path(model_json).parent_path() / manifest.at(0).at("paths").at(0).get<std::string>()).string();
}

Tensor fixture_input(const std::string& dir) {
    return tn::testing::ref_tensor(tn::testing::load_json_file(dir + "/inputs.json").at("x"));
}

}  // namespace

TEST_CASE("crc32: the standard check values, and continuing over a second buffer") {
    CHECK(crc32("123456789", 9) == 0xcbf43926u);  // the check value of CRC-32/ISO-HDLC (zlib)
    CHECK(crc32("", 0) == 0u);
    const std::string fox = "The quick brown fox jumps over the lazy dog";
    CHECK(crc32(fox.data(), fox.size()) == 0x414fa339u);
    CHECK(crc32(fox.data() + 10, fox.size() - 10, crc32(fox.data(), 10)) == 0x414fa339u);
    CHECK(crc32_hex(0x0badf00du) == "0badf00d");
}

TEST_CASE("the TF.js and tapenet fixtures load and predict what TF.js predicted") {
    for (const char* name : {"tfjs_lstm_dense", "tfjs_lstm_seq_dense", "tfjs_embedding_lstm_dense",
                             "tapenet_lstm_attention_dense", "tapenet_checkpoint_bahdanau"}) {
        const std::string dir = std::string("tests/fixtures/") + name;
        INFO(dir);
        ModelFileInfo info;
        auto model = load_model(dir + "/model.json", &info);
        const json expected = tn::testing::load_json_file(dir + "/expected.json").at("y");
        const double err = tn::testing::check_close(model->predict(fixture_input(dir)), expected, dir, 2e-6, 0);
        MESSAGE(std::string(name) << ": max |tapenet - TF.js| = " << err);
        CHECK(info.format_version == (std::string(name).starts_with("tapenet") ? 1 : 0));
        CHECK(info.optimizer_entries == (std::string(name) == "tapenet_checkpoint_bahdanau" ? 21 : 0));
    }
    // TF.js' own names and defaults came through.
    auto tfjs = load_model("tests/fixtures/tfjs_lstm_dense/model.json");
    CHECK(tfjs->layers()[0]->name() == "lstm_LSTM1");
    CHECK(tfjs->layer<LSTM>().recurrent_activation() == "hard_sigmoid");
    CHECK(tfjs->name() == "sequential_1");
}

TEST_CASE("save_model writes exactly the format example of docs/format.md (bytes and CRC included)") {
    const std::string fixture = "tests/fixtures/tapenet_lstm_attention_dense";
    auto model = load_model(fixture + "/model.json");
    TempDir dir;
    const std::string path = dir / "model.json";
    save_model(*model, path);

    json saved = read_json(path), want = read_json(fixture + "/model.json");
    const std::string weights_file = saved.at("weightsManifest").at(0).at("paths").at(0).get<std::string>();
    CHECK(weights_file == "model.weights.bb2d46e5.bin");  // a fresh name per save, with the CRC in it
    saved["weightsManifest"].at(0)["paths"] = want.at("weightsManifest").at(0).at("paths");
    CHECK_MESSAGE(saved == want, "saved:\n" << saved.dump(1));
    CHECK(read_file(dir / weights_file) == read_file(fixture + "/weights.bin"));
}

TEST_CASE("round trip: Luong, Bahdanau and the keras-attention README model predict bit-identically") {
    Rng rng(1);
    std::vector<std::pair<std::string, std::unique_ptr<Model>>> models;
    models.emplace_back("luong", small_model("luong"));
    models.emplace_back("bahdanau", small_model("bahdanau"));
    models.emplace_back("readme", readme_model());
    auto masked = std::make_unique<Model>(8, "masked");
    masked->add<Embedding>(12, 3, true);
    masked->add<LSTM>(5, true, "tanh", "hard_sigmoid");
    masked->add<Attention>(4, "bahdanau");
    masked->add<Dropout>(0.25);
    masked->add<Dense>(2, "softmax");
    masked->build({-1, 6});
    models.emplace_back("embedding+mask", std::move(masked));

    for (auto& [what, model] : models) {
        INFO(what);
        randomize(*model, 7);
        const Shape in = model->input_shape();
        Tensor x = what == "embedding+mask" ? Tensor::from_vector({3, 9, 1, 0, 0, 0, 5, 5, 2, 8, 11, 4}, {2, 6})
                                             : Tensor::normal({4, in[1], in[2]}, 0, 1, rng);
        const Tensor before = model->predict(x);
        TempDir dir;
        save_model(*model, dir / "model.json");
        auto loaded = load_model(dir / "model.json");
        CHECK(same_weights(*model, *loaded));
        CHECK(same_bits(before, loaded->predict(x)));
        CHECK(loaded->summary() == model->summary());
        for (size_t i = 0; i < model->layers().size(); ++i)
            CHECK(layer_config_json(*loaded->layers()[i]) == layer_config_json(*model->layers()[i]));
    }
}

TEST_CASE("load_weights fills a model built by user code") {
    TempDir dir;
    auto saved = small_model("bahdanau");
    save_model(*saved, dir / "model.json");
    Model mine(123);
    mine.add<LSTM>(4, true);
    mine.add<Attention>(8, "bahdanau");
    mine.add<Dense>(1);
    load_weights(mine, dir / "model.json");  // builds it from the file's input shape
    CHECK(same_weights(*saved, mine));
    Model other(1);
    other.add<LSTM>(5, true);  // 5 units: the shapes differ
    other.add<Attention>(8, "bahdanau");
    other.add<Dense>(1);
    CHECK_THROWS_WITH_AS(load_weights(other, dir / "model.json"), doctest::Contains("built from its config expects (3, 20)"),
                         FormatError);
}

TEST_CASE("load_network fills a plain Network, which predicts as the saved model") {
    TempDir dir;
    auto saved = small_model("luong");
    randomize(*saved, 5);
    save_model(*saved, dir / "model.json");
    Network net(9);
    load_network(net, dir / "model.json");
    CHECK(net.name() == saved->name());
    CHECK(same_weights(*saved, net));
    Rng rng(2);
    const Tensor x = Tensor::normal({3, saved->input_shape()[1], saved->input_shape()[2]}, 0, 1, rng);
    CHECK(same_bits(saved->predict(x), net.predict(x)));
    CHECK_THROWS_WITH_AS(load_network(net, dir / "model.json"), doctest::Contains("must be empty"), ValueError);
}

TEST_CASE("atomic save: a new weights file per save, the old one removed only after the commit") {
    TempDir dir;
    const std::string path = dir / "model.json";
    auto a = small_model();
    save_model(*a, path);
    const auto first = bin_files(dir.path);
    REQUIRE(first.size() == 1);

    save_model(*a, path);  // same weights, same CRC: the name must still be new
    const auto second = bin_files(dir.path);
    REQUIRE(second.size() == 1);
    CHECK(second[0] != first[0]);
    const std::string bytes = read_file(dir / second[0]);
    CHECK(second[0] == "model.weights." + crc32_hex(crc32(bytes.data(), bytes.size())) + ".1.bin");

    auto b = small_model();
    randomize(*b, 4);
    save_model(*b, path);
    CHECK(bin_files(dir.path).size() == 1);
    CHECK(same_weights(*load_model(path), *b));
    // Only model.json and its weights are left: no temporary file, no lock file.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir.path)) left.push_back(e.path().filename().string());
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"model.json", bin_files(dir.path)[0]});
    // The lock file a killed save left (the kernel released its lock) is taken over and removed.
    std::ofstream(dir / "model.save.lock").put('x');
    save_model(*b, path);
    CHECK(!fs::exists(dir / "model.save.lock"));
}

TEST_CASE("FileLock: one holder at a time across threads, and the lock file goes with the lock") {
    TempDir dir;
    const std::string path = dir / "stem.save.lock";
    std::atomic<int> inside{0}, overlaps{0}, entries{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int k = 0; k < 200; ++k) {
                const FileLock lock(path);
                if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
                if (!fs::exists(path)) overlaps.fetch_add(1);  // a holder's file is the one at the path
                std::this_thread::yield();
                inside.fetch_sub(1);
                entries.fetch_add(1);
            }
        });
    for (std::thread& t : threads) t.join();
    CHECK(entries == 800);
    CHECK(overlaps == 0);
    CHECK(!fs::exists(path));
    // What is not a regular file is refused, not locked (nor removed).
    fs::create_directory(path);
    CHECK_THROWS_WITH_AS(FileLock{path}, doctest::Contains("stem.save.lock"), std::runtime_error);
    CHECK(fs::is_directory(path));
}

TEST_CASE("atomic save: a failure midway throws and leaves the previous model loadable") {
    TempDir dir;
    const std::string path = dir / "model.json";
    auto old_model = small_model();
    save_model(*old_model, path);
    const auto old_files = bin_files(dir.path);

    SUBCASE("the weights write fails (file size limit: EFBIG, as a full disk)") {
        auto big = readme_model();  // ~70 KB of weights
        {
            FileSizeLimit limit(16 * 1024);
            CHECK_THROWS_WITH_AS(save_model(*big, path), doctest::Contains("File too large"), std::runtime_error);
        }
    }
    SUBCASE("model.json's write fails after the new weights were written") {
        auto m = small_model();
        randomize(*m, 5);
        const auto json_bytes = static_cast<rlim_t>(fs::file_size(path));
        {
            FileSizeLimit limit(json_bytes / 2);  // the weights (868 bytes) fit, model.json does not
            CHECK_THROWS_WITH_AS(save_model(*m, path), doctest::Contains(".tmp."), std::runtime_error);
        }
    }
    SUBCASE("the directory does not exist") {
        CHECK_THROWS_WITH_AS(save_model(*old_model, dir / "missing/model.json"),
                             doctest::Contains("missing/model."), std::runtime_error);
    }
    // The old pair is intact, and nothing new was left behind (no lock file either).
    CHECK(bin_files(dir.path) == old_files);
    CHECK(!fs::exists(dir / "model.save.lock"));
    CHECK(same_weights(*load_model(path), *old_model));
    for (const auto& e : fs::directory_iterator(dir.path)) CHECK(!contains(e.path().string(), ".tmp"));
}

TEST_CASE("save_model refuses an unbuilt model and non-finite weights, naming them") {
    TempDir dir;
    Model unbuilt;
    unbuilt.add<Dense>(1);
    CHECK_THROWS_WITH_AS(save_model(unbuilt, dir / "m.json"), doctest::Contains("not built"), ValueError);
    auto m = small_model();
    m->layer("dense").params()[1].value[0] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH_AS(save_model(*m, dir / "m.json"), doctest::Contains("weight 'dense/bias' holds nan at index 0"),
                         ValueError);
    CHECK(!fs::exists(dir / "m.json"));
    CHECK(bin_files(dir.path).empty());
}

TEST_CASE("bad files: every problem is a FormatError naming the file and what is wrong") {
    TempDir dir;
    const std::string path = save_small(dir);
    const json good = read_json(path);
    const std::string weights = weights_path(path);
    const std::string good_bytes = read_file(weights);

    // Rewrites model.json with `edit` applied, checks the load error, then restores the good files.
    auto check_json = [&](const std::function<void(json&)>& edit, const std::vector<std::string>& parts) {
        json j = good;
        edit(j);
        write_json(path, j);
        const std::string msg = load_error(path);
        CHECK_MESSAGE(contains(msg, path), msg);
        for (const auto& part : parts) CHECK_MESSAGE(contains(msg, part), msg);
        write_json(path, good);
    };
    auto check_bytes = [&](const std::string& bytes, const std::vector<std::string>& parts) {
        write_text(weights, bytes);
        const std::string msg = load_error(path);
        for (const auto& part : parts) CHECK_MESSAGE(contains(msg, part), msg);
        write_text(weights, good_bytes);
    };
    auto layer_config = [](json& j, int i) -> json& { return j["modelTopology"]["config"]["layers"][i]["config"]; };
    auto entry = [](json& j, int i) -> json& { return j["weightsManifest"].at(0)["weights"][i]; };

    SUBCASE("missing file") {
        const std::string msg = load_error(dir / "nope.json");
        CHECK(msg == "cannot open '" + (dir / "nope.json") + "': No such file or directory");
    }
    SUBCASE("malformed JSON") {
        write_text(path, "{\"format\": \"layers-model\", ");
        const std::string msg = load_error(path);
        CHECK(contains(msg, path + ": malformed JSON: "));
        CHECK_MESSAGE(contains(msg, "malformed JSON: line 1, column 28: "), msg);
    }
    SUBCASE("JSON nested absurdly deep") {
        write_text(path, std::string(100000, '[') + std::string(100000, ']'));
        const std::string msg = load_error(path);
        CHECK_MESSAGE(contains(msg, path + ": refused: JSON nested deeper than 64 levels"), msg);
    }
    SUBCASE("JSON of more values than any model.json holds: refused before the document is built") {
        std::string text = "[";
        for (int64_t i = 0; i < kMaxJsonValues; ++i) text += "0,";
        write_text(path, text + "0]");
        const std::string msg = load_error(path);
        CHECK_MESSAGE(contains(msg, path + ": refused: JSON of more than 1048576 values"), msg);
    }
    SUBCASE("a model.json larger than 64 MiB is refused before it is read") {
        std::filesystem::resize_file(path, kMaxJsonBytes + 1);  // sparse: no disk used
        const std::string msg = load_error(path);
        CHECK_MESSAGE(contains(msg, path + ": holds 67108865 bytes, more than the 64 MiB a model.json may hold"), msg);
    }
    SUBCASE("a weights path that is a directory") {
        std::filesystem::create_directory(dir / "weights_dir");
        check_json([](json& j) { j["weightsManifest"].at(0)["paths"].at(0) = "weights_dir"; },
                   {"'" + (dir / "weights_dir") + "' is not a regular file"});
    }
    SUBCASE("missing keys") {
        check_json([](json& j) { j.erase("modelTopology"); }, {"missing key 'modelTopology'"});
        check_json([](json& j) { j["modelTopology"]["config"].erase("layers"); }, {"missing the key 'layers'"});
        check_json([&](json& j) { layer_config(j, 0).erase("units"); }, {"layer 0 ('lstm', LSTM)", "missing required key 'units'"});
        check_json([&](json& j) { entry(j, 2).erase("shape"); }, {"weightsManifest[0].weights[2]", "missing the key 'shape'"});
        check_json([](json& j) { j["weightsManifest"].at(0).erase("paths"); },
                   {"weightsManifest[0] must be an object with 'paths' and 'weights'"});
        check_json([](json& j) { j["userDefinedMetadata"]["tapenet"].erase("weights_crc32"); },
                   {"userDefinedMetadata.tapenet is missing the key 'weights_crc32'"});
        check_json([](json& j) { j.erase("weightsManifest"); j.erase("userDefinedMetadata"); }, {"missing key 'weightsManifest'"});
        check_json([&](json& j) { layer_config(j, 0).erase("batch_input_shape"); }, {"has no batch_input_shape or input_shape"});
    }
    SUBCASE("wrong types and values") {
        check_json([](json& j) { j["format"] = "graph-model"; }, {"format is \"graph-model\""});
        check_json([](json& j) { j["modelTopology"]["class_name"] = "Graph"; }, {"'Graph'; tapenet loads Sequential, Model and Functional models"});
        check_json([](json& j) { j["modelTopology"]["class_name"] = "Functional"; }, {"missing the list 'input_layers'"});
        check_json([&](json& j) { layer_config(j, 0)["units"] = "four"; }, {"'units' must be an integer, got \"four\""});
        // A choice the layer cannot compute is refused at load time, not when predict first runs.
        check_json([&](json& j) { layer_config(j, 0)["activation"] = "softmax"; },
                   {"layer 0 ('lstm', LSTM)", "activation 'softmax' cannot be used in an LSTM"});
        check_json([&](json& j) { layer_config(j, 1)["score"] = "general"; },
                   {"layer 1 ('attention', Attention)", "unknown score 'general'; valid scores are: luong, bahdanau"});
        check_json([&](json& j) { layer_config(j, 0)["batch_input_shape"] = json::array({nullptr, 5, -3}); },
                   {"must hold positive sizes or null"});
        check_json([&](json& j) { layer_config(j, 2)["kernel_regularizer"] = json::object({{"class_name", "L2"}}); },
                   {"'kernel_regularizer' is set"});
        check_json([&](json& j) { layer_config(j, 2)["dtype"] = "float16"; }, {"dtype \"float16\" is not supported"});
        check_json([&](json& j) { entry(j, 0)["dtype"] = "float16"; }, {"dtype 'float16' is not supported"});
        check_json([&](json& j) { entry(j, 0)["quantization"] = json::object({{"dtype", "uint8"}}); },
                   {"('lstm/kernel') is quantized"});
        check_json([](json& j) { j["userDefinedMetadata"]["tapenet"]["format_version"] = 2; },
                   {"format_version 2 is not supported by tapenet 0.1.0, which reads version 1"});
        check_json([](json& j) { j["weightsManifest"].at(0)["paths"].at(0) = "../elsewhere.bin"; },
                   {"must be relative and stay in the model's directory"});
        check_json([](json& j) { j["weightsManifest"].at(0)["paths"].at(0) = "gone.bin"; }, {"cannot open", "gone.bin"});
    }
    SUBCASE("unknown class_name") {
        check_json([](json& j) { j["modelTopology"]["config"]["layers"][1]["class_name"] = "Conv2D"; },
                   {"layer 1 ('attention', Conv2D)", "unknown layer class 'Conv2D'", "Attention, Average, Bidirectional, Concatenate, Dense, Dot"});
    }
    SUBCASE("the manifest disagrees with the layers rebuilt from their configs") {
        // The config says 5 units but the manifest and weights are for 4: shapes differ. (The sizes
        // are kept consistent so that this, not the size check, is what fails.)
        check_json([&](json& j) { entry(j, 0)["shape"] = json::array({4, 12}); },
                   {"weight 'lstm/kernel' has shape (4, 12) in the weightsManifest, but layer 'lstm' (LSTM) built from its "
                    "config expects (3, 16)"});
        check_json([&](json& j) { entry(j, 3)["name"] = "attention/other_w"; },
                   {"model weight 'attention/luong_w' of layer 'attention' (Attention) is not in the weightsManifest"});
        check_json([&](json& j) { layer_config(j, 2)["use_bias"] = false; },
                   {"lists 'dense/bias', which is no weight of any layer of the model"});
        check_json([&](json& j) { entry(j, 6)["name"] = "dense/kernel"; }, {"lists 'dense/kernel' twice"});
        check_json([&](json& j) { layer_config(j, 0)["units"] = 100000; },
                   {"layer 'lstm' (LSTM): the topology needs at least 40001600000 weights up to this layer, but the "
                    "weightsManifest holds 217"});
    }
    SUBCASE("weights file short, long, corrupt") {
        check_bytes(good_bytes.substr(0, 860), {weights, "weights file too short: holds 860 bytes, but", "lists 868 bytes for 7 weights"});
        check_bytes(good_bytes + "xxxx", {weights, "weights file too long: holds 872 bytes"});
        std::string flipped = good_bytes;
        flipped[100] = static_cast<char>(flipped[100] ^ 0x01);
        check_bytes(flipped, {path, "CRC-32 mismatch: model.json records", weights, "corrupt or belongs to another save"});
        check_json([](json& j) { j["userDefinedMetadata"]["tapenet"]["weights_bytes"] = 864; },
                   {"records weights_bytes 864 but the weights files hold 868 bytes"});
    }
    SUBCASE("NaN or infinite weights are refused, naming the weight (checked with the tapenet block removed)") {
        std::string bad = good_bytes;
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(bad.data() + 864, &nan, 4);  // the last float: dense/bias[0]
        write_text(weights, bad);
        json j = good;
        j["userDefinedMetadata"].erase("tapenet");  // else the CRC catches it first
        write_json(path, j);
        CHECK(contains(load_error(path), "weight 'dense/bias' holds nan at index 0; tapenet refuses non-finite weights"));
        const float inf = std::numeric_limits<float>::infinity();
        std::memcpy(bad.data() + 4, &inf, 4);  // lstm/kernel[1]
        write_text(weights, bad);
        CHECK(contains(load_error(path), "weight 'lstm/kernel' holds inf at index 1"));
    }
}

TEST_CASE("TF.js variants of the format load and predict the same") {
    const std::string fixture = "tests/fixtures/tfjs_lstm_dense";
    const json good = read_json(fixture + "/model.json");
    const Tensor x = fixture_input(fixture);
    const json expected = tn::testing::load_json_file(fixture + "/expected.json").at("y");
    TempDir dir;
    fs::copy_file(fixture + "/weights.bin", dir / "weights.bin");
    auto check_variant = [&](const std::string& what, const std::function<void(json&)>& edit) {
        INFO(what);
        json j = good;
        edit(j);
        write_json(dir / "model.json", j);
        auto m = load_model(dir / "model.json");
        tn::testing::check_close(m->predict(x), expected, what, 2e-6, 0);
    };
    auto layers = [](json& j) -> json& { return j["modelTopology"]["config"]["layers"]; };
    check_variant("no recurrent_activation: TF.js' default hard_sigmoid",
                  [&](json& j) { layers(j).at(0)["config"].erase("recurrent_activation"); });
    check_variant("input_shape instead of batch_input_shape", [&](json& j) {
        layers(j).at(0)["config"].erase("batch_input_shape");
        layers(j).at(0)["config"]["input_shape"] = json::array({5, 3});
    });
    check_variant("a leading InputLayer", [&](json& j) {
        layers(j).at(0)["config"].erase("batch_input_shape");
        const json input_config = json::object({{"batch_input_shape", json::array({nullptr, 5, 3})}, {"name", "in"}});
        json& list = layers(j);
        list.insert(list.begin(), json::object({{"class_name", "InputLayer"}, {"config", input_config}}));
    });
    check_variant("time steps unknown (null)", [&](json& j) {
        layers(j).at(0)["config"]["batch_input_shape"] = json::array({nullptr, nullptr, 3});
    });
    check_variant("Keras' cell scope in weight names", [&](json& j) {
        for (json& e : j["weightsManifest"].at(0)["weights"])
            if (e["name"].get<std::string>().starts_with("lstm_LSTM1/"))
                e["name"] = "lstm_LSTM1/lstm_cell/" + e["name"].get<std::string>().substr(11);
    });
    {
        // Manifest order differs from layer order: dense bias before dense kernel, bytes likewise.
        const std::string bytes = read_file(fixture + "/weights.bin");  // floats: 48 + 64 + 16 + 8 + 2
        write_text(dir / "reordered.bin", bytes.substr(0, 4 * 128) + bytes.substr(4 * 136, 8) + bytes.substr(4 * 128, 32));
        check_variant("manifest order differs from layer order", [&](json& j) {
            json& w = j["weightsManifest"].at(0)["weights"];
            std::swap(w[3], w[4]);
            j["weightsManifest"].at(0)["paths"] = json::array({"reordered.bin"});
        });
    }
    check_variant("Keras 3 DTypePolicy, model_config wrapper, extra keys", [&](json& j) {
        layers(j).at(0)["config"]["dtype"] =
            json::object({{"class_name", "DTypePolicy"}, {"config", json::object({{"name", "float32"}})}});
        layers(j)[1]["config"]["some_future_key"] = json::array({1, 2, 3});
        const json inner = j["modelTopology"];
        j["modelTopology"] = json::object({{"model_config", inner}, {"training_config", nullptr}});
    });
}

TEST_CASE("tapenet-saved files run in TensorFlow.js (node tests/tfjs/predict.js)") {
    if (std::system("node --version >/dev/null 2>&1") != 0 || !fs::exists("tests/tfjs/node_modules/@tensorflow/tfjs")) {
        MESSAGE("skipped: node or tests/tfjs/node_modules is missing (cd tests/tfjs && npm ci)");
        return;
    }
    TempDir dir;
    auto model = small_model("bahdanau");
    Rng rng(3);
    const Tensor x = Tensor::normal({3, 5, 3}, 0, 1, rng);
    save_model(*model, dir / "model.json");
    const json inputs =
        json::object({{"x", json::object({{"shape", x.shape()}, {"dtype", "float32"}, {"data", x.to_vector()}})}});
    write_json(dir / "inputs.json", inputs);
    const std::string cmd = "node tests/tfjs/predict.js " + (dir / "model.json") + " " + (dir / "inputs.json") + " > " +
                            (dir / "y.json");
    REQUIRE(std::system(cmd.c_str()) == 0);
    const json y = read_json(dir / "y.json").at("y");
    const double err = tn::testing::check_close(model->predict(x), y, "TF.js", 2e-6, 0);
    MESSAGE("max |tapenet - TF.js| on a saved Bahdanau model: " << err);
}

// ---- checkpoints ----

namespace {

// LSTM -> Attention -> Dropout -> Dense with Adam: every kind of state a resume must carry
// (weights, m and v, the step count, the shuffling and the dropout masks).
std::unique_ptr<Model> training_model() {
    auto m = std::make_unique<Model>(11);
    m->add<LSTM>(6, true);
    m->add<Attention>(5, "bahdanau");
    m->add<Dropout>(0.3);
    m->add<Dense>(1);
    m->compile("mse", std::make_unique<Adam>(AdamOptions{.learning_rate = 0.01}));
    return m;
}

void training_data(Tensor& x, Tensor& y) {
    Rng rng(21);
    x = Tensor::normal({40, 6, 2}, 0, 1, rng);
    y = Tensor({40, 1});
    for (int64_t i = 0; i < 40; ++i) y[i] = x.at({i, 5, 0}) - 0.5f * x.at({i, 2, 1});
}

FitOptions epochs(int from, int to) { return {.epochs = to, .initial_epoch = from, .batch_size = 16, .verbose = 0}; }

}  // namespace

TEST_CASE("checkpoint: 4 epochs straight == 2 epochs, checkpoint, load into a fresh model, 2 more (bit-exact)") {
    Tensor x, y;
    training_data(x, y);
    auto straight = training_model();
    straight->fit(x, y, epochs(0, 4));

    TempDir dir;
    const std::string path = dir / "ckpt.json";
    {
        auto first_half = training_model();
        first_half->fit(x, y, epochs(0, 2));
        CHECK(!same_weights(*first_half, *straight));
        save_checkpoint(*first_half, 2, path);
    }

    Checkpoint ckpt = load_checkpoint(path);
    CHECK(ckpt.epoch == 2);
    CHECK(ckpt.model->optimizer().iterations() == 6);  // 2 epochs of ceil(40 / 16) = 3 batches
    ckpt.model->fit(x, y, epochs(ckpt.epoch, 4));
    CHECK(same_weights(*ckpt.model, *straight));

    // The same into a model that user code built and compiled.
    auto mine = training_model();
    mine->build({-1, 6, 2});
    CHECK(restore_checkpoint(*mine, path) == 2);
    mine->fit(x, y, epochs(2, 4));
    CHECK(same_weights(*mine, *straight));

    // Controls: each part of the state matters, so the equality above is not an accident.
    auto fresh_adam = load_model(path);  // weights only: a new optimizer starts from m = v = 0, t = 0
    fresh_adam->compile("mse", std::make_unique<Adam>(AdamOptions{.learning_rate = 0.01}));
    fresh_adam->shuffle_rng() = load_checkpoint(path).model->shuffle_rng();
    fresh_adam->fit(x, y, epochs(2, 4));
    CHECK(!same_weights(*fresh_adam, *straight));
    Checkpoint other_shuffle = load_checkpoint(path);
    other_shuffle.model->shuffle_rng() = Rng(12345);
    other_shuffle.model->fit(x, y, epochs(2, 4));
    CHECK(!same_weights(*other_shuffle.model, *straight));
}

TEST_CASE("checkpoint layout: iter, then m and v per weight, group optimizer; TF.js' trainingConfig") {
    Tensor x, y;
    training_data(x, y);
    auto m = training_model();
    m->fit(x, y, epochs(0, 1));
    TempDir dir;
    save_checkpoint(*m, 1, dir / "ckpt.json");
    const ModelFiles files = read_model_files(dir / "ckpt.json");
    const std::vector<Param> params = m->params();
    REQUIRE(files.weights.size() == 3 * params.size() + 1);
    const WeightEntry& iter = files.weights[params.size()];
    CHECK(iter.name == "iter");
    CHECK(iter.dtype == "int32");
    CHECK(iter.group == "optimizer");
    CHECK(entry_integer(iter, files.path) == 3);
    for (size_t k = 0; k < params.size(); ++k) {
        const WeightEntry& mk = files.weights[params.size() + 1 + k];
        const WeightEntry& vk = files.weights[2 * params.size() + 1 + k];
        CHECK(mk.name == params[k].name + "/m");
        CHECK(vk.name == params[k].name + "/v");
        CHECK(same_bits(entry_tensor(mk, files.path), m->optimizer().slot(params[k].name, "m")));
        CHECK(same_bits(entry_tensor(vk, files.path), m->optimizer().slot(params[k].name, "v")));
    }
    const json& tc = files.model_json->at("trainingConfig");
    CHECK(tc.at("loss") == "mean_squared_error");
    CHECK(tc.at("optimizer_config").at("class_name") == "Adam");
    CHECK(tc.at("optimizer_config").at("config").at("learning_rate") == 0.01);
    CHECK(files.epoch == 1);
    // load_model reads a checkpoint as a plain model: the optimizer entries are skipped.
    CHECK(same_weights(*load_model(dir / "ckpt.json"), *m));
    // A plain model file is not a checkpoint.
    save_model(*m, dir / "plain.json");
    CHECK_THROWS_WITH_AS(load_checkpoint(dir / "plain.json"), doctest::Contains("is a model, not a checkpoint"), FormatError);
}

TEST_CASE("checkpoint: the JS-written fixture restores Adam's step count and moments") {
    const std::string path = "tests/fixtures/tapenet_checkpoint_bahdanau/model.json";
    Checkpoint c = load_checkpoint(path);
    CHECK(c.epoch == 0);  // the fixture records no epoch
    CHECK(c.model->optimizer().class_name() == "Adam");
    CHECK(c.model->optimizer().iterations() == 3);
    CHECK(c.model->loss().name == "binary_crossentropy");
    const ModelFiles files = read_model_files(path);
    for (const WeightEntry& e : files.weights) {
        if (e.group != "optimizer" || e.name == "iter") continue;
        const size_t slash = e.name.rfind('/');
        CHECK(same_bits(c.model->optimizer().slot(e.name.substr(0, slash), e.name.substr(slash + 1)), entry_tensor(e, path)));
    }
}

TEST_CASE("checkpoint errors: wrong optimizer, a broken optimizer group, nothing changed on failure") {
    Tensor x, y;
    training_data(x, y);
    auto m = training_model();
    m->fit(x, y, epochs(0, 1));
    TempDir dir;
    const std::string path = dir / "ckpt.json";
    save_checkpoint(*m, 1, path);

    auto sgd = training_model();
    sgd->compile("mse", std::make_unique<SGD>(0.1));
    sgd->build({-1, 6, 2});
    const auto before = sgd->params()[0].value.clone();
    CHECK_THROWS_WITH_AS(restore_checkpoint(*sgd, path),
                         doctest::Contains("holds the state of a Adam optimizer, but the model is compiled with SGD"), FormatError);
    CHECK(same_bits(sgd->params()[0].value, before));  // weights put back

    // Drop one optimizer entry (and its bytes, and the tapenet block): positions no longer add up.
    json j = read_json(path);
    json& w = j["weightsManifest"].at(0)["weights"];
    const std::string bin = weights_path(path);
    std::string bytes = read_file(bin);
    const int64_t last = shape_numel(w.back().at("shape").get<Shape>());
    bytes.resize(bytes.size() - 4 * last);
    w.erase(w.size() - 1);
    j["userDefinedMetadata"]["tapenet"]["weights_bytes"] = bytes.size();
    j["userDefinedMetadata"]["tapenet"]["weights_crc32"] = crc32_hex(crc32(bytes.data(), bytes.size()));
    write_text(bin, bytes);
    write_json(path, j);
    CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("not a multiple of the model's 9 weights"), FormatError);
}
