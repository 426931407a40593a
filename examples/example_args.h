// tapenet examples: what every example binary shares: its command-line flags, its output folder and
// exit status (metrics.json: examples/metrics.h). Compiled once in examples/common/example_args.cpp and linked into every example.
//
//   tn::examples::Flags flags("find_max", "Learn the maximum of 10 numbers; draws the attention.");
//   tn::examples::CommonArgs args{.epochs = 5, .out = "out/find_max"};   // this example's defaults
//   int64_t train = 80000;                                               // default, then the value
//   int cell_px = 20;
//   std::string optimizer = "rmsprop";
//   tn::examples::add_common_flags(flags, args);     // --epochs --seed --out --threads --verbose
//   flags.add("--train", train, int64_t{1}, kMaxSamples, "training samples");  // an integer in [1, 10^6]
//   flags.add("--cell-px", cell_px, 4, 200, "heatmap cell size");              // an integer in [4, 200]
//   flags.add("--optimizer", optimizer, "NAME", "rmsprop or adam");          // text; NAME is for --help
//   if (auto exit_code = flags.parse(argc, argv)) return *exit_code;   // --help, or a bad flag
//   tn::examples::apply_common_args(args);           // sets the thread count, creates --out
//
// Flags take their value as the next argument or after '=' ("--epochs 3", "--epochs=3"). A bad
// command line prints ONE line on stderr and the binary exits with status 2:
//   find_max: unknown flag '--epoch' (see --help)
//   find_max: --epochs needs a value
//   find_max: --epochs expects an integer in [1, 10000], got 'x3'
//
// The ranges keep every run within what a tensor and the machine can hold (a --train of 2^63 would
// overflow the data's shape); docs/examples.md lists them.
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>


namespace tn::examples {

class Flags {
public:
    Flags(std::string program, std::string about) : program_(std::move(program)), about_(std::move(about)) {}

    // An integer flag whose value must lie in [min, max]: every numeric flag has a range, shown by
    // --help and named by the error. `value` holds the default and receives the result.
    template <class Int>
    void add(const std::string& name, Int& value, Int min, Int max, const std::string& help) {
        const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
        add_flag(name, "N", help + ", in " + range, std::to_string(value),
                 [this, name, range, &value, min, max](const std::string& text) {
                     Int parsed{};
                     const char* end = text.data() + text.size();
                     const auto [ptr, ec] = std::from_chars(text.data(), end, parsed);
                     if (text.empty() || ec != std::errc() || ptr != end || parsed < min || parsed > max)
                         fail(name + " expects an integer in " + range + ", got '" + text + "'");
                     value = parsed;
                 });
    }

    // A text flag (a path, ...); it must not be empty. `metavar` names the value in the usage text.
    void add(const std::string& name, std::string& value, const std::string& metavar, const std::string& help);

    // Parses argv[1..]. Returns nothing when the program should go on, else its exit status:
    // 0 after --help (usage printed on stdout), 2 after a bad flag (one line on stderr).
    std::optional<int> parse(int argc, char** argv);

    std::string usage() const;

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
                  std::string default_text, std::function<void(const std::string&)> set);
    const Flag* find(const std::string& name) const;

    std::string program_, about_;
    std::vector<Flag> flags_;
};

// The largest --train / --val of the examples that generate their data: a million sequences of
// 10 or 20 floats are 40 to 80 MB.
constexpr int64_t kMaxSamples = 1'000'000;

// The flags every example has.
struct CommonArgs {
    int epochs = 1;
    uint64_t seed = 7;
    std::string out;
    int threads = 1;  // tapenet's threads; 1 by default so that documented runs reproduce bit for bit
    int verbose = 1;  // Model::fit's verbose: 0 silent, 1 progress bar, 2 one line per epoch
};

// Adds --epochs --seed --out --threads --verbose, writing into `args`.
void add_common_flags(Flags& flags, CommonArgs& args);

// Applies what the common flags ask of the process (threads) and creates the output folder.
// Under mpirun (docs/distributed.md) every rank runs the whole example, and fit trains data-parallel;
// rank 0 alone prints and writes into --out: a rank > 0 gets a scratch folder of its own for
// args.out (removed at exit) and its standard output goes to /dev/null.
void apply_common_args(CommonArgs& args);

// Runs an example's body: an exception becomes one line "<program>: error: <what>" and status 1
// (under mpirun it ends the whole job: tn::distributed::abort).
int run_example(const std::string& program, const std::function<int()>& body);

}  // namespace tn::examples
