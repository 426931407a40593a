// The hostile suite (issue #19): files built as an attacker or an unlucky user would (links out of the
// folder, FIFOs, device files, sparse giants, huge counts, overflowing numbers, broken checkpoints,
// saves into folders holding other files, concurrent savers and readers). Each load or save runs in
// a forked child under a time limit (alarm) and, outside the sanitizers, a memory limit
// (RLIMIT_AS): it must be refused with a message or succeed, never crash, hang or blow up.
// TAPENET_HOSTILE_REPORT=1 prints each case's time and peak memory (the figures of docs/format.md).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/rng.h"
#include "io/model_files.h"
#include "io/model_format.h"
#include "io/text_dataset.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "tests/test_util.h"
#include "train/checkpoint.h"
#include "train/load_model.h"
#include "train/model.h"

// A refusal that reads nothing stays under this peak (a sanitizer's shadow memory and the forked
// test process's own pages count in the child's peak: 266 MB measured under ASan).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr long kRefusalPeakKb = 512 * 1024;
#else
constexpr long kRefusalPeakKb = 200 * 1024;
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TN_HOSTILE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TN_HOSTILE_SANITIZED 1
#endif
#endif
#ifndef TN_HOSTILE_SANITIZED
#define TN_HOSTILE_SANITIZED 0
#endif

// The test cases live in the namespace too: its helpers then hide the other test files' (one
// unity translation unit).
namespace tn::hostile {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using tn::testing::contains;
using tn::testing::TempDir;

// The sanitizers reserve terabytes of shadow address space: no RLIMIT_AS under them.
constexpr bool kMemoryLimited = !TN_HOSTILE_SANITIZED;
constexpr int64_t kMemoryHeadroom = int64_t{1} << 30;  // a child may map 1 GiB beyond what the tests had
constexpr unsigned kSecondsPerCase = 20;                // alarm: a hang is a failure, not a stuck suite

// How a child ended.
struct Outcome {
    enum Kind { succeeded, refused, crashed } kind = crashed;
    std::string message;  // what the body returned, the error, or the signal
    double seconds = 0;      // wall time
    double cpu_seconds = 0;  // user + system time of the child (what the load cost, however busy the machine)
    long peak_kb = 0;        // the child's peak resident memory
};

// The virtual memory this process maps now (/proc/self/statm), in bytes.
int64_t mapped_bytes() {
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
        std::fclose(f);
    }
    return static_cast<int64_t>(pages) * ::sysconf(_SC_PAGESIZE);
}

void write_all(int fd, const std::string& text) {
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

// Runs `body` in a forked child under the limits: its return value is the "succeeded" message, an
// exception's what() the "refused" one. `what` labels the TAPENET_HOSTILE_REPORT line. The child does no doctest checks and leaves with _exit.
Outcome in_child(const std::string& what, const std::function<std::string()>& body) {
    const tn::testing::ThreadCount one(1);  // the child has no pool threads: keep the library off them
    const int64_t limit = mapped_bytes() + kMemoryHeadroom;
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(pipe_fds[0]);
        if (kMemoryLimited) {
            const rlimit as{static_cast<rlim_t>(limit), static_cast<rlim_t>(limit)};
            ::setrlimit(RLIMIT_AS, &as);
        }
        ::alarm(kSecondsPerCase);
        int status = 0;
        std::string message;
        try {
            message = body();
        } catch (const std::exception& e) {
            message = e.what();
            status = 1;
        }
        write_all(pipe_fds[1], message);
        ::_exit(status);
    }
    ::close(pipe_fds[1]);
    Outcome out;
    char buf[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) != 0;)
        if (n > 0) out.message.append(buf, static_cast<size_t>(n));
        else if (errno != EINTR) break;
    ::close(pipe_fds[0]);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.peak_kb = usage.ru_maxrss;
    out.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    if (WIFEXITED(status) && WEXITSTATUS(status) <= 1) {
        out.kind = WEXITSTATUS(status) == 0 ? Outcome::succeeded : Outcome::refused;
    } else {
        out.kind = Outcome::crashed;
        out.message = WIFSIGNALED(status) ? std::string("killed by signal ") + std::to_string(WTERMSIG(status)) +
                                                (WTERMSIG(status) == SIGALRM ? " (hung)" : "")
                                          : "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (std::getenv("TAPENET_HOSTILE_REPORT"))
        std::printf("hostile: %-40.40s %7.3f s %7.3f s cpu %8ld KB  %s\n", what.c_str(), out.seconds, out.cpu_seconds,
                    out.peak_kb,
                    out.message.substr(0, 200).c_str());
    return out;
}

