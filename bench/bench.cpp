// tapenet bench: training and inference throughput of the benchmark models (bench/bench_models.h),
// the GFLOP/s they reach, the sgemm peak of this machine, and peak memory. See bench/README.md.
//
//   build/bin/bench                                   # all models at 1 and 2 threads -> bench.json
//   build/bin/bench --models find_max_b64,imdb_text --threads 1 --repeats 3 --target-s 0.5 --out b.json
//
// Each (model, threads) pair runs in its own process (this binary re-executed with --_child) so that
// its peak RSS (getrusage ru_maxrss) is that model's alone, and OPENBLAS_NUM_THREADS is set before
// OpenBLAS starts. The child prints one line "RESULT_JSON {...}" that the parent collects.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cblas.h>

#include "bench/bench_models.h"
#include "bench/distributed_bench.h"
#include <nlohmann/json.hpp>
#include "core/parallel.h"
#include "core/tape.h"

extern char** environ;

namespace tn::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::string> models;
    std::vector<int> threads = {1, 2};
    int repeats = 7;         // timed repeats per measurement; the median is reported
    double target_s = 1.0;   // approximate seconds per timed repeat
    int warmup = 3;          // untimed steps before timing
    int sgemm_n = 1024;      // size of the square sgemm of the peak measurement
    std::string out = "bench.json";
};

const char* const kUsage =
    "usage: bench [--models a,b] [--threads 1,2] [--repeats N] [--target-s X] [--warmup N]\n"
    "             [--sgemm-n N] [--out FILE]      (--list prints the models; see bench/README.md)\n"
    "       bench --distributed MODEL [--steps N] [--repeats N]   (under mpirun: bench/distributed.sh)\n";

