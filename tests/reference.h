// Test helper: the reference cases of ../shared/reference (format dlmini-reference/1, see
// tests/reference/README.md). The directory comes from TAPENET_REFERENCE_DIR, default
// tests/reference, so the same suite runs against any case set with the same schema.
#pragma once

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include "core/tensor.h"

namespace tn::testing {

using json = nlohmann::ordered_json;

inline std::string reference_dir() {
    const char* env = std::getenv("TAPENET_REFERENCE_DIR");
    return env && *env ? env : "tests/reference";
}

inline json load_json_file(const std::string& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return json::parse(text);
}

// The names of every case in index.json whose "op" is `op` (all cases when op is empty).
inline std::vector<std::string> reference_cases(const std::string& op) {
    const json index = load_json_file(reference_dir() + "/index.json");
    std::vector<std::string> names;
    for (const auto& c : index.at("cases")) {
        if (op.empty() || c.value("op", "") == op) names.push_back(c.at("case").get<std::string>());
    }
    return names;
}

// Loads a case by name through index.json's "file" entry.
inline json load_case(const std::string& name) {
    const json index = load_json_file(reference_dir() + "/index.json");
    for (const auto& c : index.at("cases"))
        if (c.at("case").get<std::string>() == name)
            return load_json_file(reference_dir() + "/" + c.value("file", name + ".json"));
    FAIL("reference case " << name << " is not in " << reference_dir() << "/index.json");
    return {};
}

// A stored tensor as float32 (inputs and parameters are exactly representable).
inline Tensor ref_tensor(const json& t) {
    Shape shape = t.at("shape").get<Shape>();
    std::vector<float> values;
    for (const auto& v : t.at("data")) values.push_back(v.get<float>());
    return Tensor::from_vector(std::move(values), shape);
}

// The stored values in double (outputs and gradients are float64).
inline std::vector<double> ref_values(const json& t) { return t.at("data").get<std::vector<double>>(); }

// |got - ref| <= atol + rtol * |ref| for every element; reports the worst element.
inline double check_close(const Tensor& got, const json& ref, const std::string& what, double atol = 1e-5,
                          double rtol = 1e-4) {
    const Shape shape = ref.at("shape").get<Shape>();
    const std::vector<double> want = ref_values(ref);
    INFO(what);
    REQUIRE_MESSAGE(got.shape() == shape, what << ": shape " << shape_str(got.shape()) << " vs reference "
                                               << shape_str(shape));
    double worst = 0;
    int64_t worst_i = 0;
    for (int64_t i = 0; i < got.numel(); ++i) {
        const double err = std::abs(static_cast<double>(got[i]) - want[i]);
        const double excess = err - (atol + rtol * std::abs(want[i]));
        if (i == 0 || excess > worst) {
            worst = excess;
            worst_i = i;
        }
    }
    CHECK_MESSAGE(worst <= 0, what << ": element " << worst_i << " got " << got[worst_i] << ", reference "
                                   << want[worst_i]);
    double max_abs = 0;
    for (int64_t i = 0; i < got.numel(); ++i)
        max_abs = std::max(max_abs, std::abs(static_cast<double>(got[i]) - want[i]));
    return max_abs;
}

}  // namespace tn::testing
