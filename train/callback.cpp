#include "train/callback.h"

namespace tn {

MetricList EpochLogs::items() const {
    MetricList m{{"loss", loss}};
    if (accuracy) m.emplace_back("accuracy", *accuracy);
    if (val_loss) m.emplace_back("val_loss", *val_loss);
    if (val_accuracy) m.emplace_back("val_accuracy", *val_accuracy);
    return m;
}

}  // namespace tn
