#include "train/callback.h"

#include "core/error.h"
#include "train/history.h"

namespace tn {

MetricList EpochLogs::items() const {
    MetricList m{{"loss", loss}};
    m.insert(m.end(), outputs.begin(), outputs.end());
    if (accuracy) m.emplace_back("accuracy", *accuracy);
    if (val_loss) m.emplace_back("val_loss", *val_loss);
    m.insert(m.end(), val_outputs.begin(), val_outputs.end());
    if (val_accuracy) m.emplace_back("val_accuracy", *val_accuracy);
    return m;
}

const std::vector<float>& History::at(const std::string& name) const {
    if (const auto it = history.find(name); it != history.end()) return it->second;
    std::string names;
    for (const auto& [key, values] : history) names += (names.empty() ? "" : ", ") + key;
    value_error("history", "has no metric '" + name + "'; it has: " + (names.empty() ? "(none)" : names));
}

}  // namespace tn
