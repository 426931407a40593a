// Every numeric flag of every example has a range: --help shows it, and a value outside it (up to
// the values that once overflowed a shape, such as --train 9223372036854775807) exits with status 2
// and one line naming the flag and the range. The binaries come from $TAPENET_BIN_DIR, as in
// tests/test_examples.cpp.
#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/test_util.h"

using tn::testing::RunOutput;
using tn::testing::TempDir;
using tn::testing::contains;
using tn::testing::run_example;

namespace {

struct NumericFlag {
    std::string name;
    int64_t min, max;
};

// The flags every example has, then each example's own (uint64 --seed is checked on its own).
const std::vector<NumericFlag> kCommonFlags = {{"--epochs", 1, 10000}, {"--threads", 1, 256}, {"--verbose", 0, 2}};

struct ExampleFlags {
    std::string binary;
    std::vector<NumericFlag> flags;
};

const std::vector<ExampleFlags> kExamples = {
    {"add_two_numbers", {{"--train", 1, 1000000}, {"--val", 1, 1000000}, {"--cell-px", 4, 200}, {"--fine-tune", 0, 10000}}},
    {"find_max", {{"--train", 1, 1000000}, {"--val", 1, 1000000}, {"--cell-px", 4, 200}, {"--fine-tune", 0, 10000}}},
    {"example_attention", {{"--train", 1, 1000000}}},
    {"names", {{"--maxlen", 1, 1000}, {"--rows", 1, 1000}}},
    {"text_classifier", {{"--runs", 1, 1000}, {"--top-words", 3, 1000000}, {"--maxlen", 1, 100000}, {"--html-texts", 0, 10000}}},
};

std::string range_of(const NumericFlag& f) {
    return "[" + std::to_string(f.min) + ", " + std::to_string(f.max) + "]";
}

// Runs `binary flag value` and checks the status-2 line naming the flag and its range.
void check_refused(const std::string& binary, const NumericFlag& f, const std::string& value, const TempDir& tmp) {
    CAPTURE(binary);
    CAPTURE(f.name);
    CAPTURE(value);
    const RunOutput r = run_example(binary, f.name + " " + value, tmp);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == binary + ": " + f.name + " expects an integer in " + range_of(f) + ", got '" + value + "'\n");
}

}  // namespace

TEST_CASE("example flags: every numeric flag refuses values outside its range with status 2") {
    TempDir tmp("example_flags");
    for (const ExampleFlags& example : kExamples) {
        std::vector<NumericFlag> flags = kCommonFlags;
        flags.insert(flags.end(), example.flags.begin(), example.flags.end());
        for (const NumericFlag& f : flags) {
            check_refused(example.binary, f, std::to_string(f.max + 1), tmp);
            check_refused(example.binary, f, std::to_string(f.min - 1), tmp);
            // The values that overflowed shapes (#19): 2^63 - 1, 2^62, and one past int64.
            for (const char* huge : {"9223372036854775807", "4611686018427387904", "9223372036854775808"})
                check_refused(example.binary, f, huge, tmp);
        }
        const RunOutput seed = run_example(example.binary, "--seed 18446744073709551616", tmp);
        CHECK(seed.status == 2);
        CHECK(seed.err == example.binary + ": --seed expects an integer in [0, 18446744073709551615], got "
                                           "'18446744073709551616'\n");
    }
}

TEST_CASE("example flags: --help shows the range of every numeric flag") {
    TempDir tmp("example_flags_help");
    for (const ExampleFlags& example : kExamples) {
        CAPTURE(example.binary);
        const RunOutput help = run_example(example.binary, "--help", tmp);
        REQUIRE(help.status == 0);
        std::vector<NumericFlag> flags = kCommonFlags;
        flags.insert(flags.end(), example.flags.begin(), example.flags.end());
        for (const NumericFlag& f : flags) {
            CAPTURE(f.name);
            // The flag's line holds its range.
            const size_t at = help.out.find("  " + f.name + " N");
            REQUIRE(at != std::string::npos);
            const std::string line = help.out.substr(at, help.out.find('\n', at) - at);
            CHECK(contains(line, "in " + range_of(f)));
        }
        CHECK(contains(help.out, "in [0, 18446744073709551615]"));
    }
}
