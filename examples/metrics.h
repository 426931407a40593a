// tapenet examples: metrics.json, the figures of a run as one JSON object.
//
//   nlohmann::ordered_json metrics = {
//       {"example", "find_max"},
//       {"val_mae", 0.0024},
//       {"history", {{"loss", history.loss}, {"val_mae", history.val_loss}}},
//   };
//   metrics["wall_seconds"] = seconds;                                   // adds (or replaces) a key
//   tn::examples::write_metrics(args.out, metrics);                      // DIR/metrics.json
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tn::examples {

// Writes DIR/metrics.json with "world_size" added (the processes of the job, 1 without mpirun),
// indented by 2 (atomically: a reader never sees half a file), and returns its path.
std::string write_metrics(const std::string& dir, const nlohmann::ordered_json& metrics);

}  // namespace tn::examples
