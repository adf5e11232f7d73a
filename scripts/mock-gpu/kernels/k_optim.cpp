// optim.cu compiled for the host and registered with the mock driver (see cuda_host.h, registry.hpp).
#include "cuda_host.h"
#include "optim.cu"
#include "registry.hpp"

ADLMOCK_KERNEL(sgd_f32)
ADLMOCK_KERNEL(adam_f32)
