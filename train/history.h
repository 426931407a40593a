// tapenet train: History, what Model::fit returns.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tn {

// One value per completed epoch; a metric that does not apply stays empty.
//   loss, accuracy, val_loss, val_accuracy: the model's total loss (the weighted sum over its
//     outputs) and, for one output, its accuracy.
//   history: every metric by its Keras name, as Keras' History.history: "loss", "val_loss", and for
//     a model of several outputs "<output>_loss", "<output>_accuracy", "val_<output>_loss", ...
struct History {
    std::vector<float> loss, accuracy, val_loss, val_accuracy;
    std::map<std::string, std::vector<float>> history;
    int epochs() const { return static_cast<int>(loss.size()); }
    // history.at(name), throwing a ValueError that lists the names there are.
    const std::vector<float>& at(const std::string& name) const;
};

}  // namespace tn
