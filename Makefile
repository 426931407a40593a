# tapenet: one Makefile for the library, tests, examples, tools and benchmarks.
#
#   make                  library build/libtapenet.a, examples and tools under build/bin
#   make test             check the layering, build and run the doctest suite (non-zero exit on any failure)
#   make SANITIZE=1 test  the same under AddressSanitizer + UndefinedBehaviorSanitizer (build-sanitize/)
#   make SANITIZE=thread test
#                         the same under ThreadSanitizer (build-tsan/; the whole suite takes ~2 min)
#   make demo             the main job: train add_two_numbers and write its heatmaps
#   make examples         the example binaries under build/bin
#   make bench            throughput benchmark (build/bench.json)
#   make deps             install the Debian packages (as root)
#   make install          headers, libtapenet.a/.so, tapenet.pc, the CMake package and the tools under PREFIX
#                         (default /usr/local; DESTDIR= for packagers); make uninstall removes them
#   make UNITY=0          compile file by file instead of one unit per folder (docs/architecture.md)
#   make MPI=0            build without Open MPI: fit always trains in one process (docs/distributed.md)
#   make test-mpi         the data-parallel tests under mpirun -np 2 and -np 3 (tests/mpi/)
#   make bench-distributed  weak scaling of fit, np=1 against np=2 (build/bench_distributed.json)
#   make clean

CXX      ?= g++
ifeq ($(CXX),c++)
CXX      := g++
endif
MAKEFLAGS += --no-print-directory --no-builtin-rules
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

ifeq ($(SANITIZE),1)
BUILD    := build-sanitize
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN    := -fsanitize=address,undefined
else ifeq ($(SANITIZE),thread)
BUILD    := build-tsan
# One version of each vector kernel: ThreadSanitizer's runtime is not ready when the loader resolves
# the kernels' ifuncs (core/cpu_dispatch.h), and the program crashes before main.
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=thread -DTN_NO_CPU_DISPATCH
LDSAN    := -fsanitize=thread
else
BUILD    := build
OPT      := -O2 -g1
LDSAN    :=
# Test files only call the library, which is optimised, so they compile at -O0.
TEST_OPT := -O0 -g1
# The examples, tools and bench spend their run time in the library (-O2); their own code is
# setup, data and printing, compiled at -Og (docs/architecture.md, "Building").
PROG_OPT := -Og -g1
endif
TEST_OPT ?= $(OPT)
PROG_OPT ?= $(OPT)

# -fno-math-errno -fno-trapping-math let the branch-free activation loops of core/vmath.cpp vectorize.
# The build runs on any x86-64 CPU: the vector kernels choose AVX-512, AVX2+FMA or SSE2 at run time
# (core/cpu_dispatch.h). `make ARCH=native` compiles everything for this machine's CPU instead (no
# dispatch); any other ARCH is passed to the compiler as is (ARCH="-mavx2 -mfma").
ARCH     ?=
ifeq ($(ARCH),native)
ARCH_FLAGS := -march=native -DTN_NO_CPU_DISPATCH
else
ARCH_FLAGS := $(ARCH)
endif
CXXFLAGS  = -std=c++20 $(ARCH_FLAGS) -fno-math-errno -fno-trapping-math -fopenmp-simd -Wall -Wextra -Werror -MMD -MP -I. \
            -I/usr/include/stb $(MPI_CFLAGS) $(EXTRA_CXXFLAGS)
BASE_LDLIBS := -lopenblas -lstb -lgif -lm -lpthread
LDLIBS    = $(BASE_LDLIBS) $(MPI_LIBS)
LDFLAGS  := $(LDSAN)

