// tapenet examples: what every example binary shares: its command-line flags, its output folder and
// its metrics.json. Header-only, because each examples/NAME.cpp is linked into its own binary.
//
//   tn::examples::Flags flags("find_max", "Learn the maximum of 10 numbers; draws the attention.");
//   tn::examples::CommonArgs args{.epochs = 5, .out = "out/find_max"};   // this example's defaults
//   int64_t train = 80000;                                               // default, then the value
//   int cell_px = 20;
//   std::string optimizer = "rmsprop";
//   tn::examples::add_common_flags(flags, args);     // --epochs --seed --out --threads --verbose
//   flags.add("--train", train, int64_t{1}, "training samples");             // an integer >= 1
//   flags.add("--cell-px", cell_px, 4, "heatmap cell size", 200);            // an integer in [4, 200]
//   flags.add("--optimizer", optimizer, "NAME", "rmsprop or adam");          // text; NAME is for --help
//   if (auto exit_code = flags.parse(argc, argv)) return *exit_code;   // --help, or a bad flag
//   tn::examples::apply_common_args(args);           // sets the BLAS threads, creates --out
//
// Flags take their value as the next argument or after '=' ("--epochs 3", "--epochs=3"). A bad
// command line prints ONE line on stderr and the binary exits with status 2:
//   find_max: unknown flag '--epoch' (see --help)
//   find_max: --epochs needs a value
//   find_max: --epochs expects an integer >= 1, got 'x3'
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/gemm.h"
#include "io/atomic_file.h"

namespace tn::examples {

class Flags {
public:
    Flags(std::string program, std::string about) : program_(std::move(program)), about_(std::move(about)) {}

    // An integer flag whose value must lie in [min, max]. `value` holds the default and receives the result.
    template <class Int>
    void add(const std::string& name, Int& value, Int min, const std::string& help,
             Int max = std::numeric_limits<Int>::max()) {
        add_flag(name, "N", help, std::to_string(value), [this, name, &value, min, max](const std::string& text) {
            Int parsed{};
            const char* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
            if (text.empty() || ec != std::errc() || ptr != end || parsed < min || parsed > max)
                fail(name + " expects an integer " +
                     (max == std::numeric_limits<Int>::max() ? ">= " + std::to_string(min)
                                                             : "in [" + std::to_string(min) + ", " + std::to_string(max) + "]") +
                     ", got '" + text + "'");
            value = parsed;
        });
    }

    // A text flag (a path, ...); it must not be empty. `metavar` names the value in the usage text.
    void add(const std::string& name, std::string& value, const std::string& metavar, const std::string& help) {
        add_flag(name, metavar, help, value, [this, name, &value](const std::string& text) {
            if (text.empty()) fail(name + " expects a non-empty value");
            value = text;
        });
    }

    // Parses argv[1..]. Returns nothing when the program should go on, else its exit status:
    // 0 after --help (usage printed on stdout), 2 after a bad flag (one line on stderr).
    std::optional<int> parse(int argc, char** argv) {
        try {
            for (int i = 1; i < argc; ++i) {
                std::string arg = argv[i];
                if (arg == "--help" || arg == "-h") {
                    std::cout << usage();
                    return 0;
                }
                std::optional<std::string> value;
                if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
                    value = arg.substr(eq + 1);
                    arg.resize(eq);
                }
                const Flag* flag = find(arg);
                if (!flag) fail("unknown " + std::string(arg.rfind("-", 0) == 0 ? "flag" : "argument") + " '" +
                                arg + "' (see --help)");
                if (!value) {
                    if (i + 1 >= argc) fail(arg + " needs a value");
                    value = argv[++i];
                }
                flag->set(*value);
            }
        } catch (const BadFlag& e) {
            std::cerr << program_ << ": " << e.what() << "\n";
            return 2;
        }
        return std::nullopt;
    }

    std::string usage() const {
        size_t width = std::string("--help").size();
        for (const Flag& f : flags_) width = std::max(width, f.name.size() + 1 + f.metavar.size());
        auto line = [width](std::string left, const std::string& right) {
            left.resize(width, ' ');
            return "  " + left + "  " + right + "\n";
        };
        std::string text = "Usage: " + program_ + " [flags]\n" + about_ + "\n\nFlags:\n";
        for (const Flag& f : flags_)
            text += line(f.name + " " + f.metavar, f.help + " (default: " + f.default_text + ")");
        return text + line("--help", "this text");
    }

    const std::string& program() const { return program_; }

private:
    struct BadFlag : std::runtime_error {
        using std::runtime_error::runtime_error;
    };
    struct Flag {
        std::string name, help, default_text, metavar;
        std::function<void(const std::string&)> set;
    };

    [[noreturn]] static void fail(const std::string& message) { throw BadFlag(message); }

    void add_flag(const std::string& name, const std::string& metavar, const std::string& help,
                  std::string default_text, std::function<void(const std::string&)> set) {
        flags_.push_back({name, help, std::move(default_text), metavar, std::move(set)});
    }

    const Flag* find(const std::string& name) const {
        for (const Flag& f : flags_)
            if (f.name == name) return &f;
        return nullptr;
    }

    std::string program_, about_;
    std::vector<Flag> flags_;
};

// The flags every example has.
struct CommonArgs {
    int epochs = 1;
    uint64_t seed = 7;
    std::string out;
    int threads = 1;  // OpenBLAS threads; one is fastest for these small matrices (docs/examples.md)
    int verbose = 1;  // Model::fit's verbose: 0 silent, 1 progress bar, 2 one line per epoch
};

inline void add_common_flags(Flags& flags, CommonArgs& args) {
    flags.add("--epochs", args.epochs, 1, "training epochs");
    flags.add("--seed", args.seed, uint64_t{0}, "seed of the data, the initial weights and the shuffling");
    flags.add("--out", args.out, "DIR", "output folder (created if missing)");
    flags.add("--threads", args.threads, 1, "OpenBLAS threads");
    flags.add("--verbose", args.verbose, 0, "0 quiet, 1 progress bar, 2 one line per epoch");
}

// Applies what the common flags ask of the process (threads) and creates the output folder.
inline void apply_common_args(const CommonArgs& args) {
    tn::set_num_threads(args.threads);
    std::error_code ec;
    std::filesystem::create_directories(args.out, ec);
    if (ec) throw std::runtime_error("cannot create the output folder '" + args.out + "': " + ec.message());
}

// Writes DIR/metrics.json (atomically: a reader never sees half a file) and returns its path.
inline std::string write_metrics(const std::string& dir, const nlohmann::ordered_json& metrics) {
    const std::string path = (std::filesystem::path(dir) / "metrics.json").string();
    tn::write_file_atomically(path, metrics.dump(2) + "\n");
    return path;
}

// Runs an example's body: an exception becomes one line "<program>: error: <what>" and status 1.
inline int run_example(const std::string& program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        std::cerr << program << ": error: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace tn::examples
