// tn::Json (core/json.h) against nlohmann/json, the reference: both parsers must accept and reject
// the same texts and read the same values; tn::Json's text must read back exactly in both; the
// layout of dump() is nlohmann's. Then the errors: where, and what.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json.h"

namespace tn {
namespace {

using nl = nlohmann::ordered_json;

// Accepted by nlohmann/json exactly when by tn::Json; when accepted, the values must be the same.
void check_parses_like_nlohmann(const std::string& text) {
    CAPTURE(text);
    bool nl_ok = true;
    nl theirs;
    try {
        theirs = nl::parse(text);
    } catch (const nl::exception&) {
        nl_ok = false;
    }
    bool tn_ok = true;
    Json ours;
    try {
        ours = Json::parse(text);
    } catch (const JsonError&) {
        tn_ok = false;
    }
    REQUIRE(tn_ok == nl_ok);
    // Same values: nlohmann's text of its value, read by tn::Json, equals tn::Json's own value.
    if (tn_ok) CHECK(Json::parse(theirs.dump()) == ours);
}

// A random document: nested objects and arrays of every kind of value, awkward strings included.
Json random_json(std::mt19937& rng, int depth) {
    const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const auto random_string = [&] {
        static const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                                                        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "kernel:0"};
        std::string s;
        for (int k = pick(6); k > 0; --k) s += pieces[static_cast<size_t>(pick(static_cast<int>(pieces.size())))];
        return s;
    };
    switch (depth > 3 ? pick(5) : pick(7)) {
        case 0: return Json();
        case 1: return Json(pick(2) == 1);
        case 2: {
            const uint64_t big = (uint64_t{rng()} << 32) | rng();
            return pick(3) == 0 ? Json(big) : pick(2) ? Json(static_cast<int64_t>(big)) : Json(pick(2001) - 1000);
        }
        case 3: {
            // Doubles across the whole range: tiny, huge, negative, whole, subnormal.
            const double mantissa = std::uniform_real_distribution<double>(-1, 1)(rng);
            return Json(std::ldexp(mantissa, pick(2097) - 1074));
        }
        case 4: return Json(random_string());
        case 5: {
            Json a = Json::array();
            for (int k = pick(5); k > 0; --k) a.push_back(random_json(rng, depth + 1));
            return a;
        }
        default: {
            Json o = Json::object();
            for (int k = pick(5); k > 0; --k) o[random_string()] = random_json(rng, depth + 1);
            return o;
        }
    }
}

TEST_CASE("Json: builds, reads and writes values as nlohmann/json does") {
    Json config = Json::object({{"name", "dense"}, {"units", 32}, {"rate", 0.5}, {"shape", std::vector<int>{2, 3}}});
    config["activation"] = "tanh";
    config["units"] = 16;  // replaces, in place
    config["seed"] = nullptr;
    CHECK(config.dump() == R"({"name":"dense","units":16,"rate":0.5,"shape":[2,3],"activation":"tanh","seed":null})");
    CHECK(config.size() == 6);
    CHECK(config.at("units").get<int>() == 16);
    CHECK(config.at("shape").get<std::vector<int64_t>>() == std::vector<int64_t>{2, 3});
    CHECK(config.value("missing", 7) == 7);
    CHECK(config.value("name", "other") == "dense");
    CHECK(config.contains("seed"));
    CHECK(config.at("seed").is_null());
    CHECK(config.erase("seed") == 1);
    CHECK(config.erase("seed") == 0);
    CHECK_FALSE(config.contains("seed"));

    std::vector<std::string> keys;
    for (const auto& [key, value] : config.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"name", "units", "rate", "shape", "activation"});

    Json list;  // null becomes an array on push_back, an object on operator[]
    list.push_back(1);
    list.push_back(2.5);
    list.push_back("x");
    CHECK(list.dump() == R"([1,2.5,"x"])");
    CHECK(list.at(1).get<double>() == 2.5);
    CHECK(list.back() == "x");

    // An integer and a float are equal when their values are; whole floats keep their ".0".
    CHECK(Json(1) == Json(1.0));
    CHECK(Json(1).dump() == "1");
    CHECK(Json(1.0).dump() == "1.0");
    CHECK(Json(1.0).get<int>() == 1);
    CHECK(Json(0.1f).dump() == nl(0.1f).dump());  // floats widen to double the same way
    CHECK(Json(std::nan("")).dump() == "null");
    CHECK(Json(-std::numeric_limits<double>::infinity()).dump() == "null");
    CHECK(Json::object({{"a", 1}, {"a", 2}}).dump() == R"({"a":2})");  // a repeated key: first place, last value

