// .npy files (io/npy.h): the fixtures of tests/fixtures/npy/ were written by NumPy 1.24 itself
// (make_fixtures.py there), so reading them checks tapenet against NumPy's rules, and writing is
// compared byte for byte with NumPy's files. Damaged files and refused dtypes give one FormatError
// naming the file and the problem.
#include <cmath>
#include <cstdint>
#include <limits>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/error.h"
#include "io/npy.h"
#include "tests/test_util.h"


namespace npy_test {

using tn::testing::contains;

const std::string kDir = "tests/fixtures/npy/";

// The fixtures' values (make_fixtures.py): i * 0.5 - 3 for floats, i - 5 for integers.
tn::Tensor fixture_values(const tn::Shape& shape, bool integers) {
    tn::Tensor t = tn::Tensor::empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t[i] = integers ? static_cast<float>(i - 5) : static_cast<float>(i) * 0.5f - 3.0f;
    return t;
}

// The FormatError message of reading `bytes` (fails the test if none is thrown).
std::string npy_error(const std::string& bytes, const std::string& name = "x.npy") {
    try {
        tn::parse_npy(bytes, name);
    } catch (const tn::FormatError& e) {
        return e.what();
    }
    FAIL("no FormatError for " << name);
    return "";
}

std::string read_error(const std::string& path) {
    try {
        tn::read_npy(path);
    } catch (const tn::FormatError& e) {
        return e.what();
    }
    FAIL("no FormatError for " << path);
    return "";
}

// A version-1 .npy with the given header dict and data bytes (padding as numpy writes it).
std::string npy_with_header(const std::string& dict, const std::string& data) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\0';
    out += static_cast<char>(header.size() & 0xFF);
    out += static_cast<char>(header.size() >> 8);
    return out + header + data;
}


TEST_CASE("npy: reads the four dtypes NumPy wrote, version 1 header, as float32") {
    for (const char* name : {"v1_f4.npy", "v1_f8.npy", "v1_i4.npy", "v1_i8.npy"}) {
        CAPTURE(name);
        const tn::Tensor t = tn::read_npy(kDir + name);
        const bool integers = std::string(name).find("_i") != std::string::npos;
        CHECK(tn::testing::same_bits(t, fixture_values({3, 4}, integers)));
    }
}

TEST_CASE("npy: reads version 2 and 3 headers") {
    for (const char* name : {"v2_f4.npy", "v3_f4.npy"}) {
        CAPTURE(name);
        const std::string bytes = tn::read_file(kDir + name);
        const tn::NpyHeader h = tn::parse_npy_header(bytes, name);
        CHECK(h.major_version == (std::string(name) == "v2_f4.npy" ? 2 : 3));
        CHECK(h.data_offset == 128);  // magic 6 + version 2 + length 4, header padded to 64
        CHECK(tn::testing::same_bits(tn::parse_npy(bytes, name), fixture_values({3, 4}, false)));
    }
}

TEST_CASE("npy: fortran_order True is transposed into row-major order") {
    const tn::NpyHeader h = tn::parse_npy_header(tn::read_file(kDir + "fortran_f8.npy"), "fortran_f8.npy");
    CHECK(h.fortran_order);
    CHECK(h.shape == tn::Shape{2, 3, 4});
    const tn::Tensor t = tn::read_npy(kDir + "fortran_f8.npy");
    CHECK(tn::testing::same_bits(t, fixture_values({2, 3, 4}, false)));
    CHECK(t.at({1, 2, 3}) == 23 * 0.5f - 3.0f);
}

TEST_CASE("npy: 0-d, 1-d and empty arrays") {
    const tn::Tensor scalar = tn::read_npy(kDir + "scalar_f4.npy");
    CHECK(scalar.shape().empty());
    CHECK(scalar.item() == 2.5f);
    CHECK(tn::testing::same_bits(tn::read_npy(kDir + "vector_f4.npy"), fixture_values({5}, false)));
    const tn::Tensor empty = tn::read_npy(kDir + "empty_f4.npy");
    CHECK(empty.shape() == tn::Shape{0, 3});
    CHECK(empty.numel() == 0);
}

TEST_CASE("npy: tapenet writes the bytes numpy.save writes") {
    CHECK(tn::npy_bytes(fixture_values({3, 4}, false)) == tn::read_file(kDir + "v1_f4.npy"));
    CHECK(tn::npy_bytes(fixture_values({5}, false)) == tn::read_file(kDir + "vector_f4.npy"));
    CHECK(tn::npy_bytes(tn::Tensor::scalar(2.5f)) == tn::read_file(kDir + "scalar_f4.npy"));
    CHECK(tn::npy_bytes(tn::Tensor({0, 3})) == tn::read_file(kDir + "empty_f4.npy"));
}

TEST_CASE("npy: round trips keep every bit, including NaN, infinities and -0") {
    tn::testing::TempDir dir("npy");
    tn::Tensor t = tn::testing::uniform_tensor({4, 3, 2}, 11);
    t[0] = std::numeric_limits<float>::quiet_NaN();
    t[1] = std::numeric_limits<float>::infinity();
    t[2] = -0.0f;
    t[3] = std::numeric_limits<float>::denorm_min();
    tn::write_npy(dir / "t.npy", t);
    CHECK(tn::testing::same_bits(tn::read_npy(dir / "t.npy"), t));
    // The largest rank numpy reads; beyond it, nothing is written.
    const tn::Tensor rank64(tn::Shape(64, 1));
    const std::string bytes = tn::npy_bytes(rank64);
    CHECK(tn::parse_npy_header(bytes, "x").data_offset % 64 == 0);
    CHECK(tn::parse_npy(bytes, "x").shape() == rank64.shape());
    CHECK_THROWS_AS(tn::npy_bytes(tn::Tensor(tn::Shape(65, 1))), tn::ShapeError);
}

