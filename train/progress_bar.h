// tapenet train: the Keras-style training progress display, and the callback (Keras' ProgbarLogger)
// through which Model::fit shows it when FitOptions::verbose is 1 or 2.
//
// On a terminal (verbose = 1), each epoch is a header line and a bar redrawn in place with '\r':
//
//   Epoch 3/20
//   120/313 [==========>...................] - ETA: 4s - loss: 0.1234
//
// and, when the epoch ends, the same line completed with the time and every metric:
//
//   313/313 [==============================] - 6s 19ms/step - loss: 0.0812 - val_loss: 0.0750
//
// When the stream is not a terminal (a file, a pipe, CI logs), '\r' redraws would only litter the
// log, so each epoch prints one plain line instead (also what verbose = 2 asks for):
//
//   Epoch 3/20 - 313/313 - 6s 19ms/step - loss: 0.0812 - val_loss: 0.0750
//
// verbose = 0 prints nothing. Metric values print as Keras does: "%.4f", or "%.4e" below 1e-3.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include "train/callback.h"

namespace tn {

class ProgressBar {
public:
    // Redraws in place when `out` is std::cout / std::cerr attached to a terminal.
    explicit ProgressBar(std::ostream& out = std::cout, int verbose = 1);
    // The same with the terminal test decided by the caller (tests, or a forced mode).
    ProgressBar(std::ostream& out, int verbose, bool interactive);

    // `epoch` counts from 0 (printed from 1); `steps` is the number of batches in the epoch.
    void begin_epoch(int epoch, int epochs, int64_t steps);
    // After `step` batches (1 .. steps) with the running averages so far. Redraws at most every
    // 50 ms (the first and the last step always), and only in interactive mode.
    void update(int64_t step, const MetricList& metrics);
    // The epoch's summary line with all of its metrics (training and validation).
    void end_epoch(const MetricList& metrics);

    bool interactive() const { return interactive_; }
    // True when `out` is std::cout or std::cerr/std::clog and that file descriptor is a terminal.
    static bool is_terminal(const std::ostream& out);

private:
    using Clock = std::chrono::steady_clock;
    std::string bar(int64_t step) const;  // "120/313 [==========>.........]"
    void redraw(const std::string& line);  // '\r' + line, padded over the previous one

    std::ostream& out_;
    int verbose_;
    bool interactive_;
    int epoch_ = 0, epochs_ = 0;
    int64_t steps_ = 0;
    Clock::time_point start_, last_draw_;
    bool drawn_ = false;
    size_t last_width_ = 0;
};

// A callback that draws a ProgressBar on `out`: one bar per epoch, from the steps and epochs that
// on_train_begin passes, the running metrics of each batch and the epoch's logs.
Callback progress_bar_callback(std::ostream& out, int verbose);

// "0.0812", "1.2346e-04" (Keras' metric format).
std::string format_metric(float value);
// "4s", "1:05", "1:02:03" (Keras' ETA format).
std::string format_eta(double seconds);
// "19ms/step", "2s/step", "350us/step".
std::string format_per_step(double seconds_per_step);

}  // namespace tn