    // Integers up to 2^64 - 1 stay exact, as in nlohmann/json (a 64-bit seed, say).
    const uint64_t seed = 18446744073709551557u;
    const Json s = Json::parse(Json(seed).dump());
    CHECK(s.dump() == "18446744073709551557");
    CHECK(s.is_number_unsigned());
    CHECK(s.get<uint64_t>() == seed);
    CHECK(Json(int64_t{-5}).get<int>() == -5);
    CHECK(Json(int64_t{-5}) != Json(uint64_t{5}));
    CHECK(Json(9007199254740993u) != Json(9007199254740992.0));  // 2^53 + 1 is not the double 2^53
    CHECK(Json(9007199254740992.0) == Json(9007199254740992u));
    CHECK(Json(0.5) != Json(0));
}

TEST_CASE("Json: doubles are written in nlohmann/json's notation, and read back to the bit") {
    for (const double d : {0.0, -0.0, 1.0, -2.5, 0.1, 1.0 / 3.0, 0.0001, 0.00012, 1e-05, 1.5e-05, 1e-07, 123456.0,
                           1e14, 1e15, 1e16, 123456789012345678.0, 6.02e23, 1e100, 1.7976931348623157e308,
                           2.2250738585072014e-308, 5e-324, double{0.001f}, double{3.14159f}}) {
        CAPTURE(d);
        CHECK(Json(d).dump() == nl(d).dump());
        CHECK(Json::parse(Json(d).dump()).get<double>() == d);
    }
    // Random doubles over the whole range: nlohmann's Grisu2 digits are the shortest almost always;
    // where they are not, both texts still read back to the same double.
    std::mt19937_64 rng(3);
    int same_text = 0, finite = 0;
    for (int trial = 0; trial < 20000; ++trial) {
        uint64_t bits = rng();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        ++finite;
        const std::string ours = Json(d).dump();
        CHECK(Json::parse(ours).get<double>() == d);
        CHECK(nl::parse(ours).get<double>() == d);
        CHECK(Json::parse(nl(d).dump()).get<double>() == d);
        same_text += ours == nl(d).dump();
    }
    CHECK(same_text >= finite - finite / 500);
}

TEST_CASE("Json: dump(indent) is nlohmann's layout, byte for byte") {
    const std::string text = R"({"format": "layers-model", "empty": {}, "none": [], "nested": {"a": [1, [2, {"b": null}]],
        "t": true, "f": false, "s": "q\"uote\\ \u00e9 \ud83d\ude00 \u0001\n"}, "n": -12, "x": 0.25, "tiny": 1e-07})";
    for (int indent : {-1, 0, 1, 2, 4}) {
        CAPTURE(indent);
        CHECK(Json::parse(text).dump(indent) == nl::parse(text).dump(indent));
    }
}

TEST_CASE("Json: parses every text nlohmann/json parses, and rejects the rest") {
    const std::vector<std::string> texts = {
        // valid
        "null", "true", "false", "0", "-0", "1", "-1", "123456789", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "18446744073709551615", "184467440737095516150", "0.5", "-0.0", "1e3", "1E+3", "1e-3",
        "2.5e-308", "4.9e-324", "1.7976931348623157e308", "0.1", "3.141592653589793", R"("")", R"("a")",
        R"("\"\\\/\b\f\n\r\t")", R"("\u0041\u00e9\u20ac")", R"("\ud83d\ude00")", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "[]", "{}", " [ 1 , 2 ] ", "\t\r\n{\"a\"\n:\r1}", R"({"a":{"b":{"c":[[],{}]}}})", R"({"a":1,"a":2})",
        R"([1,"x",null,true,{"k":[0.5]}])",
        // invalid
        "", " ", "nul", "True", "NaN", "Infinity", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "0x10", "1 2",
        "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "{'a':1}", "[", "]", "{", "}",
        R"("abc)", R"("\x")", R"("\u12")", R"("\u12G4")", R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")",
        "\"\x01\"", "\"tab\there\"", "\"\xff\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "1e999", "-1e999", "1e-999", "-1e-99999", "0.0000001e-320", "10000000000e-330", "1000e306", "1e-99999999999999999999999", "1e99999999999999999999999", "[1]x", "{} {}",
        std::string("\"a\0b\"", 5)};
    for (const std::string& text : texts) check_parses_like_nlohmann(text);
    // nlohmann/json stops reading at a NUL byte; a NUL is not whitespace (RFC 8259), so tn::Json rejects it.
    CHECK_THROWS_AS(Json::parse(std::string("[1]\0", 4)), JsonError);
    CHECK(Json::parse("-1e-400").dump() == "-0.0");
}

TEST_CASE("Json: random documents read back exactly, in tn::Json and in nlohmann/json") {
    std::mt19937 rng(20261126);
    for (int trial = 0; trial < 300; ++trial) {
        const Json doc = random_json(rng, 0);
        for (int indent : {-1, 2}) {
            const std::string text = doc.dump(indent);
            CAPTURE(text);
            CHECK(Json::parse(text) == doc);
            // nlohmann reads the same values (every double to the bit), and writes text that reads back to doc.
            CHECK(Json::parse(nl::parse(text).dump()) == doc);
        }
    }
}

