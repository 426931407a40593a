// tapenet train: History, what Model::fit returns.
#pragma once

#include <vector>

namespace tn {

// One value per completed epoch; a metric that does not apply stays empty.
struct History {
    std::vector<float> loss, accuracy, val_loss, val_accuracy;
    int epochs() const { return static_cast<int>(loss.size()); }
};

}  // namespace tn