// Checks that `body` is refused with a message holding every part of `expected`.
void expect_refused(const std::string& what, const std::function<std::string()>& body,
                    const std::vector<std::string>& expected) {
    const Outcome out = in_child(what, body);
    INFO(what << ": " << out.message << " (" << out.seconds << " s, " << out.peak_kb << " KB)");
    CHECK(out.kind == Outcome::refused);
    for (const std::string& part : expected) CHECK(contains(out.message, part));
    CHECK(out.seconds < kSecondsPerCase);
}

void expect_success(const std::string& what, const std::function<std::string()>& body, const std::string& expected = "") {
    const Outcome out = in_child(what, body);
    INFO(what << ": " << out.message << " (" << out.seconds << " s, " << out.peak_kb << " KB)");
    CHECK(out.kind == Outcome::succeeded);
    CHECK(contains(out.message, expected));
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Dense(3) -> Dense(1) on 4 inputs, saved into `dir`; returns model.json's path.
std::string save_dense(const TempDir& dir, uint64_t seed = 1, const std::string& name = "model.json") {
    Model m(seed);
    m.add<Dense>(3);
    m.add<Dense>(1);
    m.build({-1, 4});
    const std::string path = dir / name;
    save_model(m, path);
    return path;
}

json read_json(const std::string& path) { return json::parse(tn::read_file(path)); }
void write_json(const std::string& path, const json& j) { write_text(path, j.dump(1)); }

// The one weights file model.json names.
std::string weights_name(const std::string& model_json) {
    return read_json(model_json).at("weightsManifest").at(0).at("paths").at(0).get<std::string>();
}

// Points model.json's manifest at `name` and drops the tapenet block (its CRC would refuse first).
void point_weights_at(const std::string& model_json, const std::string& name) {
    json j = read_json(model_json);
    j["weightsManifest"][0]["paths"] = json::array({name});
    j.erase("userDefinedMetadata");
    write_json(model_json, j);
}

std::string load(const std::string& path) {
    load_model(path);
    return "loaded";
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}


// ---- special files and links (items 4, 5) ----

TEST_CASE("hostile: FIFOs, devices, directories and links out of the folder are refused, never read") {
    TempDir dir("hostile"), outside("hostile_out");
    const std::string path = save_dense(dir);
    const std::string good_weights = weights_name(path);
    write_text(outside / "victim.bin", tn::read_file(dir / good_weights));

    SUBCASE("weights file is a FIFO (would block forever)") {
        REQUIRE(::mkfifo((dir / "fifo.bin").c_str(), 0644) == 0);
        point_weights_at(path, "fifo.bin");
        expect_refused("fifo", [&] { return load(path); }, {"fifo.bin", "is not a regular file but a FIFO"});
    }
    SUBCASE("model.json is a FIFO") {
        REQUIRE(::mkfifo((dir / "pipe.json").c_str(), 0644) == 0);
        expect_refused("fifo json", [&] { return load(dir / "pipe.json"); }, {"pipe.json", "a FIFO"});
    }
    SUBCASE("model.json is a directory, or a link to /dev/zero") {
        fs::create_directory(dir / "d.json");
        expect_refused("dir json", [&] { return load(dir / "d.json"); }, {"d.json", "a directory"});
        fs::create_symlink("/dev/zero", dir / "zero.json");
        expect_refused("zero json", [&] { return load(dir / "zero.json"); }, {"zero.json", "a character device"});
    }
    SUBCASE("weights file is a link to /dev/zero or /dev/null") {
        for (const char* dev : {"/dev/zero", "/dev/null"}) {
            fs::remove(dir / "dev.bin");
            fs::create_symlink(dev, dir / "dev.bin");
            point_weights_at(path, "dev.bin");
            expect_refused(dev, [&] { return load(path); }, {"dev.bin", "a character device"});
        }
    }
    SUBCASE("weights file is a link to a file outside the folder (the /etc/passwd case)") {
        fs::create_symlink(outside / "victim.bin", dir / "w.bin");
        point_weights_at(path, "w.bin");
        expect_refused("link out", [&] { return load(path); }, {"'w.bin' leads to", "outside the model's directory"});
    }
    SUBCASE("weights under a folder that is a link out of the model's folder") {
        fs::create_directory_symlink(outside.path, dir / "escape");
        point_weights_at(path, "escape/victim.bin");
        expect_refused("dir link out", [&] { return load(path); }, {"escape/victim.bin", "outside the model's directory"});
    }
    SUBCASE("a link inside the folder to the folder's own weights loads") {
        fs::create_symlink(good_weights, dir / "alias.bin");
        point_weights_at(path, "alias.bin");
        expect_success("link in", [&] { return load(path); }, "loaded");
    }
    SUBCASE("a sparse 8 GiB weights file is refused from its size, before a byte is read") {
        const int fd = ::open((dir / good_weights).c_str(), O_WRONLY);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, int64_t{8} << 30) == 0);
        ::close(fd);
        point_weights_at(path, good_weights);
        const Outcome out = in_child("sparse 8 GiB weights", [&] { return load(path); });
        CHECK(out.kind == Outcome::refused);
        CHECK(contains(out.message, "weights file too long: holds 8589934592 bytes"));
        CHECK(out.peak_kb < kRefusalPeakKb);
    }
}

