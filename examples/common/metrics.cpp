#include "examples/metrics.h"

#include <filesystem>

#include "io/atomic_file.h"

namespace tn::examples {

std::string write_metrics(const std::string& dir, const nlohmann::ordered_json& metrics) {
    const std::string path = (std::filesystem::path(dir) / "metrics.json").string();
    tn::write_file_atomically(path, metrics.dump(2) + "\n");
    return path;
}

}  // namespace tn::examples
