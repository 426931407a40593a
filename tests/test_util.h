// Test helpers shared by the test files that write files or run the example binaries:
// a scratch folder, reading JSON back, and running an example with its output captured.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/parallel.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "io/atomic_file.h"  // tn::read_file

namespace tn::testing {

// A fresh, empty folder under the system's temp folder (mkdtemp: unique even when a test holds
// several), removed with everything in it by the destructor.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag = "test") {
        std::string name = (std::filesystem::temp_directory_path() / ("tapenet_" + tag + "_XXXXXX")).string();
        REQUIRE_MESSAGE(::mkdtemp(name.data()) != nullptr, "cannot create a temp folder " << name);
        path = name;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string str() const { return path.string(); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Uniform values in [-1, 1) drawn from Rng(seed).
inline Tensor uniform_tensor(Shape shape, uint64_t seed) {
    Rng rng(seed);
    return Tensor::uniform(std::move(shape), -1.0f, 1.0f, rng);
}

// Same shape and the same float bits.
inline bool same_bits(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() &&
           std::memcmp(a.data(), b.data(), static_cast<size_t>(a.numel()) * sizeof(float)) == 0;
}

// Sets tapenet's thread count (core/parallel.h) for one scope.
class ThreadCount {
public:
    explicit ThreadCount(int n) : previous_(num_threads()) { set_num_threads(n); }
    ~ThreadCount() { set_num_threads(previous_); }
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

private:
    int previous_;
};

inline nlohmann::ordered_json read_json(const std::string& path) {
    REQUIRE_MESSAGE(std::filesystem::exists(path), path << " was not written");
    return nlohmann::ordered_json::parse(read_file(path));
}

// The example binary `name`: in $TAPENET_BIN_DIR (make test sets it to build/bin, or
// build-sanitize/bin), else beside the build this test binary belongs to (BUILD/tests/.. -> BUILD/bin).
inline std::string example_binary(const std::string& name) {
    namespace fs = std::filesystem;
    const char* env = std::getenv("TAPENET_BIN_DIR");
    const fs::path dir = env && *env ? fs::path(env) : fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin";
    const fs::path bin = dir / name;
    REQUIRE_MESSAGE(fs::exists(bin), bin.string() << " is missing: build the examples first (make, or make examples)");
    return bin.string();
}

// What running an example printed, and its exit status (-1 if it did not exit normally).
struct RunOutput {
    int status = -1;
    std::string out, err;
};

// Runs an example from the repository root (where the fixture paths start) with one BLAS thread,
// as the rest of the suite, capturing stdout and stderr in files of `dir`.
inline RunOutput run_example(const std::string& name, const std::string& args, const TempDir& dir) {
    const std::string out = dir / (name + ".stdout"), err = dir / (name + ".stderr");
    const std::string command =
        "OPENBLAS_NUM_THREADS=1 '" + example_binary(name) + "' " + args + " >'" + out + "' 2>'" + err + "'";
    const int raw = std::system(command.c_str());
    RunOutput r;
    if (raw != -1 && WIFEXITED(raw)) r.status = WEXITSTATUS(raw);
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

}  // namespace tn::testing
