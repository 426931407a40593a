// The distributed room over Open MPI (train/distributed.h): the only file of tapenet that includes
// mpi.h. A process joins the job on first use, and only when mpirun launched it (Open MPI's
// OMPI_COMM_WORLD_SIZE, or PMIx's / PMI's rank variables): a program run on its own never starts
// MPI, so it starts as fast as in a build without MPI. MPI_Finalize runs at exit; an exception no
// one catches aborts the whole job with its message instead of leaving the other ranks waiting.
// MPI's C API only (Open MPI's deprecated C++ bindings would need libmpi_cxx).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "core/error.h"
#include "train/distributed.h"

namespace tn::distributed {

namespace {

struct Job {
    bool mpi = false;  // this process is part of an MPI job
    int rank = 0, size = 1;
};

Stats g_stats;

bool launched_by_mpirun() {
    return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
}

void finalize_at_exit() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

void abort_on_uncaught_exception() {
    std::string message = "terminate called without an active exception";
    if (const std::exception_ptr e = std::current_exception()) try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            message = std::string("uncaught exception: ") + ex.what();
        } catch (...) {
            message = "uncaught exception of an unknown type";
        }
    abort(message);
}

const Job& job() {
    static const Job j = [] {
        Job out;
        int initialized = 0;
        MPI_Initialized(&initialized);
        if (!initialized) {  // else the program started MPI itself, and finalizes it
            if (!launched_by_mpirun()) return out;
            // Only the thread that joined calls MPI; tapenet's worker threads never do.
            int provided = 0;
            if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
                std::fprintf(stderr, "tapenet: MPI_Init_thread failed\n");
                std::exit(1);
            }
            std::atexit(finalize_at_exit);
            std::set_terminate(abort_on_uncaught_exception);
        }
        out.mpi = true;
        MPI_Comm_rank(MPI_COMM_WORLD, &out.rank);
        MPI_Comm_size(MPI_COMM_WORLD, &out.size);
        return out;
    }();
    return j;
}

int count_of(size_t n, const char* op) {
    if (n > static_cast<size_t>(INT_MAX))
        value_error(std::string("distributed::") + op, std::to_string(n) + " elements exceed MPI's count limit " +
                                                          std::to_string(INT_MAX));
    return static_cast<int>(n);
}

void allreduce(void* data, size_t n, size_t element_bytes, MPI_Datatype type) {
    if (!job().mpi || job().size == 1 || n == 0) return;
    const auto start = std::chrono::steady_clock::now();
    MPI_Allreduce(MPI_IN_PLACE, data, count_of(n, "allreduce_sum"), type, MPI_SUM, MPI_COMM_WORLD);
    g_stats.allreduce_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    g_stats.allreduce_calls += 1;
    g_stats.allreduce_bytes += static_cast<int64_t>(n * element_bytes);
}

}  // namespace

int rank() { return job().rank; }
int world_size() { return job().size; }
const char* backend() { return "Open MPI"; }

void broadcast(std::span<float> data) {
    if (job().size > 1 && !data.empty())
        MPI_Bcast(data.data(), count_of(data.size(), "broadcast"), MPI_FLOAT, 0, MPI_COMM_WORLD);
}

void broadcast(std::span<uint64_t> data) {
    if (job().size > 1 && !data.empty())
        MPI_Bcast(data.data(), count_of(data.size(), "broadcast"), MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

void allreduce_sum(std::span<float> data) { allreduce(data.data(), data.size(), sizeof(float), MPI_FLOAT); }
void allreduce_sum(std::span<double> data) { allreduce(data.data(), data.size(), sizeof(double), MPI_DOUBLE); }

void abort(const std::string& message) {
    std::fprintf(stderr, "tapenet: rank %d of %d: %s\n", job().rank, job().size, message.c_str());
    std::fflush(stderr);
    if (job().mpi) MPI_Abort(MPI_COMM_WORLD, 1);
    std::exit(1);
}

Stats stats() { return g_stats; }
void reset_stats() { g_stats = {}; }

}  // namespace tn::distributed