# Open MPI (the default): train/distributed_mpi.cpp, the only file that includes mpi.h, and the
# library links libmpi (MPI's C API). MPI=0: train/distributed_single.cpp, a job of one process.
# Its headers come in with -isystem, so that -Wextra does not judge them. The flags are asked of
# mpicc when first used (after deps-check, which installs Open MPI for make demo / make test).
MPI      ?= 1
ifeq ($(MPI),1)
MPI_CFLAGS = $(eval MPI_CFLAGS := $(patsubst -I%,-isystem %,$(shell mpicc --showme:compile 2>/dev/null)))$(MPI_CFLAGS)
MPI_LIBS   = $(eval MPI_LIBS := $(shell mpicc --showme:link 2>/dev/null))$(MPI_LIBS)
DISTRIBUTED_SKIP := train/distributed_single.cpp
else
MPI_CFLAGS :=
MPI_LIBS   :=
DISTRIBUTED_SKIP := train/distributed_mpi.cpp
endif

LIB_DIRS := core layers optim io train
LIB_SRC  := $(filter-out $(DISTRIBUTED_SKIP),$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp)))
LIB      := $(BUILD)/libtapenet.a

TEST_SRC := $(wildcard tests/*.cpp)
TEST_BIN := $(BUILD)/tests/tapenet_tests
# A program that includes nothing but tapenet.h (tests/test_one_include.cpp runs it).
ONE_INCLUDE_BIN := $(BUILD)/tests/one_include

EXAMPLE_SRC := $(wildcard examples/*.cpp)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.cpp=$(BUILD)/bin/%)
EXAMPLE_COMMON_OBJ := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard examples/common/*.cpp))  # linked into every example
TOOL_SRC := $(wildcard tools/*.cpp)
TOOL_BIN := $(TOOL_SRC:tools/%.cpp=$(BUILD)/bin/%)
BENCH_SRC := $(wildcard bench/*.cpp)
BENCH_BIN := $(if $(BENCH_SRC),$(BUILD)/bin/bench)

# Unity build: each library folder, the tests and the bench compile as ONE translation unit,
# $(BUILD)/unity/<group>.cpp, which #includes the folder's .cpp files. The standard library,
# nlohmann/json and doctest are then parsed and instantiated once per folder instead of once per
# file (docs/architecture.md, "Building").
# Sources stay one concept per file and must not clash inside their anonymous namespaces.
# `make UNITY=0` compiles file by file; the sanitizer builds do, so each file still compiles alone.
ifneq ($(SANITIZE),)
UNITY    ?= 0
else
UNITY    ?= 1
endif
UNITY_SRC_core   := $(wildcard core/*.cpp)
UNITY_SRC_layers := $(wildcard layers/*.cpp)
UNITY_SRC_optim  := $(wildcard optim/*.cpp)
UNITY_SRC_io     := $(wildcard io/*.cpp)
UNITY_SRC_train  := $(filter-out $(DISTRIBUTED_SKIP),$(wildcard train/*.cpp))
# doctest's main (tests/main.cpp, DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN) comes first: it must precede every
# other #include of doctest.h.
UNITY_SRC_tests  := tests/main.cpp $(filter-out tests/main.cpp,$(TEST_SRC))
UNITY_SRC_bench  := $(BENCH_SRC)
ifeq ($(UNITY),1)
# Longest first (see `all`): io, layers, train, then core and optim.
LIB_OBJ   := $(BUILD)/obj/unity/io.o $(BUILD)/obj/unity/layers.o $(BUILD)/obj/unity/train.o $(BUILD)/obj/unity/core.o \
             $(BUILD)/obj/unity/optim.o
TEST_OBJ  := $(BUILD)/obj/unity/tests.o
BENCH_OBJ := $(BUILD)/obj/unity/bench.o
else
LIB_OBJ   := $(LIB_SRC:%.cpp=$(BUILD)/obj/%.o)
TEST_OBJ  := $(TEST_SRC:%.cpp=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.cpp=$(BUILD)/obj/%.o)
endif

.PHONY: FORCE all test test-mpi bench-distributed examples tools demo bench bench-compare deps deps-check clean data fuzz install uninstall shared

# Longest units first, so that `make -j2` ends on short ones and both cores finish together: the
# tests' unit (the longest), the library (io, layers and train first), the bench, then the examples and tools.
all: $(TEST_BIN) $(ONE_INCLUDE_BIN) $(LIB) $(BENCH_BIN) $(EXAMPLE_BIN) $(TOOL_BIN)

# Every build first checks the Debian packages (fast: dpkg-query) and names `make deps` when one is
# missing. Only the README's two commands, `make demo` and `make test`, install them (as root).
deps-check:
	@tools/deps.sh $(if $(filter demo test,$(MAKECMDGOALS)),--install-if-root)

deps:
	@tools/deps.sh --install

$(BUILD)/obj/%.o: %.cpp Makefile | deps-check
	@mkdir -p $(dir $@)
	$(CXX) $(OPT) $(CXXFLAGS) -c $< -o $@

# The unity sources are rewritten only when the list of files changes (and kept: .PRECIOUS).
.PRECIOUS: $(BUILD)/unity/%.cpp
$(BUILD)/unity/%.cpp: FORCE
	@mkdir -p $(dir $@)
	@printf '#include "%s"\n' $(UNITY_SRC_$*) > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/obj/unity/%.o: $(BUILD)/unity/%.cpp Makefile | deps-check
	@mkdir -p $(dir $@)
	$(CXX) $(OPT) $(CXXFLAGS) -c $< -o $@

# Only the library keeps OPT; the tests and the programs around it compile faster (see above).
$(BUILD)/obj/tests/%.o $(BUILD)/obj/unity/tests.o: OPT := $(TEST_OPT)
$(BUILD)/obj/examples/%.o $(BUILD)/obj/tools/%.o $(BUILD)/obj/bench/%.o $(BUILD)/obj/unity/bench.o: OPT := $(PROG_OPT)

# The library's objects are position-independent, so that the same set makes libtapenet.a and
# libtapenet.so (make install); -fno-semantic-interposition keeps calls inside the library direct.
$(LIB_OBJ): CXXFLAGS += -fPIC -fno-semantic-interposition

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(TEST_BIN): $(TEST_OBJ) $(EXAMPLE_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $(TEST_OBJ) $(EXAMPLE_COMMON_OBJ) $(LIB) $(LDLIBS) -o $@

$(ONE_INCLUDE_BIN): $(BUILD)/obj/tests/one_include/one_include.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

# Keep the examples' and tools' objects: as intermediates of a pattern chain make deleted them after a
# clean build, and the next make (CI's `make test` after `make`) compiled them all again.
.SECONDARY: $(EXAMPLE_COMMON_OBJ) $(EXAMPLE_BIN:$(BUILD)/bin/%=$(BUILD)/obj/examples/%.o) $(TOOL_BIN:$(BUILD)/bin/%=$(BUILD)/obj/tools/%.o)

$(BUILD)/bin/%: $(BUILD)/obj/examples/%.o $(EXAMPLE_COMMON_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(EXAMPLE_COMMON_OBJ) $(LIB) $(LDLIBS) -o $@

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bin/bench: $(BENCH_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $(filter %.o,$^) $(LIB) $(LDLIBS) -o $@

# Tests run with one BLAS thread: deterministic and no oversubscription while make runs jobs.
# tests/test_examples.cpp runs the example binaries it finds in TAPENET_BIN_DIR. First, the
# includes must respect the layering of docs/architecture.md (tools/check_layering.sh).
test: $(TEST_BIN) $(ONE_INCLUDE_BIN) $(EXAMPLE_BIN) $(TOOL_BIN)
	tools/check_layering.sh
	tools/check_layering.sh --self-test
	OPENBLAS_NUM_THREADS=1 TAPENET_BIN_DIR=$(BUILD)/bin ./$(TEST_BIN) $(TEST_ARGS)

# The data-parallel tests (tests/mpi/run.sh): under mpirun -np 2 and -np 3, against one process;
# prints "mpi: N passed, N failed".
MPI_TEST_BIN := $(BUILD)/tests/mpi_tests
$(MPI_TEST_BIN): $(BUILD)/obj/tests/mpi/mpi_tests.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $< $(LIB) $(LDLIBS) -o $@

test-mpi: $(MPI_TEST_BIN) $(BUILD)/bin/add_two_numbers
	tests/mpi/run.sh $(BUILD)

# Weak scaling of fit over Open MPI, np=1 against np=2 (bench/distributed.sh).
bench-distributed: $(BUILD)/bin/bench
	bench/distributed.sh $(BUILD)

examples: $(EXAMPLE_BIN)

tools: $(TOOL_BIN)

demo: $(BUILD)/bin/add_two_numbers
	./$(BUILD)/bin/add_two_numbers --out out/add_two_numbers

bench: $(BUILD)/bin/bench
	./$(BUILD)/bin/bench --out $(BUILD)/bench.json $(BENCH_ARGS)

bench-compare: $(BUILD)/bin/bench
	bench/compare.sh $(BUILD)

data:
	tools/fetch_data.sh

clean:
	rm -rf build build-sanitize build-tsan build-fuzz

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/obj/tests/mpi/mpi_tests.d $(BUILD)/obj/tests/one_include/one_include.d $(EXAMPLE_COMMON_OBJ:.o=.d) $(EXAMPLE_BIN:$(BUILD)/bin/%=$(BUILD)/obj/examples/%.d) \
         $(TOOL_BIN:$(BUILD)/bin/%=$(BUILD)/obj/tools/%.d) $(BENCH_OBJ:.o=.d)

# ---- make fuzz: libFuzzer on the model loader (fuzz/fuzz_model_loader.cpp) ----
# The library is rebuilt with clang, ASan and UBSan into build-fuzz/; the seeds are the fixtures'
# model.json + "\n#WEIGHTS#\n" + weights.bin; new inputs that reach new code go to build-fuzz/corpus,
# a crashing input to build-fuzz/crash-*. Runs FUZZ_SECONDS (default 600) on FUZZ_JOBS processes.
# (Its objects do not depend on the Makefile, so editing it does not force a slow clang rebuild.)
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 1
FUZZ_FLAGS   := -std=c++20 -O1 -g -fno-omit-frame-pointer $(ARCH_FLAGS) -fno-math-errno -fno-trapping-math -MMD -MP -I. \
                -I/usr/include/stb -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The fuzzer's library is a job of one process (train/distributed_single.cpp): the loader knows no MPI.
FUZZ_LIB_SRC := $(filter-out train/distributed_mpi.cpp,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp)))
FUZZ_OBJ     := $(FUZZ_LIB_SRC:%.cpp=build-fuzz/obj/%.o)

build-fuzz/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/fuzz_model_loader: fuzz/fuzz_model_loader.cpp $(FUZZ_OBJ)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(BASE_LDLIBS) -o $@

fuzz: build-fuzz/fuzz_model_loader
	@mkdir -p build-fuzz/seeds build-fuzz/corpus
	@for d in tests/fixtures/*/; do [ -f $$d/model.json ] || continue; \
	  { cat $$d/model.json; printf '\n#WEIGHTS#\n'; cat $$d/weights.bin; } > build-fuzz/seeds/$$(basename $$d); done
	cd build-fuzz && OPENBLAS_NUM_THREADS=1 ./fuzz_model_loader -max_total_time=$(FUZZ_SECONDS) \
	  $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
	  -dict=../fuzz/model_json.dict -max_len=65536 -timeout=10 -rss_limit_mb=2048 corpus seeds

-include $(FUZZ_OBJ:.o=.d)

# ---- make install / make uninstall (docs/install.md) ----
# PREFIX/include/tapenet/ holds tapenet.h and the library's headers in their folders (core/, layers/,
# ...), so that their own includes ("core/tensor.h") resolve with -IPREFIX/include/tapenet, which
# tapenet.pc and the CMake package give. LIBDIR gets libtapenet.a, libtapenet.so.VERSION with its
# soname link libtapenet.so.MAJOR and the link libtapenet.so, pkgconfig/tapenet.pc and
# cmake/tapenet/; BINDIR the tools (build/bin/tapenet-*).
VERSION      := 0.1.0
SOMAJOR      := $(firstword $(subst ., ,$(VERSION)))
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
SHLIB        := $(BUILD)/libtapenet.so.$(VERSION)
PUBLIC_HDRS  := tapenet.h $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h))
INSTALLED_TOOLS := $(filter $(BUILD)/bin/tapenet-%,$(TOOL_BIN))
PKG_FILES    := $(BUILD)/pkg/tapenet.pc $(BUILD)/pkg/tapenetConfig.cmake $(BUILD)/pkg/tapenetConfigVersion.cmake