TEST_CASE("Json: damaged texts are accepted or rejected as nlohmann/json does") {
    // Each trial damages a valid document: one byte replaced, inserted or removed.
    std::mt19937 rng(7);
    const std::string alphabet = "{}[],:\"\\0123456789.eE+-tfnula \n\x01\xc3\xa9\xff";
    for (int trial = 0; trial < 3000; ++trial) {
        std::string text = random_json(rng, 1).dump(trial % 2 ? 2 : -1);
        const size_t at = rng() % (text.size() + 1);
        const char c = alphabet[rng() % alphabet.size()];
        switch (rng() % 3) {
            case 0: if (at < text.size()) text[at] = c; break;
            case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
            default: if (at < text.size()) text.erase(at, 1); break;
        }
        check_parses_like_nlohmann(text);
    }
}

TEST_CASE("Json: parse errors name the line, the column and the problem") {
    const auto message = [](const std::string& text, int max_depth = Json::kMaxDepth) {
        try {
            Json::parse(text, max_depth);
        } catch (const JsonError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("") == "JSON parse error at line 1, column 1: unexpected end of input; expected a JSON value");
    CHECK(message("{\n  \"a\": 1,\n  \"b\" 2\n}") == "JSON parse error at line 3, column 7: expected ':' after an object key, got '2'");
    CHECK(message("[1, 2,]") == "JSON parse error at line 1, column 7: expected a JSON value, got ']'");
    CHECK(message("[1] x") == "JSON parse error at line 1, column 5: unexpected 'x' after the JSON value");
    CHECK(message("012") == "JSON parse error at line 1, column 2: a number cannot have a leading zero");
    CHECK(message("1e999") == "JSON parse error at line 1, column 1: number 1e999 is out of the range of a double");
    CHECK(message("\"\\ud800\"") == "JSON parse error at line 1, column 8: a high surrogate \\uD800 must be followed by a low one");
    CHECK(message("\"a\xff\"") == "JSON parse error at line 1, column 3: invalid UTF-8 byte 0xFF inside a string");
    CHECK(message("[[[1]]]", 3) == "no error");
    CHECK(message("[[[[1]]]]", 3) == "JSON parse error at line 1, column 4: the document nests deeper than 3 levels");
    // The default limit keeps hostile nesting from exhausting the stack.
    CHECK(message(std::string(100000, '[')) == "JSON parse error at line 1, column 257: the document nests deeper than 256 levels");
    // The parts of the message, for callers that word their own.
    try {
        Json::parse("{\n  \"a\": tru\n}");
        FAIL("no error");
    } catch (const JsonParseError& e) {
        CHECK(e.line == 2);
        CHECK(e.column == 8);
        CHECK(e.problem == "expected a JSON value, got 't'");
    }
}

TEST_CASE("Json: a missing key, a wrong type, an index out of range or a number that does not fit throws JsonError") {
    const Json j = Json::parse(R"({"units": 32, "rate": 2.5, "name": "x", "list": [1, 2], "big": 300})");
    const auto message = [](auto&& f) {
        try {
            f();
        } catch (const JsonError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message([&] { j.at("nokey"); }) == "JSON: key \"nokey\" not found");
    CHECK(message([&] { j.at("units").get<std::string>(); }) == "JSON: expected a string, got number 32");
    CHECK(message([&] { j.at("rate").get<int>(); }) == "JSON: expected an integer, got number 2.5");
    CHECK(message([&] { j.at("name").get<double>(); }) == "JSON: expected a number, got string");
    CHECK(message([&] { j.at("big").get<int8_t>(); }) == "JSON: 300 does not fit in the integer type asked for");
    CHECK(message([&] { j.at("units").get<uint8_t>(); }) == "no error");
    CHECK(message([&] { Json(-1).get<uint32_t>(); }) == "JSON: -1 does not fit in the integer type asked for");
    CHECK(message([&] { j.at("list").at(2); }) == "JSON: index 2 is out of range for an array of 2");
    CHECK(message([&] { j.at("list").at("units"); }) == "JSON: expected an object with the key \"units\", got array");
    CHECK(message([&] { j.at("name").items(); }) == "JSON: expected an object, got string");
    CHECK(message([&] { for (const Json& x : j) (void)x; }) == "JSON: expected an array, got object");
    CHECK(message([&] { Json::object({{"bad", std::string("\xff")}}).dump(); }).find("not valid UTF-8") != std::string::npos);
    CHECK(message([&] { Json(std::numeric_limits<uint64_t>::max()).get<int64_t>(); }) ==
          "JSON: 18446744073709551615 does not fit in the integer type asked for");
}

}  // namespace
}  // namespace tn
