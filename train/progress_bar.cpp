#include "train/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "core/error.h"

namespace tn {

std::string format_metric(float value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, std::abs(value) > 1e-3f ? "%.4f" : "%.4e", static_cast<double>(value));
    return buf;
}

std::string format_eta(double seconds) {
    const auto s = static_cast<long>(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s % 3600) / 60, s % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

std::string format_per_step(double seconds_per_step) {
    char buf[32];
    if (seconds_per_step >= 1)
        std::snprintf(buf, sizeof buf, "%.0fs/step", seconds_per_step);
    else if (seconds_per_step >= 1e-3)
        std::snprintf(buf, sizeof buf, "%.0fms/step", seconds_per_step * 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0fus/step", seconds_per_step * 1e6);
    return buf;
}

static std::string join_metrics(const MetricList& metrics) {
    std::string s;
    for (const auto& [name, value] : metrics) s += " - " + name + ": " + format_metric(value);
    return s;
}

bool ProgressBar::is_terminal(const std::ostream& out) {
    if (&out == &std::cout) return ::isatty(STDOUT_FILENO) == 1;
    if (&out == &std::cerr || &out == &std::clog) return ::isatty(STDERR_FILENO) == 1;
    return false;
}

ProgressBar::ProgressBar(std::ostream& out, int verbose) : ProgressBar(out, verbose, is_terminal(out)) {}

ProgressBar::ProgressBar(std::ostream& out, int verbose, bool interactive)
    : out_(out), verbose_(verbose), interactive_(interactive && verbose == 1) {
    if (verbose < 0 || verbose > 2) value_error("progress_bar", "verbose must be 0, 1 or 2, got " + std::to_string(verbose));
}

void ProgressBar::begin_epoch(int epoch, int epochs, int64_t steps) {
    epoch_ = epoch;
    epochs_ = epochs;
    steps_ = steps;
    start_ = Clock::now();
    drawn_ = false;
    last_width_ = 0;
    if (verbose_ == 0) return;
    if (interactive_) out_ << "Epoch " << epoch + 1 << "/" << epochs << "\n" << std::flush;
}

std::string ProgressBar::bar(int64_t step) const {
    constexpr int64_t width = 30;
    const std::string total = std::to_string(steps_);
    std::string count = std::to_string(step);
    if (count.size() < total.size()) count.insert(0, total.size() - count.size(), ' ');
    std::string b = count + "/" + total + " [";
    const int64_t filled = steps_ > 0 ? width * step / steps_ : width;
    if (filled > 0) b += std::string(static_cast<size_t>(filled - 1), '=') + (step < steps_ ? '>' : '=');
    b += std::string(static_cast<size_t>(width - filled), '.');
    return b + "]";
}

void ProgressBar::redraw(const std::string& line) {
    out_ << '\r' << line;
    if (line.size() < last_width_) out_ << std::string(last_width_ - line.size(), ' ');  // erase leftovers
    last_width_ = line.size();
}

void ProgressBar::update(int64_t step, const MetricList& metrics) {
    if (!interactive_) return;
    const auto now = Clock::now();
    if (drawn_ && step < steps_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
    drawn_ = true;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = step > 0 ? elapsed / static_cast<double>(step) * static_cast<double>(steps_ - step) : 0.0;
    redraw(bar(step) + " - ETA: " + format_eta(eta) + join_metrics(metrics));
    out_ << std::flush;
}

void ProgressBar::end_epoch(const MetricList& metrics) {
    if (verbose_ == 0) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::string timing = std::to_string(static_cast<long>(std::lround(elapsed))) + "s " +
                               format_per_step(elapsed / static_cast<double>(std::max<int64_t>(steps_, 1)));
    if (interactive_) {
        redraw(bar(steps_) + " - " + timing + join_metrics(metrics));
        out_ << "\n" << std::flush;
    } else {
        out_ << "Epoch " << epoch_ + 1 << "/" << epochs_ << " - " << steps_ << "/" << steps_ << " - " << timing
             << join_metrics(metrics) << "\n"
             << std::flush;
    }
}

Callback progress_bar_callback(std::ostream& out, int verbose) {
    // The bar, with the epoch count and steps that on_train_begin passes, shared by the hooks.
    struct Logger {
        ProgressBar bar;
        int epochs = 0;
        int64_t steps = 0;
    };
    auto logger = std::make_shared<Logger>(Logger{ProgressBar(out, verbose)});
    Callback cb;
    cb.on_train_begin = [logger](const TrainBegin& train) {
        logger->epochs = train.epochs;
        logger->steps = train.steps;
    };
    cb.on_epoch_begin = [logger](int epoch) { logger->bar.begin_epoch(epoch, logger->epochs, logger->steps); };
    cb.on_batch_metrics = [logger](int batch, const MetricList& running) { logger->bar.update(batch + 1, running); };
    cb.on_epoch_end = [logger](int, const EpochLogs& logs) { logger->bar.end_epoch(logs.items()); };
    return cb;
}

}  // namespace tn
