// tapenet bench: weak scaling of Model::fit over Open MPI (make bench-distributed, bench/distributed.sh).
#pragma once

#include <string>

namespace tn::bench {

// Trains `model` (bench/bench_models.h) with fit on this job's processes (train/distributed.h),
// spec.batch rows per rank per step (a global batch of spec.batch * world_size), one tapenet
// thread: 2 warm-up steps, then `repeats` timed fits of `steps` steps. Rank 0 prints one line
//   RESULT model=imdb_text ranks=2 per_rank_batch=64 samples_per_s=... step_ms=...
//          allreduce_ms_per_step=... allreduce_bytes_per_step=...
// (medians over the repeats; the allreduce figures are rank 0's time inside MPI_Allreduce, waiting
// for the slower rank included).
int run_distributed(const std::string& model, int steps, int repeats);

}  // namespace tn::bench
