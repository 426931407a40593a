// tapenet train: the distributed room: the processes of one data-parallel job, and the few
// collective operations Model::fit needs from them (docs/distributed.md).
//
//   mpirun -np 2 build/bin/add_two_numbers          // fit splits every batch over the 2 processes
//   if (tn::distributed::is_root()) tn::save_model(model, "model.json");  // one writer
//
// Built with Open MPI (the default build; train/distributed_mpi.cpp) a process launched by mpirun
// joins the job the first time anything here is called. A process not launched by mpirun, or a
// build with `make MPI=0` (train/distributed_single.cpp), is a job of one: rank 0, world_size 1,
// and every collective operation returns its input unchanged. Nothing below train/ knows MPI.
//
// Every rank must call the collective operations (broadcast, allreduce_sum) in the same order with
// the same sizes, as MPI requires; fit and evaluate do so on every rank.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tn::distributed {

int rank();        // this process, 0 .. world_size() - 1
int world_size();  // processes in the job (1 when not launched by mpirun)
inline bool is_root() { return rank() == 0; }
// "Open MPI" or "single process": the implementation this library was built with.
const char* backend();

// Rank 0's values into every rank's `data` (the same size on every rank).
void broadcast(std::span<float> data);
void broadcast(std::span<uint64_t> data);
// Every rank's `data` becomes the element-wise sum over all ranks (one MPI_Allreduce).
void allreduce_sum(std::span<float> data);
void allreduce_sum(std::span<double> data);

// Prints "tapenet: rank R of N: message" to stderr and ends every process of the job (MPI_Abort);
// a job of one prints the same and exits with status 1.
[[noreturn]] void abort(const std::string& message);

// Time spent in allreduce_sum and the bytes it reduced, since the start or the last reset (for the
// benchmark: bench-distributed).
struct Stats {
    int64_t allreduce_calls = 0;
    int64_t allreduce_bytes = 0;
    double allreduce_seconds = 0;
};
Stats stats();
void reset_stats();

}  // namespace tn::distributed
