// examples/metrics.h writes metrics.json by hand (no nlohmann/json, for build time): read back
// with nlohmann/json, every value must come out as it went in, laid out as nlohmann's dump(2).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "examples/metrics.h"

namespace tn {
namespace {

using examples::Metrics;

TEST_CASE("metrics.json: strings, numbers, lists and objects read back exactly") {
    const std::string awkward = "a \"quote\", a back\\slash, \n\t\r\b\f, \x01\x1f and UTF-8 \xc3\xa9";
    Metrics inner;
    inner["loss"] = -0.5;
    Metrics m;
    m["text"] = awkward;
    m["count"] = 42;
    m["flag"] = true;
    m["whole"] = 2.0;
    m["third"] = 1.0 / 3.0;
    m["tiny"] = 1.25e-7;
    m["huge"] = 6.02e23;
    m["nan"] = std::nan("");
    m["inf"] = std::numeric_limits<double>::infinity();
    m["floats"] = std::vector<float>{0.1f, 3.0f};
    m["words"] = std::vector<std::string>{"x", "\"y\""};
    m["none"] = std::vector<std::string>{};
    m["inner"] = inner;
    m["empty"] = Metrics{};

    const auto j = nlohmann::ordered_json::parse(m.json());
    CHECK(j["text"] == awkward);
    CHECK(j["count"] == 42);
    CHECK(j["flag"] == true);
    CHECK(j["whole"].is_number_float());  // written 2.0, not 2
    CHECK(j["whole"] == 2.0);
    CHECK(j["third"].get<double>() == 1.0 / 3.0);  // shortest digits that read back exactly
    CHECK(j["tiny"].get<double>() == 1.25e-7);
    CHECK(j["huge"].get<double>() == 6.02e23);
    CHECK(j["nan"].is_null());  // JSON has no NaN or infinity
    CHECK(j["inf"].is_null());
    CHECK(j["floats"][0].get<double>() == double(0.1f));
    CHECK(j["floats"][1].get<double>() == 3.0);
    CHECK(j["words"] == nlohmann::ordered_json({"x", "\"y\""}));
    CHECK(j["none"] == nlohmann::ordered_json::array());
    CHECK(j["inner"]["loss"] == -0.5);
    CHECK(j["empty"] == nlohmann::ordered_json::object());
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"text", "count", "flag", "whole", "third", "tiny", "huge", "nan", "inf",
                                           "floats", "words", "none", "inner", "empty"});

    // pretty(): the same layout as nlohmann's dump(2) of the same object.
    CHECK(m.pretty() == j.dump(2));
}

}  // namespace
}  // namespace tn