// ---- numbers and counts (item 7) ----

TEST_CASE("hostile: overflowing shapes, huge declared sizes and counts are refused with the file named") {
    TempDir dir("hostile");
    const std::string path = save_dense(dir);
    const json good = read_json(path);
    const auto with = [&](const std::function<void(json&)>& edit) {
        json j = good;
        j.erase("userDefinedMetadata");
        edit(j);
        write_json(path, j);
    };
    SUBCASE("shape dimensions past int64, negative, fractional, or multiplying past 2^36 values") {
        for (const char* shape : {"[18446744073709551615, 1]", "[-4, 3]", "[4.5, 3]", "[1099511627776, 1099511627776]",
                                  "[100000000000000000000]", "[9223372036854775807, 2]"}) {
            with([&](json& j) { j["weightsManifest"][0]["weights"][0]["shape"] = json::parse(shape); });
            expect_refused(shape, [&] { return load(path); }, {path});
        }
    }
    SUBCASE("a manifest asking for more memory than the process has (sparse file of that size)") {
        // 2^35 floats = 128 GiB declared, and a sparse file that holds exactly that: only the memory check stops it.
        const int64_t values = int64_t{1} << 35;
        with([&](json& j) {
            j["weightsManifest"][0]["weights"] = json::array({{{"name", "big"}, {"shape", {values}}, {"dtype", "float32"}}});
        });
        const int fd = ::open((dir / weights_name(path)).c_str(), O_WRONLY);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, 4 * values) == 0);
        ::close(fd);
        const Outcome out = in_child("128 GiB declared", [&] { return load(path); });
        INFO(out.message);
        CHECK(out.kind == Outcome::refused);
        CHECK(contains(out.message, path));
        CHECK(contains(out.message, "137438953472 bytes (128.0 GiB)"));
        CHECK(out.peak_kb < kRefusalPeakKb);
    }
    SUBCASE("5 000 and 50 000 manifest entries: refused (the file is short) in linear time") {
        double seconds[2] = {0, 0};
        for (int run = 0; run < 2; ++run) {
            const int count = run == 0 ? 5'000 : 50'000;
            with([&](json& j) {
                json entries = json::array();
                for (int i = 0; i < count; ++i)
                    entries.push_back({{"name", "w" + std::to_string(i)}, {"shape", json::array()}, {"dtype", "float32"}});
                j["weightsManifest"][0]["weights"] = entries;
            });
            const Outcome out = in_child(std::to_string(count) + " entries", [&] { return load(path); });
            INFO(out.message);
            CHECK(out.kind == Outcome::refused);
            CHECK(contains(out.message, "weights file too short"));
            seconds[run] = out.cpu_seconds;
        }
        MESSAGE("manifest entries: 5 000 in " << seconds[0] << " s of CPU, 50 000 in " << seconds[1] << " s");
        CHECK(seconds[1] < 25 * seconds[0] + 0.5);  // linear: 10x the entries, about 10x the time
    }
    SUBCASE("a Dense of 2^40 units, an LSTM of 2^31 units") {
        with([&](json& j) { j["modelTopology"]["config"]["layers"][0]["config"]["units"] = int64_t{1} << 40; });
        expect_refused("dense 2^40", [&] { return load(path); }, {path});
        with([&](json& j) {
            json& layer = j["modelTopology"]["config"]["layers"][0];
            layer["class_name"] = "LSTM";
            layer["config"]["units"] = int64_t{1} << 31;
            j["modelTopology"]["config"]["layers"][0]["config"]["batch_input_shape"] = json::array({nullptr, 5, 4});
        });
        expect_refused("lstm 2^31", [&] { return load(path); }, {path});
    }
    SUBCASE("an input shape past int64 or of 2^62") {
        for (const char* shape : {"[null, 100000000000000000000]", "[null, 4611686018427387904]", "[null, -1]"}) {
            with([&](json& j) { j["modelTopology"]["config"]["layers"][0]["config"]["batch_input_shape"] = json::parse(shape); });
            expect_refused(shape, [&] { return load(path); }, {path});
        }
    }
}