[[noreturn]] void usage_error(const std::string& what) {
    std::cerr << "bench: " << what << "\n" << kUsage;
    std::exit(2);
}

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> parts;
    std::stringstream ss(s);
    for (std::string part; std::getline(ss, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

int parse_int(const std::string& flag, const std::string& v, int lo) {
    try {
        size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used == v.size() && n >= lo) return n;
    } catch (const std::exception&) {
    }
    usage_error(flag + " needs an integer >= " + std::to_string(lo) + ", got '" + v + "'");
}

double parse_positive(const std::string& flag, const std::string& v) {
    try {
        size_t used = 0;
        const double x = std::stod(v, &used);
        if (used == v.size() && x > 0) return x;
    } catch (const std::exception&) {
    }
    usage_error(flag + " needs a number > 0, got '" + v + "'");
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of the whole process (all its threads), in seconds.
double process_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Runs `step` `warmup` times, times one more to size the repeats, then `repeats` times runs it
// n ≈ target_s / (one step) times in a row. Each repeat gives one rate of `work_per_step` per
// wall-clock second, and one per CPU-second of the process (which a loaded machine disturbs far
// less than the wall-clock rate, but which counts every thread's time, spinning included).
template <class Step>
nlohmann::ordered_json measure(Step&& step, double work_per_step, const Options& o) {
    for (int i = 0; i < o.warmup; ++i) step();
    auto t0 = Clock::now();
    step();
    const double one = std::max(seconds_since(t0), 1e-7);
    const int64_t n = std::max<int64_t>(1, std::llround(o.target_s / one));
    std::vector<double> rates, cpu_rates;
    for (int r = 0; r < o.repeats; ++r) {
        t0 = Clock::now();
        const double cpu0 = process_cpu_s();
        for (int64_t i = 0; i < n; ++i) step();
        const double work = double(n) * work_per_step;
        rates.push_back(work / seconds_since(t0));
        cpu_rates.push_back(work / std::max(process_cpu_s() - cpu0, 1e-9));
    }
    return nlohmann::ordered_json::object({{"median", median(rates)},
                         {"min", *std::min_element(rates.begin(), rates.end())},
                         {"max", *std::max_element(rates.begin(), rates.end())},
                         {"median_per_cpu_s", median(cpu_rates)},
                         {"iters_per_repeat", n},
                         {"repeats", o.repeats}});
}

// Median GFLOP/s of a plain n x n x n cblas_sgemm on OpenBLAS's own `threads` threads: the limit
// that issue 8 measures against. (tapenet keeps OpenBLAS at one thread and splits products itself,
// core/parallel.h; this is the one call that bypasses that, to measure BLAS alone.)
nlohmann::ordered_json sgemm_peak(int n, int threads) {
    std::vector<float> a(size_t(n) * n), b(size_t(n) * n), c(size_t(n) * n, 0.0f);
    for (size_t i = 0; i < a.size(); ++i) {
        a[i] = float(i % 7) * 0.1f;
        b[i] = float(i % 5) * 0.1f;
    }
    const double flops = 2.0 * n * n * n;
    auto call = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    };
    openblas_set_num_threads(threads);
    // About 0.2 s per repeat, 7 repeats, whatever the model's settings.
    Options o;
    o.warmup = 2;
    o.repeats = 7;
    o.target_s = 0.2;
    const nlohmann::ordered_json r = measure(call, flops / 1e9, o);
    openblas_set_num_threads(1);
    return nlohmann::ordered_json::object({{"n", n}, {"threads", threads}, {"median_gflops_per_s", r.at("median")},
                         {"min_gflops_per_s", r.at("min")}, {"max_gflops_per_s", r.at("max")},
                         {"calls_per_repeat", r.at("iters_per_repeat")}});
}

// A rate measurement in samples/s, with its ms per batch and GFLOP/s (also as a fraction of the peak).
nlohmann::ordered_json throughput(const nlohmann::ordered_json& m, int64_t batch, double flops_per_sample, double peak) {
    const double med = m.at("median").get<double>();
    const double gflops = med * flops_per_sample / 1e9;
    return nlohmann::ordered_json::object({{"median_samples_per_s", med},
                         {"min_samples_per_s", m.at("min")},
                         {"max_samples_per_s", m.at("max")},
                         {"median_ms_per_batch", 1000.0 * double(batch) / med},
                         {"median_samples_per_cpu_s", m.at("median_per_cpu_s")},
                         {"iters_per_repeat", m.at("iters_per_repeat")},
                         {"repeats", m.at("repeats")},
                         {"gflops_per_s", gflops},
                         {"fraction_of_sgemm_peak", gflops / peak}});
}

// ---- the child: one model at one thread count ----

int run_child(const std::string& name, int threads, const Options& o) {
    set_num_threads(threads);
    const ModelSpec& spec = model_spec(name);
    const double rss_start = peak_rss_mb();

    const std::vector<Batch> batches = make_batches(spec, 4, /*seed=*/7);  // 4 distinct batches, cycled
    std::unique_ptr<Model> model = make_model(spec, /*seed=*/0);
    const float loss_before = model->evaluate(batches[0].x, {batches[0].y}, spec.batch).loss;

    size_t next = 0;
    auto train_step = [&] {
        const Batch& b = batches[next++ % batches.size()];
        model->train_on_batch(b.x, {b.y});
    };
    float sink = 0;  // keeps the inference outputs observable
    auto infer_step = [&] {
        const Batch& b = batches[next++ % batches.size()];
        NoGrad no_grad;
        const std::vector<Tensor> y = model->forward(b.x, /*training=*/false);  // imdb: with the sigmoid, as predict
        sink += y[0][0];
    };
    const double samples = double(spec.batch);
    const nlohmann::ordered_json train = measure(train_step, samples, o);
    const nlohmann::ordered_json infer = measure(infer_step, samples, o);
    const float loss_after = model->evaluate(batches[0].x, {batches[0].y}, spec.batch).loss;
    const double rss_peak = peak_rss_mb();  // read before the sgemm buffers exist

    const nlohmann::ordered_json sgemm = sgemm_peak(o.sgemm_n, threads);
    const double peak = sgemm.at("median_gflops_per_s").get<double>();
    const double fwd = forward_flops_per_sample(spec), trn = train_flops_per_sample(spec);

    nlohmann::ordered_json r;
    r["model"] = name;
    r["threads"] = threads;
    r["config"] = nlohmann::ordered_json::object({{"T", spec.T}, {"D", spec.D}, {"vocab", spec.vocab}, {"units", spec.units},
                                {"att_units", spec.att_units}, {"score", spec.score}, {"out", spec.out},
                                {"loss", spec.loss}, {"batch", spec.batch}, {"cell", spec.cell},
                                {"T_out", spec.T_out}});
    r["params"] = model->count_params();
    r["flops_per_sample"] = nlohmann::ordered_json::object({{"forward", fwd}, {"train", trn}});
    r["train"] = throughput(train, spec.batch, trn, peak);
    r["infer"] = throughput(infer, spec.batch, fwd, peak);
    r["peak_rss_mb"] = rss_peak;
    r["rss_at_start_mb"] = rss_start;
    r["sgemm_peak_gflops_per_s"] = peak;
    r["sgemm"] = sgemm;
    r["loss_first_batch_before"] = loss_before;
    r["loss_first_batch_after"] = loss_after;
    r["output_checksum"] = sink;
    std::cout << "RESULT_JSON " << r.dump() << std::endl;
    return 0;
}

// ---- the parent: one child per (model, threads) ----

std::string self_exe() {
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) throw std::runtime_error("bench: cannot read /proc/self/exe");
    return std::string(buf, size_t(n));
}

