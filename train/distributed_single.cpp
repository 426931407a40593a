// The distributed room of a build without MPI (make MPI=0; train/distributed.h): a job of one
// process, whose collective operations leave their data as it is.
#include <cstdio>
#include <cstdlib>

#include "train/distributed.h"

namespace tn::distributed {

int rank() { return 0; }
int world_size() { return 1; }
const char* backend() { return "single process"; }

void broadcast(std::span<float>) {}
void broadcast(std::span<uint64_t>) {}
void allreduce_sum(std::span<float>) {}
void allreduce_sum(std::span<double>) {}

void abort(const std::string& message) {
    std::fprintf(stderr, "tapenet: rank 0 of 1: %s\n", message.c_str());
    std::fflush(stderr);
    std::exit(1);
}

Stats stats() { return {}; }
void reset_stats() {}

}  // namespace tn::distributed