// ---- silent accepts (item 8) ----

TEST_CASE("hostile: model files the loader used to accept silently") {
    TempDir dir("hostile");
    const std::string path = save_dense(dir);
    const json good = read_json(path);
    const std::string weights = weights_name(path);
    const auto with = [&](const std::function<void(json&)>& edit) {
        json j = good;
        edit(j);
        write_json(path, j);
    };
    SUBCASE("a path listed twice, also as ./name") {
        for (const std::string& twice : {weights, "./" + weights}) {
            with([&](json& j) { j["weightsManifest"][0]["paths"] = json::array({weights, twice}); });
            expect_refused(twice, [&] { return load(path); }, {path, "twice"});
        }
    }
    SUBCASE("userDefinedMetadata of the wrong type") {
        for (const json& bad : {json(5), json::array(), json("tapenet")}) {
            with([&](json& j) { j["userDefinedMetadata"] = bad; });
            expect_refused(bad.dump(), [&] { return load(path); }, {path, "userDefinedMetadata must be an object"});
        }
    }
    SUBCASE("an LSTM dropout outside [0, 1) or not a number") {
        TempDir d2("hostile");
        Model m(1);
        m.add<tn::LSTM>(2);
        m.build({-1, 3, 2});
        const std::string p2 = d2 / "model.json";
        save_model(m, p2);
        const json lstm = read_json(p2);
        for (const json& bad : {json(1.0), json(-0.1), json("0.5"), json(1e300)}) {
            json j = lstm;
            j["modelTopology"]["config"]["layers"][0]["config"]["dropout"] = bad;
            write_json(p2, j);
            expect_refused(bad.dump(), [&] { return load(p2); }, {p2, "dropout"});
        }
        json j = lstm;
        j["modelTopology"]["config"]["layers"][0]["config"]["recurrent_dropout"] = 0.25;
        write_json(p2, j);
        expect_success("dropout 0.25", [&] { return load(p2); }, "loaded");
    }
}

// A compiled model with Adam state (one step taken), checkpointed into `dir`.
std::string save_adam_checkpoint(const TempDir& dir) {
    Model m(3);
    m.add<Dense>(2);
    m.add<Dropout>(0.2);
    m.add<Dense>(1);
    m.compile("mse", std::make_unique<Adam>());
    tn::Rng rng(4);
    const Tensor x = Tensor::normal({8, 3}, 0, 1, rng), y = Tensor::normal({8, 1}, 0, 1, rng);
    m.fit(x, y, {.epochs = 1, .batch_size = 8, .verbose = 0});
    const std::string path = dir / "ckpt.json";
    save_checkpoint(m, 1, path);
    return path;
}

std::string load_ckpt(const std::string& path) {
    load_checkpoint(path);
    return "loaded";
}

// restore_checkpoint into a model the caller compiled (the path that did not check the saved optimizer).
std::string restore_into_fresh(const std::string& path) {
    Model m(3);
    m.add<Dense>(2);
    m.add<Dropout>(0.2);
    m.add<Dense>(1);
    m.build({-1, 3});
    m.compile("mse", std::make_unique<Adam>());
    restore_checkpoint(m, path);
    return "restored";
}

// The bytes of the weights file with the float at `index` (of the whole file) replaced by v.
void poke_float(const std::string& file, size_t index, float v) {
    std::string bytes = tn::read_file(file);
    std::memcpy(bytes.data() + 4 * index, &v, 4);
    write_text(file, bytes);
}