// Runs this binary as a child for (model, threads) with OPENBLAS_NUM_THREADS set; returns its
// RESULT_JSON object, or null if it failed (its stderr goes to ours).
nlohmann::ordered_json spawn_child(const std::string& model, int threads, const Options& o) {
    const std::string exe = self_exe();
    std::vector<std::string> args = {exe,        "--_child",  model, std::to_string(threads),
                                     "--repeats", std::to_string(o.repeats), "--target-s",
                                     std::to_string(o.target_s), "--warmup", std::to_string(o.warmup),
                                     "--sgemm-n", std::to_string(o.sgemm_n)};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        if (kv.rfind("OPENBLAS_NUM_THREADS=", 0) == 0 || kv.rfind("OMP_NUM_THREADS=", 0) == 0) continue;
        env.push_back(kv);
    }
    env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(threads));
    env.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
    auto c_strings = [](std::vector<std::string>& v) {
        std::vector<char*> p;
        for (std::string& s : v) p.push_back(s.data());
        p.push_back(nullptr);
        return p;
    };
    std::vector<char*> argv = c_strings(args), envp = c_strings(env);

    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("bench: pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        throw std::runtime_error(std::string("bench: cannot start a child: ") + std::strerror(err));
    }
    std::string output;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) output.append(buf, size_t(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);

    const std::string tag = "RESULT_JSON ";
    const size_t at = output.find(tag);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || at == std::string::npos) {
        std::cerr << "bench: [" << model << " threads=" << threads << "] FAILED (status " << status << ")\n"
                  << output << "\n";
        return nullptr;
    }
    const size_t end = output.find('\n', at);
    return nlohmann::ordered_json::parse(output.substr(at + tag.size(), end == std::string::npos ? end : end - at - tag.size()));
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

std::string now_utc() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

void print_table(const std::vector<nlohmann::ordered_json>& results) {
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %3s %5s %8s | %12s %8s %7s %5s | %12s %8s %7s %5s | %7s %6s\n", "model",
                  "thr", "batch", "params", "train samp/s", "ms/batch", "GFLOP/s", "%peak", "infer samp/s", "ms/batch",
                  "GFLOP/s", "%peak", "sgemm", "RSS MB");
    const std::string header = line;
    std::cout << header << std::string(header.size() - 1, '-') << "\n";
    for (const nlohmann::ordered_json& r : results) {
        const nlohmann::ordered_json& t = r.at("train");
        const nlohmann::ordered_json& i = r.at("infer");
        std::snprintf(line, sizeof line,
                      "%-16s %3d %5d %8d | %12.1f %8.2f %7.2f %4.0f%% | %12.1f %8.2f %7.2f %4.0f%% | %7.1f %6.0f\n",
                      r.at("model").get<std::string>().c_str(), r.at("threads").get<int>(),
                      r.at("config").at("batch").get<int>(), r.at("params").get<int>(),
                      t.at("median_samples_per_s").get<double>(), t.at("median_ms_per_batch").get<double>(),
                      t.at("gflops_per_s").get<double>(), 100 * t.at("fraction_of_sgemm_peak").get<double>(),
                      i.at("median_samples_per_s").get<double>(), i.at("median_ms_per_batch").get<double>(),
                      i.at("gflops_per_s").get<double>(), 100 * i.at("fraction_of_sgemm_peak").get<double>(),
                      r.at("sgemm_peak_gflops_per_s").get<double>(), r.at("peak_rss_mb").get<double>());
        std::cout << line;
    }
}

// For each thread count that measured both add_two_numbers and add_two_numbers_functional: the
// functional model's median throughput over the stacked one's (1 = as fast).
nlohmann::ordered_json functional_ratios(const std::vector<nlohmann::ordered_json>& results) {
    nlohmann::ordered_json ratios = nlohmann::ordered_json::array();
    auto rate = [](const nlohmann::ordered_json& r, const char* what) {
        return r.at(what).at("median_samples_per_s").get<double>();
    };
    for (const nlohmann::ordered_json& stacked : results) {
        if (stacked.at("model") != "add_two_numbers") continue;
        for (const nlohmann::ordered_json& functional : results) {
            if (functional.at("model") != "add_two_numbers_functional" || functional.at("threads") != stacked.at("threads"))
                continue;
            ratios.push_back(nlohmann::ordered_json::object({{"threads", stacked.at("threads")},
                                                   {"train", rate(functional, "train") / rate(stacked, "train")},
                                                   {"infer", rate(functional, "infer") / rate(stacked, "infer")}}));
        }
    }
    return ratios;
}

