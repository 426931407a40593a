// CSV tensors (io/tensor_csv.h): a row per sample, read as numpy.loadtxt(delimiter=",") reads,
// round trips that keep every bit, and one FormatError naming file, line and field for bad text.
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "core/error.h"
#include "io/tensor_csv.h"
#include "tests/test_util.h"


namespace tensor_csv_test {

using tn::testing::contains;

std::string csv_error(const std::string& text, const std::optional<tn::Shape>& sample_shape = std::nullopt) {
    try {
        tn::parse_tensor_csv(text, "x.csv", sample_shape);
    } catch (const tn::FormatError& e) {
        return e.what();
    }
    FAIL("no FormatError for " << text);
    return "";
}


TEST_CASE("csv: rows are samples; comments, blank lines, a header, spaces and CRLF are read as numpy does") {
    const tn::Tensor t = tn::parse_tensor_csv("# written by hand\r\na, b ,c\r\n1, 2.5,-3\r\n\r\n 4e-1,+5,nan\r\n-inf,INF,7\n", "x.csv");
    REQUIRE(t.shape() == tn::Shape{3, 3});
    CHECK(t.at({0, 1}) == 2.5f);
    CHECK(t.at({1, 0}) == 0.4f);
    CHECK(t.at({1, 1}) == 5.0f);
    CHECK(std::isnan(t.at({1, 2})));
    CHECK(t.at({2, 0}) == -std::numeric_limits<float>::infinity());
    CHECK(t.at({2, 1}) == std::numeric_limits<float>::infinity());
    CHECK(tn::parse_tensor_csv("1\n2\n", "x.csv").shape() == tn::Shape{2, 1});
    CHECK(tn::parse_tensor_csv("1e-50,3", "x.csv")[0] == 0.0f);  // below float32: rounds to 0
}

TEST_CASE("csv: a sample shape folds each row in row-major order") {
    const tn::Tensor t = tn::parse_tensor_csv("0,1,2,3,4,5\n6,7,8,9,10,11\n", "x.csv", tn::Shape{3, 2});
    REQUIRE(t.shape() == tn::Shape{2, 3, 2});
    CHECK(t.at({1, 2, 0}) == 10.0f);
    CHECK(t.at({0, 1, 1}) == 3.0f);
    CHECK(tn::parse_tensor_csv("1,2,3\n", "x.csv", tn::Shape{-1}).shape() == tn::Shape{1, 3});  // (None,): any width
    CHECK(tn::parse_tensor_csv("1\n2\n", "x.csv", tn::Shape{}).shape() == tn::Shape{2});     // a value per sample
    CHECK(contains(csv_error("1,2\n", tn::Shape{}), "each row holds 2 values, a sample of shape () needs 1"));
    CHECK(contains(csv_error("1,2,3\n", tn::Shape{2, 2}), "x.csv: each row holds 3 values, a sample of shape (2, 2) needs 4"));
    CHECK(contains(csv_error("1,2,3\n", tn::Shape{-1, 3}), "a CSV row cannot say the shape of a sample of shape (-1, 3)"));
}

TEST_CASE("csv: round trips keep every bit; rank 0, 1 and 3 are written a sample per row") {
    tn::testing::TempDir dir("csv");
    tn::Tensor t = tn::testing::uniform_tensor({4, 3, 2}, 8);
    t[0] = std::numeric_limits<float>::quiet_NaN();
    t[1] = -std::numeric_limits<float>::infinity();
    t[2] = std::numeric_limits<float>::denorm_min();
    t[3] = std::numeric_limits<float>::max();
    t[4] = -0.0f;
    tn::write_tensor_csv(dir / "t.csv", t);
    CHECK(tn::testing::same_bits(tn::read_tensor_csv(dir / "t.csv", tn::Shape{3, 2}), t));
    CHECK(tn::tensor_csv_text(tn::Tensor::from_vector({0.1f, 2, -3.5f, 1e-7f}, {2, 2})) == "0.1,2\n-3.5,1e-07\n");
    CHECK(tn::tensor_csv_text(tn::Tensor::from_vector({1, 2, 3}, {3})) == "1\n2\n3\n");
    CHECK(tn::tensor_csv_text(tn::Tensor::scalar(0.5f)) == "0.5\n");
    CHECK(tn::tensor_csv_text(tn::Tensor({0, 3})).empty());
}

TEST_CASE("csv: bad text is one FormatError naming the line and field") {
    CHECK(contains(csv_error("1,2\n3,abc\n"), "x.csv: line 2, field 2: 'abc' is not a number"));
    CHECK(contains(csv_error("1,2\n3,,4\n"), "x.csv: line 2 holds 3 values, line 1 holds 2"));
    CHECK(contains(csv_error("1,2\n3,\n"), "x.csv: line 2, field 2 is empty"));
    CHECK(contains(csv_error("1,2\n3,4x\n"), "'4x' is not a number"));
    CHECK(contains(csv_error("1,1e39\n"), "x.csv: line 1, field 2 is 1e+39, beyond the range of float32"));
    CHECK(contains(csv_error("1,1e400\n"), "x.csv: line 1, field 2 is 1e400, beyond the range of float32"));
    CHECK(contains(csv_error("a,b\n"), "x.csv: holds no rows of numbers"));
    CHECK(contains(csv_error(""), "x.csv: holds no rows of numbers"));
    CHECK(contains(csv_error("a,b\nc,d\n"), "x.csv: line 2, field 1: 'c' is not a number"));  // one header only
    try {
        tn::read_tensor_csv("tests/fixtures/no_such.csv");
        FAIL("no error");
    } catch (const tn::FormatError& e) {
        CHECK(contains(e.what(), "no_such.csv"));
    }
}

}  // namespace tensor_csv_test