TEST_CASE("hostile: checkpoints with impossible optimizer state or missing random state are refused") {
    TempDir dir("hostile");
    const std::string path = save_adam_checkpoint(dir);
    const json good = read_json(path);
    const auto with = [&](const std::function<void(json&)>& edit) {
        json j = good;
        edit(j);
        write_json(path, j);
    };
    expect_success("good checkpoint", [&] { return load_ckpt(path); }, "loaded");
    SUBCASE("a negative Adam v") {
        // Entries: 4 weights, iter, 4 m, 4 v; the first v of dense/kernel is float index 6+2+3+1+1 + (6+2+3+1).
        const json& entries = good["weightsManifest"][0]["weights"];
        size_t offset = 0;
        for (const json& e : entries) {
            if (e["name"].get<std::string>().ends_with("/v")) break;
            size_t n = 1;
            for (const json& d : e["shape"]) n *= d.get<size_t>();
            offset += n;
        }
        json j = good;
        j.erase("userDefinedMetadata");  // the CRC would refuse first; keep the rest a valid TF.js checkpoint
        write_json(path, j);
        poke_float(dir / weights_name(path), offset, -1.0f);
        expect_refused("negative v", [&] { return restore_into_fresh(path); }, {path, "never negative"});
    }
    SUBCASE("a tapenet checkpoint without random_state") {
        with([](json& j) { j["userDefinedMetadata"]["tapenet"].erase("random_state"); });
        expect_refused("no random_state", [&] { return load_ckpt(path); }, {path, "random_state", "not be exact"});
    }
    SUBCASE("an unknown Adam form, an optimizer config of the wrong type") {
        for (const json& bad : {json{{"class_name", "Adam"}, {"config", {{"form", "bogus"}}}},
                                json{{"class_name", "Adam"}, {"config", 5}},
                                json{{"class_name", "Adam"}, {"config", {{"form", 3}}}}}) {
            with([&](json& j) { j["userDefinedMetadata"]["tapenet"]["optimizer"] = bad; });
            expect_refused(bad.dump(), [&] { return load_ckpt(path); }, {path});
            expect_refused(bad.dump(), [&] { return restore_into_fresh(path); }, {path});
        }
    }
}

// ---- saving into folders that hold other files (items 1, 3) ----

TEST_CASE("hostile: a save deletes only its own pattern's files, and cleans up its leftovers") {
    TempDir dir("hostile"), outside("hostile_out");
    const std::string path = save_dense(dir);
    write_text(outside / "victim.txt", "precious");
    write_text(dir / "notes.txt", "mine");

    SUBCASE("a model.json listing a file behind a folder link, a note, and itself") {
        fs::create_directory_symlink(outside.path, dir / "escape");
        json j = read_json(path);
        j["weightsManifest"][0]["paths"] = json::array({"escape/victim.txt", "notes.txt", "model.json"});
        write_json(path, j);
        expect_success("save", [&] { save_dense(dir, 2); return std::string("saved"); }, "saved");
        CHECK(fs::exists(outside / "victim.txt"));
        CHECK(fs::exists(dir / "notes.txt"));
        expect_success("load", [&] { return load(path); }, "loaded");
    }
    SUBCASE("a pattern-named link to a file outside is neither followed nor removed") {
        fs::create_symlink(outside / "victim.txt", dir / "model.weights.deadbeef.bin");
        expect_success("save", [&] { save_dense(dir, 2); return std::string("saved"); }, "saved");
        CHECK(fs::is_symlink(dir / "model.weights.deadbeef.bin"));
        CHECK(tn::read_file(outside / "victim.txt") == "precious");
    }
    SUBCASE("orphans of interrupted saves go; files another model.json names stay") {
        write_text(dir / "model.weights.0badf00d.bin", "orphan");
        write_text(dir / "model.weights.0badf00d.3.bin", "orphan");
        write_text(dir / "model.json.tmp.123", "old temp");
        write_text(dir / "model.json.tmp.Ab3xYz", "temp");
        write_text(dir / "model.weights.cafebabe.bin", "kept");
        write_text(dir / "model.weights.nothex00.bin", "not the pattern");
        json backup = read_json(path);
        backup["weightsManifest"][0]["paths"] = json::array({"model.weights.cafebabe.bin"});
        write_json(dir / "backup.json", backup);
        expect_success("save", [&] { save_dense(dir, 2); return std::string("saved"); }, "saved");
        const std::string now = weights_name(path);
        const std::vector<std::string> left = names_in(dir.str());
        INFO("left: " << json(left).dump());
        std::vector<std::string> expected = {"backup.json", "model.json", "model.weights.cafebabe.bin",
                                             "model.weights.nothex00.bin", now, "notes.txt"};
        std::sort(expected.begin(), expected.end());
        CHECK(left == expected);
    }
}

