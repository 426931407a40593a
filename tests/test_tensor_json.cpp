// JSON tensors (io/tensor_json.h): {"shape", "data"} flat or nested as numpy's tolist() writes,
// round trips that keep every bit, and one FormatError naming the file for anything else.
#include <cmath>
#include <limits>
#include <string>

#include <doctest/doctest.h>

#include "core/error.h"
#include "io/tensor_json.h"
#include "tests/test_util.h"


namespace tensor_json_test {

using tn::testing::contains;

std::string json_error(const std::string& text) {
    try {
        tn::parse_tensor_json(text, "x.json");
    } catch (const tn::FormatError& e) {
        return e.what();
    }
    FAIL("no FormatError for " << text);
    return "";
}


TEST_CASE("json: flat and nested data, in any key order, with an optional dtype") {
    const tn::Tensor flat = tn::parse_tensor_json(R"({"shape": [2, 3], "data": [0, 1, 2, 3, 4.5, -5]})", "x.json");
    const tn::Tensor nested = tn::parse_tensor_json(R"({"data": [[0, 1, 2], [3, 4.5, -5]], "dtype": "float64", "shape": [2, 3]})", "x.json");
    REQUIRE(flat.shape() == tn::Shape{2, 3});
    CHECK(flat.at({1, 1}) == 4.5f);
    CHECK(tn::testing::same_bits(flat, nested));
    const tn::Tensor scalar = tn::parse_tensor_json(R"({"shape": [], "data": [7]})", "x.json");
    CHECK(scalar.shape().empty());
    CHECK(scalar.item() == 7.0f);
    CHECK(tn::parse_tensor_json(R"({"shape": [0, 3], "data": []})", "x.json").shape() == tn::Shape{0, 3});
    CHECK(tn::parse_tensor_json(R"({"shape": [2, 0], "data": [[], []]})", "x.json").shape() == tn::Shape{2, 0});
    const tn::Tensor special = tn::parse_tensor_json(R"({"shape": [4], "data": ["NaN", "Infinity", "-Infinity", null]})", "x.json");
    CHECK(std::isnan(special[0]));
    CHECK(special[1] == std::numeric_limits<float>::infinity());
    CHECK(special[2] == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(special[3]));
    // numpy's tolist() of a (2, 2, 2) array
    const tn::Tensor deep = tn::parse_tensor_json(R"({"shape": [2, 2, 2], "data": [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]})", "x.json");
    CHECK(deep.at({1, 0, 1}) == 5.0f);
}

TEST_CASE("json: round trips keep every bit") {
    tn::testing::TempDir dir("json");
    tn::Tensor t = tn::testing::uniform_tensor({3, 2, 2}, 9);
    t[0] = std::numeric_limits<float>::quiet_NaN();
    t[1] = std::numeric_limits<float>::infinity();
    t[2] = -std::numeric_limits<float>::infinity();
    t[3] = std::numeric_limits<float>::denorm_min();
    t[4] = -0.0f;
    t[5] = std::numeric_limits<float>::max();
    tn::write_tensor_json(dir / "t.json", t);
    CHECK(tn::testing::same_bits(tn::read_tensor_json(dir / "t.json"), t));
    CHECK(tn::tensor_json_text(tn::Tensor::from_vector({0.1f, -2, 1e-7f}, {3})) == R"({"shape": [3], "data": [0.1, -2, 1e-07]})");
}

TEST_CASE("json: anything but {shape, data} is one FormatError saying what is wrong") {
    CHECK(contains(json_error(R"({"shape": [2, 3], "data": [1, 2, 3, 4, 5]})"), "x.json: \"data\" holds 5 values, the shape [2, 3] needs 6"));
    CHECK(contains(json_error(R"({"shape": [3, 2], "data": [[1, 2, 3], [4, 5, 6]]})"), "\"data\" is nested as [2, 3], the shape is [3, 2]"));
    CHECK(contains(json_error(R"({"shape": [2, 2], "data": [[1, 2], [3]]})"), "nested lists of different lengths or depths"));
    CHECK(contains(json_error(R"({"shape": [2, 2], "data": [[1, 2], 3, 4]})"), "nested lists of different lengths or depths"));
    CHECK(contains(json_error(R"({"shape": [2, 1], "data": [1, [2]]})"), "nested lists of different lengths or depths"));
    CHECK(contains(json_error(R"({"shape": [2], "data": [1, 2], "shap": [2]})"), "has the key \"shap\""));
    CHECK(contains(json_error(R"({"shape": [2], "shape": [2], "data": [1, 2]})"), "has the key \"shape\" twice"));
    CHECK(contains(json_error(R"({"data": [1, 2]})"), "x.json: has no \"shape\""));
    CHECK(contains(json_error(R"({"shape": [2]})"), "x.json: has no \"data\""));
    CHECK(contains(json_error(R"({"shape": [-2], "data": []})"), "\"shape\" holds -2; dimensions are >= 0"));
    CHECK(contains(json_error(R"({"shape": [1.5], "data": [1]})"), "\"shape\" holds 1.5"));
    CHECK(contains(json_error(R"({"shape": 2, "data": [1, 2]})"), "\"shape\" is not a list"));
    CHECK(contains(json_error(R"({"shape": [2], "data": [1, true]})"), "has true or false in \"data\""));
    CHECK(contains(json_error(R"({"shape": [2], "data": [1, "two"]})"), "has the string \"two\" in \"data\""));
    CHECK(contains(json_error(R"({"shape": [1], "data": [{"a": 1}]})"), "a JSON object inside \"data\""));
    CHECK(contains(json_error(R"({"shape": [1], "data": [1], "dtype": "bool"})"), "\"dtype\" is \"bool\""));
    CHECK(contains(json_error(R"({"shape": [1], "data": [16777217]})"), "value 0 of \"data\" is the integer 16777217"));
    CHECK(contains(json_error(R"({"shape": [1], "data": [1e300]})"), "beyond the range of float32"));
    CHECK(contains(json_error(R"({"shape": [1], "data": [10000000000000000000]})"), "10000000000000000000 in \"data\" is beyond 2^63 - 1"));
    CHECK(contains(json_error(R"({"shape": [10000000000000000000], "data": [1]})"), "in \"shape\" is beyond 2^63 - 1"));
    CHECK(contains(json_error(R"({"shape": [4611686018427387904, 4], "data": [1]})"), "has more elements than any file could hold"));
    CHECK(contains(json_error("[1, 2]"), "x.json: is a list"));
    CHECK(contains(json_error("{\"shape\": [2],\n \"data\": [1, 2"), "x.json: malformed JSON: line 2, column"));
    CHECK(contains(json_error(std::string(100, '[') + std::string(100, ']')), "is a list"));
    std::string deep = R"({"shape": [1], "data": )" + std::string(70, '[') + "1" + std::string(70, ']') + "}";
    CHECK(contains(json_error(deep), "nests lists deeper than 64 levels"));
}

}  // namespace tensor_json_test
