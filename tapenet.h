// tapenet: one header for everything. See README.md and docs/architecture.md.
#pragma once

#include "core/error.h"
#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tape.h"
#include "core/tensor.h"