// ---- concurrent saves and loads (item 2) ----

TEST_CASE("hostile: concurrent savers (threads and processes) and readers only ever see a complete pair") {
    TempDir dir("hostile");
    const std::string path = save_dense(dir);
    std::atomic<int> save_failures{0}, load_failures{0}, loads{0};
    std::string first_error;
    std::atomic<bool> done{false};
    {
        // Readers in this process while 3 forked processes and 2 threads save 15 times each.
        std::vector<pid_t> children;
        for (int p = 0; p < 3; ++p) {
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                ::alarm(kSecondsPerCase);
                int failures = 0;
                for (int i = 0; i < 15; ++i) {
                    try {
                        save_dense(dir, 100 + static_cast<uint64_t>(p) * 100 + static_cast<uint64_t>(i));
                    } catch (const std::exception&) {
                        ++failures;
                    }
                }
                ::_exit(failures == 0 ? 0 : 1);
            }
            children.push_back(pid);
        }
        std::vector<std::thread> threads;
        for (int t = 0; t < 2; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 15; ++i) {
                    try {
                        save_dense(dir, 1000 + static_cast<uint64_t>(t) * 100 + static_cast<uint64_t>(i));
                    } catch (const std::exception&) {
                        ++save_failures;
                    }
                }
            });
        std::thread reader([&] {
            while (!done) {
                try {
                    tn::read_model_files(path);
                    ++loads;
                } catch (const std::exception& e) {
                    if (load_failures++ == 0) first_error = e.what();
                }
            }
        });
        for (auto& t : threads) t.join();
        for (pid_t pid : children) {
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
        }
        done = true;
        reader.join();
    }
    INFO("first load error: " << first_error);
    CHECK(save_failures == 0);
    CHECK(load_failures == 0);
    CHECK(loads > 0);
    MESSAGE("concurrent saves: 75 saves (3 processes, 2 threads), " << loads.load() << " loads alongside, "
                                                                     << load_failures.load() << " failed");
    // The last pair loads, and nothing but it is left (no lock file either).
    expect_success("final load", [&] { return load(path); }, "loaded");
    CHECK(names_in(dir.str()) == std::vector<std::string>{"model.json", weights_name(path)});
}

// ---- tapenet-inspect (item 12) ----

TEST_CASE("hostile: tapenet-inspect prints a file's control characters escaped, never raw") {
    TempDir dir("hostile");
    const std::string path = save_dense(dir);
    json j = read_json(path);
    j["generatedBy"] = "\x1b]0;owned\x07\x1b[2J\xc2\x9b" "31m";
    write_json(path, j);
    const tn::testing::RunOutput r = tn::testing::run_example("tapenet-inspect", "'" + path + "'", dir);
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b31m"));
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find('\x07') == std::string::npos);
}

// ---- text files (item 13) ----

TEST_CASE("hostile: the text loaders refuse a text over kMaxTextBytes and special files") {
    TempDir dir("hostile");
    fs::create_directories(dir.path / "a");
    fs::create_directories(dir.path / "b");
    write_text(dir / "a/1.txt", "short");
    {
        const int fd = ::open((dir / "b/big.txt").c_str(), O_WRONLY | O_CREAT, 0644);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, int64_t{200} << 20) == 0);  // 200 MB, sparse
        ::close(fd);
    }
    expect_refused("200 MB text", [&] { tn::load_text_folder(dir.str()); return std::string("loaded"); },
                   {"big.txt", "holds 209715200 bytes, more than the 16 MiB"});
    TempDir names("hostile");
    {
        std::ofstream list(names / "female.txt", std::ios::binary);
        for (int i = 0; i < 2'000'000; ++i) list << "name" << i << "\n";  // 21 MB of names
    }
    expect_refused("21 MB name list", [&] { tn::load_name_lists(names.str()); return std::string("loaded"); },
                   {"female.txt", "more than the 16 MiB"});
}

}  // namespace tn::hostile
