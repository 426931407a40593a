// A parallel_for over a small pool of worker threads. The calling thread runs part 0 itself and
// worker w runs part w + 1, so n threads mean n - 1 workers, started on first use. A waiting
// thread spins for a moment, then sleeps on a condition variable. A hand-off costs some
// microseconds, which is why callers hand over large parts (a whole recurrent sequence for a
// block of batch rows, a product of a million multiply-adds or more), never one time step.
#include "core/parallel.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace tn {

namespace {

std::atomic<int> g_threads{0};  // 0 until first asked, then OpenBLAS's count (OpenBLAS itself then runs at 1)
std::atomic<bool> g_busy{false};  // the pool runs a parallel_for (another caller runs its parts itself)
thread_local bool t_in_part = false;  // this thread runs a part of a parallel_for (a nested one runs whole)

// Marks the current thread as running a part for one scope.
class InPart {
public:
    InPart() : previous_(t_in_part) { t_in_part = true; }
    ~InPart() { t_in_part = previous_; }
    InPart(const InPart&) = delete;
    InPart& operator=(const InPart&) = delete;

private:
    bool previous_;
};

class WorkerPool {
public:
    WorkerPool() = default;
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    ~WorkerPool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread& worker : workers_) worker.join();
    }

    // Runs part(k) for every k in [0, parts); part 0 on the calling thread. One caller at a time.
    void run(int parts, const std::function<void(int)>& part) {
        {
            std::lock_guard lock(mutex_);
            while (int(workers_.size()) < parts - 1) {
                const int index = int(workers_.size());
                workers_.emplace_back([this, index, seen = generation_.load()] { work(index, seen); });
            }
            job_ = &part;
            job_parts_ = parts;
            pending_ = parts - 1;
            error_ = nullptr;
            ++generation_;
        }
        wake_.notify_all();
        std::exception_ptr error;
        try {
            part(0);
        } catch (...) {
            error = std::current_exception();
        }
        spin_until([this] { return pending_.load() == 0; });
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_.load() == 0; });
        job_ = nullptr;
        if (!error) error = error_;
        lock.unlock();
        if (error) std::rethrow_exception(error);
    }

private:
    // Waiting first spins, yielding the core, for up to kSpinTime (the hand-offs of a training
    // step follow each other closely, and a thread found awake needs no system call to wake it),
    // then sleeps on a condition variable.
    template <class Ready>
    static void spin_until(Ready ready) {
        const auto until = std::chrono::steady_clock::now() + kSpinTime;
        while (!ready() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    }
    static constexpr std::chrono::microseconds kSpinTime{100};

    // Worker `index` runs part index + 1 of each job that has that many parts.
    void work(int index, uint64_t seen) {
        for (;;) {
            spin_until([&] { return generation_.load() != seen; });
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_.load() != seen; });
            if (stopping_) return;
            seen = generation_.load();
            if (index + 1 >= job_parts_) continue;
            const std::function<void(int)>* job = job_;
            lock.unlock();
            std::exception_ptr error;
            try {
                (*job)(index + 1);
            } catch (...) {
                error = std::current_exception();
            }
            lock.lock();
            if (error && !error_) error_ = error;
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::mutex mutex_;  // guards everything below; the atomics are also read without it while spinning
    std::condition_variable wake_, done_;
    std::vector<std::thread> workers_;
    const std::function<void(int)>* job_ = nullptr;
    int job_parts_ = 0;
    std::atomic<int> pending_{0};  // parts not finished by the workers
    std::atomic<uint64_t> generation_{0};  // one more per job
    std::exception_ptr error_;
    bool stopping_ = false;
};

WorkerPool& pool() {
    static WorkerPool workers;
    return workers;
}

}  // namespace

void set_num_threads(int n) {
    if (n < 1) value_error("set_num_threads", "needs at least 1 thread, got " + std::to_string(n));
    g_threads = n;
    openblas_set_num_threads(1);
}

int num_threads() {
    int n = g_threads.load();
    if (n == 0) {  // first call: take over OpenBLAS's count
        n = std::max(openblas_get_num_threads(), 1);
        set_num_threads(n);
    }
    return n;
}

void parallel_for(int64_t n, int64_t min_part, const std::function<void(int64_t, int64_t)>& body) {
    if (n <= 0) return;
    const int64_t most_parts = n / std::max<int64_t>(min_part, 1);
    const int parts = t_in_part ? 1 : int(std::min<int64_t>(num_threads(), most_parts));
    if (parts <= 1) {
        body(0, n);
        return;
    }
    const auto part = [&](int k) {
        InPart in_part;
        body(n * k / parts, n * (k + 1) / parts);
    };
    if (g_busy.exchange(true)) {  // another thread's parallel_for has the pool: the same parts, here in turn
        for (int k = 0; k < parts; ++k) part(k);
        return;
    }
    struct Release {  // also on a throw
        ~Release() { g_busy = false; }
    } release;
    pool().run(parts, part);
}

}  // namespace tn
