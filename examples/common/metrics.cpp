#include "examples/metrics.h"

#include <filesystem>

#include "io/atomic_file.h"
#include "train/distributed.h"

namespace tn::examples {

std::string write_metrics(const std::string& dir, const nlohmann::ordered_json& metrics) {
    const std::string path = (std::filesystem::path(dir) / "metrics.json").string();
    nlohmann::ordered_json with_job = metrics;
    with_job["world_size"] = tn::distributed::world_size();  // processes fit trained on (docs/distributed.md)
    tn::write_file_atomically(path, with_job.dump(2) + "\n");
    return path;
}

}  // namespace tn::examples