shared: $(SHLIB)

$(SHLIB): $(LIB_OBJ)
	$(CXX) -shared -Wl,-soname,libtapenet.so.$(SOMAJOR) $(LDFLAGS) $(LIB_OBJ) $(LDLIBS) -o $@

# The templates in tools/pkg/ with the paths and the version filled in.
$(BUILD)/pkg/%: tools/pkg/%.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@SOMAJOR@|$(SOMAJOR)|g' \
	    -e 's|@MPI_LIBS@|$(MPI_LIBS)|g' -e 's|@MPI_CMAKE_LIBS@|$(MPI_CMAKE_LIBS)|g' $< > $@

# A libtapenet built with MPI links libmpi: tapenet.pc's Libs.private names it, and the CMake
# package's static target links the library file itself.
MPI_CMAKE_LIBS = $(if $(filter 1,$(MPI)),$(foreach d,$(shell mpicc --showme:libdirs 2>/dev/null),;$(d)/libmpi.so))

# Rebuilt each time: PREFIX and LIBDIR may differ between two installs.
$(PKG_FILES): FORCE

install: $(LIB) $(SHLIB) $(INSTALLED_TOOLS) $(PKG_FILES)
	@set -e; for h in $(PUBLIC_HDRS); do \
	  install -D -m 644 $$h $(DESTDIR)$(INCLUDEDIR)/tapenet/$$h; done
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/tapenet
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libtapenet.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libtapenet.so.$(VERSION)
	ln -sf libtapenet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtapenet.so.$(SOMAJOR)
	ln -sf libtapenet.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libtapenet.so
	install -m 644 $(BUILD)/pkg/tapenet.pc $(DESTDIR)$(LIBDIR)/pkgconfig/tapenet.pc
	install -m 644 $(BUILD)/pkg/tapenetConfig.cmake $(BUILD)/pkg/tapenetConfigVersion.cmake $(DESTDIR)$(LIBDIR)/cmake/tapenet/
	$(if $(INSTALLED_TOOLS),install -d $(DESTDIR)$(BINDIR) && install -m 755 $(INSTALLED_TOOLS) $(DESTDIR)$(BINDIR)/)
	@# As root into the system (no DESTDIR): refresh the loader's cache, so that programs find libtapenet.so.0.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# Removes what install wrote (the tools by the names of build/bin/tapenet-*), then the folders it
# made, if empty.
uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/tapenet $(DESTDIR)$(LIBDIR)/cmake/tapenet
	rm -f $(DESTDIR)$(LIBDIR)/libtapenet.a $(DESTDIR)$(LIBDIR)/libtapenet.so $(DESTDIR)$(LIBDIR)/libtapenet.so.$(SOMAJOR) \
	      $(DESTDIR)$(LIBDIR)/libtapenet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/pkgconfig/tapenet.pc \
	      $(INSTALLED_TOOLS:$(BUILD)/bin/%=$(DESTDIR)$(BINDIR)/%)
	@rmdir $(DESTDIR)$(LIBDIR)/cmake $(DESTDIR)$(LIBDIR)/pkgconfig 2>/dev/null || true