int run_parent(const Options& o) {
    std::vector<nlohmann::ordered_json> results;
    bool failed = false;
    for (const std::string& model : o.models) {
        for (int threads : o.threads) {
            const auto t0 = Clock::now();
            nlohmann::ordered_json r = spawn_child(model, threads, o);
            if (r.is_null()) {
                failed = true;
                continue;
            }
            r["wall_s"] = seconds_since(t0);
            std::printf("  done %-16s threads=%d: train %9.1f/s  infer %9.1f/s  %6.2f GFLOP/s train  peakRSS %.0f MB  (%.0fs)\n",
                        model.c_str(), threads, r.at("train").at("median_samples_per_s").get<double>(),
                        r.at("infer").at("median_samples_per_s").get<double>(),
                        r.at("train").at("gflops_per_s").get<double>(), r.at("peak_rss_mb").get<double>(),
                        r.at("wall_s").get<double>());
            std::fflush(stdout);
            results.push_back(std::move(r));
        }
    }

    const nlohmann::ordered_json meta = nlohmann::ordered_json::object({
        {"tool", "tapenet bench (bench/bench.cpp)"},
        {"date_utc", now_utc()},
        {"cpu_model", cpu_model()},
        {"nproc", std::thread::hardware_concurrency()},
        {"compiler", std::string("g++ ") + __VERSION__},
        {"openblas", openblas_get_config()},
        {"repeats", o.repeats},
        {"target_s", o.target_s},
        {"warmup", o.warmup},
        {"method",
         "median of --repeats timed repeats (each ~target_s seconds) after --warmup steps; float32; train = "
         "Model::train_on_batch (zero_grad + forward + loss + backward + Adam(lr 1e-3, eps 1e-7) step); infer = "
         "Model::forward under NoGrad; samples_per_cpu_s: the same per CPU-second of the process (all threads); 4 seeded synthetic batches cycled; each (model, threads) in its own process "
         "with OPENBLAS_NUM_THREADS=threads; peak RSS = ru_maxrss of that process before the sgemm peak is measured; "
         "GFLOP/s from the analytic GEMM FLOPs (bench/README.md); sgemm peak = median GFLOP/s of an n^3 sgemm in "
         "the same process."},
    });
    const nlohmann::ordered_json ratios = functional_ratios(results);
    const nlohmann::ordered_json out =
        nlohmann::ordered_json::object({{"meta", meta}, {"results", results}, {"functional_vs_stacked", ratios}});
    std::ofstream f(o.out);
    f << out.dump(1) << "\n";
    if (!f) {
        std::cerr << "bench: cannot write " << o.out << "\n";
        return 1;
    }

    std::cout << "\nCPU: " << meta.at("cpu_model").get<std::string>() << " (" << meta.at("nproc").dump()
              << " cpus)  OpenBLAS " << meta.at("openblas").get<std::string>() << "\n";
    print_table(results);
    for (const nlohmann::ordered_json& r : ratios)
        std::printf("add_two_numbers functional / stacked, threads=%d: train %.3f, infer %.3f (median throughputs)\n",
                    r.at("threads").get<int>(), r.at("train").get<double>(), r.at("infer").get<double>());
    std::cout << "(GFLOP/s: analytic GEMM FLOPs, training = 3x forward; %peak: of the sgemm column, "
                 "measured in the same process)\n\nwrote "
              << o.out << "\n";
    return failed ? 1 : 0;
}

int run(int argc, char** argv) {
    Options o;
    std::string child_model, distributed_model;
    int child_threads = 0, steps = 20;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--models") o.models = split_commas(value());
        else if (a == "--threads") {
            o.threads.clear();
            for (const std::string& t : split_commas(value())) o.threads.push_back(parse_int(a, t, 1));
        } else if (a == "--repeats") o.repeats = parse_int(a, value(), 1);
        else if (a == "--target-s") o.target_s = parse_positive(a, value());
        else if (a == "--warmup") o.warmup = parse_int(a, value(), 0);
        else if (a == "--sgemm-n") o.sgemm_n = parse_int(a, value(), 1);
        else if (a == "--out") o.out = value();
        else if (a == "--distributed") distributed_model = value();
        else if (a == "--steps") steps = parse_int(a, value(), 1);
        else if (a == "--_child") {
            child_model = value();
            child_threads = parse_int(a, value(), 1);
        } else if (a == "--list") {
            for (const ModelSpec& s : model_specs()) std::cout << s.name << "\n";
            return 0;
        } else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else usage_error("unknown argument '" + a + "'");
    }
    if (!child_model.empty()) return run_child(child_model, child_threads, o);
    if (!distributed_model.empty()) return run_distributed(distributed_model, steps, o.repeats);
    if (o.models.empty())
        for (const ModelSpec& s : model_specs()) o.models.push_back(s.name);
    for (const std::string& m : o.models) model_spec(m);  // unknown names fail before any run
    if (o.threads.empty()) usage_error("--threads needs at least one count");
    return run_parent(o);
}

}  // namespace
}  // namespace tn::bench

int main(int argc, char** argv) {
    try {
        return tn::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bench: " << e.what() << "\n";
        return 1;
    }
}