TEST_CASE("npy: refuses a big-endian descr, naming it") {
    const std::string e = read_error(kDir + "big_endian_f4.npy");
    CHECK(contains(e, "big_endian_f4.npy: big-endian data (descr '>f4') is not supported"));
    CHECK(contains(e, "'<f4'"));
}

TEST_CASE("npy: refuses the dtypes it cannot read, naming them") {
    CHECK(contains(read_error(kDir + "bool.npy"), "dtype '|b1' is not supported; tapenet reads float32 '<f4', float64 "
                                                  "'<f8', int32 '<i4' and int64 '<i8'"));
    CHECK(contains(read_error(kDir + "uint16.npy"), "dtype '<u2' is not supported"));
    CHECK(contains(read_error(kDir + "structured.npy"), "a structured dtype"));
    CHECK(contains(read_error(kDir + "int64_too_large.npy"),
                   "element 1 is the integer 16777217, which float32 cannot hold exactly"));
    const std::string f8 = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                                           std::string("\x00\x00\x00\x00\x00\x00\xf0\x7f", 8));  // +inf is fine
    CHECK(std::isinf(tn::parse_npy(f8, "inf.npy")[0]));
    double huge = 1e300;
    std::string huge_bytes(8, '\0');
    std::memcpy(huge_bytes.data(), &huge, 8);
    CHECK(contains(npy_error(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", huge_bytes)),
                   "beyond the range of float32"));
}

TEST_CASE("npy: a truncated or damaged file is one FormatError naming the file, before any allocation") {
    const std::string good = tn::read_file(kDir + "v1_f4.npy");
    CHECK(contains(npy_error(good.substr(0, good.size() - 1)),
                   "x.npy: truncated: its shape (3, 4) of '<f4' needs 48 bytes of data, the file holds 47"));
    CHECK(contains(npy_error(good + "extra"), "x.npy: damaged: its shape (3, 4) of '<f4' needs 48 bytes of data, the file holds 53"));
    CHECK(contains(npy_error(good.substr(0, 40)), "truncated: its .npy header is 118 bytes long, the file ends after 30"));
    CHECK(contains(npy_error(good.substr(0, 9)), "not a .npy file"));
    CHECK(contains(npy_error("PK\x03\x04 a zip file, as numpy.savez writes"), "not a .npy file"));
    CHECK(contains(npy_error(std::string("\x93NUMPY\x04\x00\x10\x00", 10)), ".npy format version 4.0 is not supported"));
    // A shape whose size in bytes overflows, or that this file does not hold: refused by its size.
    for (const char* shape : {"(4611686018427387904, 4611686018427387904)", "(9223372036854775807,)", "(2305843009213693952,)"}) {
        CAPTURE(shape);
        const std::string bytes = npy_with_header(std::string("{'descr': '<f4', 'fortran_order': False, 'shape': ") + shape + ", }", "abcd");
        CHECK(contains(npy_error(bytes), "needs more bytes than any file holds"));
    }
    CHECK(contains(npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", "abcd")),
                   "truncated: its shape (1000000, 1000000) of '<f4' needs 4000000000000 bytes of data, the file holds 4"));
    CHECK(contains(npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "")),
                   "beyond 2^63 - 1"));
    CHECK(contains(npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", "abcd")),
                   "damaged: its shape (0, 3) of '<f4' needs 0 bytes of data, the file holds 4"));
}

TEST_CASE("npy: malformed headers are refused with what is wrong") {
    struct Case {
        std::string dict, message;
    };
    const std::vector<Case> cases = {
        {"{'descr': '<f4', 'shape': (1,), }", "no 'fortran_order' key"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1, }", "the key 'extra'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "the key 'descr'"},
        {"{'descr': '<f4', 'fortran_order': maybe, 'shape': (1,), }", "neither True nor False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "non-negative integer"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", "expected '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk", "text after the closing '}'"},
        {"{'descr: '<f4', 'fortran_order': False, 'shape': (1,), }", "malformed .npy header"},
        {"[1, 2]", "expected '{'"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.dict);
        const std::string e = npy_error(npy_with_header(c.dict, std::string(4, '\0')));
        CHECK(contains(e, "x.npy: malformed .npy header"));
        CHECK(contains(e, c.message));
    }
    // numpy accepts Python 2's long integers and no trailing comma; so does tapenet.
    const tn::Tensor t = tn::parse_npy(npy_with_header("{'shape': (2L, 1L), 'fortran_order': False, 'descr': '<f4'}",
                                                       std::string(8, '\0')),
                                       "x.npy");
    CHECK(t.shape() == tn::Shape{2, 1});
}

TEST_CASE("npy: files that are not regular files or do not exist are FormatErrors naming them") {
    CHECK(contains(read_error("tests/fixtures/npy/missing.npy"), "missing.npy"));
    CHECK(contains(read_error("tests/fixtures/npy"), "not a regular file"));
}

}  // namespace npy_test
